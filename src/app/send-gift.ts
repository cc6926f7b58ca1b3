// A viewer sends a gift in a LIVE: the money path. The price is read from the catalog (never from
// the client); the viewer's coins go to the gift sink and new diamonds to the creator's on-hold
// balance as ONE linked ledger group, under the viewer's daily and weekly spend caps, all checked
// inside the ledger transaction.
//
// Idempotent by the client's id: the ledger keeps it forever, so a retry after a timeout answers
// `duplicate` with the original result and never charges twice; the same id with other content is
// refused (IdempotencyConflict).
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import {
  CannotGiftSelf,
  GiftsDisabled,
  GiftUnavailable,
  IdempotencyConflict,
  InsufficientCoins,
  LiveNotOnAir,
  NotFound,
  SpendLimitReached,
  ValidationFailed,
} from '../domain/errors.js';
import { GIFT_COUNT_MAX, isGiftAvailable } from '../domain/gifts.js';
import { AMOUNT_MAX, type CommittedTransfer, type GroupOutcome, type TransferRequest } from '../domain/ledger.js';
import { coinsForMinor } from '../domain/pricing.js';
import { isoDay, isoWeek, nextDayStartMs, nextWeekStartMs } from '../domain/calendar.js';
import { requireAdult, requireGiftingNotFrozen, requireNotBanned, requireNotLiveSuspended } from '../domain/users.js';
import type { ComboTracker } from './combo-tracker.js';
import type { Clock, GiftCatalog, LedgerStore, LiveDirectory, UserStore } from './ports.js';

export interface SendGiftInput {
  /** Client-made UUID, the idempotency key, kept forever. */
  readonly id: string;
  readonly senderId: string;
  readonly liveId: string;
  /** Catalog id, e.g. `rose`. */
  readonly giftId: string;
  /** How many of the gift, 1 to 9,999. */
  readonly count: number;
}

export interface SentGift {
  readonly status: 'applied' | 'duplicate';
  /** The ledger transfer id of the coin leg (= the client's id), and its ledger seq. */
  readonly transferId: string;
  readonly seq: bigint;
  readonly senderId: string;
  readonly creatorId: string;
  readonly liveId: string;
  readonly giftId: string;
  readonly count: number;
  /** Coins this send cost, and the viewer's balance right after it. */
  readonly coins: bigint;
  readonly balanceCoins: bigint;
  readonly diamonds: bigint;
  /** The combo this send belongs to and the combo's running count including it. */
  readonly comboId: string;
  readonly comboCount: number;
  readonly atMs: number;
}

export interface SpendPolicy {
  readonly diamondsPerCoin: bigint;
  readonly spendDailyMaxCents: bigint;
  readonly spendWeeklyMaxCents: bigint;
}

export interface SendGiftDeps {
  readonly users: UserStore;
  readonly lives: LiveDirectory;
  readonly catalog: GiftCatalog;
  readonly ledger: LedgerStore;
  readonly clock: Clock;
  readonly combos: ComboTracker;
  readonly policy: SpendPolicy;
}

export async function sendGift(input: SendGiftInput, deps: SendGiftDeps): Promise<SentGift> {
  const nowMs = deps.clock.nowMs();
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > GIFT_COUNT_MAX) {
    throw new ValidationFailed(`count must be a whole number from 1 to ${GIFT_COUNT_MAX}.`, { field: 'count' });
  }

  // A replay answers with the original result, whatever changed since (LIVE ended, price changed).
  const previous = await deps.ledger.getTransfer(input.id);
  if (previous) return replayOf(previous, input, deps);

  const sender = await deps.users.findById(input.senderId);
  if (!sender) throw new NotFound('No such user.');
  requireNotBanned(sender);
  requireAdult(sender, nowMs, 'send gifts');
  requireGiftingNotFrozen(sender);

  const live = await deps.lives.findLive(input.liveId);
  if (!live) throw new NotFound('No such LIVE.');
  if (live.status !== 'live') throw new LiveNotOnAir('This LIVE has ended.');
  if (live.creatorId === sender.id) throw new CannotGiftSelf();
  const creator = await deps.users.findById(live.creatorId);
  if (!creator) throw new NotFound('The creator of this LIVE no longer exists.');
  if (!creator.giftsEnabled) throw new GiftsDisabled('This creator has LIVE Gifts turned off.');
  requireNotBanned(creator);
  requireNotLiveSuspended(creator, nowMs);

  const gift = await deps.catalog.get(input.giftId);
  if (!gift || !isGiftAvailable(gift, nowMs)) throw new GiftUnavailable(`The gift ${input.giftId} is not available.`);
  const coins = gift.coins * BigInt(input.count);
  const diamonds = coins * deps.policy.diamondsPerCoin;
  if (coins > AMOUNT_MAX || diamonds > AMOUNT_MAX) throw new ValidationFailed('That is too many gifts at once.', { field: 'count' });

  const comboKey = `${sender.id}|${live.id}|${gift.id}`;
  const combo = gift.comboable ? deps.combos.join(comboKey, input.id, input.count, nowMs) : { comboId: input.id, count: input.count, lastAtMs: nowMs };
  const metadata = { liveId: live.id, giftId: gift.id, count: input.count, senderId: sender.id, creatorId: creator.id, comboId: combo.comboId, comboCount: combo.count };
  const ref = `live:${live.id}`;
  const dayKey = `spend:day:${sender.id}:${isoDay(nowMs)}`;
  const weekKey = `spend:week:${sender.id}:${isoWeek(nowMs)}`;
  const group: TransferRequest[] = [
    {
      id: input.id,
      code: 'GIFT',
      kind: 'single',
      debitAccountId: userAccounts(sender.id).coins.id,
      creditAccountId: SystemAccounts.coinGiftSink.id,
      amount: coins,
      ref,
      metadata,
      caps: [
        { key: dayKey, limit: coinsForMinor(deps.policy.spendDailyMaxCents, 'USD') },
        { key: weekKey, limit: coinsForMinor(deps.policy.spendWeeklyMaxCents, 'USD') },
      ],
    },
    {
      id: `${input.id}:diamonds`,
      code: 'GIFT',
      kind: 'single',
      debitAccountId: SystemAccounts.diamondIssuance.id,
      creditAccountId: userAccounts(creator.id).diamondsOnHold.id,
      amount: diamonds,
      ref,
      metadata,
    },
  ];

  let outcome: GroupOutcome;
  try {
    outcome = await deps.ledger.submit(group);
  } catch (error) {
    if (gift.comboable) deps.combos.undo(comboKey, combo, input.count);
    throw error;
  }
  if (outcome.status === 'rejected') {
    if (gift.comboable) deps.combos.undo(comboKey, combo, input.count);
    const r = outcome.rejection;
    switch (r.code) {
      case 'insufficient_funds':
        throw new InsufficientCoins(r.available, r.required);
      case 'cap_exceeded': {
        const daily = r.key === dayKey;
        throw new SpendLimitReached(
          `You reached your ${daily ? 'daily' : 'weekly'} spending limit; you can send ${r.limit - r.used} more coins until it resets.`,
          { period: daily ? 'day' : 'week', remainingCoins: Number(r.limit - r.used), resetsAtMs: daily ? nextDayStartMs(nowMs) : nextWeekStartMs(nowMs) },
        );
      }
      case 'id_conflict':
        throw new IdempotencyConflict(input.id);
      case 'account_not_found':
      case 'asset_mismatch':
      case 'invalid_transfer':
      case 'pending_not_found':
      case 'pending_already_resolved':
        throw new Error(`ledger refused a gift group: ${r.code}`);
    }
  }
  if (outcome.status === 'duplicate') return replayOf(outcome.transfers[0] as CommittedTransfer, input, deps);
  const coinLeg = outcome.transfers[0] as CommittedTransfer;
  return {
    status: 'applied',
    transferId: coinLeg.id,
    seq: coinLeg.seq,
    senderId: sender.id,
    creatorId: creator.id,
    liveId: live.id,
    giftId: gift.id,
    count: input.count,
    coins,
    balanceCoins: coinLeg.debitAvailableAfter,
    diamonds,
    comboId: combo.comboId,
    comboCount: combo.count,
    atMs: Number(coinLeg.createdAtMs),
  };
}

/** The original result of an id already in the ledger, or a conflict if it was another request. */
async function replayOf(coinLeg: CommittedTransfer, input: SendGiftInput, deps: SendGiftDeps): Promise<SentGift> {
  const m = JSON.parse(coinLeg.metadata) as { liveId?: string; giftId?: string; count?: number; senderId?: string; creatorId?: string; comboId?: string; comboCount?: number };
  const same = coinLeg.code === 'GIFT' && m.senderId === input.senderId && m.liveId === input.liveId && m.giftId === input.giftId && m.count === input.count;
  if (!same) throw new IdempotencyConflict(input.id);
  const diamondLeg = await deps.ledger.getTransfer(`${input.id}:diamonds`);
  return {
    status: 'duplicate',
    transferId: coinLeg.id,
    seq: coinLeg.seq,
    senderId: input.senderId,
    creatorId: m.creatorId ?? '',
    liveId: input.liveId,
    giftId: input.giftId,
    count: input.count,
    coins: coinLeg.amount,
    balanceCoins: coinLeg.debitAvailableAfter,
    diamonds: diamondLeg?.amount ?? 0n,
    comboId: m.comboId ?? coinLeg.id,
    comboCount: m.comboCount ?? input.count,
    atMs: Number(coinLeg.createdAtMs),
  };
}
