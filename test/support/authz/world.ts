// The people and things an authorization or fuzz test acts on, made through the use cases (no
// HTTP, so a rate limit or a CSRF check on the sign-up or log-in routes cannot break the setup):
// users with a role and a standing, their sessions, API tokens, money, LIVEs, purchases and
// payout accounts; and the credentials each principal sends.
import { randomUUID } from 'node:crypto';
import type { Principal } from '../../../src/app/authenticate.js';
import { SystemAccounts, userAccounts } from '../../../src/domain/accounts.js';
import type { Scope } from '../../../src/protocol/accounts.js';
import { SESSION_COOKIE } from '../../../src/http/auth.js';
import type { TestNode } from '../livegift.js';

export const PASSWORD = 'correct horse battery';

export interface WorldUser {
  readonly userId: string;
  readonly handle: string;
  readonly email: string;
  /** The current session's secret (replaced by refreshSession). */
  sessionSecret: string;
}

let made = 0;

/** Signs a user up (and in) through the use cases; the handle gets a unique suffix. */
export async function makeUser(
  node: TestNode,
  handle: string,
  options: { birthDate?: string; role?: 'user' | 'moderator' | 'admin' } = {},
): Promise<WorldUser> {
  const unique = `${handle}_${(made++).toString(36)}`.slice(0, 24);
  const email = `${unique}@example.test`;
  await node.services.signUp({ email, password: PASSWORD, handle: unique, displayName: handle, birthDate: options.birthDate ?? '1990-05-17', ...(options.role ? { role: options.role } : {}) });
  const session = await node.services.logIn({ login: email, password: PASSWORD });
  return { userId: session.user.id, handle: unique, email, sessionSecret: session.sessionSecret };
}

/** A new session for the user (after a log-out everywhere revoked the old one). */
export async function refreshSession(node: TestNode, user: WorldUser): Promise<void> {
  user.sessionSecret = (await node.services.logIn({ login: user.email, password: PASSWORD })).sessionSecret;
}

/** Whether the user's session still authenticates. */
export async function sessionAlive(node: TestNode, user: WorldUser): Promise<boolean> {
  return (await node.services.authenticate({ sessionSecret: user.sessionSecret })) !== null;
}

export function cookieOf(user: WorldUser): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(user.sessionSecret)}`;
}

/** The principal of the user's session, as a route would see it. */
export async function principalOf(node: TestNode, user: WorldUser): Promise<Principal> {
  const principal = await node.services.authenticate({ sessionSecret: user.sessionSecret });
  if (!principal) throw new Error(`the session of ${user.handle} does not authenticate`);
  return principal;
}

/** Makes an API token of the user with these scopes; answers its id and secret. */
export async function makeToken(node: TestNode, user: WorldUser, scopes: readonly Scope[], name = 'authz test'): Promise<{ id: string; secret: string }> {
  const { token, record } = await node.services.createApiToken({ principal: await principalOf(node, user), name, scopes });
  return { id: record.id, secret: token };
}

/** Credits coins to the user's wallet (an ADJUSTMENT from coin issuance). */
export async function fundCoins(node: TestNode, userId: string, coins: bigint): Promise<void> {
  const outcome = await node.storage.ledger.submit([
    { id: `authz-fund:${randomUUID()}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(userId).coins.id, amount: coins },
  ]);
  if (outcome.status !== 'applied') throw new Error(`funding ${userId} failed: ${JSON.stringify(outcome, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
}

/** Sets a Community Guidelines suspension of going LIVE that ends in a week. */
export async function suspendFromLive(node: TestNode, userId: string): Promise<void> {
  await node.storage.db
    .updateTable('users')
    .set({ live_suspended_until_ms: node.clock.nowMs() + 7 * 86_400_000, live_suspension_reason: 'gift-baiting (authz test)' })
    .where('id', '=', userId)
    .execute();
}

/** The creator's LIVE on air, started when there is none (ending one in a test is fine). */
export async function liveOnAirOf(node: TestNode, creator: WorldUser, title = 'Authz LIVE'): Promise<string> {
  const on = await node.storage.db.selectFrom('lives').select('id').where('creator_id', '=', creator.userId).where('status', '=', 'live').executeTakeFirst();
  if (on) return on.id;
  return (await node.services.startLive({ creatorId: creator.userId, title })).id;
}

/** A LIVE of the creator that has ended, with one gift from `gifter` (so it has a gifter to thank). */
export async function endedLiveOf(node: TestNode, creator: WorldUser, gifter: WorldUser | null): Promise<string> {
  const on = await node.storage.db.selectFrom('lives').select('id').where('creator_id', '=', creator.userId).where('status', '=', 'live').executeTakeFirst();
  if (on) throw new Error('endedLiveOf needs a creator who is not on air');
  const liveId = (await node.services.startLive({ creatorId: creator.userId, title: 'Authz LIVE that ended' })).id;
  if (gifter) await node.services.sendGift({ id: randomUUID(), senderId: gifter.userId, liveId, giftId: 'rose', count: 1 });
  await node.services.endLive({ liveId, actor: { userId: creator.userId, role: 'user' } });
  return liveId;
}

/** A purchase of coins by the user, still waiting at the sandbox checkout; its id and checkout ref. */
export async function openPurchase(node: TestNode, userId: string): Promise<{ id: string; ref: string }> {
  const packageId = node.services.coinPrices('USD').packages[0]?.id;
  if (packageId === undefined) throw new Error('no coin package to buy');
  const { purchase, checkoutUrl } = await node.services.createPurchase({ userId, clientId: randomUUID(), packageId });
  const ref = /\/sandbox\/checkout\/([^/?#]+)/.exec(checkoutUrl)?.[1];
  if (ref === undefined) throw new Error(`not a sandbox checkout: ${checkoutUrl}`);
  return { id: purchase.id, ref: decodeURIComponent(ref) };
}

/** A bank payout account of the user at the sandbox payout provider; its id. */
export async function addBankAccount(node: TestNode, userId: string): Promise<string> {
  const account = await node.services.addPayoutAccount({ userId, details: { kind: 'bank', holderName: 'Authz Holder', accountNumber: 'DE89370400440532013000' } });
  return account.id;
}

/** Removes a payout account if it is still there (cleanup after a test that made one). */
export async function removeBankAccount(node: TestNode, userId: string, accountId: string): Promise<void> {
  await node.services.removePayoutAccount({ userId, payoutAccountId: accountId }).catch(() => undefined);
}

/**
 * Every ledger account's four counters, as text, by account id: what "no balance changed" compares.
 * Read from the database, where the ledger answers only after a commit.
 */
export async function ledgerBalances(node: TestNode): Promise<Map<string, string>> {
  const rows = await node.storage.db.selectFrom('accounts').select(['id', 'debits_posted', 'credits_posted', 'debits_pending', 'credits_pending']).orderBy('id').execute();
  return new Map(rows.map((r) => [r.id, `dp=${String(r.debits_posted)} cp=${String(r.credits_posted)} dq=${String(r.debits_pending)} cq=${String(r.credits_pending)}`]));
}

/** Accounts whose counters differ between two snapshots (a new account counts only if not all zero). */
export function balanceChanges(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const zero = 'dp=0 cp=0 dq=0 cq=0';
  const changes: string[] = [];
  for (const [id, now] of after) {
    const then = before.get(id) ?? zero;
    if (now !== then) changes.push(`${id}: ${then} → ${now}`);
  }
  for (const id of before.keys()) if (!after.has(id)) changes.push(`${id}: vanished`);
  return changes;
}

/** An open report by `reporter` about the user `subjectUserId`; its id. */
export async function openReport(node: TestNode, reporter: WorldUser, subjectUserId: string): Promise<string> {
  const { report } = await node.services.reportContent({ reporter: await principalOf(node, reporter), target: { kind: 'user', userId: subjectUserId }, reason: 'spam', note: 'made by a test' });
  return report.id;
}

/** A new ordinary user suspended by `admin` who appealed it; the appeal's id. */
export async function openAppeal(node: TestNode, admin: WorldUser): Promise<string> {
  const user = await makeUser(node, 'appealing');
  await node.services.suspendLive({ actor: await principalOf(node, admin), userId: user.userId, length: { hours: 24 }, reason: 'spam', note: 'made by a test' });
  const { appeal } = await node.services.appealSuspension({ viewer: await principalOf(node, user), text: 'made by a test' });
  return appeal.id;
}

/** A new ordinary user, banned by `admin` when `banned`; their id. */
export async function userToBan(node: TestNode, admin: WorldUser, banned: boolean): Promise<string> {
  const user = await makeUser(node, banned ? 'banned' : 'to_ban');
  if (banned) await node.services.banUser({ actor: await principalOf(node, admin), userId: user.userId, reason: 'card fraud (made by a test)' });
  return user.userId;
}
