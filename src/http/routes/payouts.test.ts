// Proves the diamonds and payouts API over real HTTP and real databases: the balance and its value,
// payout accounts kept masked, 18+ and good standing on every payout route, redeem with its minimum,
// its daily maximum held under 20 concurrent requests, insufficient diamonds, idempotent and
// conflicting replays, and a payout seen moving requested → paid — with every payout consistent with
// the ledger and the provider, and the ledger reconciling, after each test.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../../test/support/livegift.js';
import { bookGiftDiamonds, diamondsOf, expectPayoutsConsistent, giveAvailableDiamonds, sandboxPayouts } from '../../../test/support/payouts.js';
import { payoutDayCapKey } from '../../domain/payouts.js';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface Balance {
  onHold: number;
  available: number;
  pendingPayout: number;
  value: { currency: string; onHoldMinor: number; availableMinor: number; pendingPayoutMinor: number };
  holdHours: number;
  payout: { minimumDiamonds: number; minimumMinor: number; dailyMaxDiamonds: number; dailyMaxMinor: number; todayRemainingDiamonds: number };
}
interface AccountBody {
  id: string;
  kind: string;
  label: string;
  holderName: string | null;
  last4: string | null;
  email: string | null;
}
interface PayoutBody {
  id: string;
  payoutAccountId: string;
  diamonds: number;
  currency: string;
  amountMinor: number;
  status: string;
  failureReason: string | null;
  attempts: number;
  resolvedAtMs: number | null;
}

let handles = 0;
const handle = (base: string) => `${base}${(handles++).toString(36)}`;

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`diamonds and payouts API on ${dialect.name}`, () => {
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

    /** An adult creator with a bank payout account and `diamonds` available. */
    async function creator(diamonds: bigint): Promise<{ cookie: string; userId: string; accountId: string }> {
      const who = await signUpAs(node, { handle: handle('cr') });
      if (diamonds > 0n) await giveAvailableDiamonds(node, who.userId, diamonds);
      const account = await node.call<AccountBody>({ method: 'POST', url: '/v1/me/payout-accounts', headers: { cookie: who.cookie }, payload: { kind: 'bank', holderName: 'Ada Creator', accountNumber: 'GB33BUKB20201555555555' } });
      expect(account.status).toBe(201);
      return { ...who, accountId: account.body.id };
    }

    function redeem(who: { cookie: string }, body: { id?: string; payoutAccountId: string; diamonds: number }) {
      return node.call<PayoutBody & ErrorBody>({ method: 'POST', url: '/v1/payouts', headers: { cookie: who.cookie }, payload: { id: body.id ?? randomUUID(), ...body } });
    }

    async function balance(who: { cookie: string }): Promise<Balance> {
      const res = await node.call<Balance>({ method: 'GET', url: '/v1/me/diamonds', headers: { cookie: who.cookie } });
      expect(res.status).toBe(200);
      return res.body;
    }

    it('shows diamonds on hold and available with their value, rounded down, to any signed-in user', async () => {
      const who = await signUpAs(node, { handle: handle('bal') });
      expect(await balance(who)).toMatchObject({ onHold: 0, available: 0, pendingPayout: 0, value: { currency: 'USD', onHoldMinor: 0, availableMinor: 0 }, holdHours: 0 });
      await bookGiftDiamonds(node, who.userId, 1001n);
      expect(await balance(who)).toMatchObject({ onHold: 1001, available: 0, value: { onHoldMinor: 500 } });
      await node.services.matureDiamonds();
      const after = await balance(who);
      expect(after).toMatchObject({ onHold: 0, available: 1001, value: { availableMinor: 500 } });
      expect(after.payout).toEqual({ minimumDiamonds: 2000, minimumMinor: 1000, dailyMaxDiamonds: 200_000, dailyMaxMinor: 100_000, todayRemainingDiamonds: 200_000 });

      const teen = await signUpAs(node, { handle: handle('teen'), birthDate: '2010-06-01' });
      expect((await balance(teen)).available).toBe(0);
      expect((await node.call<ErrorBody>({ method: 'GET', url: '/v1/me/diamonds' })).status).toBe(401);
    });

    it('adds, lists and removes payout accounts, keeping only the last 4 of a bank number', async () => {
      const who = await signUpAs(node, { handle: handle('acc') });
      const headers = { cookie: who.cookie };
      const bank = await node.call<AccountBody>({ method: 'POST', url: '/v1/me/payout-accounts', headers, payload: { kind: 'bank', holderName: 'Ada Lovelace', accountNumber: 'DE89 3704 0044 0532 0130 00' } });
      expect(bank.status).toBe(201);
      expect(bank.body).toMatchObject({ kind: 'bank', label: 'Bank •••• 3000', holderName: 'Ada Lovelace', last4: '3000', email: null });
      const paypal = await node.call<AccountBody>({ method: 'POST', url: '/v1/me/payout-accounts', headers, payload: { kind: 'paypal', email: 'Ada@Example.test' } });
      expect(paypal.body).toMatchObject({ kind: 'paypal', label: 'PayPal ada@example.test', email: 'ada@example.test', last4: null });

      // The whole number is in no table of ours (the provider's sandbox keeps its last 4 too).
      const ours = await node.storage.db.selectFrom('payout_accounts').selectAll().where('user_id', '=', who.userId).execute();
      const theirs = await sql`SELECT * FROM sandbox_payout_accounts`.execute(node.storage.db);
      expect(ours).toHaveLength(2);
      expect(theirs.rows.length).toBeGreaterThanOrEqual(2);
      expect(JSON.stringify([ours, theirs.rows])).not.toMatch(/370400440532013000|37040044/);

      const list = await node.call<{ accounts: AccountBody[] }>({ method: 'GET', url: '/v1/me/payout-accounts', headers });
      expect(list.body.accounts.map((a) => a.id)).toEqual([bank.body.id, paypal.body.id]);

      const other = await signUpAs(node, { handle: handle('oth') });
      expect((await node.call<ErrorBody>({ method: 'DELETE', url: `/v1/me/payout-accounts/${bank.body.id}`, headers: { cookie: other.cookie } })).status).toBe(404);
      expect((await node.call({ method: 'DELETE', url: `/v1/me/payout-accounts/${bank.body.id}`, headers })).status).toBe(200);
      expect((await node.call<ErrorBody>({ method: 'DELETE', url: `/v1/me/payout-accounts/${bank.body.id}`, headers })).body.error.code).toBe('not_found');
      const after = await node.call<{ accounts: AccountBody[] }>({ method: 'GET', url: '/v1/me/payout-accounts', headers });
      expect(after.body.accounts.map((a) => a.id)).toEqual([paypal.body.id]);

      const bad = await node.call<ErrorBody>({ method: 'POST', url: '/v1/me/payout-accounts', headers, payload: { kind: 'bank', holderName: 'X', accountNumber: '12*34567890' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'validation_failed', details: { field: 'accountNumber' } });
    });

    it('refuses every payout route to an under-18 user with age_restricted, and a banned one with account_suspended', async () => {
      const teen = await signUpAs(node, { handle: handle('minor'), birthDate: '2010-06-01' });
      const headers = { cookie: teen.cookie };
      const calls = [
        node.call<ErrorBody>({ method: 'POST', url: '/v1/me/payout-accounts', headers, payload: { kind: 'paypal', email: 'teen@example.test' } }),
        node.call<ErrorBody>({ method: 'GET', url: '/v1/me/payout-accounts', headers }),
        node.call<ErrorBody>({ method: 'POST', url: '/v1/payouts', headers, payload: { id: randomUUID(), payoutAccountId: 'x', diamonds: 5000 } }),
        node.call<ErrorBody>({ method: 'GET', url: '/v1/payouts', headers }),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({ code: 'age_restricted', details: { minimumAge: 18 } });
      }

      const banned = await creator(5000n);
      await node.storage.db.updateTable('users').set({ banned_at_ms: node.clock.nowMs(), ban_reason: 'fraud' }).where('id', '=', banned.userId).execute();
      const refused = await redeem(banned, { payoutAccountId: banned.accountId, diamonds: 2000 });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('account_suspended');
      expect(await diamondsOf(node.storage, banned.userId)).toMatchObject({ available: 5000n, reserved: 0n });
    });

    it('redeems: reserves the diamonds at once, then the worker pays and the list shows it paid', async () => {
      const who = await creator(10_000n);
      const res = await redeem(who, { payoutAccountId: who.accountId, diamonds: 2001 });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ diamonds: 2001, currency: 'USD', amountMinor: 1000, status: 'requested', attempts: 0, failureReason: null, resolvedAtMs: null });
      expect(await balance(who)).toMatchObject({ available: 7999, pendingPayout: 2001, value: { pendingPayoutMinor: 1000 }, payout: { todayRemainingDiamonds: 200_000 - 2001 } });

      const listed = await node.call<{ payouts: PayoutBody[] }>({ method: 'GET', url: '/v1/payouts', headers: { cookie: who.cookie } });
      expect(listed.body.payouts.map((p) => [p.id, p.status])).toEqual([[res.body.id, 'requested']]);

      const run = await node.services.processPayouts();
      expect(run).toMatchObject({ paid: 1, failed: 0, errors: [] });
      const after = await node.call<{ payouts: PayoutBody[] }>({ method: 'GET', url: '/v1/payouts', headers: { cookie: who.cookie } });
      expect(after.body.payouts[0]).toMatchObject({ id: res.body.id, status: 'paid', attempts: 1, resolvedAtMs: node.clock.nowMs() });
      expect(await balance(who)).toMatchObject({ available: 7999, pendingPayout: 0 });
      expect(await sandboxPayouts(node).findPayout(res.body.id)).toMatchObject({ status: 'paid', amountMinor: 1000n, currency: 'USD', requests: 1 });

      const audit = await node.storage.db.selectFrom('audit_log').select('action').where('subject', '=', `payout:${res.body.id}`).orderBy('seq').execute();
      expect(audit.map((a) => a.action)).toEqual(['payout.requested', 'payout.processing', 'payout.sent', 'payout.paid']);
    });

    it('refuses less than the minimum and more than is left of the daily maximum, saying what is allowed', async () => {
      const who = await creator(250_000n);
      const small = await redeem(who, { payoutAccountId: who.accountId, diamonds: 1999 });
      expect(small.status).toBe(422);
      expect(small.body.error).toMatchObject({ code: 'payout_limit', details: { reason: 'below_minimum', minimumDiamonds: 2000, minimumMinor: 1000 } });
      expect(small.body.error.message).toContain('$10.00');

      const big = await redeem(who, { payoutAccountId: who.accountId, diamonds: 200_001 });
      expect(big.status).toBe(422);
      expect(big.body.error).toMatchObject({ code: 'payout_limit', details: { reason: 'daily_maximum', dailyMaxDiamonds: 200_000, remainingDiamonds: 200_000, remainingMinor: 100_000 } });
      expect((await redeem(who, { payoutAccountId: who.accountId, diamonds: 200_000 })).status).toBe(201);
      const more = await redeem(who, { payoutAccountId: who.accountId, diamonds: 2000 });
      expect(more.body.error).toMatchObject({ code: 'payout_limit', details: { remainingDiamonds: 0 } });
      expect(await diamondsOf(node.storage, who.userId)).toMatchObject({ available: 50_000n, reserved: 200_000n });
    });

    it('holds 20 concurrent requests to the daily maximum: exactly what fits is reserved', async () => {
      const who = await creator(300_000n);
      const results = await Promise.all(Array.from({ length: 20 }, () => redeem(who, { payoutAccountId: who.accountId, diamonds: 15_000 })));
      const accepted = results.filter((r) => r.status === 201);
      const limited = results.filter((r) => r.status === 422);
      expect(accepted).toHaveLength(13); // 13 × 15 000 = 195 000 ≤ 200 000 < 14 × 15 000
      expect(limited).toHaveLength(7);
      for (const r of limited) expect(r.body.error).toMatchObject({ code: 'payout_limit', details: { remainingDiamonds: 5000 } });
      expect(await diamondsOf(node.storage, who.userId)).toMatchObject({ available: 105_000n, reserved: 195_000n });
      expect(await node.storage.ledger.capUsed(payoutDayCapKey(who.userId, node.clock.nowMs()))).toBe(195_000n);
      expect((await balance(who)).payout.todayRemainingDiamonds).toBe(5000);

      // A new UTC day has a new allowance.
      node.clock.advance(24 * 3_600_000);
      expect((await redeem(who, { payoutAccountId: who.accountId, diamonds: 15_000 })).status).toBe(201);
      await node.services.processPayouts();
    });

    it('answers insufficient_diamonds with the balance and the shortfall, and reserves nothing', async () => {
      const who = await creator(3000n);
      const res = await redeem(who, { payoutAccountId: who.accountId, diamonds: 5000 });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'insufficient_diamonds', details: { availableDiamonds: 3000, requestedDiamonds: 5000, shortfallDiamonds: 2000 } });
      expect(await diamondsOf(node.storage, who.userId)).toMatchObject({ available: 3000n, reserved: 0n });

      const none = await creator(0n);
      const empty = await redeem(none, { payoutAccountId: none.accountId, diamonds: 2000 });
      expect(empty.body.error).toMatchObject({ code: 'insufficient_diamonds', details: { availableDiamonds: 0, shortfallDiamonds: 2000 } });
      const listed = await node.call<{ payouts: PayoutBody[] }>({ method: 'GET', url: '/v1/payouts', headers: { cookie: who.cookie } });
      expect(listed.body.payouts).toEqual([]);
    });

    it('answers a replay with the same payout and reserves once; the same id with other content is 409', async () => {
      const who = await creator(10_000n);
      const id = randomUUID();
      const first = await redeem(who, { id, payoutAccountId: who.accountId, diamonds: 3000 });
      const again = await Promise.all([redeem(who, { id, payoutAccountId: who.accountId, diamonds: 3000 }), redeem(who, { id, payoutAccountId: who.accountId, diamonds: 3000 })]);
      expect(first.status).toBe(201);
      for (const r of again) {
        expect(r.status).toBe(200);
        expect(r.body).toEqual(first.body);
      }
      expect(await diamondsOf(node.storage, who.userId)).toMatchObject({ available: 7000n, reserved: 3000n });

      const paypal = await node.call<AccountBody>({ method: 'POST', url: '/v1/me/payout-accounts', headers: { cookie: who.cookie }, payload: { kind: 'paypal', email: 'other@example.test' } });
      for (const changed of [{ diamonds: 3001, payoutAccountId: who.accountId }, { diamonds: 3000, payoutAccountId: paypal.body.id }]) {
        const res = await redeem(who, { id, ...changed });
        expect(res.status).toBe(409);
        expect(res.body.error).toMatchObject({ code: 'idempotency_conflict', details: { id } });
      }
      const stranger = await creator(10_000n);
      expect((await redeem(stranger, { id, payoutAccountId: stranger.accountId, diamonds: 3000 })).body.error.code).toBe('idempotency_conflict');

      await node.services.processPayouts();
      const replayPaid = await redeem(who, { id, payoutAccountId: who.accountId, diamonds: 3000 });
      expect(replayPaid.status).toBe(200);
      expect(replayPaid.body).toMatchObject({ id, status: 'paid' });
      expect(await diamondsOf(node.storage, who.userId)).toMatchObject({ available: 7000n, reserved: 0n });
    });

    it("refuses someone else's payout account, a removed one, and a token without payouts:write", async () => {
      const who = await creator(10_000n);
      const other = await creator(0n);
      const foreign = await redeem(who, { payoutAccountId: other.accountId, diamonds: 2000 });
      expect(foreign.status).toBe(404);
      await node.call({ method: 'DELETE', url: `/v1/me/payout-accounts/${who.accountId}`, headers: { cookie: who.cookie } });
      expect((await redeem(who, { payoutAccountId: who.accountId, diamonds: 2000 })).body.error.code).toBe('not_found');

      const token = await node.call<{ token: string }>({ method: 'POST', url: '/v1/me/tokens', headers: { cookie: who.cookie }, payload: { name: 'read only', scopes: ['read'] } });
      const headers = { authorization: `Bearer ${token.body.token}` };
      expect((await node.call({ method: 'GET', url: '/v1/payouts', headers })).status).toBe(200);
      const write = await node.call<ErrorBody>({ method: 'POST', url: '/v1/payouts', headers, payload: { id: randomUUID(), payoutAccountId: who.accountId, diamonds: 2000 } });
      expect(write.status).toBe(403);
      expect(write.body.error).toMatchObject({ code: 'forbidden', details: { scope: 'payouts:write' } });
      expect(await diamondsOf(node.storage, who.userId)).toMatchObject({ available: 10_000n, reserved: 0n });
    });

    it('documents its routes in the OpenAPI document', async () => {
      const doc = await node.call<{ paths: Record<string, unknown> }>({ method: 'GET', url: '/openapi.json' });
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/me/diamonds', '/v1/me/payout-accounts', '/v1/me/payout-accounts/{id}', '/v1/payouts']));
    });

    it('refuses bad input before it reaches the database', async () => {
      const who = await creator(10_000n);
      for (const payload of [
        { id: 'not-a-uuid', payoutAccountId: who.accountId, diamonds: 2000 },
        { id: randomUUID(), payoutAccountId: who.accountId, diamonds: 2000.5 },
        { id: randomUUID(), payoutAccountId: who.accountId, diamonds: -5 },
        { id: randomUUID(), payoutAccountId: who.accountId, diamonds: '2000' },
      ]) {
        const res = await node.call<ErrorBody>({ method: 'POST', url: '/v1/payouts', headers: { cookie: who.cookie }, payload });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
      }
      expect(await diamondsOf(node.storage, who.userId)).toMatchObject({ available: 10_000n, reserved: 0n });
    });
  });
}
