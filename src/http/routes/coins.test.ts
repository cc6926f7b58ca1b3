// Proves buying coins over real HTTP and real databases: prices with the split, purchases through
// the sandbox checkout, coins credited exactly once from a signed webhook or the return page's
// verified lookup (whichever comes first, replayed 10× in random order, concurrently), forged or
// stale webhooks refused, declines and 3-D-Secure-style pending, and the wallet's statement.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../../test/support/livegift.js';
import { sign } from '../../payments/webhook-signature.js';

const SECRET = 'test-webhook-secret-0123456789';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface PurchaseBody {
  id: string;
  status: string;
  coins: number;
  amountMinor: number;
  currency: string;
}
interface Created {
  purchase: PurchaseBody;
  checkoutUrl: string;
}

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`coins API on ${dialect.name}`, () => {
    let node: TestNode;
    beforeAll(async () => {
      node = await openTestNode(dialect, { SANDBOX_WEBHOOK_SECRET: SECRET, PUBLIC_URL: 'http://livegift.test' });
    });
    afterAll(async () => {
      await node.drop();
    });

    async function wallet(cookie: string): Promise<number> {
      return (await node.call<{ coins: number }>({ method: 'GET', url: '/v1/me/wallet', headers: { cookie } })).body.coins;
    }

    async function buy(cookie: string, body: Record<string, unknown>): Promise<Created & { ref: string }> {
      const res = await node.call<Created>({ method: 'POST', url: '/v1/purchases', headers: { cookie }, payload: { id: randomUUID(), ...body } });
      expect(res.status).toBe(201);
      const ref = new URL(res.body.checkoutUrl).pathname.split('/').at(-1) ?? '';
      return { ...res.body, ref };
    }

    /** A press on the sandbox checkout page, as the buyer's browser posts it. */
    function press(ref: string, action: string) {
      return node.app.inject({ method: 'POST', url: `/sandbox/checkout/${ref}/${action}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    }

    it('lists packages per currency with the split, and prices a custom amount at the base rate', async () => {
      const usd = await node.call<{ packages: { id: string; coins: number; priceMinor: number; split: { creatorsMinor: number; processorMinor: number; platformMinor: number } }[]; custom: { example: { coins: number; priceMinor: number } } }>({ method: 'GET', url: '/v1/coins/prices?currency=usd' });
      expect(usd.status).toBe(200);
      expect(usd.body.packages.map((p) => [p.coins, p.priceMinor])).toEqual([[70, 99], [350, 499], [700, 999], [1400, 1999], [3500, 4999], [7000, 9999], [17500, 24999]]);
      const p = usd.body.packages[0];
      expect(p?.split).toEqual({ creatorsMinor: 35, processorMinor: 33, platformMinor: 31 });
      expect(usd.body.custom.example).toMatchObject({ coins: 1000, priceMinor: 1415 });
      const gbp = await node.call<{ packages: { priceMinor: number }[] }>({ method: 'GET', url: '/v1/coins/prices?currency=GBP' });
      expect(gbp.body.packages[0]?.priceMinor).toBe(89);
      const jpy = await node.call<ErrorBody>({ method: 'GET', url: '/v1/coins/prices?currency=JPY' });
      expect(jpy.status).toBe(400);
    });

    it('credits coins once when the buyer pays: webhook first, then the return page', async () => {
      const { cookie } = await signUpAs(node, { handle: 'payer' });
      const p = await buy(cookie, { packageId: 'usd-350' });
      expect(p.checkoutUrl).toBe(`http://livegift.test/sandbox/checkout/${p.ref}`);
      expect(p.purchase).toMatchObject({ status: 'created', coins: 350, amountMinor: 499, currency: 'USD' });
      const page = await node.app.inject({ method: 'GET', url: `/sandbox/checkout/${p.ref}` });
      expect(page.body).toContain('SANDBOX');

      const paid = await press(p.ref, 'pay');
      expect(paid.statusCode).toBe(303);
      expect(String(paid.headers.location)).toContain(`/v1/purchases/${p.purchase.id}/return`);
      expect(await wallet(cookie)).toBe(350);
      const ret = await node.app.inject({ method: 'GET', url: `/v1/purchases/${p.purchase.id}/return?ref=${p.ref}` });
      expect(ret.body).toContain('Payment complete');
      expect(await wallet(cookie)).toBe(350);
      const list = await node.call<{ purchases: PurchaseBody[] }>({ method: 'GET', url: '/v1/purchases', headers: { cookie } });
      expect(list.body.purchases.map((x) => x.status)).toEqual(['paid']);
    });

    it('credits once from the return page when the webhook never arrives, and never from the redirect alone', async () => {
      const { cookie } = await signUpAs(node, { handle: 'nowebhook' });
      const p = await buy(cookie, { coins: 1000, currency: 'EUR' });
      expect(p.purchase.amountMinor).toBe(1415);
      // Before paying, the return page credits nothing: the provider says the checkout is open.
      await node.app.inject({ method: 'GET', url: `/v1/purchases/${p.purchase.id}/return` });
      expect(await wallet(cookie)).toBe(0);
      // The provider marks it paid but its webhook is lost on the way.
      await node.storage.db.updateTable('sandbox_checkouts' as never).set({ status: 'paid' } as never).where('ref' as never, '=', p.ref as never).execute();
      const ret = await node.app.inject({ method: 'GET', url: `/v1/purchases/${p.purchase.id}/return` });
      expect(ret.body).toContain('Payment complete');
      expect(await wallet(cookie)).toBe(1000);
    });

    it('mints once when each webhook is replayed 10× in random order, concurrently with the return page', async () => {
      const { cookie } = await signUpAs(node, { handle: 'replayer' });
      const p = await buy(cookie, { packageId: 'usd-700' });
      await node.storage.db.updateTable('sandbox_checkouts' as never).set({ status: 'paid' } as never).where('ref' as never, '=', p.ref as never).execute();
      const nowS = Math.floor(node.clock.nowMs() / 1000);
      const event = (type: string) =>
        JSON.stringify({ id: `evt_${type.replace(".", "_")}_${p.ref}`, type, created: Date.now(), data: { providerRef: p.ref, purchaseId: p.purchase.id, currency: 'USD', amountMinor: 999 } });
      const bodies = [event('checkout.pending'), event('checkout.paid')];
      const deliveries = bodies.flatMap((body) => Array.from({ length: 10 }, () => body)).sort(() => Math.random() - 0.5);
      const results = await Promise.all([
        ...deliveries.map((body) =>
          node.app.inject({ method: 'POST', url: '/v1/webhooks/sandbox', headers: { 'content-type': 'application/json', 'livegift-signature': sign(SECRET, body, nowS) }, payload: body }),
        ),
        node.app.inject({ method: 'GET', url: `/v1/purchases/${p.purchase.id}/return` }),
        node.app.inject({ method: 'GET', url: `/v1/purchases/${p.purchase.id}/return` }),
      ]);
      expect(results.slice(0, 20).map((r) => `${r.statusCode} ${r.statusCode === 200 ? "" : r.body}`)).toEqual(Array<string>(20).fill("200 "));
      expect(await wallet(cookie)).toBe(700);
      const status = await node.call<PurchaseBody>({ method: 'GET', url: `/v1/purchases/${p.purchase.id}`, headers: { cookie } });
      expect(status.body.status).toBe('paid');
      const coinLegs = await node.storage.ledger.listByRef(`purchase:${p.purchase.id}`, { limit: 10 });
      expect(coinLegs.map((t) => t.asset).sort()).toEqual(['COIN', 'FIAT:USD']);
    });

    it('refuses forged, expired and re-signed-with-another-body webhooks, changing nothing', async () => {
      const { cookie } = await signUpAs(node, { handle: 'forger' });
      const p = await buy(cookie, { packageId: 'usd-70' });
      const body = JSON.stringify({ id: 'evt_forged', type: 'checkout.paid', created: Date.now(), data: { providerRef: p.ref, purchaseId: p.purchase.id, currency: 'USD', amountMinor: 99 } });
      const nowS = Math.floor(node.clock.nowMs() / 1000);
      const attempts = [
        { name: 'no signature', headers: {} },
        { name: 'wrong secret', headers: { 'livegift-signature': sign('not-the-secret-at-all-000', body, nowS) } },
        { name: 'expired', headers: { 'livegift-signature': sign(SECRET, body, nowS - 3600) } },
        { name: 'other body', headers: { 'livegift-signature': sign(SECRET, body.replace('99', '9'), nowS) } },
      ];
      for (const a of attempts) {
        const res = await node.call<ErrorBody>({ method: 'POST', url: '/v1/webhooks/sandbox', headers: { 'content-type': 'application/json', ...a.headers }, payload: body });
        expect(res.status, a.name).toBe(400);
        expect(res.body.error.code, a.name).toBe('webhook_rejected');
      }
      expect(await wallet(cookie)).toBe(0);
    });

    it('records a decline without coins, and a 3-D-Secure pending that then succeeds', async () => {
      const { cookie } = await signUpAs(node, { handle: 'decliner' });
      const d = await buy(cookie, { packageId: 'usd-70' });
      await press(d.ref, 'decline');
      const declined = await node.call<PurchaseBody>({ method: 'GET', url: `/v1/purchases/${d.purchase.id}`, headers: { cookie } });
      expect(declined.body.status).toBe('declined');
      expect(await wallet(cookie)).toBe(0);

      const s = await buy(cookie, { packageId: 'usd-1400' });
      await press(s.ref, 'pending');
      expect((await node.call<PurchaseBody>({ method: 'GET', url: `/v1/purchases/${s.purchase.id}`, headers: { cookie } })).body.status).toBe('pending');
      expect(await wallet(cookie)).toBe(0);
      // The bank confirms later: the lookup completes a due pending checkout and credits once.
      node.clock.advance(5_000);
      await new Promise((r) => setTimeout(r, 2_300));
      const done = await node.call<PurchaseBody>({ method: 'GET', url: `/v1/purchases/${s.purchase.id}`, headers: { cookie } });
      expect(done.body.status).toBe('paid');
      expect(await wallet(cookie)).toBe(1400);
    });

    it('is idempotent by the client id and refuses the same id for another purchase', async () => {
      const { cookie } = await signUpAs(node, { handle: 'twice' });
      const id = randomUUID();
      const a = await node.call<Created>({ method: 'POST', url: '/v1/purchases', headers: { cookie }, payload: { id, packageId: 'usd-70' } });
      const b = await node.call<Created>({ method: 'POST', url: '/v1/purchases', headers: { cookie }, payload: { id, packageId: 'usd-70' } });
      expect(b.body.purchase.id).toBe(a.body.purchase.id);
      expect(b.body.checkoutUrl).toBe(a.body.checkoutUrl);
      const c = await node.call<ErrorBody>({ method: 'POST', url: '/v1/purchases', headers: { cookie }, payload: { id, packageId: 'usd-350' } });
      expect(c.status).toBe(409);
      expect(c.body.error.code).toBe('idempotency_conflict');
    });

    it('refuses under-18 buyers, custom amounts out of range and unknown packages, writing nothing', async () => {
      const teen = await signUpAs(node, { handle: 'teenbuyer', birthDate: '2010-01-01' });
      const refused = await node.call<ErrorBody>({ method: 'POST', url: '/v1/purchases', headers: { cookie: teen.cookie }, payload: { id: randomUUID(), packageId: 'usd-70' } });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('age_restricted');
      const { cookie } = await signUpAs(node, { handle: 'ranger' });
      for (const payload of [{ coins: 29, currency: 'USD' }, { coins: 2_500_001, currency: 'USD' }, { packageId: 'usd-71' }, { coins: 100, currency: 'JPY' }, { coins: 100 }]) {
        const res = await node.call<ErrorBody>({ method: 'POST', url: '/v1/purchases', headers: { cookie }, payload: { id: randomUUID(), ...payload } });
        expect(res.status, JSON.stringify(payload)).toBe(400);
      }
      const list = await node.call<{ purchases: unknown[] }>({ method: 'GET', url: '/v1/purchases', headers: { cookie } });
      expect(list.body.purchases).toEqual([]);
    });

    it('shows the wallet statement newest first, with purchases and gifts', async () => {
      const { cookie } = await signUpAs(node, { handle: 'statement' });
      const p = await buy(cookie, { packageId: 'usd-70' });
      await press(p.ref, 'pay');
      const history = await node.call<{ entries: { code: string; coins: number; balanceAfter: number }[] }>({ method: 'GET', url: '/v1/me/wallet/history', headers: { cookie } });
      expect(history.body.entries).toEqual([expect.objectContaining({ code: 'PURCHASE', coins: 70, balanceAfter: 70 })]);
    });

    it('leaves a ledger that reconciles clean', async () => {
      const report = await node.storage.ledger.reconcile();
      expect(report.problems).toEqual([]);
    });
  });
}
