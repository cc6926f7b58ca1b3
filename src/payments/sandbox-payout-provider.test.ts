// Proves the sandbox payout provider is idempotent on the payout id as a real processor is — a resend
// after a timeout answers the first payment, a concurrent resend stores one — and that its rules
// decline, time out, fail transiently N times, or settle later exactly as tests and demos ask, on
// SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestStorage } from '../../test/support/databases.js';
import { PayoutDeclined, PayoutProviderUnavailable } from '../app/ports.js';
import { SandboxPayoutProvider } from './sandbox-payout-provider.js';

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`sandbox payout provider on ${dialect.name}`, () => {
    let storage: TestStorage;
    let nowMs = Date.parse('2026-11-26T12:00:00Z');
    let sandbox: SandboxPayoutProvider;
    beforeAll(async () => {
      storage = await dialect.open();
      sandbox = new SandboxPayoutProvider({ db: storage.db, nowMs: () => nowMs, newId: randomUUID, settleDelayMs: 1000 });
    });
    afterAll(async () => {
      await storage.drop();
    });

    async function account(): Promise<string> {
      return (await sandbox.registerAccount({ kind: 'bank', holderName: 'S. Andbox', accountNumber: 'FR1420041010050500013M02606' })).providerRef;
    }
    const send = (accountRef: string, payoutId: string, amountMinor = 1234n) => sandbox.send({ payoutId, providerAccountRef: accountRef, currency: 'USD', amountMinor });

    it('pays once per payout id, however many times it is sent, even at once', async () => {
      const ref = await account();
      const id = randomUUID();
      const answers = await Promise.all([send(ref, id), send(ref, id), send(ref, id)]);
      for (const a of answers) expect(a).toEqual({ status: 'paid', providerRef: `po_sandbox_${id}` });
      expect(await sandbox.findPayout(id)).toMatchObject({ status: 'paid', amountMinor: 1234n, requests: 3 });
      expect(await sandbox.payoutsTo(ref)).toHaveLength(1);
      expect(await sandbox.getStatus(randomUUID())).toBeNull();
      await expect(send(ref, id, 999n)).rejects.toBeInstanceOf(PayoutDeclined);
    });

    it('times out after paying; the resend answers that payment', async () => {
      const ref = await account();
      const id = randomUUID();
      await sandbox.setRule({ payoutId: id }, { mode: 'timeout', times: 1 });
      const lost = await send(ref, id).catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(PayoutProviderUnavailable);
      expect((lost as PayoutProviderUnavailable).timedOut).toBe(true);
      expect(await sandbox.getStatus(id)).toMatchObject({ status: 'paid' });
      expect(await send(ref, id)).toMatchObject({ status: 'paid' });
      expect(await sandbox.findPayout(id)).toMatchObject({ requests: 2 });
    });

    it('fails transiently N times without paying, then pays', async () => {
      const ref = await account();
      const id = randomUUID();
      await sandbox.setRule({ accountRef: ref }, { mode: 'transient', times: 2 });
      for (let i = 0; i < 2; i++) {
        await expect(send(ref, id)).rejects.toMatchObject({ code: 'payout_provider_unavailable', timedOut: false });
        expect(await sandbox.getStatus(id)).toBeNull();
      }
      expect(await send(ref, id)).toMatchObject({ status: 'paid' });
    });

    it('declines for good, and keeps declining the same payout id', async () => {
      const ref = (await sandbox.registerAccount({ kind: 'paypal', email: 'decline@example.test' })).providerRef;
      const id = randomUUID();
      await expect(send(ref, id)).rejects.toBeInstanceOf(PayoutDeclined);
      await expect(send(ref, id)).rejects.toBeInstanceOf(PayoutDeclined);
      expect(await sandbox.getStatus(id)).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('declined') as string });
      await expect(send('pa_sandbox_nope', randomUUID())).rejects.toBeInstanceOf(PayoutDeclined);
    });

    it('settles a processing payout after its delay, paid or bounced', async () => {
      const ref = await account();
      const [slow, bounce] = [randomUUID(), randomUUID()];
      await sandbox.setRule({ payoutId: slow }, { mode: 'processing' });
      await sandbox.setRule({ payoutId: bounce }, { mode: 'bounce' });
      expect(await send(ref, slow)).toMatchObject({ status: 'processing' });
      expect(await send(ref, bounce)).toMatchObject({ status: 'processing' });
      expect(await sandbox.getStatus(slow)).toMatchObject({ status: 'processing' });
      nowMs += 1000;
      expect(await sandbox.getStatus(slow)).toMatchObject({ status: 'paid' });
      expect(await sandbox.getStatus(bounce)).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('returned') as string });
    });
  });
}
