// The signed-in creator's payout accounts that are not removed, oldest first (18+ only: a minor
// cannot collect diamonds, so the route says so rather than answering an empty list).
import { requireAdult } from '../domain/users.js';
import { NotFound } from '../domain/errors.js';
import type { Clock, PayoutAccountRecord, PayoutAccountStore, UserStore } from './ports.js';

export interface ListPayoutAccountsInput {
  readonly userId: string;
}

export async function listPayoutAccounts(
  input: ListPayoutAccountsInput,
  deps: { users: UserStore; payoutAccounts: PayoutAccountStore; clock: Clock },
): Promise<PayoutAccountRecord[]> {
  const user = await deps.users.findById(input.userId);
  if (!user) throw new NotFound('No such user.');
  requireAdult(user, deps.clock.nowMs(), 'collect diamonds');
  return deps.payoutAccounts.listActive(input.userId);
}
