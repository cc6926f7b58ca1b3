// Rules of maturation and redemption: the payout limits in diamonds, the ids of every ledger transfer
// a payout or a maturation makes (derived, so a retry names the same transfer and cannot move money
// twice), the daily cap key, retry timing, the payout lifecycle, and how a bank account number is
// kept (masked: only its last four characters).
import { createHash } from 'node:crypto';
import { diamondsWorthAtLeast, diamondsWorthAtMost } from './diamond-value.js';
import { TRANSFER_ID_MAX } from './ledger.js';

/** The money knobs of diamonds and payouts (from the config). */
export interface DiamondPolicy {
  /** Value of one diamond in micro-USD: 5000 = $0.005. */
  readonly diamondValueMicroUsd: bigint;
  /** How long a gift's diamonds stay on hold before they can be redeemed. */
  readonly diamondHoldMs: number;
  /** Smallest payout, in US cents. */
  readonly payoutMinCents: bigint;
  /** Most a creator may redeem per UTC day, in US cents. */
  readonly payoutDailyMaxCents: bigint;
}

export interface PayoutLimits {
  /** The fewest diamonds one payout may redeem (worth at least the minimum). */
  readonly minimumDiamonds: bigint;
  /** The most diamonds a creator may redeem per UTC day (worth at most the daily maximum). */
  readonly dailyMaxDiamonds: bigint;
}

export function payoutLimits(policy: DiamondPolicy): PayoutLimits {
  return {
    // A payout is worth at least one cent, even with a minimum of $0: nothing smaller can be sent.
    minimumDiamonds: diamondsWorthAtLeast(maxBig(1n, policy.payoutMinCents), policy.diamondValueMicroUsd),
    dailyMaxDiamonds: diamondsWorthAtMost(policy.payoutDailyMaxCents, policy.diamondValueMicroUsd),
  };
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** The UTC day of an instant, YYYY-MM-DD. */
export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/**
 * The ledger spend-cap key that counts a creator's payouts of one UTC day. The ledger checks it inside
 * the transaction that reserves the diamonds, so concurrent requests cannot together pass the limit.
 */
export function payoutDayCapKey(userId: string, nowMs: number): string {
  return `payout:day:${userId}:${utcDay(nowMs)}`;
}

const PAYOUT_PREFIX = 'payout:';

/** Every ledger transfer of one payout, derived from its id (the client's idempotency key). */
export function payoutTransferIds(payoutId: string): { reserve: string; post: string; void: string; fiat: string; ref: string } {
  const base = `${PAYOUT_PREFIX}${payoutId}`;
  return { reserve: base, post: `${base}:post`, void: `${base}:void`, fiat: `${base}:fiat`, ref: base };
}

/** The payout id of a reservation transfer id (`payout:<id>`), or null for any other transfer. */
export function payoutIdOfReservation(transferId: string): string | null {
  if (!transferId.startsWith(PAYOUT_PREFIX)) return null;
  const id = transferId.slice(PAYOUT_PREFIX.length);
  return id.length > 0 && !id.includes(':') ? id : null;
}

/**
 * The id of the MATURE transfer of one gift's diamond leg: `mature:<legId>`. Deterministic, so
 * running the job again (or on two nodes at once) names the same transfer and the ledger applies it
 * once. An id too long for the ledger is shortened to a hash of itself, still one per leg.
 */
export function matureTransferId(giftLegId: string): string {
  const id = `mature:${giftLegId}`;
  if (id.length <= TRANSFER_ID_MAX) return id;
  return `mature:h:${createHash('sha256').update(giftLegId).digest('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// The payout lifecycle: requested → processing → paid | failed.

export const PAYOUT_STATUSES = ['requested', 'processing', 'paid', 'failed'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

const MOVES: Readonly<Record<PayoutStatus, readonly PayoutStatus[]>> = {
  requested: ['processing', 'failed'],
  processing: ['processing', 'paid', 'failed'],
  paid: [],
  failed: [],
};

/** Whether a payout may go from one status to another; paid and failed are final. */
export function canMovePayout(from: PayoutStatus, to: PayoutStatus): boolean {
  return MOVES[from].includes(to);
}

/** Provider attempts before a payout the provider has never seen is given up (and its diamonds returned). */
export const PAYOUT_ATTEMPTS_MAX = 8;
const RETRY_BASE_MS = 10_000;
const RETRY_MAX_MS = 30 * 60_000;

/** Wait before the next attempt after `attempts` failed ones: 10 s, 20 s, 40 s … at most 30 min. */
export function payoutRetryDelayMs(attempts: number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 20);
  return Math.min(RETRY_BASE_MS * 2 ** exponent, RETRY_MAX_MS);
}

// ---------------------------------------------------------------------------------------------
// Payout accounts.

/** Most payout accounts a user keeps at once. */
export const PAYOUT_ACCOUNTS_MAX = 10;

/** An IBAN-like account number without spaces or dashes, upper-cased; null when it is not one. */
export function normalizeAccountNumber(raw: string): string | null {
  const n = raw.replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z0-9]{8,34}$/.test(n) ? n : null;
}

/** What we keep of an account number: its last four characters. */
export function lastFour(accountNumber: string): string {
  return accountNumber.slice(-4);
}

export function bankAccountLabel(last4: string): string {
  return `Bank •••• ${last4}`;
}

export function paypalAccountLabel(email: string): string {
  return `PayPal ${email}`;
}
