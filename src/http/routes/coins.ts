// Coins: prices (public), purchases through the provider's checkout, the return page, the
// provider's signed webhook, and the wallet with its history.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/services.js';
import { ErrorBody } from '../../protocol/common.js';
import { CoinPrices, CreatePurchaseBody, Currency, PurchaseCreated, PurchaseList, Purchase as PurchaseView, Wallet, WalletHistory } from '../../protocol/coins.js';
import { requirePrincipal } from '../auth.js';
import { escapeHtml, formatMoney } from '../html.js';
import { presentCoinPrices, presentPurchase, presentWalletEntry } from '../present.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const security: Record<string, string[]>[] = [{ session: [] }, { token: [] }];

export function coinsRoutes(services: Services): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/v1/coins/prices', {
      schema: { tags: ['coins'], summary: 'Coin packages and the custom-amount rate, with the split shown before paying', querystring: z.object({ currency: Currency.default('USD') }), response: { 200: CoinPrices, 400: ErrorBody } },
    }, (request) => presentCoinPrices(services.coinPrices(request.query.currency)));

    app.post('/v1/purchases', {
      schema: { tags: ['coins'], summary: 'Start buying coins: returns the checkout to send the buyer to (idempotent by id)', security, body: CreatePurchaseBody, response: { 201: PurchaseCreated, ...errors, 429: ErrorBody } },
    }, async (request, reply) => {
      const principal = requirePrincipal(request, 'coins:buy');
      const b = request.body;
      const { purchase, checkoutUrl } = await services.createPurchase({
        userId: principal.userId,
        clientId: b.id,
        ...('packageId' in b ? { packageId: b.packageId } : { custom: { coins: BigInt(b.coins), currency: b.currency } }),
      });
      return reply.status(201).send({ purchase: presentPurchase(purchase), checkoutUrl });
    });

    app.get('/v1/purchases', {
      schema: { tags: ['coins'], summary: 'Your purchases, newest first', security, querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), beforeMs: z.coerce.number().int().nonnegative().optional() }), response: { 200: PurchaseList, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      const list = await services.listPurchases({ userId: principal.userId, limit: request.query.limit, beforeMs: request.query.beforeMs });
      return { purchases: list.map(presentPurchase) };
    });

    app.get('/v1/purchases/:id', {
      schema: { tags: ['coins'], summary: 'One purchase; an unfinished one is checked with the provider first', security, params: z.object({ id: z.string().max(64) }), response: { 200: PurchaseView, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      return presentPurchase(await services.withNetting(await services.confirmPurchase({ purchaseId: request.params.id, userId: principal.userId })));
    });

    // Where the provider sends the buyer's browser back. It asks the provider (a verified lookup),
    // so coins are credited here if the webhook has not arrived yet, and never from the redirect.
    app.get('/v1/purchases/:id/return', { schema: { hide: true, params: z.object({ id: z.string().max(64) }) } }, async (request, reply) => {
      let html: string;
      let pending = false;
      let balance: string | null = null;
      try {
        const p = await services.confirmPurchase({ purchaseId: request.params.id });
        pending = p.status === 'created' || p.status === 'pending';
        const what = `${p.coins.toLocaleString('en-US')} coins for ${formatMoney(p.amountMinor, p.currency)}`;
        const message =
          p.status === 'paid' ? `Payment complete: ${what} are in your wallet.`
          : pending ? `Waiting for your bank to confirm ${what}…`
          : p.status === 'declined' ? `The payment for ${what} was declined. Nothing was charged.`
          : `This purchase is ${p.status.replace('_', ' ')}.`;
        balance = `/balance?purchase=${encodeURIComponent(p.id)}`;
        html = page(message, p.status, balance);
      } catch {
        html = page('We could not find this purchase.', 'unknown', '/balance');
      }
      // Pending: this page asks the provider again shortly. Settled: on to the balance page, which shows it.
      const refresh = pending ? '2' : balance === null ? '' : `2; url=${balance}`;
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('refresh', refresh).send(html);
    });

    // The provider's webhook. Its signature covers the exact bytes, so this route reads them raw.
    await app.register((scope, _opts, done) => {
      scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, parsed) => {
        parsed(null, body);
      });
      scope.withTypeProvider<ZodTypeProvider>().post('/v1/webhooks/:provider', { schema: { hide: true, params: z.object({ provider: z.string().max(20) }) } }, async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const result = await services.handlePaymentWebhook({ provider: request.params.provider, rawBody: raw, headers: request.headers });
        return reply.send({ received: true, handled: result.handled });
      });
      done();
    });

    app.get('/v1/me/wallet', {
      schema: { tags: ['coins'], summary: 'Your coin balance', security, response: { 200: Wallet, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      return { coins: Number(await services.getWalletBalance(principal.userId)) };
    });

    app.get('/v1/me/wallet/history', {
      schema: { tags: ['coins'], summary: 'Your coin statement, newest first', security, querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), beforeSeq: z.string().regex(/^\d{1,18}$/).optional() }), response: { 200: WalletHistory, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      const { limit, beforeSeq } = request.query;
      const entries = await services.listWalletHistory({ userId: principal.userId, limit, beforeSeq: beforeSeq !== undefined ? BigInt(beforeSeq) : undefined });
      const last = entries.at(-1);
      return { entries: entries.map(presentWalletEntry), nextBeforeSeq: entries.length === limit && last ? last.transfer.seq.toString() : null };
    });
  };
}

function page(message: string, status: string, next: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Livegift — purchase</title><style>
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#0f0f14;color:#f4f4f8;font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif}
main{background:#1b1b24;border-radius:16px;padding:32px;margin:16px;max-width:420px;box-shadow:0 12px 40px #0008;text-align:center}
h1{font-size:20px;margin:0 0 12px}.s{color:#ffc83d;font-variant-numeric:tabular-nums}a{color:#3ee6d0}
</style></head><body><main><h1>${escapeHtml(message)}</h1><p class="s">Status: ${escapeHtml(status)}</p><p><a href="${escapeHtml(next)}">See your balance</a> · <a href="/">Back to Livegift</a></p></main></body></html>`;
}
