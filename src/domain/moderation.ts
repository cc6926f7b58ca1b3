// Moderation rules (PRODUCT.md, "Good practice and safety"): the Community Guidelines reasons a
// report or a suspension names, how long a suspension of going LIVE may last, who may act on whom,
// and the keys that make strikes and reports idempotent. Pure: no I/O.
//
// Who may do what:
//  - any signed-in user reports a LIVE, a chat message or a user (never themself);
//  - moderators and admins read the queue and strikes, resolve reports, suspend and lift suspensions
//    of going LIVE — of ordinary users only for moderators, of anyone but themselves for admins;
//  - only admins ban an account for fraud, never their own and never another admin's (change that
//    admin's role first, which another admin must do).
// Staff act through a session, or a token with the `admin` scope: a token made for going LIVE or
// sending gifts never carries moderation powers.
import { createHash } from 'node:crypto';
import { Forbidden, ValidationFailed } from './errors.js';
import { PERMANENT_MS } from './users.js';

/** The Community Guidelines reasons, in the order a report dialog offers them. */
export const GUIDELINE_REASONS = [
  'gift_baiting',
  'harassment',
  'hate',
  'sexual_content',
  'violence',
  'minor_safety',
  'scam_fraud',
  'spam',
  'other',
] as const;
export type GuidelineReason = (typeof GUIDELINE_REASONS)[number];

/** What a person reads for each reason (the report dialog, the suspension notice). */
export const GUIDELINE_LABELS: Readonly<Record<GuidelineReason, string>> = {
  gift_baiting: 'Gift-baiting',
  harassment: 'Harassment or bullying',
  hate: 'Hate speech',
  sexual_content: 'Sexual content',
  violence: 'Violence or threats',
  minor_safety: 'Minor safety',
  scam_fraud: 'Scam or fraud',
  spam: 'Spam',
  other: 'Other',
};

/** A reporter's note, a moderator's note: at most this many characters once trimmed. */
export const MODERATION_NOTE_MAX = 500;
/** A ban's reason (shown to the user when they try to spend). */
export const BAN_REASON_MAX = 300;
/** A reported chat line is a room line: 1–200 characters (ROOM_TEXT_MAX). */
export const REPORTED_TEXT_MAX = 200;
/** Open reports one user may have waiting at once: a limit on what one person can pile on the queue. */
export const OPEN_REPORTS_PER_REPORTER_MAX = 50;

/** A timed suspension of going LIVE lasts 1 hour to 1 year; longer is `permanent`. */
export const SUSPENSION_HOURS_MIN = 1;
export const SUSPENSION_HOURS_MAX = 24 * 365;
/** The lengths a moderator is offered first (any whole number of hours in range is accepted). */
export const SUSPENSION_PRESET_HOURS = [24, 72, 168, 720] as const;

export type ReportTargetKind = 'live' | 'message' | 'user';
export type ReportStatus = 'open' | 'resolved';
/**
 * How a moderator resolves a report: dismiss it (no violation), warn the reported user (a strike
 * they see), suspend their going LIVE, or ban the account (admins only).
 */
export const REPORT_ACTIONS = ['dismiss', 'warn', 'suspend', 'ban'] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

/** Where a strike came from: the gift-baiting detector on a title, chat line or thank-you, or a moderator's warning. */
export type StrikeSource = 'title' | 'chat' | 'thanks' | 'moderator';

/** A staff member as the rules see them. */
export interface Actor {
  readonly userId: string;
  readonly role: 'user' | 'moderator' | 'admin';
  /** Sessions carry every scope; tokens only theirs. */
  readonly scopes: readonly string[];
}

export function isStaff(role: Actor['role']): boolean {
  return role === 'moderator' || role === 'admin';
}

/** Throws Forbidden unless the actor is a moderator or admin acting with moderation powers. */
export function requireModerator(actor: Actor): void {
  if (!isStaff(actor.role)) throw new Forbidden('Only moderators can do this.');
  if (!actor.scopes.includes('admin')) throw new Forbidden('Moderation needs a session, or a token with the "admin" scope.', { scope: 'admin' });
}

/** Throws Forbidden unless the actor is an admin acting with the admin scope. */
export function requireAdminActor(actor: Actor): void {
  if (actor.role !== 'admin' || !actor.scopes.includes('admin')) throw new Forbidden('Only admins can do this.');
}

/**
 * Throws Forbidden when this moderator may not act on this user: nobody acts on themself (a
 * suspension, a warning or a report about them), and moderators act on ordinary users only.
 */
export function requireMayActOn(actor: Actor, target: { readonly id: string; readonly role: Actor['role'] }): void {
  if (target.id === actor.userId) throw new Forbidden('You cannot take moderation action on yourself. Ask another moderator.', { reason: 'self' });
  if (actor.role !== 'admin' && isStaff(target.role)) throw new Forbidden('Only an admin can take action on a moderator or admin.', { reason: 'staff' });
}

/** Throws Forbidden when this admin may not ban this user: not themself, not another admin. */
export function requireMayBan(actor: Actor, target: { readonly id: string; readonly role: Actor['role'] }): void {
  if (target.id === actor.userId) throw new Forbidden('You cannot ban yourself.', { reason: 'self' });
  if (target.role === 'admin') throw new Forbidden('An admin cannot be banned; change their role first.', { reason: 'admin' });
}

/** A note as stored: trimmed, null when empty; throws ValidationFailed past MODERATION_NOTE_MAX. */
export function moderationNote(note: string | null | undefined, field = 'note'): string | null {
  const trimmed = note?.trim() ?? '';
  if (trimmed.length > MODERATION_NOTE_MAX) throw new ValidationFailed(`A note is at most ${MODERATION_NOTE_MAX} characters.`, { field });
  return trimmed === '' ? null : trimmed;
}

/** How long a suspension lasts: a whole number of hours in range, or permanent. */
export type SuspensionLength = { readonly hours: number } | { readonly permanent: true };

/** When a suspension starting now ends (PERMANENT_MS for a permanent one). Throws ValidationFailed out of range. */
export function suspensionUntilMs(nowMs: number, length: SuspensionLength): number {
  if ('permanent' in length) return PERMANENT_MS;
  const { hours } = length;
  if (!Number.isInteger(hours) || hours < SUSPENSION_HOURS_MIN || hours > SUSPENSION_HOURS_MAX) {
    throw new ValidationFailed(`A suspension lasts ${SUSPENSION_HOURS_MIN} to ${SUSPENSION_HOURS_MAX} whole hours, or is permanent.`, { field: 'durationHours' });
  }
  return nowMs + hours * 3_600_000;
}

/**
 * The reason the suspended creator reads (their account, the refusal to go LIVE) and the LIVE's end
 * reason: the guideline's label, then the moderator's note. Never longer than label + note.
 */
export function suspensionReasonText(reason: GuidelineReason, note: string | null): string {
  return note === null ? GUIDELINE_LABELS[reason] : `${GUIDELINE_LABELS[reason]}: ${note}`;
}

/**
 * Why a LIVE ended by a suspension, as its viewers may read it: the guideline only, never the
 * moderator's note (that is for the creator, in their account, and for the audit trail).
 */
export function liveEndReasonText(reason: GuidelineReason): string {
  return `Ended for a Community Guidelines violation: ${GUIDELINE_LABELS[reason]}`;
}

/** Why a LIVE ended by a ban, as its viewers may read it: nothing about the fraud itself. */
export const BANNED_LIVE_END_REASON = 'Ended: this account was suspended for violating the Terms of Service';

/** A ban's reason as stored: trimmed, 1–BAN_REASON_MAX characters. Throws ValidationFailed otherwise. */
export function banReasonText(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length === 0 || trimmed.length > BAN_REASON_MAX) throw new ValidationFailed(`A ban reason is 1 to ${BAN_REASON_MAX} characters.`, { field: 'reason' });
  return trimmed;
}

function fingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * The idempotency key of a strike. A LIVE's title is struck once per LIVE however many sockets or
 * nodes see it. A chat line or thank-you is struck once per client message id *and* text: a retried
 * message counts once, while reusing an id for new words cannot hide them. A moderator's warning is
 * struck once per report.
 */
export function strikeKey(input: { readonly source: 'title'; readonly liveId: string } | { readonly source: 'chat' | 'thanks'; readonly liveId: string; readonly messageId: string; readonly text: string } | { readonly source: 'moderator'; readonly reportId: string }): string {
  switch (input.source) {
    case 'title':
      return `live:${input.liveId}:title`;
    case 'chat':
    case 'thanks':
      return `live:${input.liveId}:${input.source}:${input.messageId}:${fingerprint(input.text)}`;
    case 'moderator':
      return `report:${input.reportId}:warn`;
  }
}

/**
 * What a report is about, as one key: one open report per reporter per key. A message is the LIVE,
 * its sender and its words (the room keeps no chat, so the words are the reporter's copy).
 */
export function reportTargetKey(target: { readonly kind: 'live'; readonly liveId: string } | { readonly kind: 'message'; readonly liveId: string; readonly senderId: string; readonly text: string } | { readonly kind: 'user'; readonly userId: string }): string {
  switch (target.kind) {
    case 'live':
      return `live:${target.liveId}`;
    case 'message':
      return `message:${target.liveId}:${target.senderId}:${fingerprint(target.text)}`;
    case 'user':
      return `user:${target.userId}`;
  }
}
