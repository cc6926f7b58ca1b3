// Gifts: the public catalog (cached, with ETag), its art, admin edits, and sending a gift.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/services.js';
import { NotFound } from '../../domain/errors.js';
import { ErrorBody } from '../../protocol/common.js';
import { Gift, GiftCatalog, GiftCreateBody, GiftUpdateBody, SendGiftBody, SentGift } from '../../protocol/gifts.js';
import { requirePrincipal, requireRole } from '../auth.js';
import { presentGift, presentSentGift } from '../present.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 402: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
const security: Record<string, string[]>[] = [{ session: [] }, { token: [] }];

export interface GiftArtFiles {
  read(name: string): Buffer | undefined;
}

export function giftsRoutes(services: Services, art: GiftArtFiles): FastifyPluginAsync {
  return (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/v1/catalog', {
      schema: { tags: ['gifts'], summary: 'The gift catalog (public, cacheable)', response: { 200: GiftCatalog, 304: z.null() } },
    }, async (request, reply) => {
      const nowMs = services.clock.nowMs();
      const gifts = (await services.listGifts()).filter((g) => g.retiredAtMs === null || g.retiredAtMs > nowMs).map((g) => presentGift(g, nowMs));
      const etag = `"${createHash('sha256').update(JSON.stringify(gifts)).digest('base64url').slice(0, 22)}"`;
      void reply.header('etag', etag).header('cache-control', 'public, max-age=30');
      if (request.headers['if-none-match'] === etag) return reply.status(304).send(null);
      return { gifts };
    });

    app.get('/v1/catalog/:id', {
      schema: { tags: ['gifts'], summary: 'One gift, retired ones included', params: z.object({ id: z.string().max(40) }), response: { 200: Gift, 404: ErrorBody } },
    }, async (request) => {
      const gift = await services.getGift(request.params.id);
      if (!gift) throw new NotFound(`No gift with id ${request.params.id}.`);
      return presentGift(gift, services.clock.nowMs());
    });

    app.post('/v1/admin/catalog', {
      schema: { tags: ['admin'], summary: 'Add a gift to the catalog (admin)', security, body: GiftCreateBody, response: { 201: Gift, ...errors } },
    }, async (request, reply) => {
      const actor = requireRole(request, ['admin'], 'admin');
      const b = request.body;
      const gift = await services.createGift({ actor, ...b, coins: BigInt(b.coins) });
      return reply.status(201).send(presentGift(gift, services.clock.nowMs()));
    });

    app.patch('/v1/admin/catalog/:id', {
      schema: { tags: ['admin'], summary: 'Re-price, rename, re-art, schedule or retire a gift (admin)', security, params: z.object({ id: z.string().max(40) }), body: GiftUpdateBody, response: { 200: Gift, ...errors } },
    }, async (request) => {
      const actor = requireRole(request, ['admin'], 'admin');
      const { coins, ...rest } = request.body;
      const gift = await services.updateGift({ actor, id: request.params.id, patch: { ...rest, ...(coins !== undefined ? { coins: BigInt(coins) } : {}) } });
      return presentGift(gift, services.clock.nowMs());
    });

    app.post('/v1/gifts', {
      schema: {
        tags: ['gifts'],
        summary: 'Send a gift in a LIVE (idempotent by id)',
        description: 'Retrying with the same id never charges twice: it answers status "duplicate" with the original result. The same id with other content is refused with 409 idempotency_conflict. Too few coins: 402 insufficient_coins with balanceCoins and shortfallCoins.',
        security,
        body: SendGiftBody,
        response: { 200: SentGift, 201: SentGift, ...errors, 429: ErrorBody },
      },
    }, async (request, reply) => {
      const principal = requirePrincipal(request, 'gifts:send');
      const sent = await services.sendGift({ ...request.body, senderId: principal.userId });
      return reply.status(sent.status === 'applied' ? 201 : 200).send(presentSentGift(sent));
    });

    app.get('/assets/gifts/:file', { schema: { hide: true, params: z.object({ file: z.string().max(64) }) } }, (request, reply) => {
      const body = art.read(request.params.file);
      if (!body) throw new NotFound('No such art.');
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').header('x-content-type-options', 'nosniff').send(body);
    });

    return Promise.resolve();
  };
}
