// Admins check the ledger: every balance recomputed from the transfers, conservation per asset,
// the hash chain. The same check as `livegift reconcile`.
import type { ReconcileReport } from '../domain/reconcile.js';
import type { Principal } from './authenticate.js';
import type { AuditLog, Clock, LedgerStore } from './ports.js';
import { requireAdmin } from './require-admin.js';

export async function reconcileLedger(input: { actor: Principal }, deps: { ledger: LedgerStore; audit: AuditLog; clock: Clock }): Promise<ReconcileReport> {
  requireAdmin(input.actor);
  const report = await deps.ledger.reconcile();
  await deps.audit.append({
    atMs: deps.clock.nowMs(),
    actorId: input.actor.userId,
    action: 'ledger.reconciled',
    subject: 'ledger',
    details: { ok: report.ok, transfers: report.transfers, problems: report.problems.length },
  });
  return report;
}
