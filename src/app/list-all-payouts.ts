// Admins watch every creator's payouts, newest first, each with its creator and the account it pays
// to, optionally only one status (e.g. the failed ones to follow up), a page at a time.
import type { Principal } from './authenticate.js';
import type { PayoutAccountRecord, PayoutAccountStore, PayoutRecord, PayoutRecordStatus, PayoutStore, User, UserStore } from './ports.js';
import { requireAdmin } from './require-admin.js';

/** Where a page continues: the last payout's creation time and id. */
export interface PayoutPosition {
  readonly createdAtMs: number;
  readonly id: string;
}

export interface ListAllPayoutsInput {
  /** Who asks: must be an admin (with the admin scope when it is a token). */
  readonly actor: Principal;
  /** At most this many payouts (1-100). */
  readonly limit: number;
  /** Only payouts in this status. */
  readonly status?: PayoutRecordStatus | undefined;
  /** The previous page's `next`: continue after its last payout. */
  readonly before?: PayoutPosition | undefined;
}

export interface AdminPayoutRow {
  readonly payout: PayoutRecord;
  /** null only if the user row is gone (users are never deleted today). */
  readonly creator: User | null;
  /** null only if the account row is gone (accounts are soft-removed, so never today). */
  readonly account: PayoutAccountRecord | null;
}

export async function listAllPayouts(
  input: ListAllPayoutsInput,
  deps: { payouts: PayoutStore; users: UserStore; payoutAccounts: PayoutAccountStore },
): Promise<{ readonly rows: readonly AdminPayoutRow[]; readonly next: PayoutPosition | null }> {
  requireAdmin(input.actor);
  const limit = Math.min(Math.max(Math.trunc(input.limit), 1), 100);
  const found = await deps.payouts.listRecent({
    limit: limit + 1,
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(input.before !== undefined ? { before: input.before } : {}),
  });
  const payouts = found.slice(0, limit);
  // Two reads for the whole page, not two per payout.
  const [users, accounts] = await Promise.all([
    deps.users.findByIds(payouts.map((p) => p.userId)),
    deps.payoutAccounts.findByIds(payouts.map((p) => p.payoutAccountId)),
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const rows = payouts.map((payout) => ({ payout, creator: userById.get(payout.userId) ?? null, account: accountById.get(payout.payoutAccountId) ?? null }));
  const last = payouts.at(-1);
  return { rows, next: found.length > limit && last !== undefined ? { createdAtMs: last.createdAtMs, id: last.id } : null };
}
