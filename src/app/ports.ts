// The interfaces use cases need from the outside world. A use case receives only the ports it uses;
// adapters in storage/, payments/, realtime/ implement them.
import type { AccountSpec, AccountState, CommittedTransfer, GroupOutcome, TransferRequest } from '../domain/ledger.js';
import type { ReconcileReport } from '../domain/reconcile.js';

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
}

export type PaymentEventType =
  | 'checkout.paid'
  | 'checkout.pending'
  | 'checkout.declined'
  | 'charge.refunded'
  | 'dispute.opened'
  | 'dispute.lost'
  | 'dispute.won';

/** A webhook event whose signature was verified. */
export interface PaymentEvent {
  /** Unique per event: a replay carries the same id. */
  readonly id: string;
  readonly type: PaymentEventType;
  readonly providerRef: string;
  readonly purchaseId: string;
  readonly currency: string;
  /** The amount the event is about (the charge, the refund, the dispute). */
  readonly amountMinor: bigint;
  readonly createdAtMs: number;
}

export class WebhookRejected extends Error {
  readonly code = 'webhook_rejected';
}

export interface PaymentProvider {
  readonly name: string;
  createCheckout(request: CheckoutRequest): Promise<Checkout>;
  /** Asks the provider for the checkout's state (a verified lookup, for the return page). */
  getCheckout(providerRef: string): Promise<ProviderCheckout | null>;
  /** Verifies the signature over the raw body (and its timestamp), then parses. Throws WebhookRejected. */
  parseWebhook(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): PaymentEvent;
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
  update(id: string, patch: Partial<Pick<User, 'giftsEnabled' | 'role' | 'liveSuspendedUntilMs' | 'liveSuspensionReason' | 'bannedAtMs' | 'banReason' | 'displayName'>>): Promise<void>;
  list(options: { limit: number; afterId?: string }): Promise<User[]>;
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

/** Append-only record of every money movement and admin action. */
export interface AuditLog {
  append(entry: { readonly atMs: number; readonly actorId: string | null; readonly action: string; readonly subject: string; readonly details: Readonly<Record<string, unknown>> }): Promise<void>;
}
