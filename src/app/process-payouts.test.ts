// Proves the payout worker pays each payout exactly once whatever the provider does — declines for
// good (diamonds back), times out, fails transiently, settles later or bounces — and whatever happens
// to the worker: a payout left `processing` by a node that died is finished by another node asking the
// provider first, a reservation whose request died before its row is rebuilt and paid, and two workers
// at once pay once; on SQLite and PostgreSQL, with the ledger reconciling after every test.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';
import { diamondsOf, expectPayoutsConsistent, giveAvailableDiamonds, openAnotherNode, sandboxPayouts } from '../../test/support/payouts.js';
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import type { PayoutProvider } from './ports.js';
import { PAYOUT_ATTEMPTS_MAX, payoutRetryDelayMs, payoutTransferIds } from '../domain/payouts.js';
import { PAYOUT_CLAIM_MS, PAYOUT_POLL_MS, PAYOUT_RECOVERY_GRACE_MS } from './process-payouts.js';

let handles = 0;

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`payout worker on ${dialect.name}`, () => {
    let node: TestNode;
    beforeAll(async () => {
      node = await openTestNode(dialect, { DIAMOND_HOLD_HOURS: '0' });
    });
    afterEach(async () => {
      await expectPayoutsConsistent(node);
    });
    afterAll(async () => {
      await node.drop();
    });

    /** A creator with 10 000 diamonds available, a payout account, and one requested payout of `diamonds`. */
    async function requested(diamonds = 4000n): Promise<{ userId: string; payoutId: string; accountRef: string }> {
      const who = await signUpAs(node, { handle: `wk${(handles++).toString(36)}` });
      await giveAvailableDiamonds(node, who.userId, 10_000n);
      const account = await node.services.addPayoutAccount({ userId: who.userId, details: { kind: 'bank', holderName: 'W. Orker', accountNumber: 'NL91ABNA0417164300' } });
      const { payout } = await node.services.requestPayout({ userId: who.userId, id: randomUUID(), payoutAccountId: account.id, diamonds });
      expect(payout.status).toBe('requested');
      return { userId: who.userId, payoutId: payout.id, accountRef: account.providerRef };
    }

    async function payout(id: string) {
      const p = await node.services.listPayouts({ userId: (await node.storage.db.selectFrom('payouts').select('user_id').where('id', '=', id).executeTakeFirstOrThrow()).user_id, limit: 100 });
      const found = p.find((x) => x.id === id);
      if (!found) throw new Error(`no payout ${id}`);
      return found;
    }

    it('declined for good: failed with the reason, the diamonds back in available, nothing paid', async () => {
      const { userId, payoutId, accountRef } = await requested();
      await sandboxPayouts(node).setRule({ accountRef }, { mode: 'decline' });
      expect(await node.services.processPayouts()).toMatchObject({ failed: 1, paid: 0, errors: [] });
      expect(await payout(payoutId)).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('declined') as string, attempts: 1 });
      expect(await diamondsOf(node.storage, userId)).toMatchObject({ available: 10_000n, reserved: 0n });
      expect(await node.storage.ledger.getTransfer(payoutTransferIds(payoutId).void)).toMatchObject({ kind: 'void', pendingId: payoutTransferIds(payoutId).reserve });
      // Nothing more to do, however often the worker runs.
      node.clock.advance(PAYOUT_CLAIM_MS * 2);
      expect(await node.services.processPayouts()).toMatchObject({ paid: 0, failed: 0 });
    });

    it('times out, then the retry finds it paid: one payment at the provider', async () => {
      const { userId, payoutId } = await requested();
      const sandbox = sandboxPayouts(node);
      await sandbox.setRule({ payoutId }, { mode: 'timeout', times: 1 });
      expect(await node.services.processPayouts()).toMatchObject({ retrying: 1, paid: 0 });
      expect(await payout(payoutId)).toMatchObject({ status: 'processing', attempts: 1 });
      expect(await sandbox.findPayout(payoutId)).toMatchObject({ status: 'paid', requests: 1 }); // the money moved; the answer was lost
      expect(await node.services.processPayouts()).toMatchObject({ paid: 0, retrying: 0 }); // not due before the backoff

      node.clock.advance(payoutRetryDelayMs(1));
      expect(await node.services.processPayouts()).toMatchObject({ paid: 1 });
      expect(await payout(payoutId)).toMatchObject({ status: 'paid', attempts: 1 });
      expect(await sandbox.findPayout(payoutId)).toMatchObject({ status: 'paid', requests: 1 });
      expect(await diamondsOf(node.storage, userId)).toMatchObject({ available: 6000n, reserved: 0n });
    });

    it('fails transiently twice, then pays: three attempts, one payment', async () => {
      const { payoutId } = await requested();
      const sandbox = sandboxPayouts(node);
      await sandbox.setRule({ payoutId }, { mode: 'transient', times: 2 });
      for (const attempt of [1, 2]) {
        expect(await node.services.processPayouts()).toMatchObject({ retrying: 1 });
        const p = await payout(payoutId);
        expect(p).toMatchObject({ status: 'processing', attempts: attempt });
        expect(p.lastError).toContain('unavailable');
        expect(await sandbox.findPayout(payoutId)).toBeNull();
        node.clock.advance(payoutRetryDelayMs(attempt));
      }
      expect(await node.services.processPayouts()).toMatchObject({ paid: 1 });
      expect(await payout(payoutId)).toMatchObject({ status: 'paid', attempts: 3, lastError: null });
      expect(await sandbox.findPayout(payoutId)).toMatchObject({ status: 'paid', requests: 1 });
    });

    it('gives up waiting on a provider that hangs, and pays on the retry without paying twice', async () => {
      const { payoutId } = await requested();
      const sandbox = sandboxPayouts(node);
      // A provider whose connection hangs after it has paid: the answer never comes back.
      const hanging: PayoutProvider = {
        name: sandbox.name,
        accountKinds: sandbox.accountKinds,
        registerAccount: (details) => sandbox.registerAccount(details),
        getStatus: (id) => sandbox.getStatus(id),
        send: async (request) => {
          await sandbox.send(request);
          return new Promise<never>(() => undefined);
        },
      };
      const stuck = await openAnotherNode(node, { payoutProvider: hanging });
      try {
        expect(await stuck.services.processPayouts({ providerTimeoutMs: 50 })).toMatchObject({ retrying: 1, paid: 0 });
      } finally {
        await stuck.close();
      }
      expect((await payout(payoutId)).lastError).toMatch(/^timed out: sending to the payout provider took longer than 50 ms/);
      node.clock.advance(payoutRetryDelayMs(1));
      expect(await node.services.processPayouts()).toMatchObject({ paid: 1 });
      expect(await sandbox.findPayout(payoutId)).toMatchObject({ status: 'paid', requests: 1 });
    });

    it('polls a payout the provider accepted until it settles, paid or bounced', async () => {
      const paid = await requested();
      const bounced = await requested();
      const sandbox = sandboxPayouts(node);
      await sandbox.setRule({ payoutId: paid.payoutId }, { mode: 'processing' });
      await sandbox.setRule({ payoutId: bounced.payoutId }, { mode: 'bounce' });
      expect(await node.services.processPayouts()).toMatchObject({ inFlight: 2 });
      expect(await payout(paid.payoutId)).toMatchObject({ status: 'processing', providerRef: `po_sandbox_${paid.payoutId}` });

      node.clock.advance(PAYOUT_POLL_MS);
      expect(await node.services.processPayouts()).toMatchObject({ paid: 1, failed: 1 });
      expect(await payout(bounced.payoutId)).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('returned') as string });
      expect(await diamondsOf(node.storage, bounced.userId)).toMatchObject({ available: 10_000n, reserved: 0n });
      expect(await diamondsOf(node.storage, paid.userId)).toMatchObject({ available: 6000n, reserved: 0n });
    });

    it('returns the diamonds when the provider never received the payout after the most attempts', async () => {
      const { userId, payoutId } = await requested();
      await sandboxPayouts(node).setRule({ payoutId }, { mode: 'transient' });
      for (let i = 1; i <= PAYOUT_ATTEMPTS_MAX; i++) {
        expect(await node.services.processPayouts()).toMatchObject({ retrying: 1 });
        node.clock.advance(payoutRetryDelayMs(i));
      }
      expect(await node.services.processPayouts()).toMatchObject({ failed: 1 });
      expect(await payout(payoutId)).toMatchObject({ status: 'failed', attempts: PAYOUT_ATTEMPTS_MAX, failureReason: expect.stringContaining('nothing was paid') as string });
      expect(await diamondsOf(node.storage, userId)).toMatchObject({ available: 10_000n, reserved: 0n });
    });

    it.each([
      ['after the provider paid', true],
      ['before the provider heard of it', false],
    ])('resumes a payout left processing by a node that died %s, without paying twice', async (_when, providerPaid) => {
      const { userId, payoutId, accountRef } = await requested();
      // What the dead node did: claimed the payout, counted the attempt, and (maybe) sent it.
      const claimedUntil = node.clock.nowMs() + PAYOUT_CLAIM_MS;
      await node.storage.db.updateTable('payouts').set({ status: 'processing', attempts: 1, next_attempt_at_ms: claimedUntil }).where('id', '=', payoutId).execute();
      const sandbox = sandboxPayouts(node);
      if (providerPaid) await sandbox.send({ payoutId, providerAccountRef: accountRef, currency: 'USD', amountMinor: 2000n });

      const restarted = await openAnotherNode(node);
      try {
        expect(await restarted.services.processPayouts()).toMatchObject({ paid: 0 }); // its claim has not expired
        node.clock.advance(PAYOUT_CLAIM_MS);
        expect(await restarted.services.processPayouts()).toMatchObject({ paid: 1, errors: [] });
      } finally {
        await restarted.close();
      }
      expect(await payout(payoutId)).toMatchObject({ status: 'paid', attempts: providerPaid ? 1 : 2 });
      expect(await sandbox.findPayout(payoutId)).toMatchObject({ status: 'paid', amountMinor: 2000n, requests: 1 });
      expect(await diamondsOf(node.storage, userId)).toMatchObject({ available: 6000n, reserved: 0n });
    });

    it('rebuilds and pays a payout whose request died between reserving and recording it', async () => {
      const who = await signUpAs(node, { handle: `wk${(handles++).toString(36)}` });
      await giveAvailableDiamonds(node, who.userId, 5000n);
      const account = await node.services.addPayoutAccount({ userId: who.userId, details: { kind: 'paypal', email: 'orphan@example.test' } });
      const payoutId = randomUUID();
      // The request's first write (exactly what request-payout.ts submits), and then nothing.
      const ids = payoutTransferIds(payoutId);
      const reserved = await node.storage.ledger.submit([
        { id: ids.reserve, code: 'PAYOUT', kind: 'pending', debitAccountId: userAccounts(who.userId).diamondsAvailable.id, creditAccountId: SystemAccounts.diamondPayoutClearing.id, amount: 3000n, ref: ids.ref, metadata: { userId: who.userId, payoutAccountId: account.id } },
      ]);
      expect(reserved.status).toBe('applied');

      expect(await node.services.processPayouts()).toMatchObject({ recovered: 0 }); // its request may still be running
      node.clock.advance(PAYOUT_RECOVERY_GRACE_MS + 1);
      expect(await node.services.processPayouts()).toMatchObject({ recovered: 1, paid: 1 });
      expect(await payout(payoutId)).toMatchObject({ status: 'paid', diamonds: 3000n, amountMinor: 1500n, payoutAccountId: account.id });
      expect(await node.services.processPayouts()).toMatchObject({ recovered: 0 });
      // The client's late replay answers the same payout.
      const replay = await node.services.requestPayout({ userId: who.userId, id: payoutId, payoutAccountId: account.id, diamonds: 3000n });
      expect(replay).toMatchObject({ created: false, payout: { status: 'paid' } });
    });

    it('pays once when two workers run at the same moment', async () => {
      const a = await requested();
      const b = await requested();
      const other = await openAnotherNode(node);
      try {
        const [r1, r2] = await Promise.all([node.services.processPayouts(), other.services.processPayouts()]);
        expect(r1.paid + r2.paid).toBe(2);
        expect(r1.errors).toEqual([]);
        expect(r2.errors).toEqual([]);
      } finally {
        await other.close();
      }
      const sandbox = sandboxPayouts(node);
      for (const { payoutId } of [a, b]) {
        expect(await payout(payoutId)).toMatchObject({ status: 'paid', attempts: 1 });
        expect(await sandbox.findPayout(payoutId)).toMatchObject({ requests: 1 });
      }
    });
  });
}
