// The signed-in creator's payouts, newest first, each with its current status (the worker moves it
// requested → processing → paid or failed).
import { NotFound } from '../domain/errors.js';
import { requireAdult } from '../domain/users.js';
import type { Clock, PayoutRecord, PayoutStore, UserStore } from './ports.js';

export interface ListPayoutsInput {
  readonly userId: string;
  /** At most this many (1-100). */
  readonly limit: number;
  /** Only payouts created before this time, for paging. */
  readonly beforeMs?: number | undefined;
}

export async function listPayouts(input: ListPayoutsInput, deps: { users: UserStore; payouts: PayoutStore; clock: Clock }): Promise<PayoutRecord[]> {
  const user = await deps.users.findById(input.userId);
  if (!user) throw new NotFound('No such user.');
  requireAdult(user, deps.clock.nowMs(), 'collect diamonds');
  const limit = Math.min(Math.max(Math.trunc(input.limit), 1), 100);
  return deps.payouts.listOf(input.userId, { limit, ...(input.beforeMs !== undefined ? { beforeMs: input.beforeMs } : {}) });
}
