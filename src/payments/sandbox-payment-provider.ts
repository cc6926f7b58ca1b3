// The built-in sandbox payment provider: the default PaymentProvider, so Livegift can be tried end to
// end without a processor account. It serves its own checkout page (sandbox-checkout-routes.ts), keeps
// every checkout in its own table (so a checkout survives a restart and any node can act on it), and
// reports every state change as a signed webhook, exactly as a real processor would: success,
// decline, 3-D-Secure-style pending-then-succeed, and later refunds and disputes for testing.
//
// Every state change is a compare-and-set on the row: of two nodes (or a timer and a lookup) acting on
// the same checkout at once, exactly one changes it and emits its one webhook; the other re-reads and
// is refused, or finds the work already done.
import type { Kysely } from 'kysely';
import { z } from 'zod';
import {
  WebhookRejected,
  type Checkout,
  type CheckoutRequest,
  type PaymentEvent,
  type PaymentProvider,
  type ProviderCheckout,
  type ProviderCheckoutStatus,
} from '../app/ports.js';
import type { Database } from '../storage/schema.js';
import { DEFAULT_TOLERANCE_S, SIGNATURE_HEADER, sign, verify } from './webhook-signature.js';

// ---------------------------------------------------------------------------------------------
// Storage shape (the table is created by src/storage/migrations/0003-sandbox-payments.ts).

type Big = bigint | number | string;
export type SandboxDisputeStatus = 'opened' | 'lost' | 'won';

// Type aliases, not interfaces: Kysely's `withTables` needs types with an implicit index signature.
export type SandboxCheckoutsTable = {
  ref: string;
  purchase_id: string;
  coins: Big;
  currency: string;
  amount_minor: Big;
  description: string;
  return_url: string;
  status: ProviderCheckoutStatus;
  refunded_minor: Big;
  dispute_status: SandboxDisputeStatus | null;
  /** What the dispute took (0 without one): 0009-money-back. */
  disputed_minor: Big;
  pending_until_ms: Big | null;
  created_at_ms: Big;
  updated_at_ms: Big;
};

export type SandboxDatabase = { sandbox_checkouts: SandboxCheckoutsTable };

// ---------------------------------------------------------------------------------------------
// Public types.

/** Everything the sandbox knows about a checkout: the port's view plus what its page shows. */
export interface SandboxCheckout extends ProviderCheckout {
  readonly coins: bigint;
  readonly description: string;
  /** Absolute URL the buyer's browser returns to (the request's, resolved against publicUrl). */
  readonly returnUrl: string;
  /** Refunded so far; never more than amountMinor. */
  readonly refundedMinor: bigint;
  readonly disputeStatus: SandboxDisputeStatus | null;
  /** When a pending checkout is due to succeed; null unless pending. */
  readonly pendingUntilMs: number | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** The buttons of the checkout page, by the path segment their forms post to. */
export type SandboxAction = 'pay' | 'decline' | 'pending' | 'refund' | 'dispute' | 'dispute-lost' | 'dispute-won';

export const SANDBOX_ACTIONS: readonly SandboxAction[] = ['pay', 'decline', 'pending', 'refund', 'dispute', 'dispute-lost', 'dispute-won'];

export class SandboxCheckoutNotFound extends Error {
  readonly code = 'sandbox_checkout_not_found';
  constructor(ref: string) {
    super(`no sandbox checkout ${ref}`);
  }
}

/** The action is not allowed in the checkout's current state (or with that amount). */
export class SandboxActionRefused extends Error {
  readonly code = 'sandbox_action_refused';
}

/** Where the provider reports trouble in the background; pino's (and Fastify's) logger fits. */
export interface SandboxLogger {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export interface SandboxPaymentProviderOptions {
  /** The application's database; the provider uses only its own table, `sandbox_checkouts`. */
  readonly db: Kysely<Database>;
  /** Signs outgoing webhooks and verifies incoming ones. */
  readonly webhookSecret: string;
  /** Secrets still accepted by parseWebhook while a secret is rotated (never used to sign). */
  readonly previousWebhookSecrets?: readonly string[];
  /** Where this server is reachable, e.g. http://localhost:3000; checkout pages live under it. */
  readonly publicUrl: string;
  readonly nowMs: () => number;
  /** A fresh unique id (a UUIDv7 is fine); prefixed `cs_sandbox_` for checkouts and `evt_` for events. */
  readonly newId: () => string;
  /** Sends one webhook (in production, an in-process POST to /v1/webhooks/sandbox). */
  readonly deliver: (rawBody: string, headers: Record<string, string>) => Promise<{ status: number }>;
  /** How long a 3-D-Secure-style checkout stays pending before it succeeds. Default 2000. */
  readonly pendingDelayMs?: number;
  /** An open checkout older than this expires (no webhook: the port has no event for it). Default 24 h. */
  readonly checkoutTtlMs?: number;
  readonly delivery?: {
    /** Attempts per event, the first included. Default 5. */
    readonly attempts?: number;
    /** Wait before the second attempt; doubles after each failure. Default 200. */
    readonly initialDelayMs?: number;
    /** Upper bound of the wait between attempts. Default 10 000. */
    readonly maxDelayMs?: number;
    /** An attempt that takes longer counts as failed. Default 10 000. */
    readonly attemptTimeoutMs?: number;
  };
  /** Signature timestamp tolerance for parseWebhook. Default 300 s. */
  readonly toleranceS?: number;
  /** Told about failed delivery attempts (warn; error when an event is given up) and failed timers. */
  readonly logger?: SandboxLogger;
}

// ---------------------------------------------------------------------------------------------
// The state machine, pure: what an action does to a checkout, or why it is refused.

type Transition = 'pay' | 'decline' | 'pending' | 'complete' | 'refund' | 'dispute' | 'dispute-lost' | 'dispute-won';

interface Plan {
  readonly status: ProviderCheckoutStatus;
  readonly refundedMinor: bigint;
  readonly disputeStatus: SandboxDisputeStatus | null;
  readonly pendingUntilMs: number | null;
  readonly eventType: SandboxEventType;
  readonly eventAmountMinor: bigint;
}

function refuse(message: string): never {
  throw new SandboxActionRefused(message);
}

/** The amount still charged: paid minus refunded (what a refund or a dispute can be about). */
function remainingMinor(c: SandboxCheckout): bigint {
  return c.amountMinor - c.refundedMinor;
}

function plan(c: SandboxCheckout, action: Transition, nowMs: number, pendingDelayMs: number, refundMinor?: bigint): Plan {
  const same = { status: c.status, refundedMinor: c.refundedMinor, disputeStatus: c.disputeStatus, pendingUntilMs: c.pendingUntilMs };
  const needOpen = (verb: string): void => {
    if (c.status !== 'open') refuse(`cannot ${verb}: the checkout is ${c.status}, not open`);
  };
  const needPaid = (verb: string): void => {
    if (c.status !== 'paid') refuse(`cannot ${verb}: the checkout is ${c.status}, not paid`);
  };
  switch (action) {
    case 'pay':
      needOpen('pay');
      return { ...same, status: 'paid', eventType: 'checkout.paid', eventAmountMinor: c.amountMinor };
    case 'decline':
      needOpen('decline');
      return { ...same, status: 'declined', eventType: 'checkout.declined', eventAmountMinor: c.amountMinor };
    case 'pending':
      needOpen('start a 3-D Secure payment');
      return { ...same, status: 'pending', pendingUntilMs: nowMs + pendingDelayMs, eventType: 'checkout.pending', eventAmountMinor: c.amountMinor };
    case 'complete':
      if (c.status !== 'pending') refuse(`cannot complete: the checkout is ${c.status}, not pending`);
      return { ...same, status: 'paid', pendingUntilMs: null, eventType: 'checkout.paid', eventAmountMinor: c.amountMinor };
    case 'refund': {
      needPaid('refund');
      if (c.disputeStatus === 'opened') refuse('cannot refund: a dispute is open on this charge');
      if (c.disputeStatus === 'lost') refuse('cannot refund: the dispute on this charge was lost');
      const remaining = remainingMinor(c);
      if (remaining === 0n) refuse('cannot refund: the charge is already fully refunded');
      const amount = refundMinor ?? remaining;
      if (amount <= 0n) refuse('cannot refund: the amount must be positive');
      if (amount > remaining) refuse(`cannot refund ${amount}: only ${remaining} (minor units) is left to refund`);
      return { ...same, refundedMinor: c.refundedMinor + amount, eventType: 'charge.refunded', eventAmountMinor: amount };
    }
    case 'dispute':
      needPaid('open a dispute');
      if (c.disputeStatus !== null) refuse(`cannot open a dispute: this charge already had one (${c.disputeStatus})`);
      if (remainingMinor(c) === 0n) refuse('cannot open a dispute: the charge is fully refunded');
      return { ...same, disputeStatus: 'opened', eventType: 'dispute.opened', eventAmountMinor: remainingMinor(c) };
    case 'dispute-lost':
    case 'dispute-won': {
      const outcome = action === 'dispute-lost' ? 'lost' : 'won';
      if (c.disputeStatus !== 'opened') refuse(`cannot mark a dispute ${outcome}: no dispute is open on this checkout`);
      return { ...same, disputeStatus: outcome, eventType: outcome === 'lost' ? 'dispute.lost' : 'dispute.won', eventAmountMinor: remainingMinor(c) };
    }
  }
}

/** The actions the checkout page offers for a checkout in this state (the same rules as `plan`). */
export function availableActions(c: SandboxCheckout): SandboxAction[] {
  return SANDBOX_ACTIONS.filter((action) => {
    try {
      plan(c, action, 0, 0);
      return true;
    } catch {
      return false;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Boundary schemas.

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const CheckoutRequestSchema = z.object({
  purchaseId: z.string().min(1).max(200),
  coins: z.bigint().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be a 3-letter ISO 4217 code in upper case'),
  // Webhooks carry the amount as a JSON number, so it must stay exact in one.
  amountMinor: z.bigint().positive().max(MAX_SAFE),
  description: z.string().min(1).max(500),
  returnUrl: z.string().min(1).max(2000),
});

/** The sandbox's own event types (its wire format); parseWebhook maps them to the port's events. */
export const SANDBOX_EVENT_TYPES = [
  'checkout.paid',
  'checkout.pending',
  'checkout.declined',
  'charge.refunded',
  'dispute.opened',
  'dispute.lost',
  'dispute.won',
] as const;
export type SandboxEventType = (typeof SANDBOX_EVENT_TYPES)[number];

/** An event as the sandbox sends it. */
interface SandboxEvent {
  readonly id: string;
  readonly type: SandboxEventType;
  readonly providerRef: string;
  readonly purchaseId: string;
  readonly currency: string;
  /** The amount the event is about (the charge, this refund, the dispute). */
  readonly amountMinor: bigint;
  /** Refunded so far, this refund included (the figure a refund is booked up to). */
  readonly refundedTotalMinor: bigint;
  readonly createdAtMs: number;
}

const jsonAmount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** The webhook body. `created` is unix milliseconds; amounts are JSON numbers (exact: ≤ 2^53 − 1). */
const WebhookBodySchema = z.object({
  id: z.string().regex(/^evt_[A-Za-z0-9_-]{1,100}$/),
  type: z.enum(SANDBOX_EVENT_TYPES),
  created: z.number().int().nonnegative(),
  data: z.object({
    providerRef: z.string().min(1).max(200),
    purchaseId: z.string().min(1).max(200),
    currency: z.string().regex(/^[A-Z]{3}$/),
    amountMinor: jsonAmount.positive(),
    refundedTotalMinor: jsonAmount.optional(),
  }),
});

type WebhookBody = z.infer<typeof WebhookBodySchema>;

/** A checkout has at most one dispute, so its id is the checkout's. */
export function sandboxDisputeId(providerRef: string): string {
  return `dp_${providerRef}`;
}

function toPortEvent(body: WebhookBody): PaymentEvent {
  const { id, type, created: createdAtMs, data } = body;
  const amountMinor = BigInt(data.amountMinor);
  const common = { id, createdAtMs, purchaseId: data.purchaseId, currency: data.currency };
  switch (type) {
    case 'checkout.paid':
    case 'checkout.pending':
    case 'checkout.declined':
      return { ...common, kind: 'checkout', status: type === 'checkout.paid' ? 'paid' : type === 'checkout.pending' ? 'pending' : 'declined', providerRef: data.providerRef, amountMinor };
    case 'charge.refunded':
      // Older deliveries carried only this refund's amount; for a single refund that is the total.
      return { ...common, kind: 'refund', refundedTotalMinor: BigInt(data.refundedTotalMinor ?? data.amountMinor) };
    case 'dispute.opened':
    case 'dispute.lost':
    case 'dispute.won':
      return { ...common, kind: 'dispute', disputeId: sandboxDisputeId(data.providerRef), status: type === 'dispute.opened' ? 'opened' : type === 'dispute.lost' ? 'lost' : 'won', amountMinor };
  }
}

// ---------------------------------------------------------------------------------------------

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve: () => { resolve(); } };
}

function toBig(value: Big, column: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error(`sandbox_checkouts.${column} is not an exact integer: ${value}`);
  return BigInt(value);
}

const STATUSES: readonly ProviderCheckoutStatus[] = ['open', 'pending', 'paid', 'declined', 'expired'];
const DISPUTES: readonly (SandboxDisputeStatus | null)[] = [null, 'opened', 'lost', 'won'];

function fromRow(row: SandboxCheckoutsTable): SandboxCheckout {
  const checkout: SandboxCheckout = {
    providerRef: row.ref,
    purchaseId: row.purchase_id,
    status: row.status,
    currency: row.currency,
    amountMinor: toBig(row.amount_minor, 'amount_minor'),
    coins: toBig(row.coins, 'coins'),
    description: row.description,
    returnUrl: row.return_url,
    refundedMinor: toBig(row.refunded_minor, 'refunded_minor'),
    disputeStatus: row.dispute_status,
    pendingUntilMs: row.pending_until_ms === null ? null : Number(row.pending_until_ms),
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
  };
  // What was validated before writing is asserted again after reading: a row that breaks these was
  // not written by this provider, and acting on it could report money that never moved.
  const broken =
    !STATUSES.includes(checkout.status) ? 'unknown status'
    : !DISPUTES.includes(checkout.disputeStatus) ? 'unknown dispute status'
    : checkout.amountMinor <= 0n ? 'non-positive amount'
    : checkout.refundedMinor < 0n || checkout.refundedMinor > checkout.amountMinor ? 'refunded more than paid'
    : checkout.status !== 'paid' && (checkout.refundedMinor !== 0n || checkout.disputeStatus !== null) ? 'refund or dispute on an unpaid checkout'
    : (checkout.status === 'pending') !== (checkout.pendingUntilMs !== null) ? 'pending time without pending status'
    : null;
  if (broken !== null) throw new Error(`sandbox checkout ${checkout.providerRef} is corrupt: ${broken}`);
  return checkout;
}

/** How many times a compare-and-set is retried when another writer changed the row first. */
const CAS_ATTEMPTS_MAX = 5;
/** Rows completed per `completeDuePending` call (a limit on one sweep's work). */
const SWEEP_BATCH_MAX = 100;

export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';

  private readonly db: Kysely<Database & SandboxDatabase>;
  private readonly secrets: readonly string[];
  private readonly checkoutBaseUrl: string;
  private readonly publicUrl: string;
  private readonly pendingDelayMs: number;
  private readonly checkoutTtlMs: number;
  private readonly attempts: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly toleranceS: number;

  /** Deliveries and pending completions in flight; idle() waits for them. */
  private readonly tasks = new Set<Promise<void>>();
  /** Timers that will complete pending checkouts. */
  private readonly pendingTimers = new Set<NodeJS.Timeout>();
  /** Waits between delivery attempts; close() ends them early. */
  private readonly sleeps = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(private readonly options: SandboxPaymentProviderOptions) {
    if (options.webhookSecret === '') throw new RangeError('the sandbox webhook secret must not be empty');
    const base = new URL(options.publicUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new RangeError(`publicUrl must be http(s): ${options.publicUrl}`);
    this.db = options.db.withTables<SandboxDatabase>();
    this.secrets = [options.webhookSecret, ...(options.previousWebhookSecrets ?? [])];
    this.publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.checkoutBaseUrl = `${this.publicUrl}/sandbox/checkout/`;
    this.pendingDelayMs = nonNegative('pendingDelayMs', options.pendingDelayMs ?? 2000);
    this.checkoutTtlMs = nonNegative('checkoutTtlMs', options.checkoutTtlMs ?? 24 * 60 * 60 * 1000);
    this.attempts = Math.max(1, Math.min(20, Math.floor(options.delivery?.attempts ?? 5)));
    this.initialDelayMs = nonNegative('delivery.initialDelayMs', options.delivery?.initialDelayMs ?? 200);
    this.maxDelayMs = nonNegative('delivery.maxDelayMs', options.delivery?.maxDelayMs ?? 10_000);
    this.attemptTimeoutMs = nonNegative('delivery.attemptTimeoutMs', options.delivery?.attemptTimeoutMs ?? 10_000);
    this.toleranceS = nonNegative('toleranceS', options.toleranceS ?? DEFAULT_TOLERANCE_S);
  }

  // -------------------------------------------------------------------------------------------
  // The port.

  /**
   * Stores an `open` checkout and answers its page. Idempotent per purchase: creating it again with
   * the same request answers the same checkout (a retried purchase must not get a second page that
   * could be paid twice); the same purchase with a different request is refused.
   */
  async createCheckout(request: CheckoutRequest): Promise<Checkout> {
    this.assertOpen();
    const parsed = CheckoutRequestSchema.safeParse(request);
    if (!parsed.success) throw new RangeError(`bad checkout request: ${z.prettifyError(parsed.error)}`);
    const returnUrl = this.resolveReturnUrl(parsed.data.returnUrl);
    const nowMs = this.options.nowMs();
    const ref = `cs_sandbox_${this.options.newId()}`;
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(ref)) throw new RangeError(`newId() made an id unfit for a URL: ${ref}`);
    await this.db
      .insertInto('sandbox_checkouts')
      .values({
        ref,
        purchase_id: request.purchaseId,
        coins: request.coins,
        currency: request.currency,
        amount_minor: request.amountMinor,
        description: request.description,
        return_url: returnUrl,
        status: 'open',
        refunded_minor: 0n,
        dispute_status: null,
        disputed_minor: 0n,
        pending_until_ms: null,
        created_at_ms: nowMs,
        updated_at_ms: nowMs,
      })
      .onConflict((oc) => oc.column('purchase_id').doNothing())
      .execute();
    const row = await this.db.selectFrom('sandbox_checkouts').selectAll().where('purchase_id', '=', request.purchaseId).executeTakeFirst();
    if (row === undefined) throw new Error(`sandbox checkout for purchase ${request.purchaseId} vanished after insert`);
    const stored = fromRow(row);
    if (
      stored.coins !== request.coins ||
      stored.currency !== request.currency ||
      stored.amountMinor !== request.amountMinor ||
      stored.description !== request.description ||
      stored.returnUrl !== returnUrl
    ) {
      throw new SandboxActionRefused(`purchase ${request.purchaseId} already has a sandbox checkout with other content`);
    }
    return { providerRef: stored.providerRef, url: this.checkoutUrl(stored.providerRef) };
  }

  /**
   * The checkout as stored, or null. A lookup also does what time has made due: an open checkout past
   * its lifetime expires, and a pending one past its delay succeeds (and its webhook is sent), so a
   * restart that lost the timer loses nothing.
   */
  async getCheckout(providerRef: string): Promise<SandboxCheckout | null> {
    const checkout = await this.load(providerRef);
    if (checkout?.status !== 'pending' || this.closed) return checkout;
    if (checkout.pendingUntilMs !== null && checkout.pendingUntilMs <= this.options.nowMs()) {
      await this.completePending(providerRef, true);
      return this.load(providerRef);
    }
    return checkout;
  }

  parseWebhook(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): Promise<PaymentEvent> {
    // The sandbox needs no lookup; a refusal becomes the promise's rejection.
    return Promise.resolve().then(() => this.parseWebhookNow(rawBody, headers));
  }

  /** parseWebhook, at once (the sandbox needs no lookup): verifies, then parses. */
  parseWebhookNow(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): PaymentEvent {
    let header: string | undefined;
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() !== SIGNATURE_HEADER || value === undefined) continue;
      header = Array.isArray(value) ? value.join(',') : value;
    }
    verify(this.secrets, rawBody, header, Math.floor(this.options.nowMs() / 1000), this.toleranceS);
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new WebhookRejected('webhook body is not JSON');
    }
    const parsed = WebhookBodySchema.safeParse(json);
    if (!parsed.success) throw new WebhookRejected(`webhook body is not a sandbox event: ${z.prettifyError(parsed.error)}`);
    return toPortEvent(parsed.data);
  }

  // -------------------------------------------------------------------------------------------
  // The checkout page's actions. Each changes the checkout once and emits exactly one webhook; it
  // waits for the webhook's first delivery attempt (so a buyer sent back to our return page usually
  // finds the purchase already settled) and leaves any retries to the background.

  /** The page URL of a checkout. */
  checkoutUrl(providerRef: string): string {
    return `${this.checkoutBaseUrl}${encodeURIComponent(providerRef)}`;
  }

  pay(providerRef: string): Promise<SandboxCheckout> {
    return this.act(providerRef, 'pay');
  }

  decline(providerRef: string): Promise<SandboxCheckout> {
    return this.act(providerRef, 'decline');
  }

  /** Pending now (checkout.pending), then paid after pendingDelayMs (checkout.paid). */
  async payAfterPending(providerRef: string): Promise<SandboxCheckout> {
    const checkout = await this.act(providerRef, 'pending');
    this.schedulePending(providerRef, this.pendingDelayMs);
    return checkout;
  }

  /** Refunds `amountMinor` (default: all that is left) of a paid checkout; partial refunds add up. */
  refund(providerRef: string, amountMinor?: bigint): Promise<SandboxCheckout> {
    return this.act(providerRef, 'refund', amountMinor);
  }

  openDispute(providerRef: string): Promise<SandboxCheckout> {
    return this.act(providerRef, 'dispute');
  }

  loseDispute(providerRef: string): Promise<SandboxCheckout> {
    return this.act(providerRef, 'dispute-lost');
  }

  winDispute(providerRef: string): Promise<SandboxCheckout> {
    return this.act(providerRef, 'dispute-won');
  }

  /** Runs one page action by its name (what the checkout page's forms post). */
  perform(providerRef: string, action: SandboxAction, amountMinor?: bigint): Promise<SandboxCheckout> {
    switch (action) {
      case 'pay':
        return this.pay(providerRef);
      case 'decline':
        return this.decline(providerRef);
      case 'pending':
        return this.payAfterPending(providerRef);
      case 'refund':
        return this.refund(providerRef, amountMinor);
      case 'dispute':
        return this.openDispute(providerRef);
      case 'dispute-lost':
        return this.loseDispute(providerRef);
      case 'dispute-won':
        return this.winDispute(providerRef);
    }
  }

  /**
   * Completes every pending checkout whose delay has passed (at most 100 per call), for a node that
   * restarted while checkouts were pending. Returns how many it completed.
   */
  async completeDuePending(): Promise<number> {
    if (this.closed) return 0;
    const due = await this.db
      .selectFrom('sandbox_checkouts')
      .select('ref')
      .where('status', '=', 'pending')
      .where('pending_until_ms', '<=', this.options.nowMs())
      .orderBy('pending_until_ms')
      .limit(SWEEP_BATCH_MAX)
      .execute();
    let completed = 0;
    for (const { ref } of due) {
      if (await this.completePending(ref, true)) completed += 1;
    }
    return completed;
  }

  /** Resolves when no delivery or pending completion is in flight (timers not yet fired aside). */
  async idle(): Promise<void> {
    // New work can start while we wait (a completion starts a delivery); the bound is generous.
    for (let round = 0; round < 1000 && this.tasks.size > 0; round++) {
      await Promise.allSettled([...this.tasks]);
    }
  }

  /** Stops the pending timers and the retries, then waits for attempts already under way. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.pendingTimers) clearTimeout(timer);
    this.pendingTimers.clear();
    for (const [timer, wake] of this.sleeps) {
      clearTimeout(timer);
      wake();
    }
    this.sleeps.clear();
    await this.idle();
  }

  // -------------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new Error('the sandbox payment provider is closed');
  }

  private resolveReturnUrl(returnUrl: string): string {
    let url: URL;
    try {
      url = new URL(returnUrl, `${this.publicUrl}/`);
    } catch {
      throw new RangeError(`bad checkout request: returnUrl is not a URL: ${returnUrl}`);
    }
    // Only web pages: a javascript: or data: URL here would run in the buyer's browser on redirect.
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`bad checkout request: returnUrl must be http(s): ${returnUrl}`);
    return url.href;
  }

  /** Reads a checkout, expiring it first if it stayed open past its lifetime. */
  private async load(ref: string): Promise<SandboxCheckout | null> {
    const row = await this.db.selectFrom('sandbox_checkouts').selectAll().where('ref', '=', ref).executeTakeFirst();
    if (row === undefined) return null;
    const checkout = fromRow(row);
    const nowMs = this.options.nowMs();
    if (checkout.status !== 'open' || nowMs < checkout.createdAtMs + this.checkoutTtlMs) return checkout;
    // Whoever loses this race finds the row already expired (or paid just in time) on the re-read.
    await this.db
      .updateTable('sandbox_checkouts')
      .set({ status: 'expired', updated_at_ms: nowMs })
      .where('ref', '=', ref)
      .where('status', '=', 'open')
      .execute();
    const again = await this.db.selectFrom('sandbox_checkouts').selectAll().where('ref', '=', ref).executeTakeFirst();
    return again === undefined ? null : fromRow(again);
  }

  /**
   * Applies one transition with a compare-and-set on the fields it reads, so it happens once however
   * many nodes try; then emits its one webhook. Throws SandboxCheckoutNotFound or SandboxActionRefused.
   */
  private async act(ref: string, action: Transition, refundMinor?: bigint, requireDue = false): Promise<SandboxCheckout> {
    this.assertOpen();
    for (let attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
      const before = await this.load(ref);
      if (before === null) throw new SandboxCheckoutNotFound(ref);
      const nowMs = this.options.nowMs();
      if (requireDue && before.status === 'pending' && (before.pendingUntilMs ?? 0) > nowMs) refuse('cannot complete: the checkout is not due yet');
      const next = plan(before, action, nowMs, this.pendingDelayMs, refundMinor);
      const result = await this.db
        .updateTable('sandbox_checkouts')
        .set({
          status: next.status,
          refunded_minor: next.refundedMinor,
          dispute_status: next.disputeStatus,
          ...(action === 'dispute' ? { disputed_minor: next.eventAmountMinor } : {}),
          pending_until_ms: next.pendingUntilMs,
          updated_at_ms: nowMs,
        })
        .where('ref', '=', ref)
        .where('status', '=', before.status)
        .where('refunded_minor', '=', before.refundedMinor)
        .where('dispute_status', before.disputeStatus === null ? 'is' : '=', before.disputeStatus)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) continue; // another writer was first: re-read and re-plan
      const after = await this.load(ref);
      if (after === null) throw new Error(`sandbox checkout ${ref} vanished after ${action}`);
      const event: SandboxEvent = {
        id: `evt_${this.options.newId()}`,
        type: next.eventType,
        providerRef: ref,
        purchaseId: after.purchaseId,
        currency: after.currency,
        amountMinor: next.eventAmountMinor,
        refundedTotalMinor: after.refundedMinor,
        createdAtMs: nowMs,
      };
      await this.emit(event);
      return after;
    }
    throw new Error(`sandbox checkout ${ref} kept changing under ${action}; gave up after ${CAS_ATTEMPTS_MAX} attempts`);
  }

  /** Pending → paid; false when it was not pending any more (another node or a lookup was first). */
  private async completePending(ref: string, requireDue: boolean): Promise<boolean> {
    try {
      await this.act(ref, 'complete', undefined, requireDue);
      return true;
    } catch (error) {
      if (error instanceof SandboxActionRefused || error instanceof SandboxCheckoutNotFound) return false;
      throw error;
    }
  }

  private schedulePending(ref: string, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.pendingTimers.delete(timer);
      if (this.closed) return;
      // The timer is the schedule itself, so it completes without re-checking the clock (which a test
      // may have frozen); lookups and the sweep check the due time because they run at any moment.
      this.track(this.completePending(ref, false).then(() => undefined), `completing pending checkout ${ref}`);
    }, delayMs);
    this.pendingTimers.add(timer);
  }

  /** Keeps a background task where idle() can wait for it; its failure is logged, never unhandled. */
  private track(task: Promise<void>, what: string): void {
    const tracked: Promise<void> = task
      .catch((error: unknown) => {
        this.options.logger?.error({ err: error }, `sandbox payments: ${what} failed`);
      })
      .finally(() => this.tasks.delete(tracked));
    this.tasks.add(tracked);
  }

  /** Starts delivering `event` and resolves after its first attempt; retries continue in the background. */
  private emit(event: SandboxEvent): Promise<void> {
    const first = deferred();
    this.track(this.deliverWithRetries(event, first), `delivering ${event.type} ${event.id}`);
    return first.promise;
  }

  private async deliverWithRetries(event: SandboxEvent, first: Deferred): Promise<void> {
    const amount = Number(event.amountMinor);
    if (!Number.isSafeInteger(amount)) throw new Error(`event amount ${event.amountMinor} does not fit a JSON number exactly`);
    const body: WebhookBody = {
      id: event.id,
      type: event.type,
      created: event.createdAtMs,
      data: {
        providerRef: event.providerRef,
        purchaseId: event.purchaseId,
        currency: event.currency,
        amountMinor: amount,
        ...(event.type === 'charge.refunded' ? { refundedTotalMinor: Number(event.refundedTotalMinor) } : {}),
      },
    };
    const rawBody = JSON.stringify(body);
    let delayMs = this.initialDelayMs;
    try {
      for (let attempt = 1; attempt <= this.attempts; attempt++) {
        // Signed afresh for every attempt, so a retry is not refused as too old by the receiver.
        const headers = {
          'content-type': 'application/json',
          'user-agent': 'Livegift-Sandbox/1',
          [SIGNATURE_HEADER]: sign(this.options.webhookSecret, rawBody, Math.floor(this.options.nowMs() / 1000)),
        };
        let reason: string | null;
        try {
          const { status } = await this.withTimeout(Promise.resolve().then(() => this.options.deliver(rawBody, headers)));
          reason = status >= 200 && status < 300 ? null : `answered HTTP ${status}`;
        } catch (error) {
          reason = describe(error);
        }
        first.resolve();
        if (reason === null) return;
        const final = attempt === this.attempts || this.closed;
        const details = { eventId: event.id, type: event.type, providerRef: event.providerRef, attempt, reason };
        if (final) {
          this.options.logger?.error(details, 'sandbox payments: webhook not delivered; giving up');
          return;
        }
        this.options.logger?.warn(details, 'sandbox payments: webhook delivery failed; will retry');
        await this.sleep(delayMs);
        if (this.closed) return;
        delayMs = Math.min(delayMs * 2, this.maxDelayMs);
      }
    } finally {
      first.resolve();
    }
  }

  private async withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no answer within ${this.attemptTimeoutMs} ms`));
      }, this.attemptTimeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.sleeps.delete(timer);
        resolve();
      }, ms);
      this.sleeps.set(timer, resolve);
    });
  }
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number, not ${value}`);
  return value;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
