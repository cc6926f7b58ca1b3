// Proves on SQLite and PostgreSQL that every sandbox checkout transition happens once, emits exactly one signed webhook that parseWebhook verifies, refuses invalid transitions, retries failed deliveries then stops, completes pending checkouts by timer and after a restart, and that the checkout page renders escaped and its forms redirect correctly.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS, type TestStorage } from '../../test/support/databases.js';
import { WebhookRejected, type CheckoutRequest } from '../app/ports.js';
import { sandboxCheckoutRoutes } from './sandbox-checkout-routes.js';
import {
  SandboxActionRefused,
  SandboxCheckoutNotFound,
  SandboxPaymentProvider,
  type SandboxLogger,
  type SandboxPaymentProviderOptions,
} from './sandbox-payment-provider.js';
import { sign } from './webhook-signature.js';

const SECRET = 'whsec_sandbox_test';
const PUBLIC_URL = 'http://localhost:3000';
const START_MS = 1_700_000_000_000;

/** One delivery attempt as the receiving end saw it. */
interface Attempt {
  readonly rawBody: string;
  readonly headers: Record<string, string>;
}

/** What the receiver answers, in order; once used up it answers 200. */
type Answer = number | Error | 'hang';

interface Harness {
  readonly provider: SandboxPaymentProvider;
  readonly attempts: Attempt[];
  /** Attempts answered 2xx, parsed and verified by the provider itself. */
  delivered(): ReturnType<typeof wireOf>[];
  readonly answers: Answer[];
  readonly logs: { level: 'warn' | 'error'; message: string }[];
  clock: { nowMs: number };
}

function harness(db: TestStorage['db'], options: Partial<SandboxPaymentProviderOptions> = {}, clock = { nowMs: START_MS }): Harness {
  const attempts: Attempt[] = [];
  const ok: Attempt[] = [];
  const answers: Answer[] = [];
  const logs: Harness['logs'] = [];
  const logger: SandboxLogger = {
    warn: (_details, message) => logs.push({ level: 'warn', message }),
    error: (_details, message) => logs.push({ level: 'error', message }),
  };
  const provider = new SandboxPaymentProvider({
    db,
    webhookSecret: SECRET,
    publicUrl: PUBLIC_URL,
    nowMs: () => clock.nowMs,
    newId: () => randomUUID(),
    deliver: (rawBody, headers) => {
      const attempt = { rawBody, headers };
      attempts.push(attempt);
      const answer = answers.shift() ?? 200;
      if (answer === 'hang') return new Promise<never>(() => undefined);
      if (answer instanceof Error) return Promise.reject(answer);
      if (answer >= 200 && answer < 300) ok.push(attempt);
      return Promise.resolve({ status: answer });
    },
    pendingDelayMs: 40,
    delivery: { initialDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 1000 },
    logger,
    ...options,
  });
  return {
    provider,
    attempts,
    answers,
    logs,
    clock,
    delivered: () => ok.map((a) => wireOf(provider, a)),
  };
}

/** What the sandbox sent, in its own wire terms, after checking that the receiver accepts it. */
function wireOf(provider: SandboxPaymentProvider, a: { rawBody: string; headers: Record<string, string> }) {
  provider.parseWebhookNow(Buffer.from(a.rawBody), a.headers);
  const body = JSON.parse(a.rawBody) as { id: string; type: string; created: number; data: { providerRef: string; purchaseId: string; currency: string; amountMinor: number; refundedTotalMinor?: number } };
  const { refundedTotalMinor, ...data } = body.data;
  return {
    id: body.id,
    type: body.type,
    ...data,
    amountMinor: BigInt(data.amountMinor),
    createdAtMs: body.created,
    ...(refundedTotalMinor === undefined ? {} : { refundedTotalMinor: BigInt(refundedTotalMinor) }),
  };
}

function request(overrides: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    purchaseId: `pur_${randomUUID()}`,
    coins: 350n,
    currency: 'USD',
    amountMinor: 499n,
    description: '350 coins',
    returnUrl: 'http://localhost:5173/recharge/return',
    ...overrides,
  };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`SandboxPaymentProvider on ${dialect.name}`, () => {
    let storage: TestStorage;
    const open: SandboxPaymentProvider[] = [];
    const make = (options?: Partial<SandboxPaymentProviderOptions>, clock?: { nowMs: number }): Harness => {
      const h = harness(storage.db, options, clock);
      open.push(h.provider);
      return h;
    };

    beforeAll(async () => {
      storage = await dialect.open();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((p) => p.close()));
    });
    afterAll(async () => {
      await storage.drop();
    });

    describe('createCheckout', () => {
      it('stores an open checkout and answers its page on the public URL', async () => {
        const { provider, attempts } = make();
        const req = request();
        const checkout = await provider.createCheckout(req);
        expect(checkout.providerRef).toMatch(/^cs_sandbox_/);
        expect(checkout.url).toBe(`${PUBLIC_URL}/sandbox/checkout/${checkout.providerRef}`);
        expect(await provider.getCheckout(checkout.providerRef)).toMatchObject({
          providerRef: checkout.providerRef,
          purchaseId: req.purchaseId,
          status: 'open',
          currency: 'USD',
          amountMinor: 499n,
          coins: 350n,
          refundedMinor: 0n,
          disputeStatus: null,
          returnUrl: req.returnUrl,
          createdAtMs: START_MS,
        });
        expect(attempts).toHaveLength(0); // creating a checkout is not an event
      });

      it('answers the same checkout for the same purchase, and refuses the purchase with other content', async () => {
        const { provider } = make();
        const req = request();
        const first = await provider.createCheckout(req);
        expect(await provider.createCheckout(req)).toEqual(first);
        await expect(provider.createCheckout({ ...req, amountMinor: 999n })).rejects.toThrow(SandboxActionRefused);
      });

      it('resolves a relative return URL against the public URL', async () => {
        const { provider } = make();
        const { providerRef } = await provider.createCheckout(request({ returnUrl: '/recharge/return?from=live' }));
        expect((await provider.getCheckout(providerRef))?.returnUrl).toBe(`${PUBLIC_URL}/recharge/return?from=live`);
      });

      it.each([
        ['a zero amount', { amountMinor: 0n }],
        ['a negative amount', { amountMinor: -1n }],
        ['an amount a JSON number cannot carry exactly', { amountMinor: 2n ** 53n }],
        ['zero coins', { coins: 0n }],
        ['a lower-case currency', { currency: 'usd' }],
        ['a 2-letter currency', { currency: 'US' }],
        ['an empty purchase id', { purchaseId: '' }],
        ['a javascript: return URL', { returnUrl: 'javascript:alert(1)' }],
      ])('refuses %s', async (_name, overrides) => {
        const { provider } = make();
        await expect(provider.createCheckout(request(overrides))).rejects.toThrow(RangeError);
      });
    });

    describe('transitions', () => {
      it('pay: open → paid with one checkout.paid webhook; nothing else from open is possible after', async () => {
        const h = make();
        const req = request();
        const { providerRef } = await h.provider.createCheckout(req);
        h.clock.nowMs += 1000;
        const paid = await h.provider.pay(providerRef);
        expect(paid).toMatchObject({ status: 'paid', updatedAtMs: START_MS + 1000 });
        await h.provider.idle();
        const events = h.delivered();
        expect(events).toEqual([
          {
            id: expect.stringMatching(/^evt_/) as string,
            type: 'checkout.paid',
            providerRef,
            purchaseId: req.purchaseId,
            currency: 'USD',
            amountMinor: 499n,
            createdAtMs: START_MS + 1000,
          },
        ]);
        await expect(h.provider.pay(providerRef)).rejects.toThrow(/cannot pay: the checkout is paid, not open/);
        await expect(h.provider.decline(providerRef)).rejects.toThrow(SandboxActionRefused);
        await expect(h.provider.payAfterPending(providerRef)).rejects.toThrow(SandboxActionRefused);
        await h.provider.idle();
        expect(h.attempts).toHaveLength(1);
      });

      it('decline: open → declined with one checkout.declined webhook; it cannot be paid after', async () => {
        const h = make();
        const { providerRef } = await h.provider.createCheckout(request());
        expect((await h.provider.decline(providerRef)).status).toBe('declined');
        await expect(h.provider.pay(providerRef)).rejects.toThrow(/cannot pay: the checkout is declined/);
        await expect(h.provider.refund(providerRef)).rejects.toThrow(/cannot refund: the checkout is declined, not paid/);
        await expect(h.provider.openDispute(providerRef)).rejects.toThrow(SandboxActionRefused);
        await h.provider.idle();
        expect(h.delivered().map((e) => [e.type, e.amountMinor])).toEqual([['checkout.declined', 499n]]);
      });

      it('refund: only when paid, partial refunds add up to the paid amount and no further', async () => {
        const h = make();
        const { providerRef } = await h.provider.createCheckout(request());
        await expect(h.provider.refund(providerRef, 100n)).rejects.toThrow(/not paid/);
        await h.provider.pay(providerRef);
        expect((await h.provider.refund(providerRef, 100n)).refundedMinor).toBe(100n);
        await expect(h.provider.refund(providerRef, 400n)).rejects.toThrow(/only 399 \(minor units\) is left/);
        await expect(h.provider.refund(providerRef, 0n)).rejects.toThrow(/must be positive/);
        await expect(h.provider.refund(providerRef, -5n)).rejects.toThrow(/must be positive/);
        const rest = await h.provider.refund(providerRef); // the default: everything left
        expect(rest).toMatchObject({ status: 'paid', refundedMinor: 499n });
        await expect(h.provider.refund(providerRef)).rejects.toThrow(/already fully refunded/);
        await expect(h.provider.openDispute(providerRef)).rejects.toThrow(/fully refunded/);
        await h.provider.idle();
        expect(h.delivered().map((e) => [e.type, e.amountMinor])).toEqual([
          ['checkout.paid', 499n],
          ['charge.refunded', 100n],
          ['charge.refunded', 399n],
        ]);
      });

      it('dispute: opened on what is left after refunds, then won; refunds wait while it is open', async () => {
        const h = make();
        const { providerRef } = await h.provider.createCheckout(request());
        await expect(h.provider.openDispute(providerRef)).rejects.toThrow(/not paid/);
        await h.provider.pay(providerRef);
        await expect(h.provider.winDispute(providerRef)).rejects.toThrow(/no dispute is open/);
        await h.provider.refund(providerRef, 99n);
        expect((await h.provider.openDispute(providerRef)).disputeStatus).toBe('opened');
        await expect(h.provider.openDispute(providerRef)).rejects.toThrow(/already had one \(opened\)/);
        await expect(h.provider.refund(providerRef, 1n)).rejects.toThrow(/a dispute is open/);
        expect((await h.provider.winDispute(providerRef)).disputeStatus).toBe('won');
        await expect(h.provider.loseDispute(providerRef)).rejects.toThrow(/no dispute is open/);
        await expect(h.provider.openDispute(providerRef)).rejects.toThrow(/already had one \(won\)/);
        // A won dispute leaves the charge with the merchant, who may still refund it.
        expect((await h.provider.refund(providerRef, 400n)).refundedMinor).toBe(499n);
        await h.provider.idle();
        expect(h.delivered().map((e) => [e.type, e.amountMinor])).toEqual([
          ['checkout.paid', 499n],
          ['charge.refunded', 99n],
          ['dispute.opened', 400n],
          ['dispute.won', 400n],
          ['charge.refunded', 400n],
        ]);
      });

      it('dispute: lost is final; the charge can be neither refunded nor disputed again', async () => {
        const h = make();
        const { providerRef } = await h.provider.createCheckout(request());
        await h.provider.pay(providerRef);
        await h.provider.openDispute(providerRef);
        expect((await h.provider.loseDispute(providerRef)).disputeStatus).toBe('lost');
        await expect(h.provider.winDispute(providerRef)).rejects.toThrow(/no dispute is open/);
        await expect(h.provider.refund(providerRef)).rejects.toThrow(/dispute on this charge was lost/);
        await expect(h.provider.openDispute(providerRef)).rejects.toThrow(/already had one \(lost\)/);
        await h.provider.idle();
        expect(h.delivered().map((e) => [e.type, e.amountMinor])).toEqual([
          ['checkout.paid', 499n],
          ['dispute.opened', 499n],
          ['dispute.lost', 499n],
        ]);
      });

      it('gives every event a fresh evt_ id', async () => {
        const h = make();
        const { providerRef } = await h.provider.createCheckout(request());
        await h.provider.pay(providerRef);
        await h.provider.refund(providerRef, 1n);
        await h.provider.refund(providerRef, 1n);
        await h.provider.idle();
        const ids = h.delivered().map((e) => e.id);
        expect(ids).toHaveLength(3);
        expect(new Set(ids).size).toBe(3);
        for (const id of ids) expect(id).toMatch(/^evt_[0-9a-f-]{36}$/);
      });

      it('answers an unknown checkout with null on lookup and SandboxCheckoutNotFound on action', async () => {
        const { provider } = make();
        expect(await provider.getCheckout('cs_sandbox_nope')).toBeNull();
        await expect(provider.pay('cs_sandbox_nope')).rejects.toThrow(SandboxCheckoutNotFound);
      });

      it('expires an open checkout past its lifetime, without a webhook, and refuses to pay it', async () => {
        const h = make({ checkoutTtlMs: 60_000 });
        const { providerRef } = await h.provider.createCheckout(request());
        h.clock.nowMs += 59_999;
        expect((await h.provider.getCheckout(providerRef))?.status).toBe('open');
        h.clock.nowMs += 1;
        expect((await h.provider.getCheckout(providerRef))?.status).toBe('expired');
        await expect(h.provider.pay(providerRef)).rejects.toThrow(/the checkout is expired/);
        await h.provider.idle();
        expect(h.attempts).toHaveLength(0);
      });

      it('lets exactly one of two nodes pay the same checkout at once, with one webhook', async () => {
        const a = make();
        const b = make();
        const { providerRef } = await a.provider.createCheckout(request());
        const results = await Promise.allSettled([a.provider.pay(providerRef), b.provider.pay(providerRef), a.provider.pay(providerRef)]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(SandboxActionRefused);
        await Promise.all([a.provider.idle(), b.provider.idle()]);
        expect(a.attempts.length + b.attempts.length).toBe(1);
      });

      it('lets concurrent partial refunds add up exactly, never past the paid amount', async () => {
        const a = make();
        const b = make();
        const { providerRef } = await a.provider.createCheckout(request({ amountMinor: 300n }));
        await a.provider.pay(providerRef);
        const results = await Promise.allSettled([100n, 100n, 100n, 100n].map((amount, i) => (i % 2 === 0 ? a : b).provider.refund(providerRef, amount)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
        expect((await a.provider.getCheckout(providerRef))?.refundedMinor).toBe(300n);
        await Promise.all([a.provider.idle(), b.provider.idle()]);
        const refunds = [...a.delivered(), ...b.delivered()].filter((e) => e.type === 'charge.refunded');
        expect(refunds.map((e) => e.amountMinor)).toEqual([100n, 100n, 100n]);
      });
    });

    describe('webhook delivery', () => {
      it('signs the JSON body with Livegift-Signature; amountMinor travels as a JSON number', async () => {
        const h = make();
        const req = request();
        const { providerRef } = await h.provider.createCheckout(req);
        await h.provider.pay(providerRef);
        const [attempt] = h.attempts;
        expect(attempt?.headers['content-type']).toBe('application/json');
        expect(attempt?.headers['livegift-signature']).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
        expect(JSON.parse(attempt?.rawBody ?? '')).toEqual({
          id: expect.stringMatching(/^evt_/) as string,
          type: 'checkout.paid',
          created: START_MS,
          data: { providerRef, purchaseId: req.purchaseId, currency: 'USD', amountMinor: 499 },
        });
      });

      it('retries after a failure status and a thrown error, with the same event, then stops', async () => {
        const h = make();
        h.answers.push(500, new Error('connection reset'));
        const { providerRef } = await h.provider.createCheckout(request());
        await h.provider.pay(providerRef);
        expect(h.attempts).toHaveLength(1); // the action waited for the first attempt only
        await h.provider.idle();
        expect(h.attempts).toHaveLength(3);
        expect(new Set(h.attempts.map((a) => a.rawBody)).size).toBe(1);
        // Every attempt, not only the last, carries a signature the receiver accepts.
        for (const a of h.attempts) expect(wireOf(h.provider, a).type).toBe('checkout.paid');
        expect(h.delivered()).toHaveLength(1);
        expect(h.logs.map((l) => l.level)).toEqual(['warn', 'warn']);
        await new Promise((r) => setTimeout(r, 60));
        expect(h.attempts).toHaveLength(3);
      });

      it('gives up after 5 attempts with backoff, and says so once', async () => {
        const h = make({ delivery: { initialDelayMs: 10, maxDelayMs: 25, attemptTimeoutMs: 1000 } });
        h.answers.push(503, 503, 503, 503, 503, 503, 503);
        const { providerRef } = await h.provider.createCheckout(request());
        const started = performance.now();
        await h.provider.decline(providerRef);
        await h.provider.idle();
        const elapsedMs = performance.now() - started;
        expect(h.attempts).toHaveLength(5);
        expect(elapsedMs).toBeGreaterThanOrEqual(10 + 20 + 25 + 25 - 5); // 10, 20, then bounded at 25
        expect(h.logs.filter((l) => l.level === 'error')).toHaveLength(1);
        await new Promise((r) => setTimeout(r, 60));
        expect(h.attempts).toHaveLength(5);
        expect((await h.provider.getCheckout(providerRef))?.status).toBe('declined'); // the state change stands
      });

      it('does not hold the action longer than the first attempt, even when the receiver hangs', async () => {
        const h = make({ delivery: { initialDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 50 } });
        h.answers.push('hang');
        const { providerRef } = await h.provider.createCheckout(request());
        const started = performance.now();
        await h.provider.pay(providerRef);
        expect(performance.now() - started).toBeLessThan(1000);
        await h.provider.idle();
        expect(h.attempts).toHaveLength(2);
        expect(h.delivered()).toHaveLength(1);
      });

      it('stops retrying on close()', async () => {
        const h = make({ delivery: { initialDelayMs: 10_000, maxDelayMs: 10_000, attemptTimeoutMs: 1000 } });
        h.answers.push(500);
        const { providerRef } = await h.provider.createCheckout(request());
        await h.provider.pay(providerRef);
        const started = performance.now();
        await h.provider.close();
        expect(performance.now() - started).toBeLessThan(1000);
        expect(h.attempts).toHaveLength(1);
        await expect(h.provider.pay(providerRef)).rejects.toThrow(/closed/);
      });
    });

    describe('parseWebhook', () => {
      async function oneDelivery(): Promise<{ h: Harness; attempt: Attempt }> {
        const h = make();
        const { providerRef } = await h.provider.createCheckout(request());
        await h.provider.pay(providerRef);
        const attempt = h.attempts[0];
        if (attempt === undefined) throw new Error('no delivery');
        return { h, attempt };
      }
      const signed = (body: string, secret = SECRET): Record<string, string> => ({ 'livegift-signature': sign(secret, body, START_MS / 1000) });

      it('reads the signature header whatever its case, and as a repeated header', async () => {
        const { h, attempt } = await oneDelivery();
        const header = attempt.headers['livegift-signature'] ?? '';
        const body = Buffer.from(attempt.rawBody);
        expect(h.provider.parseWebhookNow(body, { 'Livegift-Signature': header })).toMatchObject({ kind: 'checkout', status: 'paid', amountMinor: 499n });
        await expect(h.provider.parseWebhook(body, { 'LIVEGIFT-SIGNATURE': [header] })).resolves.toMatchObject({ kind: 'checkout', status: 'paid' });
      });

      it('refuses a tampered body, a missing header, and an old delivery', async () => {
        const { h, attempt } = await oneDelivery();
        const tampered = Buffer.from(attempt.rawBody.replace('"amountMinor":499', '"amountMinor":49900'));
        expect(() => h.provider.parseWebhookNow(tampered, attempt.headers)).toThrow(WebhookRejected);
        expect(() => h.provider.parseWebhookNow(Buffer.from(attempt.rawBody), {})).toThrow(/missing Livegift-Signature/);
        h.clock.nowMs += 301_000;
        expect(() => h.provider.parseWebhookNow(Buffer.from(attempt.rawBody), attempt.headers)).toThrow(/tolerance/);
      });

      it('refuses a body signed with another secret, and accepts a previous secret during rotation', async () => {
        const { h, attempt } = await oneDelivery();
        expect(() => h.provider.parseWebhookNow(Buffer.from(attempt.rawBody), signed(attempt.rawBody, 'whsec_other'))).toThrow(WebhookRejected);
        const rotated = make({ webhookSecret: 'whsec_new', previousWebhookSecrets: [SECRET] });
        expect(rotated.provider.parseWebhookNow(Buffer.from(attempt.rawBody), attempt.headers)).toMatchObject({ kind: 'checkout', status: 'paid' });
      });

      it.each([
        ['not JSON', 'not json', /not JSON/],
        ['an unknown type', '{"id":"evt_1","type":"checkout.lost","created":1,"data":{"providerRef":"r","purchaseId":"p","currency":"USD","amountMinor":1}}', /not a sandbox event/],
        ['an amount as a string', '{"id":"evt_1","type":"checkout.paid","created":1,"data":{"providerRef":"r","purchaseId":"p","currency":"USD","amountMinor":"1"}}', /not a sandbox event/],
        ['a fractional amount', '{"id":"evt_1","type":"checkout.paid","created":1,"data":{"providerRef":"r","purchaseId":"p","currency":"USD","amountMinor":1.5}}', /not a sandbox event/],
        ['an unsafe amount', '{"id":"evt_1","type":"checkout.paid","created":1,"data":{"providerRef":"r","purchaseId":"p","currency":"USD","amountMinor":9007199254740993}}', /not a sandbox event/],
        ['no data', '{"id":"evt_1","type":"checkout.paid","created":1}', /not a sandbox event/],
        ['an id without evt_', '{"id":"x1","type":"checkout.paid","created":1,"data":{"providerRef":"r","purchaseId":"p","currency":"USD","amountMinor":1}}', /not a sandbox event/],
      ])('refuses a correctly signed body with %s', async (_name, body, message) => {
        const { h } = await oneDelivery();
        expect(() => h.provider.parseWebhookNow(Buffer.from(body), signed(body))).toThrow(WebhookRejected);
        expect(() => h.provider.parseWebhookNow(Buffer.from(body), signed(body))).toThrow(message);
      });
    });

    describe('3-D Secure: pending, then paid', () => {
      it('sends checkout.pending at once and checkout.paid when the timer fires', async () => {
        const h = make({ pendingDelayMs: 40 });
        const { providerRef } = await h.provider.createCheckout(request());
        const pending = await h.provider.payAfterPending(providerRef);
        expect(pending).toMatchObject({ status: 'pending', pendingUntilMs: START_MS + 40 });
        expect(h.delivered().map((e) => e.type)).toEqual(['checkout.pending']);
        await vi.waitFor(() => {
          expect(h.delivered().map((e) => e.type)).toEqual(['checkout.pending', 'checkout.paid']);
        });
        expect(await h.provider.getCheckout(providerRef)).toMatchObject({ status: 'paid', pendingUntilMs: null });
        await h.provider.idle();
        expect(h.attempts).toHaveLength(2);
      });

      it('after a restart, completes a due pending checkout on lookup (once), and not before it is due', async () => {
        const clock = { nowMs: START_MS };
        const before = make({ pendingDelayMs: 60_000 }, clock);
        const { providerRef } = await before.provider.createCheckout(request());
        await before.provider.payAfterPending(providerRef);
        await before.provider.close(); // the process stops; its timer goes with it

        const after = make({ pendingDelayMs: 60_000 }, clock);
        clock.nowMs += 59_999;
        expect((await after.provider.getCheckout(providerRef))?.status).toBe('pending');
        clock.nowMs += 1;
        const [x, y] = await Promise.all([after.provider.getCheckout(providerRef), after.provider.getCheckout(providerRef)]);
        expect([x?.status, y?.status]).toEqual(['paid', 'paid']);
        expect((await after.provider.getCheckout(providerRef))?.status).toBe('paid');
        await after.provider.idle();
        expect(before.delivered().map((e) => e.type)).toEqual(['checkout.pending']);
        expect(after.delivered().map((e) => [e.type, e.createdAtMs])).toEqual([['checkout.paid', START_MS + 60_000]]);
      });

      it('after a restart, completeDuePending() completes what is due and nothing else', async () => {
        const clock = { nowMs: START_MS };
        const before = make({ pendingDelayMs: 60_000 }, clock);
        const due = await before.provider.createCheckout(request());
        await before.provider.payAfterPending(due.providerRef);
        clock.nowMs += 30_000;
        const later = await before.provider.createCheckout(request());
        await before.provider.payAfterPending(later.providerRef);
        await before.provider.close();

        const after = make({ pendingDelayMs: 60_000 }, clock);
        clock.nowMs = START_MS + 60_000;
        expect(await after.provider.completeDuePending()).toBe(1);
        expect(await after.provider.completeDuePending()).toBe(0);
        await after.provider.idle();
        expect(after.delivered().map((e) => [e.type, e.providerRef])).toEqual([['checkout.paid', due.providerRef]]);
        expect((await after.provider.getCheckout(later.providerRef))?.status).toBe('pending');
      });

      it('close() stops the timer: nothing is sent after it', async () => {
        const h = make({ pendingDelayMs: 30 });
        const { providerRef } = await h.provider.createCheckout(request());
        await h.provider.payAfterPending(providerRef);
        await h.provider.close();
        await new Promise((r) => setTimeout(r, 80));
        expect(h.attempts).toHaveLength(1);
        expect((await h.provider.getCheckout(providerRef))?.status).toBe('pending');
      });
    });

    describe('checkout page', () => {
      let app: FastifyInstance;
      let h: Harness;
      beforeAll(async () => {
        h = harness(storage.db, { pendingDelayMs: 20 });
        app = Fastify();
        await app.register(sandboxCheckoutRoutes(h.provider));
        await app.ready();
      });
      afterAll(async () => {
        await app.close();
        await h.provider.close();
      });

      it('renders the checkout with every value escaped, the banner, the price and the three buttons', async () => {
        const { url, providerRef } = await h.provider.createCheckout(
          request({ description: '<script>alert("x")</script> & \'coins\'', coins: 1400n, amountMinor: 1999n }),
        );
        const response = await app.inject({ method: 'GET', url: new URL(url).pathname });
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(response.headers['content-security-policy']).toContain("default-src 'none'");
        expect(response.headers['content-security-policy']).toContain('form-action \'self\' http://localhost:5173');
        const html = response.body;
        expect(html).toContain('SANDBOX — no real money');
        expect(html).not.toContain('<script>');
        expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;coins&#39;');
        expect(html).toContain('1,400');
        expect(html).toContain('$19.99');
        expect(html).toContain('#0f0f14');
        expect(html).toContain(`action="/sandbox/checkout/${providerRef}/pay"`);
        expect(html).toContain(`action="/sandbox/checkout/${providerRef}/decline"`);
        expect(html).toContain(`action="/sandbox/checkout/${providerRef}/pending"`);
        expect(html).toContain('Pay with 3-D Secure (pending, then succeeds)');
        expect(html).toContain('>Decline<');
        expect(html).not.toContain('>Refund<');
        expect(html).not.toContain('Open dispute');
      });

      it('formats the price in the checkout currency', async () => {
        const yen = await h.provider.createCheckout(request({ currency: 'JPY', amountMinor: 500n }));
        expect((await app.inject({ method: 'GET', url: new URL(yen.url).pathname })).body).toContain('¥500');
        const euro = await h.provider.createCheckout(request({ currency: 'EUR', amountMinor: 5n }));
        expect((await app.inject({ method: 'GET', url: new URL(euro.url).pathname })).body).toContain('€0.05');
      });

      it('Pay: 303 to the return URL with ?ref= (keeping its query), one webhook, and a double post is harmless', async () => {
        const { url, providerRef } = await h.provider.createCheckout(request({ returnUrl: 'http://localhost:5173/recharge/return?from=live' }));
        const path = new URL(url).pathname;
        const before = h.attempts.length;
        const first = await app.inject({ method: 'POST', url: `${path}/pay`, headers: FORM, payload: '' });
        expect(first.statusCode).toBe(303);
        expect(first.headers.location).toBe(`http://localhost:5173/recharge/return?from=live&ref=${providerRef}`);
        const again = await app.inject({ method: 'POST', url: `${path}/pay`, headers: FORM, payload: '' });
        expect(again.statusCode).toBe(303);
        expect(again.headers.location).toBe(first.headers.location);
        await h.provider.idle();
        expect(h.attempts.length - before).toBe(1);
        expect((await h.provider.getCheckout(providerRef))?.status).toBe('paid');
      });

      it('Decline and 3-D Secure: 303 to the return URL', async () => {
        for (const action of ['decline', 'pending'] as const) {
          const { url, providerRef } = await h.provider.createCheckout(request());
          const response = await app.inject({ method: 'POST', url: `${new URL(url).pathname}/${action}`, headers: FORM, payload: '' });
          expect(response.statusCode).toBe(303);
          expect(response.headers.location).toBe(`http://localhost:5173/recharge/return?ref=${providerRef}`);
          expect((await h.provider.getCheckout(providerRef))?.status).toBe(action === 'decline' ? 'declined' : 'pending');
        }
      });

      it('a paid checkout offers Refund and Open dispute, then Lose/Win dispute; each posts back to the page', async () => {
        const { url, providerRef } = await h.provider.createCheckout(request());
        const path = new URL(url).pathname;
        await app.inject({ method: 'POST', url: `${path}/pay`, headers: FORM, payload: '' });
        let html = (await app.inject({ method: 'GET', url: path })).body;
        expect(html).toContain('>Refund<');
        expect(html).toContain('>Open dispute<');
        expect(html).not.toContain(`${providerRef}/pay"`);

        const refund = await app.inject({ method: 'POST', url: `${path}/refund`, headers: FORM, payload: 'amount=1.50' });
        expect(refund.statusCode).toBe(303);
        expect(refund.headers.location).toBe(path);
        expect((await h.provider.getCheckout(providerRef))?.refundedMinor).toBe(150n);
        expect((await app.inject({ method: 'GET', url: path })).body).toContain('$1.50 refunded');

        const dispute = await app.inject({ method: 'POST', url: `${path}/dispute`, headers: FORM, payload: '' });
        expect(dispute.statusCode).toBe(303);
        expect(dispute.headers.location).toBe(path);
        html = (await app.inject({ method: 'GET', url: path })).body;
        expect(html).toContain('>Lose dispute<');
        expect(html).toContain('>Win dispute<');
        expect(html).not.toContain('>Refund<');

        const lost = await app.inject({ method: 'POST', url: `${path}/dispute-lost`, headers: FORM, payload: '' });
        expect(lost.statusCode).toBe(303);
        expect((await h.provider.getCheckout(providerRef))?.disputeStatus).toBe('lost');
        html = (await app.inject({ method: 'GET', url: path })).body;
        expect(html).toContain('dispute lost');
        expect(html).not.toContain('<form');
      });

      it('an invalid transition is a 409 page in plain words; a bad refund amount is a 400', async () => {
        const { url } = await h.provider.createCheckout(request());
        const path = new URL(url).pathname;
        const refund = await app.inject({ method: 'POST', url: `${path}/refund`, headers: FORM, payload: '' });
        expect(refund.statusCode).toBe(409);
        expect(refund.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(refund.body).toContain('cannot refund: the checkout is open, not paid');
        await app.inject({ method: 'POST', url: `${path}/decline`, headers: FORM, payload: '' });
        const pay = await app.inject({ method: 'POST', url: `${path}/pay`, headers: FORM, payload: '' });
        expect(pay.statusCode).toBe(409);
        expect(pay.body).toContain('cannot pay: the checkout is declined, not open');

        const paid = await h.provider.createCheckout(request());
        await h.provider.pay(paid.providerRef);
        const bad = await app.inject({ method: 'POST', url: `${new URL(paid.url).pathname}/refund`, headers: FORM, payload: 'amount=%3Cb%3E1' });
        expect(bad.statusCode).toBe(400);
        expect(bad.body).toContain('&#60;b&#62;1');
      });

      it('an unknown checkout or action is a 404 page', async () => {
        const { url } = await h.provider.createCheckout(request());
        for (const [method, target] of [
          ['GET', '/sandbox/checkout/cs_sandbox_missing'],
          ['GET', '/sandbox/checkout/%3Cscript%3E'],
          ['POST', '/sandbox/checkout/cs_sandbox_missing/pay'],
          ['POST', `${new URL(url).pathname}/steal`],
        ] as const) {
          const response = await app.inject({ method, url: target, headers: FORM, payload: method === 'POST' ? '' : undefined });
          expect(response.statusCode, `${method} ${target}`).toBe(404);
          expect(response.body).toContain('Checkout not found');
          expect(response.body).not.toContain('<script>');
        }
      });
    });
  });
}
