// Admins read the audit log: admin actions and the life of purchases and payouts, newest first.
import type { Principal } from './authenticate.js';
import type { AuditEntry, AuditLog } from './ports.js';
import { requireAdmin } from './require-admin.js';

export interface ListAuditInput {
  readonly actor: Principal;
  readonly limit: number;
  readonly beforeSeq?: number | undefined;
  /** Only this subject's entries, e.g. `purchase:<id>`. */
  readonly subject?: string | undefined;
}

export async function listAudit(input: ListAuditInput, deps: { audit: AuditLog }): Promise<AuditEntry[]> {
  requireAdmin(input.actor);
  return deps.audit.list({
    limit: input.limit,
    ...(input.beforeSeq !== undefined ? { beforeSeq: input.beforeSeq } : {}),
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
  });
}
