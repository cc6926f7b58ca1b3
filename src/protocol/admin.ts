// Admin reads on the wire: the audit log and the ledger's reconciliation report.
import { z } from 'zod';
import { TimeMs } from './common.js';

export const AuditEntry = z
  .object({ seq: z.number().int(), atMs: TimeMs, actorId: z.string().nullable(), action: z.string(), subject: z.string(), details: z.record(z.string(), z.unknown()) })
  .meta({ id: 'AuditEntry' });
export const AuditPage = z.object({ entries: z.array(AuditEntry), nextBeforeSeq: z.number().int().nullable() });
export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  beforeSeq: z.coerce.number().int().positive().optional(),
  subject: z.string().min(1).max(200).optional(),
});

export const ReconcileReport = z
  .object({
    ok: z.boolean(),
    transfers: z.number().int(),
    accounts: z.number().int(),
    head: z.object({ seq: z.string(), hash: z.string() }),
    totals: z.record(z.string(), z.string()),
    problems: z.array(z.object({ kind: z.string(), detail: z.string() })),
  })
  .meta({ id: 'ReconcileReport' });
