// The interfaces use cases need from the outside world. A use case receives only the ports it uses;
// adapters in storage/, payments/, realtime/ implement them.
import type { AccountSpec, AccountState, CommittedTransfer, GroupOutcome, TransferRequest } from '../domain/ledger.js';
import type { CatalogGift } from '../domain/gifts.js';
import type { ReconcileReport } from '../domain/reconcile.js';
import type { LiveSummary } from '../domain/live-summary.js';
import type { LiveEndedBy, LiveStatus } from '../domain/lives.js';
import type { LiveVideoRecord, StreamVia } from '../domain/video.js';
import type { GuidelineReason, ReportAction, ReportStatus, ReportTargetKind, StrikeSource } from '../domain/moderation.js';
import type { SentGift } from './send-gift.js';

/**
 * The double-entry ledger. Every submission is durable before its promise resolves, applied at
 * most once per transfer id (a replay answers `duplicate` with the original transfers), and never
 * takes a non-negative account below zero, however many callers submit at once.
 */
export interface LedgerStore {
  /** Creates the accounts that do not exist yet. Idempotent; an existing id with another spec throws. */
  openAccounts(specs: readonly AccountSpec[]): Promise<void>;
  /** Submits one linked group: every leg commits, or none does. */
  submit(group: readonly TransferRequest[]): Promise<GroupOutcome>;
  getAccount(id: string): Promise<AccountState | null>;
  getTransfer(id: string): Promise<CommittedTransfer | null>;
  /** Transfers touching an account, newest first. */
  listTransfers(accountId: string, options: { limit: number; beforeSeq?: bigint }): Promise<CommittedTransfer[]>;
  /** Transfers with this ref (e.g. every gift of a LIVE), oldest first, after `afterSeq`. */
  listByRef(ref: string, options: { limit: number; afterSeq?: bigint }): Promise<CommittedTransfer[]>;
  /** Amount counted so far under a cap key (0 when none). */
  capUsed(key: string): Promise<bigint>;
  /** Recomputes every balance from the transfers and verifies conservation and the hash chain. */
  reconcile(): Promise<ReconcileReport>;
  /** Acknowledges what is queued, then stops accepting submissions. */
  close(): Promise<void>;
}

export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/**
 * Where applied gifts and ended LIVEs are announced to the LIVE's room (the display path). Called
 * after the ledger committed, never for a duplicate send. An adapter never rejects: the money has
 * moved by then, and a failing announcement must not turn a paid send into an error the client retries.
 */
export interface RoomEvents {
  giftSent(sent: SentGift): Promise<void>;
  /** The LIVE's picture changed (waiting, live, reconnecting): its room tells every viewer. */
  videoChanged(liveId: string, video: LiveVideoRecord): Promise<void>;
  /** `end`: who ended it, and the reason viewers may read (a moderator's; null otherwise). */
  liveEnded(liveId: string, summary: LiveSummary, end: LiveEnd): Promise<void>;
}

/** Announces nothing: a node without rooms (the CLI, tests of the money path). */
/** How a LIVE ended, as its room tells viewers. */
export interface LiveEnd {
  readonly endedBy: LiveEndedBy | null;
  readonly reason: string | null;
}

/** What viewers are told of an ended LIVE: a moderator's or the safety rules' reason is public; a creator's stays private. */
export function publicLiveEnd(live: { readonly endedBy: LiveEndedBy | null; readonly endReason: string | null }): LiveEnd {
  return { endedBy: live.endedBy, reason: live.endedBy === 'moderator' || live.endedBy === 'safety' ? live.endReason : null };
}

export const noRoomEvents: RoomEvents = { giftSent: () => Promise.resolve(), liveEnded: () => Promise.resolve(), videoChanged: () => Promise.resolve() };

/** A room input as the bus delivers it: numbered and timed by the bus, the same on every node. */
export interface RoomInput {
  /** The room's incarnation on the bus; a new epoch restarts the numbering (the bus forgot the room). */
  readonly epoch: string;
  /** 1, 2, 3 … per room and epoch, in delivery order. */
  readonly seq: number;
  /** When the bus took it (ms since 1970, the bus's clock). */
  readonly ts: number;
  readonly payload: string;
}

/** Where a room stands when a node subscribes: its epoch, its last input, and the inputs still kept. */
export interface RoomFeed {
  readonly epoch: string;
  /** The seq of the last input numbered so far (0: none yet). */
  readonly seq: number;
  /** The latest inputs the bus keeps (about the resume buffer's worth), oldest first, ending at `seq`. */
  readonly history: readonly RoomInput[];
}

/**
 * Carries a room's inputs (opaque JSON text) between the nodes that have the room open: the bus
 * numbers each input per room (`seq`) and stamps its time, and delivers it in that order to every
 * subscribed node, the publisher included, so every node builds the same room. It keeps the latest
 * inputs for a while, so a node that opens the room late starts from them. A node subscribes only
 * to the rooms it has open. Bounded: past its limit a publish is dropped (and logged), never queued
 * without end; `publish` never rejects.
 */
export interface RoomBus {
  /** 'process': only this node hears its own publishes; 'cluster': every subscribed node does. */
  readonly scope: 'process' | 'cluster';
  publish(liveId: string, payload: string): Promise<void>;
  /**
   * One handler per LIVE per node (a second call replaces it). Resolves with the room's feed once
   * the subscription is live; from then on every later input reaches `onInput` once, in seq order
   * (an input the bus could not keep shows as a jump in seq). Inputs may reach `onInput` before the
   * promise resolves, and some may also be in the feed's history: the caller skips what it has.
   */
  subscribe(liveId: string, onInput: (input: RoomInput) => void): Promise<RoomFeed>;
  unsubscribe(liveId: string): Promise<void>;
  close(): Promise<void>;
}

/** Makes identifiers: UUIDv7 for rows (time-ordered), opaque random secrets for tokens. */
export interface Ids {
  uuid(): string;
  /** A high-entropy secret, URL-safe (session cookies, API tokens). */
  secret(): string;
}

// ---------------------------------------------------------------------------------------------
// Payments. A PaymentProvider takes a purchase to a hosted checkout and reports what happened,
// by signed webhook and by verified lookup. Coins are credited only from those two, never from a
// redirect alone.

export interface CheckoutRequest {
  /** Our purchase id; the provider echoes it back in lookups and webhooks. */
  readonly purchaseId: string;
  readonly coins: bigint;
  /** ISO 4217, upper case. */
  readonly currency: string;
  readonly amountMinor: bigint;
  readonly description: string;
  /** Where the provider sends the buyer's browser afterwards (our return page). */
  readonly returnUrl: string;
}

export interface Checkout {
  /** The provider's id for this checkout. */
  readonly providerRef: string;
  /** The page the buyer pays on. */
  readonly url: string;
}

export type ProviderCheckoutStatus = 'open' | 'pending' | 'paid' | 'declined' | 'expired';

export interface ProviderCheckout {
  readonly providerRef: string;
  readonly purchaseId: string;
  readonly status: ProviderCheckoutStatus;
  readonly currency: string;
  readonly amountMinor: bigint;
  /** The page to pay on while the checkout is open (a retried purchase is sent back to it). */
  readonly url?: string | null;
}

/**
 * A verified webhook event in the port's terms. Providers send many more kinds; an adapter maps the
 * ones Livegift acts on and answers `ignored` for the rest (acknowledged, recorded, nothing done).
 * Every kind carries the provider's event id (a replay carries the same) and when it was made.
 */
export type PaymentEvent = CheckoutEvent | RefundEvent | DisputeEvent | PayoutEvent | PayoutAccountEvent | IgnoredEvent;

interface EventBase {
  /** Unique per event: a replay carries the same id. */
  readonly id: string;
  readonly createdAtMs: number;
}

/** A checkout reached a state: paid (also async methods once they succeed), pending, declined or expired. */
export interface CheckoutEvent extends EventBase {
  readonly kind: 'checkout';
  readonly status: 'paid' | 'pending' | 'declined' | 'expired';
  readonly providerRef: string;
  readonly purchaseId: string;
  readonly currency: string;
  readonly amountMinor: bigint;
}

/** Money of a paid purchase was refunded; `refundedTotalMinor` is the provider's cumulative figure. */
export interface RefundEvent extends EventBase {
  readonly kind: 'refund';
  /** Our purchase, as the provider's records name it; null when they do not (the event is then ignored). */
  readonly purchaseId: string | null;
  readonly currency: string;
  readonly refundedTotalMinor: bigint;
}

/** A dispute (chargeback) on a paid purchase was opened, lost or won. */
export interface DisputeEvent extends EventBase {
  readonly kind: 'dispute';
  readonly purchaseId: string | null;
  /** The provider's dispute id: one chargeback booking per dispute. */
  readonly disputeId: string;
  readonly status: 'opened' | 'lost' | 'won';
  readonly currency: string;
  /** The disputed amount. */
  readonly amountMinor: bigint;
}

/** A payout settled at the provider (payout providers that report by webhook, e.g. Stripe Connect). */
export interface PayoutEvent extends EventBase {
  readonly kind: 'payout';
  /** Our payout id, from the provider's metadata; null when the payout is not one of ours. */
  readonly payoutId: string | null;
  readonly status: 'paid' | 'failed' | 'canceled';
  readonly failureReason: string | null;
}

/** A payout account's readiness changed (e.g. a creator finished Stripe Connect onboarding). */
export interface PayoutAccountEvent extends EventBase {
  readonly kind: 'payout_account';
  readonly providerAccountRef: string;
  readonly ready: boolean;
}

export interface IgnoredEvent extends EventBase {
  readonly kind: 'ignored';
  /** The provider's own name for the event type, for the audit log. */
  readonly providerType: string;
}

export class WebhookRejected extends Error {
  readonly code = 'webhook_rejected';
}

export interface PaymentProvider {
  readonly name: string;
  createCheckout(request: CheckoutRequest): Promise<Checkout>;
  /** Asks the provider for the checkout's state (a verified lookup, for the return page). */
  getCheckout(providerRef: string): Promise<ProviderCheckout | null>;
  /**
   * Verifies the signature over the raw body (and its timestamp), then parses, asking the provider
   * when the event does not name our purchase itself. Throws WebhookRejected for a bad signature.
   */
  parseWebhook(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): Promise<PaymentEvent>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Users, sessions and API tokens.

export type Role = 'user' | 'moderator' | 'admin';

export interface User {
  readonly id: string;
  readonly email: string;
  readonly handle: string;
  readonly displayName: string;
  /** YYYY-MM-DD */
  readonly birthDate: string;
  readonly role: Role;
  readonly giftsEnabled: boolean;
  /** Until when the user may not go LIVE (ms since epoch); null when not suspended. */
  readonly liveSuspendedUntilMs: number | null;
  readonly liveSuspensionReason: string | null;
  /** Set when the account is banned (fraud): no spending, no LIVE. */
  readonly bannedAtMs: number | null;
  readonly banReason: string | null;
  /** Set when a payment of theirs was charged back (dispute lost): no gifting until an admin reviews. */
  readonly giftingFrozenAtMs: number | null;
  readonly giftingFrozenReason: string | null;
  /** Set while an admin holds the creator's diamonds for review: no redemption, no payout sent. */
  readonly payoutsHeldAtMs: number | null;
  readonly payoutsHeldReason: string | null;
  readonly createdAtMs: number;
}

export interface NewUser {
  readonly id: string;
  readonly email: string;
  readonly handle: string;
  readonly displayName: string;
  readonly birthDate: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly createdAtMs: number;
}

export interface UserStore {
  /** Throws AlreadyExists naming the field when the email or handle is taken. */
  create(user: NewUser): Promise<void>;
  findById(id: string): Promise<User | null>;
  findByHandle(handle: string): Promise<User | null>;
  /** By email or handle, with the password hash, for logging in. */
  findForLogin(login: string): Promise<(User & { readonly passwordHash: string }) | null>;
  update(
    id: string,
    patch: Partial<
      Pick<
        User,
        | 'giftsEnabled'
        | 'role'
        | 'liveSuspendedUntilMs'
        | 'liveSuspensionReason'
        | 'bannedAtMs'
        | 'banReason'
        | 'displayName'
        | 'giftingFrozenAtMs'
        | 'giftingFrozenReason'
        | 'payoutsHeldAtMs'
        | 'payoutsHeldReason'
      >
    >,
  ): Promise<void>;
  list(options: { limit: number; afterId?: string }): Promise<User[]>;
  /**
   * Users for admins, newest sign-ups first (ids are UUIDv7, so id order is sign-up order): only
   * those whose handle, display name or email contains `query` (any case), and only `role` when given;
   * `beforeId` continues after the last user of the previous page.
   */
  search(options: { limit: number; query?: string; role?: Role; beforeId?: string }): Promise<User[]>;
  /** The users with these ids that exist, in no particular order. */
  findByIds(ids: readonly string[]): Promise<User[]>;
}

export interface SessionRecord {
  readonly userId: string;
  readonly expiresAtMs: number;
  readonly revokedAtMs: number | null;
}

export interface SessionStore {
  create(tokenHash: string, userId: string, createdAtMs: number, expiresAtMs: number): Promise<void>;
  find(tokenHash: string): Promise<SessionRecord | null>;
  revoke(tokenHash: string, atMs: number): Promise<void>;
  revokeAllOf(userId: string, atMs: number): Promise<void>;
}

/** A browser that signed in to an account: its device cookie's secret is stored only hashed. */
export interface LoginDeviceRecord {
  readonly tokenHash: string;
  readonly userId: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

export interface LoginDeviceStore {
  /** The device whose secret hashes to `tokenHash`, expired or not (the caller decides). */
  find(tokenHash: string): Promise<LoginDeviceRecord | null>;
  /**
   * Records a device, in one transaction with its upkeep: the device it `replaces` goes (that
   * browser's previous cookie, only if it was the same user's), and so do the user's expired
   * devices and all but their newest `keepMax`.
   */
  add(device: LoginDeviceRecord, upkeep: { readonly replaces: string | null; readonly keepMax: number; readonly nowMs: number }): Promise<void>;
  /** Forgets every browser of the user (log out everywhere, a ban): they are strangers to the lock again. */
  forgetAllOf(userId: string): Promise<void>;
}

export interface ApiTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly createdAtMs: number;
  readonly lastUsedAtMs: number | null;
  readonly revokedAtMs: number | null;
}

export interface ApiTokenStore {
  create(record: ApiTokenRecord & { readonly tokenHash: string }): Promise<void>;
  findByHash(tokenHash: string): Promise<ApiTokenRecord | null>;
  listOf(userId: string): Promise<ApiTokenRecord[]>;
  /** Returns false when no such live token of that user exists. */
  revoke(id: string, userId: string, atMs: number): Promise<boolean>;
  touch(id: string, atMs: number): Promise<void>;
}

export interface AuditEntry {
  readonly seq: number;
  readonly atMs: number;
  /** Null: the system (a job, a webhook). */
  readonly actorId: string | null;
  /** Past-tense dotted, e.g. `gift.retired`, `purchase.paid`. */
  readonly action: string;
  /** What it is about, e.g. `user:<id>`, `purchase:<id>`. */
  readonly subject: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * Append-only record of admin actions and of the life of every purchase and payout. Money itself
 * moves only in the ledger, whose transfers are their own append-only, hash-chained trail.
 */
export interface AuditLog {
  append(entry: Omit<AuditEntry, 'seq'>): Promise<void>;
  /** Newest first; optionally only one subject's entries. */
  list(options: { limit: number; beforeSeq?: number; subject?: string }): Promise<AuditEntry[]>;
}

// ---------------------------------------------------------------------------------------------
// The gift catalog.

export type GiftPatch = Partial<Omit<CatalogGift, 'id' | 'updatedAtMs'>>;

export interface GiftCatalog {
  /** Every gift, retired ones included, in panel order. */
  list(): Promise<CatalogGift[]>;
  get(id: string): Promise<CatalogGift | null>;
  /** Throws AlreadyExists when the id is taken. */
  create(gift: CatalogGift): Promise<void>;
  /** Returns false when no such gift exists. */
  update(id: string, patch: GiftPatch, atMs: number): Promise<boolean>;
  /** Inserts the gifts whose ids are absent; existing ones are left as admins changed them. */
  seed(gifts: readonly CatalogGift[]): Promise<number>;
}

/** A LIVE as the money path needs it: whom gifts go to, and whether it is on air. */
export interface LiveDirectory {
  findLive(id: string): Promise<{ readonly id: string; readonly creatorId: string; readonly status: 'live' | 'ended' } | null>;
}

/** The art files we serve under /assets/gifts/. */
export interface ArtLibrary {
  has(name: string): boolean;
  list(): string[];
}

// ---------------------------------------------------------------------------------------------
// LIVEs and who is watching them.

export interface LiveRecord {
  readonly id: string;
  readonly creatorId: string;
  readonly title: string;
  readonly status: LiveStatus;
  readonly startedAtMs: number;
  readonly endedAtMs: number | null;
  readonly endedBy: LiveEndedBy | null;
  readonly endReason: string | null;
  /** Last sign of the creator (start, heartbeat, join); the auto-end job ends a LIVE whose creator is away. */
  readonly creatorSeenAtMs: number;
  readonly peakViewers: number;
  /** Written once, after the LIVE ends. */
  readonly summary: LiveSummary | null;
  /** The picture while on air (src/domain/video.ts); an ended LIVE's is ended whatever this says. */
  readonly video: LiveVideoRecord;
}

/** A LIVE as lists and pages show it: with its creator and how many watch now. */
export interface LiveListing extends LiveRecord {
  readonly creator: { readonly id: string; readonly handle: string; readonly displayName: string; readonly giftsEnabled: boolean };
  /** Viewers present now: connected and seen since `presentSinceMs` of the query (0 once ended). */
  readonly viewers: number;
}

/** A creator someone watched (src/app/list-my-creators.ts): when last, and their LIVE on air or latest ended one. */
export interface WatchedCreator {
  readonly creator: { readonly id: string; readonly handle: string; readonly displayName: string };
  /** The viewer's last sign in any of this creator's LIVEs. */
  readonly lastWatchedAtMs: number;
  /** Their LIVE on air now, with its viewers present since `presentSinceMs`; null when off air. */
  readonly onAir: LiveListing | null;
  /** Their latest ended LIVE (by end time); null when none ended yet. */
  readonly lastEnded: LiveListing | null;
}

/** Where a page of LIVEs (newest first) continues. */
export interface LivePosition {
  readonly startedAtMs: number;
  readonly id: string;
}

/** Everything about LIVEs; the money path sees only its LiveDirectory part. */
export interface LiveStore extends LiveDirectory {
  /** Sets the picture of a LIVE on air; false when it is no longer on air. */
  setVideo(id: string, video: LiveVideoRecord): Promise<boolean>;
  /** LIVEs on air whose stream did not come back before `nowMs` (reconnecting past its end). */
  listVideoGone(nowMs: number, limit: number): Promise<string[]>;
  /** Throws AlreadyLive when the creator already has a LIVE on air (a unique index decides races). */
  create(live: { readonly id: string; readonly creatorId: string; readonly title: string; readonly startedAtMs: number }): Promise<void>;
  findById(id: string): Promise<LiveRecord | null>;
  findListing(id: string, presentSinceMs: number): Promise<LiveListing | null>;
  findOnAirOf(creatorId: string): Promise<LiveRecord | null>;
  /** On-air LIVEs, newest first. */
  listOnAir(options: { readonly limit: number; readonly before?: LivePosition; readonly presentSinceMs: number }): Promise<LiveListing[]>;
  /**
   * The creators whose LIVEs this viewer key joined, most recently watched first, one entry each,
   * never `excludeCreatorId` (the viewer themself). A bounded number of queries, not one per creator.
   */
  listWatchedCreators(viewerKey: string, options: { readonly limit: number; readonly presentSinceMs: number; readonly excludeCreatorId: string }): Promise<WatchedCreator[]>;
  /** A creator's ended LIVEs, newest first. */
  listEndedOf(creatorId: string, options: { readonly limit: number; readonly before?: LivePosition }): Promise<LiveListing[]>;
  /** Moves an on-air LIVE to ended; false when it had already ended (someone else won). */
  markEnded(id: string, end: { readonly atMs: number; readonly by: LiveEndedBy; readonly reason: string | null }): Promise<boolean>;
  /** Writes the summary of an ended LIVE unless one is already there; false then. */
  saveSummary(id: string, summary: LiveSummary): Promise<boolean>;
  /** Ids of on-air LIVEs whose creator was last seen before the time, oldest sign first. */
  listAbandoned(creatorSeenBeforeMs: number, limit: number): Promise<string[]>;
  /** Ids of ended LIVEs that have no summary yet (the process stopped between the two writes). */
  listEndedWithoutSummary(limit: number): Promise<string[]>;
  touchCreator(id: string, atMs: number): Promise<void>;
  /**
   * Counts one more connection of the viewer (a first join adds their row). A viewer whose last sign
   * is older than `presentSinceMs` starts again from one connection: their old ones were lost.
   */
  joinViewer(liveId: string, viewerKey: string, atMs: number, presentSinceMs: number): Promise<void>;
  /** joinViewer for many distinct viewers of one LIVE at once. */
  joinViewers(liveId: string, viewerKeys: readonly string[], atMs: number, presentSinceMs: number): Promise<void>;
  /** leaveViewer for many distinct viewers of one LIVE at once. */
  leaveViewers(liveId: string, viewerKeys: readonly string[], atMs: number): Promise<void>;
  /** One connection fewer (never below zero). */
  leaveViewer(liveId: string, viewerKey: string, atMs: number): Promise<void>;
  /** Refreshes a viewer's last sign; false when they never joined. */
  touchViewer(liveId: string, viewerKey: string, atMs: number): Promise<boolean>;
  /** Refreshes the last sign of many viewers of one LIVE at once; answers the keys that had joined. */
  touchViewers(liveId: string, viewerKeys: readonly string[], atMs: number): Promise<Set<string>>;
  /** Viewers connected and seen since the time. */
  countPresent(liveId: string, presentSinceMs: number): Promise<number>;
  /** Everyone who ever joined the LIVE. */
  countUnique(liveId: string): Promise<number>;
  /** Raises the peak of an on-air LIVE to `viewers` if that is higher. */
  raisePeak(liveId: string, viewers: number): Promise<void>;

  // Thank-yous to gifters (src/app/thank-gifters.ts), sent in the room or after the end: at most one per gifter per LIVE.
  /**
   * Inserts the thank-yous of one LIVE whose gifter has none yet and leaves the others as they are
   * (a second thank-you never replaces the first). Answers the gifter ids it inserted.
   */
  addThanks(liveId: string, rows: readonly LiveThanksRecord[]): Promise<Set<string>>;
  /** The LIVE's thank-yous to these gifters, those that exist, in no particular order. */
  findThanks(liveId: string, gifterIds: readonly string[]): Promise<LiveThanksRecord[]>;
  /** The LIVE's thank-yous, oldest first (then by gifter id), strictly after `after`. */
  listThanks(liveId: string, options: { readonly limit: number; readonly after?: LiveThanksPosition }): Promise<LiveThanksRecord[]>;
  countThanks(liveId: string): Promise<number>;
}

/** The creator's thank-you to one gifter of an ended LIVE. */
export interface LiveThanksRecord {
  readonly liveId: string;
  readonly gifterId: string;
  /** What the gifter reads: the phrase, or the creator's own words (1–200 characters, trimmed). */
  readonly text: string;
  /** The suggested phrase it was (src/domain/thanks.ts), or null for own words. */
  readonly phrase: string | null;
  readonly createdAtMs: number;
}

/** Where a page of a LIVE's thank-yous (oldest first) continues. */
export interface LiveThanksPosition {
  readonly createdAtMs: number;
  readonly gifterId: string;
}

// ---------------------------------------------------------------------------------------------
// Diamonds and payouts. A PayoutProvider moves money to a creator's payout account; it is
// idempotent on our payout id, so sending again after a timeout or a restart never pays twice.

export type PayoutAccountKind = 'bank' | 'paypal' | 'stripe';

/** What the provider needs to register an account. The full bank number goes to it and nowhere else. */
export type PayoutAccountDetails =
  | { readonly kind: 'bank'; readonly holderName: string; readonly accountNumber: string }
  | { readonly kind: 'paypal'; readonly email: string }
  /** A Stripe Connect account the creator finishes setting up on Stripe's onboarding page. */
  | { readonly kind: 'stripe'; readonly email: string; readonly country: string; readonly userId: string };

/** 'onboarding' until the provider says the account can receive payouts. */
export type PayoutAccountStatus = 'ready' | 'onboarding';

export interface PayoutSendRequest {
  /** Our payout id: the provider's idempotency key (a resend with it answers the first result). */
  readonly payoutId: string;
  readonly providerAccountRef: string;
  /** ISO 4217, upper case. */
  readonly currency: string;
  readonly amountMinor: bigint;
}

export type ProviderPayoutStatus = 'processing' | 'paid' | 'failed';

/** The provider's record of a payout, from a lookup by our payout id. */
export interface ProviderPayout {
  readonly payoutId: string;
  readonly providerRef: string;
  readonly status: ProviderPayoutStatus;
  /** Why it failed (status failed), as the provider says it. */
  readonly failureReason: string | null;
  readonly currency: string;
  readonly amountMinor: bigint;
}

/** The provider refused the payout for good (closed account, compliance …): retrying cannot help. */
export class PayoutDeclined extends Error {
  readonly code = 'payout_declined';
}

/**
 * The provider could not be asked, or did not answer in time. The payout may or may not have been
 * made: ask getStatus (or send again with the same payout id) later.
 */
export class PayoutProviderUnavailable extends Error {
  readonly code = 'payout_provider_unavailable';
  constructor(message: string, readonly timedOut: boolean) {
    super(message);
  }
}

export interface PayoutProvider {
  readonly name: string;
  /** The kinds of payout account it pays to. */
  readonly accountKinds: readonly PayoutAccountKind[];
  /** Registers a payout account; throws PayoutDeclined when the provider refuses it. */
  registerAccount(details: PayoutAccountDetails): Promise<{ readonly providerRef: string; readonly status: PayoutAccountStatus }>;
  /** Where the creator finishes setting the account up (providers with hosted onboarding). */
  onboardingLink?(providerRef: string, urls: { readonly returnUrl: string; readonly refreshUrl: string }): Promise<string>;
  /** Whether the account can receive payouts now, as the provider says. */
  accountStatus?(providerRef: string): Promise<PayoutAccountStatus>;
  /**
   * Pays, once per payoutId: `paid` (done) or `processing` (accepted; poll getStatus). Throws
   * PayoutDeclined (definitive) or PayoutProviderUnavailable (transient or timed out).
   */
  send(request: PayoutSendRequest): Promise<{ readonly status: 'paid' | 'processing'; readonly providerRef: string }>;
  /** The payout as the provider knows it, or null when it never received it. May throw PayoutProviderUnavailable. */
  getStatus(payoutId: string): Promise<ProviderPayout | null>;
  /** Providers that report by webhook: verifies and parses like PaymentProvider.parseWebhook. */
  parseWebhook?(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): Promise<PaymentEvent>;
}

export interface PayoutAccountRecord {
  readonly id: string;
  readonly userId: string;
  readonly kind: PayoutAccountKind;
  /** What a person sees: "Bank •••• 1234" or "PayPal a@b.c". */
  readonly label: string;
  readonly holderName: string | null;
  /** Last 4 characters of a bank account number; the rest is never stored. */
  readonly last4: string | null;
  readonly email: string | null;
  readonly provider: string;
  readonly providerRef: string;
  readonly status: PayoutAccountStatus;
  readonly createdAtMs: number;
  readonly removedAtMs: number | null;
}

export interface PayoutAccountStore {
  /** Sets the status of the accounts with this provider reference; answers how many changed. */
  setStatus(provider: string, providerRef: string, status: PayoutAccountStatus): Promise<number>;
  create(record: PayoutAccountRecord): Promise<void>;
  /** Also finds a removed account (a payout requested before the removal still pays to it). */
  findById(id: string): Promise<PayoutAccountRecord | null>;
  /** The user's accounts that are not removed, oldest first. */
  listActive(userId: string): Promise<PayoutAccountRecord[]>;
  /** The accounts with these ids, removed ones too, in no particular order. */
  findByIds(ids: readonly string[]): Promise<PayoutAccountRecord[]>;
  /** Soft-removes; false when the user has no such active account. */
  remove(id: string, userId: string, atMs: number): Promise<boolean>;
}

export type PayoutRecordStatus = 'requested' | 'processing' | 'paid' | 'failed';

export interface PayoutRecord {
  /** The client's id (its idempotency key); ledger transfers derive their ids from it. */
  readonly id: string;
  readonly userId: string;
  readonly payoutAccountId: string;
  readonly diamonds: bigint;
  readonly currency: string;
  readonly amountMinor: bigint;
  readonly status: PayoutRecordStatus;
  readonly providerRef: string | null;
  /** Times the provider was asked to pay. */
  readonly attempts: number;
  /** When the worker may next act on it (a retry, a poll, or the end of a claim). */
  readonly nextAttemptAtMs: number;
  readonly failureReason: string | null;
  /** The last transient error, kept for operators while the payout is retried. */
  readonly lastError: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly resolvedAtMs: number | null;
}

export type PayoutPatch = Partial<Pick<PayoutRecord, 'status' | 'providerRef' | 'attempts' | 'nextAttemptAtMs' | 'failureReason' | 'lastError' | 'resolvedAtMs'>> & {
  readonly updatedAtMs: number;
};

export interface PayoutStore {
  /** Inserts unless a payout with this id exists; returns what is stored either way. */
  insertIfAbsent(record: PayoutRecord): Promise<PayoutRecord>;
  findById(id: string): Promise<PayoutRecord | null>;
  /** A user's payouts, newest first. */
  listOf(userId: string, options: { limit: number; beforeMs?: number }): Promise<PayoutRecord[]>;
  /**
   * Everyone's payouts, newest first (operators, the CLI, the admin page): only `status` when given;
   * `before` continues after the last payout of the previous page.
   */
  listRecent(options: { limit: number; status?: PayoutRecordStatus; before?: { readonly createdAtMs: number; readonly id: string } }): Promise<PayoutRecord[]>;
  /** Payouts the worker should act on now: requested or processing, next attempt due; oldest due first. */
  listDue(nowMs: number, limit: number): Promise<PayoutRecord[]>;
  /**
   * Compare-and-set: applies the patch only if the payout still has `expected.status` (and, when
   * given, `expected.nextAttemptAtMs`). False when another worker changed it first.
   */
  update(id: string, expected: { readonly status: PayoutRecordStatus; readonly nextAttemptAtMs?: number }, patch: PayoutPatch): Promise<boolean>;
}

/** A page of transfers read by a job that walks the ledger in seq order. */
export interface TransferPage {
  readonly transfers: CommittedTransfer[];
  /** Resume after this seq next time: every matching transfer up to it is in this page or earlier ones. */
  readonly nextCursor: bigint;
}

/**
 * Reads the ledger in seq order for background jobs, each with a cursor kept in the database so a
 * restart resumes where the last run ended. Only transfers created at or before `cutoffMs` are
 * returned, and the cursor never passes one that is not yet due.
 */
export interface TransferFeed {
  /** GIFT legs that credited a creator's diamonds on hold. */
  giftDiamondLegs(query: { readonly afterSeq: bigint; readonly cutoffMs: number; readonly limit: number }): Promise<TransferPage>;
  /** PAYOUT reservations (pending transfers `payout:<id>`). */
  payoutReservations(query: { readonly afterSeq: bigint; readonly cutoffMs: number; readonly limit: number }): Promise<TransferPage>;
  getCursor(name: string): Promise<bigint>;
  /** Moves the cursor forward (never back, whatever order two nodes write in). */
  saveCursor(name: string, seq: bigint, atMs: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Coin purchases.

export type PurchaseStatus = 'created' | 'pending' | 'paid' | 'declined' | 'refunded' | 'disputed' | 'dispute_lost' | 'dispute_won';

export interface Purchase {
  readonly id: string;
  readonly userId: string;
  /** The client's idempotency key for creating it. */
  readonly clientId: string;
  readonly packageId: string | null;
  readonly coins: bigint;
  readonly currency: string;
  readonly amountMinor: bigint;
  readonly provider: string;
  readonly providerRef: string | null;
  readonly status: PurchaseStatus;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly paidAtMs: number | null;
}

export interface PurchaseStore {
  /** Inserts, or returns the existing purchase with the same clientId (created: false). */
  create(purchase: Purchase): Promise<{ purchase: Purchase; created: boolean }>;
  get(id: string): Promise<Purchase | null>;
  setProviderRef(id: string, providerRef: string, atMs: number): Promise<void>;
  /** Moves the status only from one of `from`; returns whether it moved. */
  transition(id: string, from: readonly PurchaseStatus[], to: PurchaseStatus, atMs: number): Promise<boolean>;
  listOf(userId: string, options: { limit: number; beforeMs?: number }): Promise<Purchase[]>;
  /** Records a webhook event id once it was applied; false when it was recorded before. */
  recordEvent(id: string, type: string, atMs: number): Promise<boolean>;
  /** Whether a webhook event id was recorded (applied) before. */
  hasEvent(id: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Moderation: strikes (gift-baiting found in a creator's words, moderators' warnings) and reports
// (viewers report a LIVE, a chat message or a user; moderators resolve them). Both tables only grow;
// a report changes once, from open to resolved.

/** One strike against a user: what they said, where, which rule it broke, and when. */
export interface StrikeRecord {
  readonly id: string;
  /** The idempotency key (src/domain/moderation.ts strikeKey): a second strike with it is not added. */
  readonly key: string;
  /** Whose strike it is (the creator who said it, the user a moderator warned). */
  readonly userId: string;
  /** The LIVE it was said in; null for a warning about a user rather than a LIVE. */
  readonly liveId: string | null;
  readonly source: StrikeSource;
  /** The gift-baiting kind the detector found, or the guideline reason of a moderator's warning. */
  readonly rule: string;
  /** The whole title, line or thank-you (or the warning's note), as written. */
  readonly text: string;
  /** The words that made the promise (detector strikes), null otherwise. */
  readonly excerpt: string | null;
  /** The report a moderator's warning resolved; null for detector strikes. */
  readonly reportId: string | null;
  /** The moderator who warned; null for detector strikes. */
  readonly actorId: string | null;
  readonly createdAtMs: number;
}

/** Where a page of records (newest first) continues: the last one's time and id. */
export interface ModerationPosition {
  readonly createdAtMs: number;
  readonly id: string;
}

/** How a report was resolved. */
export interface ReportResolution {
  readonly action: ReportAction;
  readonly note: string | null;
  readonly byId: string;
  readonly atMs: number;
  /** The report whose resolution closed this one (itself, or another report on the same target). */
  readonly viaReportId: string;
  /** The guideline the moderator found, when it differs from the reporter's reason; null otherwise. */
  readonly reason: GuidelineReason | null;
}

export interface ReportRecord {
  readonly id: string;
  readonly reporterId: string;
  readonly targetKind: ReportTargetKind;
  /** What it is about, as one key (src/domain/moderation.ts reportTargetKey). */
  readonly targetKey: string;
  /** The user reported: the LIVE's creator, the message's sender, or the user. */
  readonly subjectUserId: string;
  /** The LIVE (target live or message); null for a user report. */
  readonly liveId: string | null;
  /** The reported chat line as the reporter saw it (message reports only). */
  readonly messageText: string | null;
  readonly reason: GuidelineReason;
  readonly note: string | null;
  readonly status: ReportStatus;
  readonly createdAtMs: number;
  /** Set once resolved. */
  readonly resolution: ReportResolution | null;
}

/** A suspension of going LIVE, as the history keeps it (0011). */
export interface SuspensionRecord {
  readonly id: string;
  /** Idempotency key (a ladder suspension: `ladder:<first strike id>`; a moderator's: its own id). */
  readonly key: string;
  readonly userId: string;
  readonly source: 'moderator' | 'ladder';
  readonly guideline: GuidelineReason;
  /** What the creator reads. */
  readonly reason: string;
  readonly startedAtMs: number;
  /** PERMANENT_MS when permanent. */
  readonly untilMs: number;
  /** The moderator; null for the ladder. */
  readonly actorId: string | null;
  readonly reportId: string | null;
  /** When it was lifted early; null while it runs its course. */
  readonly endedAtMs: number | null;
  /** Lifted because an appeal was granted. */
  readonly overturned: boolean;
}

export type AppealStatus = 'open' | 'granted' | 'denied';

export interface AppealRecord {
  readonly id: string;
  readonly suspensionId: string;
  readonly userId: string;
  readonly text: string;
  readonly status: AppealStatus;
  readonly createdAtMs: number;
  /** Set once decided. */
  readonly decision: { readonly byId: string; readonly atMs: number; readonly note: string | null } | null;
}

export interface ModerationStore {
  /** Adds a strike unless one with its key exists; false then (the first stands). */
  addStrike(strike: StrikeRecord): Promise<boolean>;
  /** A user's strikes, newest first, strictly after `before`. */
  listStrikes(userId: string, options: { readonly limit: number; readonly before?: ModerationPosition }): Promise<StrikeRecord[]>;
  /**
   * Adds a report unless its reporter has an open one on the same target; answers the stored one
   * (the new one, or the open one that was there: created false). A database index decides races.
   */
  createReport(report: ReportRecord): Promise<{ readonly report: ReportRecord; readonly created: boolean }>;
  findReport(id: string): Promise<ReportRecord | null>;
  /** The reporter's open report on this target, if any. */
  findOpenReport(reporterId: string, targetKey: string): Promise<ReportRecord | null>;
  /** Reports with this status, newest first, strictly after `before`. */
  listReports(options: { readonly status: ReportStatus; readonly limit: number; readonly before?: ModerationPosition }): Promise<ReportRecord[]>;
  /** Open reports about each of these users (users with none are absent). */
  countOpenAbout(userIds: readonly string[]): Promise<Map<string, number>>;
  /** Open reports this reporter is waiting on. */
  countOpenBy(reporterId: string): Promise<number>;
  /** Message reports about the user, newest first: the chat lines of theirs that reporters copied. */
  listReportedMessagesOf(userId: string, limit: number): Promise<ReportRecord[]>;
  /**
   * Resolves an open report (compare-and-set: false when it was no longer open), then every other
   * open report on the same target with the same resolution; answers how many others it closed.
   */
  resolveReport(id: string, resolution: ReportResolution): Promise<{ readonly resolved: boolean; readonly othersClosed: number }>;
  /** Each user's strikes in all (users with none are absent). */
  countStrikes(userIds: readonly string[]): Promise<Map<string, number>>;
  /** A user's strikes at or after `sinceMs`, oldest first (the ladder's window). */
  strikesSince(userId: string, sinceMs: number): Promise<StrikeRecord[]>;

  /** Adds a suspension unless one with its key exists; answers the stored one (created false then). */
  addSuspension(suspension: SuspensionRecord): Promise<{ readonly suspension: SuspensionRecord; readonly created: boolean }>;
  /** A user's suspensions begun at or after `sinceMs`, newest first. */
  suspensionsSince(userId: string, sinceMs: number): Promise<SuspensionRecord[]>;
  findSuspension(id: string): Promise<SuspensionRecord | null>;
  /** The user's suspension in force at `nowMs` (begun, not ended, not past its end), newest first. */
  currentSuspension(userId: string, nowMs: number): Promise<SuspensionRecord | null>;
  /**
   * Ends the user's suspensions in force at `atMs` (lifted early, or replaced by a newer decision:
   * all but `exceptId`); `overturned` when an appeal was granted.
   */
  endSuspensions(userId: string, atMs: number, options: { readonly overturned: boolean; readonly exceptId?: string }): Promise<void>;
  /** Marks a suspension that is no longer in force as overturned on appeal (not a repeat for the ladder). */
  overturnSuspension(id: string): Promise<void>;

  /** Adds an appeal unless its suspension has one; answers the stored one (created false then). */
  createAppeal(appeal: AppealRecord): Promise<{ readonly appeal: AppealRecord; readonly created: boolean }>;
  findAppeal(id: string): Promise<AppealRecord | null>;
  /** The appeals of these suspensions (suspensions without one are absent). */
  appealsOf(suspensionIds: readonly string[]): Promise<Map<string, AppealRecord>>;
  /** Appeals with this status, newest first, strictly after `before`. */
  listAppeals(options: { readonly status: AppealStatus; readonly limit: number; readonly before?: ModerationPosition }): Promise<AppealRecord[]>;
  /** Decides an open appeal (compare-and-set: false when it was no longer open). */
  decideAppeal(id: string, status: 'granted' | 'denied', decision: { readonly byId: string; readonly atMs: number; readonly note: string | null }): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// LIVE video: stream keys and the ingest.

export interface StreamKeyRecord {
  readonly userId: string;
  readonly key: string;
  readonly createdAtMs: number;
  /** The creator's stream arriving now (on some node), if any. */
  readonly publishing: { readonly via: StreamVia; readonly sinceMs: number } | null;
}

export interface StreamKeyStore {
  find(userId: string): Promise<StreamKeyRecord | null>;
  findByKey(key: string): Promise<StreamKeyRecord | null>;
  /** Gives the user this key unless they have one; answers the one they have. */
  ensure(userId: string, key: string, atMs: number): Promise<StreamKeyRecord>;
  /** Replaces the user's key (they must have one). */
  replace(userId: string, key: string, atMs: number): Promise<StreamKeyRecord>;
  setPublishing(userId: string, publishing: StreamKeyRecord['publishing']): Promise<void>;
}

/** What this node's video can do, and the lever to cut a stream (the ingest, src/video). */
export interface VideoIngest {
  readonly available: boolean;
  /** Why video is unavailable (no ffmpeg, turned off). */
  readonly reason: string | null;
  readonly ffmpeg: string | null;
  readonly transcode: boolean;
  /** The server URL for OBS; null when RTMP ingest is off. */
  rtmpUrl(): string | null;
  readonly browser: boolean;
  /** Cuts the user's stream arriving at this node, if any (key rotated, suspended, banned). */
  cut(userId: string): void;
}
