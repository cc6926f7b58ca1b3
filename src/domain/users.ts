// Rules about users that several use cases share: who counts as adult, suspended or banned.
import { isAdult } from './age.js';
import { AccountSuspended, AgeRestricted, GiftingFrozen, LiveSuspended, PayoutsOnHold } from './errors.js';

export interface UserFacts {
  readonly birthDate: string;
  readonly liveSuspendedUntilMs: number | null;
  readonly liveSuspensionReason: string | null;
  readonly bannedAtMs: number | null;
  readonly banReason: string | null;
}

/** A permanent suspension is stored as this "until". */
export const PERMANENT_MS = 8_640_000_000_000_000; // the largest JS Date

export function isLiveSuspended(user: UserFacts, nowMs: number): boolean {
  return user.liveSuspendedUntilMs !== null && user.liveSuspendedUntilMs > nowMs;
}

/** Throws AgeRestricted unless the user is 18+; `action` completes "You must be 18 or older to …". */
export function requireAdult(user: UserFacts, nowMs: number, action: string): void {
  if (!isAdult(user.birthDate, nowMs)) throw new AgeRestricted(action);
}

/** Throws AccountSuspended for a banned account (fraud): it may not spend or earn. */
export function requireNotBanned(user: UserFacts): void {
  if (user.bannedAtMs !== null) {
    throw new AccountSuspended(`This account is suspended${user.banReason !== null ? `: ${user.banReason}` : ''}.`);
  }
}

/** Throws LiveSuspended while a Community Guidelines suspension of going LIVE is in force. */
export function requireNotLiveSuspended(user: UserFacts, nowMs: number): void {
  if (!isLiveSuspended(user, nowMs)) return;
  const until = user.liveSuspendedUntilMs ?? PERMANENT_MS;
  const permanent = until >= PERMANENT_MS;
  throw new LiveSuspended(
    `Going LIVE is suspended ${permanent ? 'permanently' : `until ${new Date(until).toISOString()}`} for a Community Guidelines violation${user.liveSuspensionReason !== null ? `: ${user.liveSuspensionReason}` : ''}.`,
    { untilMs: permanent ? null : until, reason: user.liveSuspensionReason },
  );
}

/** Throws GiftingFrozen while gifting is paused for review (a payment of theirs was charged back). */
export function requireGiftingNotFrozen(user: { readonly giftingFrozenAtMs: number | null; readonly giftingFrozenReason: string | null }): void {
  if (user.giftingFrozenAtMs === null) return;
  throw new GiftingFrozen(user.giftingFrozenReason ?? 'Gifting is paused on this account until our team reviews it.', { sinceMs: user.giftingFrozenAtMs });
}

/** Throws PayoutsOnHold while an admin holds the creator's diamonds for review. */
export function requirePayoutsNotHeld(user: { readonly payoutsHeldAtMs: number | null; readonly payoutsHeldReason: string | null }): void {
  if (user.payoutsHeldAtMs === null) return;
  throw new PayoutsOnHold(
    `Your diamonds are on hold while our team reviews your account${user.payoutsHeldReason !== null ? `: ${user.payoutsHeldReason}` : '.'}`,
    { sinceMs: user.payoutsHeldAtMs, reason: user.payoutsHeldReason },
  );
}
