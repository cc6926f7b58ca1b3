// Moderation: reporting a LIVE, a chat message or a user (any signed-in user); the moderators' queue
// and resolving a report; suspending going LIVE and lifting it (moderators and admins); account bans
// for fraud (admins); strikes (moderators read anyone's, a user their own); a user's standing on the
// gift-baiting ladder and their appeal of a suspension, and the moderators' appeals queue. The rules of who may do
// what live in the use cases (src/domain/moderation.ts); routes only need a signed-in caller.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { StrikePageResult } from '../../app/list-strikes.js';
import type { Services } from '../../app/services.js';
import type { SuspensionLength } from '../../domain/moderation.js';
import { ErrorBody } from '../../protocol/common.js';
import {
  AppealBody,
  AppealIdParams,
  AppealQueue,
  AppealQueueQuery,
  Appeal,
  BanBody,
  DecideAppealBody,
  ModAppeal,
  Standing,
  BanOutcome,
  encodeModerationCursor,
  LiftSuspensionBody,
  ModerationOutcome,
  ModerationReasons,
  moderationReasons,
  ModUser,
  ModUserParams,
  Report,
  ReportBody,
  ReportIdParams,
  ReportQueue,
  ReportQueueQuery,
  ResolvedReport,
  ResolveReportBody,
  StrikePage,
  StrikesQuery,
  SuspendLiveBody,
  UnbanBody,
} from '../../protocol/moderation.js';
import { requirePrincipal } from '../auth.js';
import { presentAppeal, presentModAppeal, presentModReport, presentModUser, presentReport, presentStanding, presentStrike } from '../present-moderation.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };
const security: Record<string, string[]>[] = [{ session: [] }, { token: [] }];

function lengthOf(body: { durationHours?: number | undefined; permanent?: true | undefined }): SuspensionLength | undefined {
  if (body.permanent === true) return { permanent: true };
  return body.durationHours === undefined ? undefined : { hours: body.durationHours };
}

function presentStrikePage(page: StrikePageResult): StrikePage {
  return { strikes: page.strikes.map(presentStrike), nextCursor: page.next ? encodeModerationCursor(page.next) : null };
}

export function moderationRoutes(services: Services): FastifyPluginAsync {
  return (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/v1/moderation/reasons', {
      schema: { tags: ['moderation'], summary: 'The Community Guidelines reasons a report or suspension names, and the suspension lengths to offer', response: { 200: ModerationReasons } },
    }, () => moderationReasons());

    app.post('/v1/reports', {
      schema: {
        tags: ['moderation'],
        summary: 'Report a LIVE, a chat message (its words as you saw them) or a user. One open report per target: a repeat answers the open one (200)',
        security,
        body: ReportBody,
        response: { 200: Report, 201: Report, ...errors },
      },
    }, async (request, reply) => {
      const reporter = requirePrincipal(request, 'read');
      const { report, created } = await services.reportContent({ reporter, target: request.body.target, reason: request.body.reason, note: request.body.note });
      return reply.status(created ? 201 : 200).send(presentReport(report));
    });

    app.get('/v1/me/strikes', {
      schema: { tags: ['moderation'], summary: 'Your strikes, newest first: gift-baiting found in your title, chat or thank-yous, and moderators’ warnings', security, querystring: StrikesQuery, response: { 200: StrikePage, ...errors } },
    }, async (request) => {
      const viewer = requirePrincipal(request, 'read');
      return presentStrikePage(await services.listStrikes({ viewer, userId: viewer.userId, limit: request.query.limit, before: request.query.cursor }));
    });

    app.get('/v1/me/standing', {
      schema: {
        tags: ['moderation'],
        summary: 'Your standing: the gift-baiting ladder’s step (warning, a countdown running, suspended), the suspension in force with its appeal, and recent suspensions',
        security,
        response: { 200: Standing, ...errors },
      },
    }, async (request) => {
      const viewer = requirePrincipal(request, 'read');
      return presentStanding(await services.getStanding({ viewer }));
    });

    app.post('/v1/me/appeals', {
      schema: {
        tags: ['moderation'],
        summary: 'Appeal the suspension of going LIVE in force, once: moderators review it. A repeat answers the appeal already made (200)',
        security,
        body: AppealBody,
        response: { 200: Appeal, 201: Appeal, ...errors },
      },
    }, async (request, reply) => {
      // A session, or a token that may manage LIVEs: a read-only or overlay token cannot appeal.
      const viewer = requirePrincipal(request, 'lives:write');
      const { appeal, created } = await services.appealSuspension({ viewer, text: request.body.text });
      return reply.status(created ? 201 : 200).send(presentAppeal(appeal));
    });

    app.get('/v1/mod/appeals', {
      schema: { tags: ['moderation'], summary: 'Appeals of suspensions, newest first, with the suspension and the strikes that led to it (moderators)', security, querystring: AppealQueueQuery, response: { 200: AppealQueue, ...errors } },
    }, async (request) => {
      const actor = requirePrincipal(request);
      const page = await services.listAppeals({ actor, status: request.query.status, limit: request.query.limit, before: request.query.cursor });
      const nowMs = services.clock.nowMs();
      return { appeals: page.appeals.map((a) => presentModAppeal(a, nowMs)), nextCursor: page.next ? encodeModerationCursor(page.next) : null };
    });

    app.post('/v1/mod/appeals/:id/decide', {
      schema: {
        tags: ['moderation'],
        summary: 'Decide an appeal: grant (the suspension is lifted and no longer counts as a repeat) or deny (moderators)',
        security,
        params: AppealIdParams,
        body: DecideAppealBody,
        response: { 200: ModAppeal, ...errors },
      },
    }, async (request) => {
      const actor = requirePrincipal(request);
      const view = await services.decideAppeal({ actor, appealId: request.params.id, decision: request.body.decision, note: request.body.note });
      return presentModAppeal(view, services.clock.nowMs());
    });

    app.get('/v1/mod/reports', {
      schema: { tags: ['moderation'], summary: 'The report queue, newest first, with each report’s context (moderators)', security, querystring: ReportQueueQuery, response: { 200: ReportQueue, ...errors } },
    }, async (request) => {
      const actor = requirePrincipal(request);
      const page = await services.listReports({ actor, status: request.query.status, limit: request.query.limit, before: request.query.cursor });
      const nowMs = services.clock.nowMs();
      return { reports: page.reports.map((r) => presentModReport(r, nowMs)), nextCursor: page.next ? encodeModerationCursor(page.next) : null };
    });

    app.post('/v1/mod/reports/:id/resolve', {
      schema: {
        tags: ['moderation'],
        summary: 'Resolve a report: dismiss, warn (a strike), suspend going LIVE, or ban (admins), optionally under another guideline than reported. Closes the other open reports on the same target (moderators)',
        security,
        params: ReportIdParams,
        body: ResolveReportBody,
        response: { 200: ResolvedReport, ...errors },
      },
    }, async (request) => {
      const actor = requirePrincipal(request);
      const { action, note, reason } = request.body;
      const result = await services.resolveReport({ actor, reportId: request.params.id, action, note, reason, length: lengthOf(request.body) });
      return { report: presentModReport(result.report, services.clock.nowMs()), othersClosed: result.othersClosed };
    });

    app.get('/v1/mod/users/:id/strikes', {
      schema: { tags: ['moderation'], summary: 'A user’s strikes, newest first (moderators)', security, params: ModUserParams, querystring: StrikesQuery, response: { 200: StrikePage, ...errors } },
    }, async (request) => {
      const viewer = requirePrincipal(request);
      return presentStrikePage(await services.listStrikes({ viewer, userId: request.params.id, limit: request.query.limit, before: request.query.cursor }));
    });

    app.post('/v1/mod/users/:id/suspend-live', {
      schema: {
        tags: ['moderation'],
        summary: 'Suspend going LIVE for a Community Guidelines violation, for some hours or permanently; a LIVE in progress ends at once (moderators)',
        security,
        params: ModUserParams,
        body: SuspendLiveBody,
        response: { 200: ModerationOutcome, ...errors },
      },
    }, async (request) => {
      const actor = requirePrincipal(request);
      const length = lengthOf(request.body);
      if (length === undefined) throw new Error('the body schema requires a length');
      const result = await services.suspendLive({ actor, userId: request.params.id, length, reason: request.body.reason, note: request.body.note });
      return { user: presentModUser(result.user, services.clock.nowMs()), endedLiveId: result.endedLiveId };
    });

    app.post('/v1/mod/users/:id/lift-suspension', {
      schema: { tags: ['moderation'], summary: 'Lift a suspension of going LIVE before it ends (moderators)', security, params: ModUserParams, body: LiftSuspensionBody, response: { 200: ModUser, ...errors } },
    }, async (request) => {
      const actor = requirePrincipal(request);
      const user = await services.liftSuspension({ actor, userId: request.params.id, note: request.body?.note });
      return presentModUser(user, services.clock.nowMs());
    });

    app.post('/v1/admin/users/:id/ban', {
      schema: {
        tags: ['admin'],
        summary: 'Ban an account for fraud: no spending, earning or going LIVE; diamonds held; a LIVE in progress ends; every session and API token revoked (admin)',
        security,
        params: ModUserParams,
        body: BanBody,
        response: { 200: BanOutcome, ...errors },
      },
    }, async (request) => {
      const actor = requirePrincipal(request);
      const result = await services.banUser({ actor, userId: request.params.id, reason: request.body.reason });
      return { user: presentModUser(result.user, services.clock.nowMs()), endedLiveId: result.endedLiveId, tokensRevoked: result.tokensRevoked };
    });

    app.post('/v1/admin/users/:id/unban', {
      schema: { tags: ['admin'], summary: 'Lift a ban; the hold the ban put on diamonds is released (admin)', security, params: ModUserParams, body: UnbanBody, response: { 200: ModUser, ...errors } },
    }, async (request) => {
      const actor = requirePrincipal(request);
      const user = await services.unbanUser({ actor, userId: request.params.id, note: request.body?.note });
      return presentModUser(user, services.clock.nowMs());
    });

    return Promise.resolve();
  };
}
