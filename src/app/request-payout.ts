// Redeem: reserves available diamonds for a payout and records it as `requested`; the payout worker
// (process-payouts.ts) then pays it through the provider. The reservation is one pending ledger
// transfer, available → payout clearing, that counts against the creator's daily cap inside the
// ledger transaction, so concurrent requests cannot together pass the daily maximum.
//
// Idempotent, because a creator's phone retries: the payout id is the client's key. The same id with
// the same request answers the same payout (never a second reservation: the ledger applies the
// transfer `payout:<id>` once); the same id with anything else is an IdempotencyConflict.
//
// Order of writes: the ledger first, then the row. If this process dies between the two, a replay
// of the request writes the row, and if none comes the payout worker rebuilds it from the
// reservation (whose metadata names the user and the account), so reserved diamonds are never
// stranded without a payout.
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import { DIAMOND_VALUE_CURRENCY, diamondsToMinor, formatUsd } from '../domain/diamond-value.js';
import { IdempotencyConflict, InsufficientDiamonds, NotFound, PayoutAccountNotReady, PayoutLimit } from '../domain/errors.js';
import type { CommittedTransfer } from '../domain/ledger.js';
import { requirePayoutsNotHeld } from '../domain/users.js';
import { payoutDayCapKey, payoutLimits, payoutTransferIds, type DiamondPolicy } from '../domain/payouts.js';
import type { AuditLog, Clock, LedgerStore, PayoutAccountStore, PayoutRecord, PayoutStore, UserStore } from './ports.js';
import { requireCollector } from './require-collector.js';

export interface RequestPayoutInput {
  /** The signed-in creator: 18+ and not banned. */
  readonly userId: string;
  /** The client's UUID for this payout: its idempotency key, forever. */
  readonly id: string;
  /** One of the creator's payout accounts that is not removed. */
  readonly payoutAccountId: string;
  /** Diamonds to redeem from the available balance: at least the minimum, within today's maximum. */
  readonly diamonds: bigint;
}

/** Answers the payout, and `created`: true when this request reserved the diamonds, false for a replay. */
export async function requestPayout(
  input: RequestPayoutInput,
  deps: {
    users: UserStore;
    payoutAccounts: PayoutAccountStore;
    payouts: PayoutStore;
    ledger: LedgerStore;
    clock: Clock;
    audit: AuditLog;
    diamondPolicy: DiamondPolicy;
  },
): Promise<{ payout: PayoutRecord; created: boolean }> {
  const nowMs = deps.clock.nowMs();
  const creator = await requireCollector(input.userId, nowMs, 'redeem diamonds', deps);

  // A replay answers what the first request made, whatever happened since (the account removed,
  // the day over, the balance spent, a hold placed).
  const existing = await deps.payouts.findById(input.id);
  if (existing) return { payout: sameRequestOrConflict(existing, input), created: false };
  requirePayoutsNotHeld(creator);

  const account = await deps.payoutAccounts.findById(input.payoutAccountId);
  if (!account || account.userId !== input.userId || account.removedAtMs !== null) throw new NotFound('No such payout account.');
  if (account.status !== 'ready') {
    throw new PayoutAccountNotReady('Finish setting up this payout account with the provider first.', { payoutAccountId: account.id });
  }

  const value = deps.diamondPolicy.diamondValueMicroUsd;
  const limits = payoutLimits(deps.diamondPolicy);
  if (input.diamonds < limits.minimumDiamonds) {
    throw new PayoutLimit(`The smallest payout is ${limits.minimumDiamonds} diamonds (${formatUsd(diamondsToMinor(limits.minimumDiamonds, value))}).`, {
      reason: 'below_minimum',
      minimumDiamonds: Number(limits.minimumDiamonds),
      minimumMinor: Number(diamondsToMinor(limits.minimumDiamonds, value)),
    });
  }

  const ids = payoutTransferIds(input.id);
  const mine = userAccounts(input.userId);
  const outcome = await deps.ledger.submit([
    {
      id: ids.reserve,
      code: 'PAYOUT',
      kind: 'pending',
      debitAccountId: mine.diamondsAvailable.id,
      creditAccountId: SystemAccounts.diamondPayoutClearing.id,
      amount: input.diamonds,
      ref: ids.ref,
      metadata: { userId: input.userId, payoutAccountId: input.payoutAccountId },
      caps: [{ key: payoutDayCapKey(input.userId, nowMs), limit: limits.dailyMaxDiamonds }],
    },
  ]);

  if (outcome.status === 'rejected') {
    const r = outcome.rejection;
    switch (r.code) {
      case 'insufficient_funds':
        throw insufficient(r.available, input.diamonds);
      case 'account_not_found':
        // The creator's available balance was never opened: they have no diamonds to redeem.
        if (r.accountId === mine.diamondsAvailable.id) throw insufficient(0n, input.diamonds);
        throw new Error(`payout reservation names a missing account ${r.accountId}`);
      case 'cap_exceeded': {
        const remaining = r.limit > r.used ? r.limit - r.used : 0n;
        throw new PayoutLimit(
          `You can redeem up to ${formatUsd(diamondsToMinor(r.limit, value))} a day; ${remaining} diamonds (${formatUsd(diamondsToMinor(remaining, value))}) are left for today.`,
          {
            reason: 'daily_maximum',
            dailyMaxDiamonds: Number(r.limit),
            remainingDiamonds: Number(remaining),
            remainingMinor: Number(diamondsToMinor(remaining, value)),
          },
        );
      }
      case 'id_conflict':
        throw new IdempotencyConflict(input.id);
      case 'asset_mismatch':
      case 'invalid_transfer':
      case 'pending_not_found':
      case 'pending_already_resolved':
        throw new Error(`payout reservation ${ids.reserve} refused by the ledger: ${r.code}`);
    }
  }

  const [reservation] = outcome.transfers;
  assertReservation(reservation, ids.reserve, mine.diamondsAvailable.id, input.diamonds);
  const stored = await deps.payouts.insertIfAbsent({
    id: input.id,
    userId: input.userId,
    payoutAccountId: input.payoutAccountId,
    diamonds: input.diamonds,
    currency: DIAMOND_VALUE_CURRENCY,
    amountMinor: diamondsToMinor(input.diamonds, value),
    status: 'requested',
    providerRef: null,
    attempts: 0,
    nextAttemptAtMs: nowMs,
    failureReason: null,
    lastError: null,
    createdAtMs: Number(reservation.createdAtMs),
    updatedAtMs: nowMs,
    resolvedAtMs: null,
  });
  const payout = sameRequestOrConflict(stored, input);
  if (outcome.status === 'applied') {
    await deps.audit.append({
      atMs: nowMs,
      actorId: input.userId,
      action: 'payout.requested',
      subject: `payout:${payout.id}`,
      details: { diamonds: payout.diamonds, currency: payout.currency, amountMinor: payout.amountMinor, payoutAccountId: payout.payoutAccountId },
    });
  }
  return { payout, created: outcome.status === 'applied' };

  function insufficient(available: bigint, required: bigint): InsufficientDiamonds {
    return new InsufficientDiamonds(`You asked to redeem ${required} diamonds and ${available} are available.`, {
      availableDiamonds: Number(available),
      requestedDiamonds: Number(required),
      shortfallDiamonds: Number(required - available),
    });
  }
}

function sameRequestOrConflict(p: PayoutRecord, input: RequestPayoutInput): PayoutRecord {
  if (p.userId !== input.userId || p.payoutAccountId !== input.payoutAccountId || p.diamonds !== input.diamonds) throw new IdempotencyConflict(input.id);
  return p;
}

/** What the ledger answered must be the reservation we asked for; anything else is a bug, not a user error. */
function assertReservation(t: CommittedTransfer | undefined, id: string, debitAccountId: string, diamonds: bigint): asserts t is CommittedTransfer {
  if (!t || t.id !== id || t.kind !== 'pending' || t.code !== 'PAYOUT' || t.debitAccountId !== debitAccountId || t.amount !== diamonds) {
    throw new Error(`the ledger answered payout reservation ${id} with another transfer`);
  }
}
