// LIVEs: go LIVE, end (creator or moderator), the on-air list, one LIVE, its summary, a creator's
// past LIVEs, viewer presence (join, leave, heartbeat — anonymous viewers allowed), and the
// thank-yous to gifters (Thank all after the end; the creator's list and each gifter's own, in the room or after it),
// and the creators a signed-in user watched (home: who to follow up on).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WatchedCreator } from '../../app/ports.js';
import type { Services } from '../../app/services.js';
import { ErrorBody } from '../../protocol/common.js';
import { CreatorLivesParams, EndLiveBody, Live, LiveIdParams, LivePage, LivePageQuery, LivePresence, LiveSummary, PresenceBody, StartLiveBody } from '../../protocol/lives.js';
import { MyCreators, MyCreatorsQuery, type MyCreator } from '../../protocol/lives.js';
import { encodeThanksCursor, LiveThanksPage, LiveThanksQuery, MyLiveThanks, ThankGiftersBody, ThankGiftersResult } from '../../protocol/lives.js';
import { requirePrincipal } from '../auth.js';
import { presentLive, presentLivePage, presentLiveSummary, presentPublicUser } from '../present.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const security: Record<string, string[]>[] = [{ session: [] }, { token: [] }];
/** Public routes read the caller when there is one (the creator sees why their LIVE was ended). */
const optionalSecurity: Record<string, string[]>[] = [{}, ...security];

/** A watched creator on the wire: on air (with viewers), else their latest ended LIVE. */
function presentMyCreator(c: WatchedCreator): MyCreator {
  const ended = c.onAir === null ? c.lastEnded : null;
  return {
    creator: presentPublicUser(c.creator),
    lastWatchedAtMs: c.lastWatchedAtMs,
    onAir: c.onAir ? { liveId: c.onAir.id, title: c.onAir.title, viewers: c.onAir.viewers } : null,
    lastLive: ended && ended.endedAtMs !== null ? { liveId: ended.id, title: ended.title, endedAtMs: ended.endedAtMs } : null,
  };
}

/** Who is counted: the signed-in user, else the anonymous key from the body. */
function viewerOf(request: FastifyRequest, body: { viewerKey?: string | undefined } | null | undefined) {
  return { userId: request.principal?.userId ?? null, anonymousKey: body?.viewerKey ?? null };
}

export function livesRoutes(services: Services): FastifyPluginAsync {
  return (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.post('/v1/lives', {
      schema: { tags: ['lives'], summary: 'Go LIVE (18+, not suspended, one LIVE at a time)', security, body: StartLiveBody, response: { 201: Live, ...errors } },
    }, async (request, reply) => {
      const principal = requirePrincipal(request, 'lives:write');
      const live = await services.startLive({ creatorId: principal.userId, title: request.body.title });
      return reply.status(201).send(presentLive(live, principal));
    });

    app.get('/v1/lives', {
      schema: { tags: ['lives'], summary: 'LIVEs on air now, newest first', querystring: LivePageQuery, response: { 200: LivePage, ...errors } },
    }, async (request) => {
      const page = await services.listLives({ limit: request.query.limit, before: request.query.cursor });
      return presentLivePage(page, request.principal);
    });

    app.get('/v1/lives/:id', {
      schema: { tags: ['lives'], summary: 'One LIVE, on air or ended (with its summary once ended)', security: optionalSecurity, params: LiveIdParams, response: { 200: Live, ...errors } },
    }, async (request) => presentLive(await services.getLive({ liveId: request.params.id }), request.principal));

    app.get('/v1/lives/:id/summary', {
      schema: { tags: ['lives'], summary: 'The summary of an ended LIVE (404 while on air)', params: LiveIdParams, response: { 200: LiveSummary, ...errors } },
    }, async (request) => presentLiveSummary(await services.getLiveSummary({ liveId: request.params.id })));

    app.post('/v1/lives/:id/end', {
      schema: {
        tags: ['lives'],
        summary: "End a LIVE: your own, or (moderators, with a reason) someone else's. Ending an ended LIVE changes nothing",
        security, params: LiveIdParams, body: EndLiveBody, response: { 200: Live, ...errors },
      },
    }, async (request) => {
      const principal = requirePrincipal(request, 'lives:write');
      const live = await services.endLive({ liveId: request.params.id, actor: { userId: principal.userId, role: principal.role }, reason: request.body?.reason });
      return presentLive(live, principal);
    });

    app.post('/v1/lives/:id/join', {
      schema: { tags: ['lives'], summary: 'Start watching (anonymous viewers send a viewerKey)', security: optionalSecurity, params: LiveIdParams, body: PresenceBody, response: { 200: LivePresence, ...errors } },
    }, (request) => services.joinLive({ liveId: request.params.id, ...viewerOf(request, request.body) }));

    app.post('/v1/lives/:id/leave', {
      schema: { tags: ['lives'], summary: 'Stop watching (one connection fewer)', security: optionalSecurity, params: LiveIdParams, body: PresenceBody, response: { 200: LivePresence, ...errors } },
    }, (request) => services.leaveLive({ liveId: request.params.id, ...viewerOf(request, request.body) }));

    app.post('/v1/lives/:id/heartbeat', {
      schema: {
        tags: ['lives'],
        summary: 'Still here, every ~30 s: keeps a viewer counted, and the creator’s LIVE on air',
        security: optionalSecurity, params: LiveIdParams, body: PresenceBody, response: { 200: LivePresence, ...errors },
      },
    }, (request) => services.recordLiveHeartbeat({ liveId: request.params.id, ...viewerOf(request, request.body) }));

    app.post('/v1/lives/:id/thanks', {
      schema: {
        tags: ['lives'],
        summary: 'After your LIVE ended: thank its gifters (all, or the ones named) with a suggested phrase or your own words. Once per gifter: a repeat changes nothing',
        security, params: LiveIdParams, body: ThankGiftersBody, response: { 200: ThankGiftersResult, ...errors },
      },
    }, async (request) => {
      const principal = requirePrincipal(request, 'lives:write');
      const body = request.body;
      const result = await services.thankGifters({
        liveId: request.params.id,
        creatorId: principal.userId,
        message: 'phrase' in body ? { phrase: body.phrase } : { text: body.text },
        gifterIds: body.gifterIds,
      });
      const { coaching } = result;
      return { ...result, coaching: coaching ? { kind: coaching.kind, excerpt: coaching.excerpt.slice(0, 2_000), why: coaching.why, suggestions: [...coaching.suggestions] } : null };
    });

    app.get('/v1/lives/:id/thanks', {
      schema: {
        tags: ['lives'],
        summary: 'Your LIVE: the gifters you thanked, in the room or after it ended, oldest first',
        security, params: LiveIdParams, querystring: LiveThanksQuery, response: { 200: LiveThanksPage, ...errors },
      },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      const page = await services.listLiveThanks({ liveId: request.params.id, userId: principal.userId, limit: request.query.limit, after: request.query.cursor });
      return { thanks: page.thanks, total: page.total, nextCursor: page.next ? encodeThanksCursor(page.next) : null };
    });

    app.get('/v1/lives/:id/thanks/me', {
      schema: {
        tags: ['lives'],
        summary: "The creator's thank-you to you for this LIVE (null when there is none yet)",
        security, params: LiveIdParams, response: { 200: MyLiveThanks, ...errors },
      },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      return { thanks: await services.getMyLiveThanks({ liveId: request.params.id, userId: principal.userId }) };
    });

    app.get('/v1/me/creators', {
      schema: {
        tags: ['lives'],
        summary: 'The creators whose LIVEs you watched, most recently watched first: each on air now (with viewers) or their latest ended LIVE',
        security, querystring: MyCreatorsQuery, response: { 200: MyCreators, ...errors },
      },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      const creators = await services.listMyCreators({ userId: principal.userId, limit: request.query.limit });
      return { creators: creators.map(presentMyCreator) };
    });

    app.get('/v1/creators/:handle/lives', {
      schema: { tags: ['lives'], summary: "A creator's past LIVEs with their summaries, newest first", params: CreatorLivesParams, querystring: LivePageQuery, response: { 200: LivePage, ...errors } },
    }, async (request) => {
      const page = await services.listCreatorLives({ handle: request.params.handle, limit: request.query.limit, before: request.query.cursor });
      return presentLivePage(page, request.principal);
    });
    return Promise.resolve();
  };
}
