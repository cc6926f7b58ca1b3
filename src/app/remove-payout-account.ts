// Removes a payout account (soft: the row stays, so payouts already requested to it can still be
// paid and shown). Removing is allowed to anyone who owns the account, even a banned user.
import { NotFound } from '../domain/errors.js';
import type { AuditLog, Clock, PayoutAccountStore } from './ports.js';

export interface RemovePayoutAccountInput {
  readonly userId: string;
  readonly payoutAccountId: string;
}

export async function removePayoutAccount(
  input: RemovePayoutAccountInput,
  deps: { payoutAccounts: PayoutAccountStore; clock: Clock; audit: AuditLog },
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const removed = await deps.payoutAccounts.remove(input.payoutAccountId, input.userId, nowMs);
  if (!removed) throw new NotFound('No such payout account.');
  await deps.audit.append({ atMs: nowMs, actorId: input.userId, action: 'payout_account.removed', subject: `payout_account:${input.payoutAccountId}`, details: {} });
}
