// Admin: the audit log and the ledger reconciliation.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app/services.js';
import { AuditPage, AuditQuery, ReconcileReport } from '../../protocol/admin.js';
import { ErrorBody } from '../../protocol/common.js';
import { requireRole } from '../auth.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const security: Record<string, string[]>[] = [{ session: [] }, { token: [] }];

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

    return Promise.resolve();
  };
}
