// `livegift reconcile --provider` (and the admin page): compares our FIAT ledgers with the payment
// and payout providers' own records and reports every difference (src/domain/provider-reconcile.ts).
// Our side is every transfer of each currency's provider-clearing account, read newest first in pages.
import { fiatAccounts } from '../domain/accounts.js';
import { DIAMOND_VALUE_CURRENCY } from '../domain/diamond-value.js';
import type { CommittedTransfer } from '../domain/ledger.js';
import { compareWithProvider, ledgerMovements, type ProviderMovement, type ProviderReconcileReport, type ProviderRecords } from '../domain/provider-reconcile.js';
import type { Principal } from './authenticate.js';
import type { AuditLog, Clock, LedgerStore } from './ports.js';
import { requireAdmin } from './require-admin.js';

const PAGE = 1000;

/** Our side against theirs. With an actor (the admin page) it is admins-only and audited; the CLI passes none. */
export async function reconcileWithProvider(
  input: { actor?: Principal },
  deps: { ledger: LedgerStore; providerRecords: readonly ProviderRecords[]; currencies: readonly string[]; audit: AuditLog; clock: Clock },
): Promise<ProviderReconcileReport> {
  if (input.actor) requireAdmin(input.actor);
  const currencies = [...new Set([...deps.currencies, DIAMOND_VALUE_CURRENCY])];
  const clearing = new Set(currencies.map((c) => fiatAccounts(c).providerClearing.id));
  const transfers: CommittedTransfer[] = [];
  for (const accountId of clearing) {
    let beforeSeq: bigint | undefined;
    for (;;) {
      const page = await deps.ledger.listTransfers(accountId, { limit: PAGE, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
      transfers.push(...page);
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined) break;
      beforeSeq = last.seq;
    }
  }
  const ours = ledgerMovements(transfers, clearing);
  const theirs: ProviderMovement[] = [];
  for (const records of deps.providerRecords) {
    for await (const m of records.movements()) theirs.push(m);
  }
  const report = compareWithProvider({ provider: deps.providerRecords.map((r) => r.name).join('+') || 'none', ours: ours.movements, theirs, skipped: ours.skipped });
  await deps.audit.append({
    atMs: deps.clock.nowMs(),
    actorId: input.actor?.userId ?? null,
    action: 'ledger.reconciled_with_provider',
    subject: 'ledger',
    details: { ok: report.ok, provider: report.provider, subjects: report.subjects, differences: report.differences.length },
  });
  return report;
}
