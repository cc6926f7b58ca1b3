// Admin: the audit log, the ledger reconciliation, users and their roles, every creator's payouts,
// and the whole gift catalog to edit (its edits are POST/PATCH /v1/admin/catalog in gifts.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AdminPayoutRow } from '../../app/list-all-payouts.js';
import type { User } from '../../app/ports.js';
import type { Services } from '../../app/services.js';
import {
  AdminCatalog,
  AdminPayoutPage,
  AdminPayoutQuery,
  AdminUser,
  AdminUserPage,
  AdminUserQuery,
  AuditPage,
  AuditQuery,
  encodeAdminPayoutCursor,
  ProviderReconcileReport,
  ReconcileReport,
  UpdateUserBody,
  UserIdParams,
  type AdminPayout,
} from '../../protocol/admin.js';
import { ErrorBody } from '../../protocol/common.js';
import { requireRole } from '../auth.js';
import { presentGift, presentMe, presentPayout, presentPublicUser } from '../present.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const security: Record<string, string[]>[] = [{ session: [] }, { token: [] }];

/** A user as admins see them: their standing, never their password hash or birth date. */
function presentAdminUser(user: User, nowMs: number): AdminUser {
  const me = presentMe(user, nowMs);
  return {
    id: me.id,
    handle: me.handle,
    displayName: me.displayName,
    email: me.email,
    role: me.role,
    adult: me.adult,
    giftsEnabled: me.giftsEnabled,
    liveSuspension: me.liveSuspension,
    banned: me.banned,
    banReason: user.banReason,
    giftingFrozen: me.giftingFrozen,
    payoutsHeld: me.payoutsHeld,
    createdAtMs: me.createdAtMs,
  };
}

function presentAdminPayout(row: AdminPayoutRow): AdminPayout {
  return { ...presentPayout(row.payout), creator: row.creator ? presentPublicUser(row.creator) : null, accountLabel: row.account?.label ?? null };
}

export function adminRoutes(services: Services): FastifyPluginAsync {
  return (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/v1/admin/audit', {
      schema: { tags: ['admin'], summary: 'The audit log, newest first (admin)', security, querystring: AuditQuery, response: { 200: AuditPage, ...errors } },
    }, async (request) => {
      const actor = requireRole(request, ['admin'], 'admin');
      const entries = await services.listAudit({ actor, ...request.query });
      const last = entries.at(-1);
      return { entries: [...entries], nextBeforeSeq: entries.length === request.query.limit && last ? last.seq : null };
    });

    app.post('/v1/admin/reconcile', {
      schema: { tags: ['admin'], summary: 'Recompute every balance from the ledger and verify it (admin)', security, response: { 200: ReconcileReport, ...errors } },
    }, async (request) => {
      const actor = requireRole(request, ['admin'], 'admin');
      const r = await services.reconcileLedger({ actor });
      return { ...r, problems: [...r.problems] };
    });

    app.post('/v1/admin/reconcile/provider', {
      schema: {
        tags: ['admin'],
        summary: "Compare the FIAT ledgers with the payment and payout providers' own records (admin); the same as `livegift reconcile --provider`",
        security,
        response: { 200: ProviderReconcileReport, ...errors },
      },
    }, async (request) => {
      const actor = requireRole(request, ['admin'], 'admin');
      const r = await services.reconcileWithProvider({ actor });
      return { ...r, differences: r.differences.map((d) => ({ ...d, ourRefs: [...d.ourRefs], theirRefs: [...d.theirRefs] })) };
    });

    app.get('/v1/admin/users', {
      schema: {
        tags: ['admin'],
        summary: 'Users, newest first, with their role and standing; search by handle, name or email (admin)',
        security,
        querystring: AdminUserQuery,
        response: { 200: AdminUserPage, ...errors },
      },
    }, async (request) => {
      const actor = requireRole(request, ['admin'], 'admin');
      const { limit, q, role, cursor } = request.query;
      const page = await services.listUsers({ actor, limit, query: q, role, cursor });
      const nowMs = services.clock.nowMs();
      return { users: page.users.map((u) => presentAdminUser(u, nowMs)), nextCursor: page.nextCursor };
    });

    app.patch('/v1/admin/users/:id', {
      schema: {
        tags: ['admin'],
        summary: "Change a user's role (not your own), lift a gifting freeze, or hold a creator's diamonds for review (admin); recorded in the audit log",
        security,
        params: UserIdParams,
        body: UpdateUserBody,
        response: { 200: AdminUser, 404: ErrorBody, ...errors },
      },
    }, async (request) => {
      const actor = requireRole(request, ['admin'], 'admin');
      const { role, giftingFrozen, payoutsHeld, reason } = request.body;
      let user = role === undefined ? null : await services.setUserRole({ actor, userId: request.params.id, role });
      if (giftingFrozen !== undefined || payoutsHeld !== undefined) user = await services.reviewUser({ actor, userId: request.params.id, giftingFrozen, payoutsHeld, reason });
      if (user === null) throw new Error('the body schema requires a change');
      return presentAdminUser(user, services.clock.nowMs());
    });

    app.get('/v1/admin/payouts', {
      schema: {
        tags: ['admin'],
        summary: "Every creator's payouts, newest first, with their status (admin)",
        security,
        querystring: AdminPayoutQuery,
        response: { 200: AdminPayoutPage, ...errors },
      },
    }, async (request) => {
      const actor = requireRole(request, ['admin'], 'admin');
      const { limit, status, cursor } = request.query;
      const page = await services.listAllPayouts({ actor, limit, status, before: cursor });
      return { payouts: page.rows.map(presentAdminPayout), nextCursor: page.next ? encodeAdminPayoutCursor(page.next) : null };
    });

    app.get('/v1/admin/catalog', {
      schema: {
        tags: ['admin'],
        summary: 'Every gift, retired and scheduled ones too, and the art files a gift may use (admin)',
        security,
        response: { 200: AdminCatalog, ...errors },
      },
    }, async (request) => {
      const actor = requireRole(request, ['admin'], 'admin');
      const { gifts, artFiles } = await services.listGiftCatalog({ actor });
      const nowMs = services.clock.nowMs();
      return { gifts: gifts.map((g) => presentGift(g, nowMs)), artFiles: [...artFiles] };
    });

    return Promise.resolve();
  };
}
