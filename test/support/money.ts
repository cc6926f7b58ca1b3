// Helpers for tests of money coming back (refunds, chargebacks) over any payment provider: a creator
// on air to gift to, a viewer's gifts, balances, and a purchase as its buyer lists it.
import { randomUUID } from 'node:crypto';
import { userAccounts } from '../../src/domain/accounts.js';
import { availableOf } from '../../src/domain/ledger.js';
import { signUpAs, type TestNode } from './livegift.js';

export interface ErrorBody {
  error: { code: string; message: string };
}

export interface PurchaseBody {
  id: string;
  status: string;
  moneyBack?: { refundedMinor: number; chargedBackMinor: number; coinsReversed: number; coinsAlreadyGifted: number } | null;
}

/** A creator with LIVE Gifts on and a LIVE on air (inserted directly: the LIVE API has its own suite). */
export async function creatorOnAir(node: TestNode, handle: string): Promise<{ creator: { cookie: string; userId: string }; liveId: string }> {
  const creator = await signUpAs(node, { handle });
  await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
  const liveId = randomUUID();
  const now = node.clock.nowMs();
  await node.storage.db.insertInto('lives').values({ id: liveId, creator_id: creator.userId, title: `${handle}'s LIVE`, status: 'live', started_at_ms: now, creator_seen_at_ms: now, peak_viewers: 0 }).execute();
  return { creator, liveId };
}

/** Sends `count` roses (1 coin each) to the LIVE over HTTP. */
export function sendRoses(node: TestNode, cookie: string, liveId: string, count: number) {
  return node.call<ErrorBody>({ method: 'POST', url: '/v1/gifts', headers: { cookie }, payload: { id: randomUUID(), liveId, giftId: 'rose', count } });
}

export async function balanceOf(node: TestNode, accountId: string): Promise<bigint> {
  const a = await node.storage.ledger.getAccount(accountId);
  return a ? availableOf(a) : 0n;
}

export function coinsOf(node: TestNode, userId: string): Promise<bigint> {
  return balanceOf(node, userAccounts(userId).coins.id);
}

/** The purchase as its buyer's purchase list shows it (with its money back). */
export async function listedPurchase(node: TestNode, cookie: string, id: string): Promise<PurchaseBody> {
  const list = await node.call<{ purchases: PurchaseBody[] }>({ method: 'GET', url: '/v1/purchases?limit=50', headers: { cookie } });
  const found = list.body.purchases.find((p) => p.id === id);
  if (!found) throw new Error(`purchase ${id} not listed`);
  return found;
}
