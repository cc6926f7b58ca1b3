// Helpers for diamond and payout tests: book a gift's diamond leg exactly as sending a gift does,
// give a creator matured diamonds and a payout account, control the sandbox payout provider, and
// check every payout against the ledger and the provider (paired with reconcile()).
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { PayoutProvider } from '../../src/app/ports.js';
import { fiatAccounts, SystemAccounts, userAccounts } from '../../src/domain/accounts.js';
import { availableOf } from '../../src/domain/ledger.js';
import { payoutTransferIds } from '../../src/domain/payouts.js';
import { SandboxPayoutProvider } from '../../src/payments/sandbox-payout-provider.js';
import { KyselyPayoutStore } from '../../src/storage/kysely-payout-store.js';
import { ScryptPasswordHasher } from '../../src/platform/scrypt-password-hasher.js';
import { buildLivegift, type Livegift } from '../../src/server.js';
import { openStorage, type Storage } from '../../src/storage/database.js';
import type { TestNode } from './livegift.js';

/**
 * Books a gift's DIAMOND leg as sending a gift does: `<clientId>:diamonds`, GIFT, issuance → the
 * creator's diamonds on hold, ref `live:<liveId>`. Returns the leg's id.
 */
export async function bookGiftDiamonds(node: Pick<TestNode, 'storage'>, creatorId: string, diamonds: bigint, liveId = 'l-test'): Promise<string> {
  const creator = userAccounts(creatorId);
  await node.storage.ledger.openAccounts([creator.diamondsOnHold]);
  const id = `${randomUUID()}:diamonds`;
  const outcome = await node.storage.ledger.submit([
    {
      id,
      code: 'GIFT',
      kind: 'single',
      debitAccountId: SystemAccounts.diamondIssuance.id,
      creditAccountId: creator.diamondsOnHold.id,
      amount: diamonds,
      ref: `live:${liveId}`,
      metadata: { giftId: 'rose', count: 1, liveId },
    },
  ]);
  expect(outcome.status).toBe('applied');
  return id;
}

/** Gives a creator `diamonds` available now (gift on a hold-0 node, then the maturation job). */
export async function giveAvailableDiamonds(node: TestNode, creatorId: string, diamonds: bigint): Promise<void> {
  await bookGiftDiamonds(node, creatorId, diamonds);
  await node.services.matureDiamonds();
  const acc = await node.storage.ledger.getAccount(userAccounts(creatorId).diamondsAvailable.id);
  expect(acc ? availableOf(acc) : 0n).toBeGreaterThanOrEqual(diamonds);
}

/** A control handle on the sandbox payout provider of a node (its rules and payouts live in the database). */
export function sandboxPayouts(node: Pick<TestNode, 'storage' | 'clock'>): SandboxPayoutProvider {
  return new SandboxPayoutProvider({ db: node.storage.db, nowMs: () => node.clock.nowMs(), newId: randomUUID });
}

/** The creator's diamond counters, straight from the ledger. */
export async function diamondsOf(storage: Storage, userId: string): Promise<{ onHold: bigint; available: bigint; reserved: bigint }> {
  const a = userAccounts(userId);
  const hold = await storage.ledger.getAccount(a.diamondsOnHold.id);
  const avail = await storage.ledger.getAccount(a.diamondsAvailable.id);
  return { onHold: hold ? availableOf(hold) : 0n, available: avail ? availableOf(avail) : 0n, reserved: avail?.debitsPending ?? 0n };
}

/**
 * Every payout agrees with the ledger and the provider, and the ledger reconciles:
 * requested/processing → reservation open; paid → posted, money booked out once, paid once at the
 * provider; failed → voided, no money booked, nothing paid at the provider.
 */
export async function expectPayoutsConsistent(node: Pick<TestNode, 'storage' | 'clock'>): Promise<void> {
  const { ledger } = node.storage;
  const sandbox = sandboxPayouts(node);
  const payouts = await new KyselyPayoutStore(node.storage.db).listRecent({ limit: 1000 });
  let fiatOut = 0n;
  for (const p of payouts) {
    const ids = payoutTransferIds(p.id);
    const reserve = await ledger.getTransfer(ids.reserve);
    expect(reserve, `reservation of ${p.id}`).toMatchObject({ kind: 'pending', amount: p.diamonds, debitAccountId: userAccounts(p.userId).diamondsAvailable.id, creditAccountId: SystemAccounts.diamondPayoutClearing.id });
    const post = await ledger.getTransfer(ids.post);
    const voided = await ledger.getTransfer(ids.void);
    const fiat = await ledger.getTransfer(ids.fiat);
    const atProvider = await sandbox.findPayout(p.id);
    switch (p.status) {
      case 'requested':
      case 'processing':
        expect([post, voided, fiat], `open payout ${p.id}`).toEqual([null, null, null]);
        break;
      case 'paid':
        expect(post, `post of ${p.id}`).not.toBeNull();
        expect(voided).toBeNull();
        expect(fiat, `money out of ${p.id}`).toMatchObject({ amount: p.amountMinor, kind: 'single' });
        expect(atProvider, `provider payout of ${p.id}`).toMatchObject({ status: 'paid', amountMinor: p.amountMinor });
        fiatOut += p.amountMinor;
        break;
      case 'failed':
        expect(voided, `void of ${p.id}`).not.toBeNull();
        expect([post, fiat]).toEqual([null, null]);
        expect(atProvider === null || atProvider.status === 'failed', `provider must not have paid failed payout ${p.id}`).toBe(true);
        break;
    }
  }
  const clearing = await ledger.getAccount(fiatAccounts('USD').payoutClearing.id);
  expect(clearing?.debitsPosted ?? 0n).toBe(fiatOut);
  const report = await ledger.reconcile();
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
}

/**
 * Another node on the same database, with its own connections, ledger writer and workers — what a
 * restarted process (or a second node) sees. Close it with close(); the first node drops the database.
 */
export async function openAnotherNode(node: TestNode, options: { payoutProvider?: PayoutProvider } = {}): Promise<Livegift> {
  const storage = await openStorage({ ...node.storage.options, nowMs: () => node.clock.nowMs() });
  const other = await buildLivegift(node.config, { storage, clock: node.clock, passwords: new ScryptPasswordHasher(1 << 10), ...options });
  await other.app.ready();
  return other;
}
