// The signed-in creator's payout accounts that are not removed, oldest first (18+ only: a minor
// cannot collect diamonds, so the route says so rather than answering an empty list).
import { requireAdult } from '../domain/users.js';
import { NotFound } from '../domain/errors.js';
import { refreshOnboardingAccounts } from './payout-account-onboarding.js';
import type { AuditLog, Clock, PayoutAccountRecord, PayoutAccountStore, PayoutProvider, UserStore } from './ports.js';

export interface ListPayoutAccountsInput {
  readonly userId: string;
}

export async function listPayoutAccounts(
  input: ListPayoutAccountsInput,
  deps: { users: UserStore; payoutAccounts: PayoutAccountStore; payoutProvider: PayoutProvider; clock: Clock; audit: AuditLog },
): Promise<PayoutAccountRecord[]> {
  const user = await deps.users.findById(input.userId);
  if (!user) throw new NotFound('No such user.');
  requireAdult(user, deps.clock.nowMs(), 'collect diamonds');
  // Accounts still onboarding are asked about, so a creator back from the provider's page sees it ready.
  return refreshOnboardingAccounts(await deps.payoutAccounts.listActive(input.userId), deps);
}
