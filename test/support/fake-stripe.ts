// A local fake of the part of Stripe's v1 API that Livegift uses (Checkout, refunds, disputes,
// balance transactions, Connect accounts, transfers, reversals and payouts), for tests that drive
// the real `stripe` client against it. It speaks Stripe's wire format (bracket-notation forms in,
// JSON objects and lists out, Stripe's error shapes), honours Idempotency-Key and Stripe-Account,
// signs events as Stripe does, and can inject faults (500s, dropped connections).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export const FAKE_STRIPE_API_VERSION = '2026-10-28.endive';

const HOST = '127.0.0.1';
const PLATFORM = 'platform';
const LIST_LIMIT_DEFAULT = 10;
const LIST_LIMIT_MAX = 100;
/** Card fee of the fake: 2.9 % + 30 minor units, as Stripe's US card pricing. */
const CARD_FEE_RATE = 0.029;
const CARD_FEE_FIXED = 30;
const DISPUTE_FEE = 1500;
const ACCOUNT_LINK_TTL_S = 300;
const CHECKOUT_TTL_DEFAULT_S = 24 * 3600;
const CHECKOUT_TTL_MIN_S = 30 * 60;
const CHECKOUT_TTL_MAX_S = 24 * 3600;
const PAYOUT_ARRIVAL_DAYS = 2;
const DAY_S = 86_400;
const METADATA_MAX_KEYS = 50;
const METADATA_KEY_MAX = 40;
const METADATA_VALUE_MAX = 500;
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 24;
/** Stripe's minimum charge amounts (minor units) for the currencies the fake checks. */
const MINIMUM_CHARGE: Readonly<Record<string, number>> = { usd: 50, eur: 50, gbp: 30 };
const DEFAULT_CURRENCY_BY_COUNTRY: Readonly<Record<string, string>> = {
  US: 'usd', GB: 'gbp', CA: 'cad', AU: 'aud', JP: 'jpy', FR: 'eur', DE: 'eur', ES: 'eur', IT: 'eur', NL: 'eur', IE: 'eur', BE: 'eur', AT: 'eur', PT: 'eur', FI: 'eur',
};

// ---------------------------------------------------------------------------------------------
// Public types

export interface FakeStripeOptions {
  /** Signs every event with the stripe library's own helper: stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }). */
  webhookSecret: string;
  /** Connect events (those with `account`) are signed with this one when given, else with webhookSecret. */
  connectWebhookSecret?: string;
  /** Unix seconds for `created` and signatures; default Math.floor(Date.now()/1000). */
  nowS?: () => number;
  /** Called for every event as it is emitted (e.g. to deliver it to a webhook endpoint). */
  onEvent?: (event: SignedEvent) => void;
}

/** A Stripe event as sent to webhook endpoints (a Stripe.Event-like object). */
export interface FakeEvent {
  readonly id: string;
  readonly object: 'event';
  /** The connected account the event happened on (Connect events only). */
  readonly account?: string;
  readonly api_version: string;
  readonly created: number;
  readonly data: { readonly object: JsonObject; readonly previous_attributes?: JsonObject };
  readonly livemode: false;
  readonly pending_webhooks: number;
  readonly request: { readonly id: string | null; readonly idempotency_key: string | null };
  readonly type: string;
}

export interface SignedEvent {
  readonly event: FakeEvent;
  /** The exact bytes Stripe would POST (pretty JSON); the signature covers them. */
  readonly body: string;
  /** The Stripe-Signature header value. */
  readonly signature: string;
}

export type FaultMode = 'error500' | 'drop' | 'drop-before';

export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

// ---------------------------------------------------------------------------------------------
// Bracket-notation forms

/** A parsed form: `a[b][0]=x` → { a: { b: { '0': 'x' } } }. Arrays stay hashes keyed "0", "1", …. */
export type FormValue = string | FormHash;
export interface FormHash {
  [key: string]: FormValue;
}

export class FormError extends Error {}

function newHash(): FormHash {
  return Object.create(null) as FormHash;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new FormError(`Invalid URL encoding: ${text}`);
  }
}

function keySegments(key: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  const head = match?.[1];
  if (head === undefined) throw new FormError(`Invalid parameter name: ${key}`);
  const segments = [head];
  for (const part of (match?.[2] ?? '').matchAll(/\[([^[\]]*)\]/g)) segments.push(part[1] ?? '');
  return segments;
}

/**
 * Parses application/x-www-form-urlencoded text in Stripe's (Rack's) bracket notation:
 * `a[b]=1`, `list[0][c]=2`, `expand[]=x`. A repeated scalar key keeps its last value; `[]` appends.
 */
export function parseForm(text: string): FormHash {
  const root = newHash();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
    const segments = keySegments(key);
    let node = root;
    segments.forEach((segment, index) => {
      const last = index === segments.length - 1;
      let name = segment;
      if (name === '') {
        if (!last) throw new FormError(`Unsupported parameter name: ${key}`);
        name = String(Object.keys(node).length);
      }
      const existing = node[name];
      if (last) {
        if (existing !== undefined && typeof existing !== 'string') throw new FormError(`Invalid parameter: ${key} is both a value and a hash`);
        node[name] = value;
        return;
      }
      if (existing === undefined) {
        const child = newHash();
        node[name] = child;
        node = child;
      } else if (typeof existing === 'string') {
        throw new FormError(`Invalid parameter: ${key} is both a value and a hash`);
      } else {
        node = existing;
      }
    });
  }
  return root;
}

/** `['a', '0', 'b']` → `a[0][b]`, the name Stripe uses in `param`. */
function bracketName(path: readonly string[]): string {
  return path.map((segment, index) => (index === 0 ? segment : `[${segment}]`)).join('');
}

// ---------------------------------------------------------------------------------------------
// Errors

interface StripeErrorBody {
  type: 'invalid_request_error' | 'idempotency_error' | 'api_error';
  message: string;
  code?: string;
  param?: string;
  doc_url?: string;
}

/** A Stripe error answer. `saved`: an idempotent retry replays it (the endpoint ran and refused). */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly saved: boolean,
  ) {
    super(body.message);
  }
}

interface ErrorOptions {
  code?: string;
  param?: string;
  status?: number;
  /** A refusal after the endpoint ran (state, not parameters): kept for idempotent replays. */
  saved?: boolean;
}

function invalid(message: string, options: ErrorOptions = {}): ApiError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message };
  if (options.code !== undefined) {
    body.code = options.code;
    body.doc_url = `https://stripe.com/docs/error-codes/${options.code.replace(/_/g, '-')}`;
  }
  if (options.param !== undefined) body.param = options.param;
  return new ApiError(options.status ?? 400, body, options.saved ?? false);
}

function noSuch(kind: string, id: string, param?: string): ApiError {
  return invalid(`No such ${kind}: '${id}'`, { code: 'resource_missing', status: param === undefined ? 404 : 400, ...(param === undefined ? {} : { param }) });
}

// ---------------------------------------------------------------------------------------------
// Typed access to a validated form

type Metadata = Record<string, string>;

class Params {
  constructor(
    private readonly form: FormHash,
    private readonly prefix: readonly string[] = [],
  ) {}

  private name(path: readonly string[]): string {
    return bracketName([...this.prefix, ...path]);
  }

  /** The Stripe name of a parameter under this one: `line_items[1][quantity]`. */
  paramName(path: string): string {
    return this.name(path.split('.'));
  }

  private at(path: readonly string[]): FormValue | undefined {
    let node: FormValue | undefined = this.form;
    for (const segment of path) {
      if (node === undefined || typeof node === 'string') return undefined;
      node = node[segment];
    }
    return node;
  }

  has(path: string): boolean {
    const value = this.at(path.split('.'));
    return value !== undefined && value !== '';
  }

  /** Whether the parameter is a plain value or a hash (e.g. `created=…` or `created[gte]=…`). */
  isHash(path: string): boolean {
    const value = this.at(path.split('.'));
    return value !== undefined && typeof value !== 'string';
  }

  /** The keys of a hash parameter (none when absent). */
  keys(path: string): string[] {
    const value = this.at(path.split('.'));
    return value === undefined || typeof value === 'string' ? [] : Object.keys(value);
  }

  string(path: string): string | undefined {
    const segments = path.split('.');
    const value = this.at(segments);
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw invalid(`Invalid string: ${this.name(segments)} must be a string`, { param: this.name(segments) });
    return value;
  }

  requiredString(path: string): string {
    const value = this.string(path);
    if (value === undefined) throw this.missing(path);
    return value;
  }

  integer(path: string): number | undefined {
    const text = this.string(path);
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      throw invalid(`Invalid integer: ${text}`, { code: 'parameter_invalid_integer', param: this.name(path.split('.')) });
    }
    return Number(text);
  }

  requiredInteger(path: string): number {
    const value = this.integer(path);
    if (value === undefined) throw this.missing(path);
    return value;
  }

  /** A positive integer amount (minor units). */
  amount(path: string): number | undefined {
    const value = this.integer(path);
    if (value !== undefined && value < 1) {
      throw invalid('This value must be greater than or equal to 1.', { code: 'parameter_invalid_integer', param: this.name(path.split('.')) });
    }
    return value;
  }

  requiredAmount(path: string): number {
    const value = this.amount(path);
    if (value === undefined) throw this.missing(path);
    return value;
  }

  boolean(path: string): boolean | undefined {
    const text = this.string(path);
    if (text === undefined) return undefined;
    if (text !== 'true' && text !== 'false') throw invalid(`Invalid boolean: ${text}`, { param: this.name(path.split('.')) });
    return text === 'true';
  }

  currency(path: string): string {
    const text = this.requiredString(path).toLowerCase();
    if (!/^[a-z]{3}$/.test(text)) throw invalid(`Invalid currency: ${text}.`, { param: this.name(path.split('.')) });
    return text;
  }

  /** Metadata (a hash of strings); empty values are dropped as Stripe unsets them. */
  metadata(path = 'metadata'): Metadata {
    const segments = path.split('.');
    const value = this.at(segments);
    if (value === undefined || value === '') return {};
    if (typeof value === 'string') throw invalid(`Invalid hash: ${this.name(segments)}`, { param: this.name(segments) });
    const entries = Object.entries(value);
    if (entries.length > METADATA_MAX_KEYS) throw invalid(`Invalid ${this.name(segments)}: at most ${METADATA_MAX_KEYS} keys.`, { param: this.name(segments) });
    const out: Metadata = {};
    for (const [key, item] of entries) {
      const name = this.name([...segments, key]);
      if (typeof item !== 'string') throw invalid(`Invalid string: ${name}`, { param: name });
      if (key.length > METADATA_KEY_MAX) throw invalid(`Metadata keys can be at most ${METADATA_KEY_MAX} characters long.`, { param: name });
      if (item.length > METADATA_VALUE_MAX) throw invalid(`Metadata values can be at most ${METADATA_VALUE_MAX} characters long.`, { param: name });
      if (item !== '') out[key] = item;
    }
    return out;
  }

  /** An indexed array of hashes (`line_items[0][…]`), in index order. */
  list(path: string): Params[] {
    const segments = path.split('.');
    const value = this.at(segments);
    if (value === undefined || value === '') return [];
    if (typeof value === 'string') throw invalid(`Invalid array: ${this.name(segments)}`, { param: this.name(segments) });
    return Object.keys(value)
      .sort((a, b) => Number(a) - Number(b))
      .map((index) => {
        const item = value[index];
        const name = [...this.prefix, ...segments, index];
        if (item === undefined || typeof item === 'string') throw invalid(`Invalid hash: ${bracketName(name)}`, { param: bracketName(name) });
        return new Params(item, name);
      });
  }

  /** An indexed array of strings (`expand[0]=…`). */
  strings(path: string): string[] {
    const segments = path.split('.');
    const value = this.at(segments);
    if (value === undefined || value === '') return [];
    if (typeof value === 'string') return [value];
    return Object.keys(value)
      .sort((a, b) => Number(a) - Number(b))
      .map((index) => {
        const item = value[index];
        if (typeof item !== 'string') throw invalid(`Invalid string: ${this.name([...segments, index])}`, { param: this.name([...segments, index]) });
        return item;
      });
  }

  missing(path: string): ApiError {
    const name = this.name(path.split('.'));
    return invalid(`Missing required param: ${name}.`, { code: 'parameter_missing', param: name });
  }
}

/**
 * Refuses parameters the endpoint does not know, as Stripe does (`parameter_unknown`). Patterns are
 * dotted paths; `#` matches an array index, `*` any key. An empty value may stand for a whole hash.
 */
function checkAllowed(form: FormHash, patterns: readonly string[]): void {
  const split = patterns.map((pattern) => pattern.split('.'));
  const segmentMatches = (pattern: string, segment: string): boolean =>
    pattern === '*' || pattern === segment || (pattern === '#' && /^\d+$/.test(segment));
  const prefixOf = (path: readonly string[], exact: boolean): boolean =>
    split.some((pattern) => (exact ? pattern.length === path.length : pattern.length >= path.length) && path.every((segment, i) => segmentMatches(pattern[i] ?? '', segment)));
  const walk = (node: FormHash, path: readonly string[]): void => {
    for (const [key, value] of Object.entries(node)) {
      const here = [...path, key];
      if (!prefixOf(here, false)) {
        throw invalid(`Received unknown parameter: ${bracketName(here)}`, { code: 'parameter_unknown', param: bracketName(here) });
      }
      if (typeof value === 'string') {
        if (value !== '' && !prefixOf(here, true)) throw invalid(`Invalid object: ${bracketName(here)} must be a hash`, { param: bracketName(here) });
      } else {
        walk(value, here);
      }
    }
  };
  walk(form, []);
}

// ---------------------------------------------------------------------------------------------
// Stripe objects (the fake's state; each is also its JSON answer)

type Owner = string;

type CheckoutSession = {
  id: string;
  object: 'checkout.session';
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  locale: string | null;
  metadata: Metadata;
  mode: 'payment';
  payment_intent: string | null;
  payment_status: 'paid' | 'unpaid';
  status: 'open' | 'complete' | 'expired';
  success_url: string | null;
  url: string | null;
};

type PaymentIntent = {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  created: number;
  currency: string;
  description: string | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Metadata;
  payment_method_types: string[];
  status: 'processing' | 'succeeded' | 'requires_payment_method' | 'canceled';
};

type Charge = {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  balance_transaction: string | null;
  captured: boolean;
  created: number;
  currency: string;
  description: string | null;
  disputed: boolean;
  livemode: false;
  metadata: Metadata;
  paid: boolean;
  payment_intent: string | null;
  refunded: boolean;
  source_transfer: string | null;
  status: 'succeeded';
};

type Refund = {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: string | null;
  charge: string;
  created: number;
  currency: string;
  metadata: Metadata;
  payment_intent: string | null;
  reason: string | null;
  status: 'succeeded';
};

type FeeDetail = { amount: number; application: null; currency: string; description: string; type: 'stripe_fee' };

type BalanceTransaction = {
  id: string;
  object: 'balance_transaction';
  amount: number;
  available_on: number;
  created: number;
  currency: string;
  description: string | null;
  fee: number;
  fee_details: FeeDetail[];
  net: number;
  reporting_category: string;
  source: string | null;
  status: 'available';
  type: string;
};

type Dispute = {
  id: string;
  object: 'dispute';
  amount: number;
  balance_transactions: BalanceTransaction[];
  charge: string;
  created: number;
  currency: string;
  is_charge_refundable: boolean;
  livemode: false;
  metadata: Metadata;
  payment_intent: string | null;
  reason: string;
  status: 'needs_response' | 'won' | 'lost';
};

type Account = {
  id: string;
  object: 'account';
  business_type: string | null;
  capabilities: Record<string, 'active' | 'inactive'>;
  charges_enabled: boolean;
  country: string;
  created: number;
  default_currency: string;
  details_submitted: boolean;
  email: string | null;
  metadata: Metadata;
  payouts_enabled: boolean;
  requirements: {
    current_deadline: number | null;
    currently_due: string[];
    disabled_reason: string | null;
    eventually_due: string[];
    past_due: string[];
    pending_verification: string[];
  };
  type: string;
};

type Transfer = {
  id: string;
  object: 'transfer';
  amount: number;
  amount_reversed: number;
  balance_transaction: string | null;
  created: number;
  currency: string;
  description: string | null;
  destination: string;
  destination_payment: string | null;
  livemode: false;
  metadata: Metadata;
  reversed: boolean;
  source_transaction: null;
  source_type: 'card';
  transfer_group: string | null;
};

type TransferReversal = {
  id: string;
  object: 'transfer_reversal';
  amount: number;
  balance_transaction: string | null;
  created: number;
  currency: string;
  description: string | null;
  destination_payment_refund: string | null;
  metadata: Metadata;
  source_refund: null;
  transfer: string;
};

type Payout = {
  id: string;
  object: 'payout';
  amount: number;
  arrival_date: number;
  automatic: boolean;
  balance_transaction: string | null;
  created: number;
  currency: string;
  description: string | null;
  destination: null;
  failure_balance_transaction: string | null;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Metadata;
  method: string;
  source_type: 'card';
  statement_descriptor: string | null;
  status: 'pending' | 'paid' | 'failed' | 'canceled';
  type: 'bank_account';
};

type StoredObject = CheckoutSession | PaymentIntent | Charge | Refund | BalanceTransaction | Dispute | Account | Transfer | TransferReversal | Payout;
type Kind = StoredObject['object'];
type ObjectOf<K extends Kind> = Extract<StoredObject, { object: K }>;

/** Which id fields `expand` may replace, by object type. */
const EXPANDABLE: Readonly<Record<string, readonly string[]>> = {
  'checkout.session': ['payment_intent'],
  payment_intent: ['latest_charge'],
  charge: ['balance_transaction', 'payment_intent', 'source_transfer'],
  refund: ['balance_transaction', 'charge', 'payment_intent'],
  dispute: ['charge', 'payment_intent'],
  balance_transaction: ['source'],
  transfer: ['balance_transaction', 'destination', 'destination_payment'],
  transfer_reversal: ['balance_transaction', 'transfer', 'destination_payment_refund'],
  payout: ['balance_transaction', 'failure_balance_transaction'],
};

// ---------------------------------------------------------------------------------------------
// HTTP plumbing

interface RequestContext {
  readonly owner: Owner;
  readonly params: Params;
  readonly requestId: string;
  readonly idempotencyKey: string | null;
}

interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: RegExp;
  readonly allowed: readonly string[];
  readonly handle: (context: RequestContext, id: string, subId: string) => JsonObject;
}

interface SavedResponse {
  readonly method: string;
  readonly path: string;
  readonly params: string;
  readonly status: number;
  readonly body: string;
  readonly requestId: string;
}

interface Fault {
  readonly method: string;
  readonly pathPrefix: string;
  readonly mode: FaultMode;
  remaining: number;
}

const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'created', 'created.gt', 'created.gte', 'created.lt', 'created.lte'];

/** JSON with keys sorted, so equal parameter sets compare equal whatever their order. */
function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(value[key] ?? '')}`)
    .join(',')}}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ID_ALPHABET[byte % ID_ALPHABET.length] ?? '0';
  return out;
}

function toJson(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

// ---------------------------------------------------------------------------------------------
// The fake

export class FakeStripe {
  private readonly server: Server;
  private listeningPort = 0;
  private readonly nowS: () => number;
  private readonly objects = new Map<string, { readonly owner: Owner; readonly value: StoredObject }>();
  private readonly balances = new Map<Owner, Map<string, number>>();
  private readonly sessionPaymentIntentData = new Map<string, { metadata: Metadata; description: string | null }>();
  private readonly disputeByCharge = new Map<string, string>();
  private readonly onboardingLinks = new Map<string, { returnUrl: string; refreshUrl: string }>();
  private readonly eventLog: { readonly event: FakeEvent; readonly body: string; readonly owner: Owner }[] = [];
  private readonly idempotency = new Map<string, SavedResponse>();
  private readonly requestLog: { readonly method: string; readonly path: string }[] = [];
  private readonly created = new Map<string, number>();
  private readonly faults: Fault[] = [];
  private readonly routes: readonly Route[];

  private constructor(private readonly options: FakeStripeOptions) {
    this.nowS = options.nowS ?? (() => Math.floor(Date.now() / 1000));
    this.routes = this.buildRoutes();
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.send(res, 500, { error: { type: 'api_error', message: String(error) } }, {});
        else res.destroy();
      });
    });
  }

  /** Starts a fake on 127.0.0.1 and a free port. */
  static async start(options: FakeStripeOptions): Promise<FakeStripe> {
    const fake = new FakeStripe(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, HOST, () => {
        resolve();
      });
    });
    fake.listeningPort = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Spread into the Stripe constructor: { host: '127.0.0.1', port, protocol: 'http' }. */
  clientOptions(): { host: string; port: number; protocol: 'http' } {
    return { host: HOST, port: this.port, protocol: 'http' };
  }

  /** The fake's base URL (hosted pages live under it). */
  get baseUrl(): string {
    return `http://${HOST}:${this.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => {
        if (error) reject(error);
        else resolve();
      });
      this.server.closeAllConnections();
    });
  }

  /** Every event emitted so far, oldest first, each with its exact body and a fresh valid signature header. */
  events(): SignedEvent[] {
    return this.eventLog.map(({ event, body }) => ({ event, body, signature: this.sign(body, { secret: this.secretFor(event) }) }));
  }

  /** Re-signs a body (for replays at a later time): returns the Stripe-Signature header value. */
  sign(body: string, options: { timestampS?: number; secret?: string } = {}): string {
    return Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: options.secret ?? this.options.webhookSecret,
      timestamp: options.timestampS ?? this.nowS(),
    });
  }

  /** How many requests hit METHOD + path prefix (faults and idempotent replays included). */
  count(method: string, pathPrefix: string): number {
    const verb = method.toUpperCase();
    return this.requestLog.filter((r) => r.method === verb && r.path.startsWith(pathPrefix)).length;
  }

  /** Objects actually created (idempotent replays not counted), by `object` type: 'checkout.session', 'transfer', 'payout', 'refund', 'transfer_reversal', 'account', …. */
  countCreated(kind: string): number {
    return this.created.get(kind) ?? 0;
  }

  /**
   * Fault injection: the next `times` requests matching METHOD + path prefix fail. 'error500'
   * answers 500 without doing anything; 'drop' performs the request, then destroys the socket
   * unanswered; 'drop-before' destroys it before doing anything. stripe-node retries a closed
   * connection once even with maxNetworkRetries 0 (same Idempotency-Key), so the client only sees
   * a StripeConnectionError when both attempts are dropped (times: 2).
   */
  failNext(method: string, pathPrefix: string, mode: FaultMode, times = 1): void {
    this.faults.push({ method: method.toUpperCase(), pathPrefix, mode, remaining: times });
  }

  /** Adds available platform balance (for transfers), silently: no balance transaction. */
  fundPlatform(currency: string, amountMinor: number): void {
    this.credit(PLATFORM, currency.toLowerCase(), amountMinor);
  }

  /** Available balance of the platform (no account) or of a connected account, in minor units. */
  balanceOf(currency: string, accountId?: string): number {
    return this.balances.get(accountId ?? PLATFORM)?.get(currency.toLowerCase()) ?? 0;
  }

  // ---- buyer and bank actions --------------------------------------------------------------

  /** The buyer pays: by card (paid now), or with `async` by a delayed method (pending until succeed/failAsyncPayment). */
  completeCheckout(sessionId: string, options: { async?: boolean } = {}): SignedEvent[] {
    const { owner, value: session } = this.entry('checkout.session', sessionId);
    if (session.status !== 'open') throw new Error(`Checkout session ${sessionId} is ${session.status}, not open`);
    const piData = this.sessionPaymentIntentData.get(session.id) ?? { metadata: {}, description: null };
    const intent: PaymentIntent = {
      id: this.newId('pi_'),
      object: 'payment_intent',
      amount: session.amount_total,
      amount_received: 0,
      created: this.nowS(),
      currency: session.currency,
      description: piData.description,
      latest_charge: null,
      livemode: false,
      metadata: { ...piData.metadata },
      payment_method_types: [options.async === true ? 'us_bank_account' : 'card'],
      status: 'processing',
    };
    this.store(owner, intent);
    session.status = 'complete';
    session.payment_intent = intent.id;
    session.url = null;
    if (options.async === true) {
      session.payment_status = 'unpaid';
    } else {
      this.chargeIntent(owner, intent);
      session.payment_status = 'paid';
    }
    return [this.emit(owner, 'checkout.session.completed', session)];
  }

  succeedAsyncPayment(sessionId: string): SignedEvent[] {
    const { owner, intent, session } = this.pendingAsync(sessionId);
    this.chargeIntent(owner, intent);
    session.payment_status = 'paid';
    return [this.emit(owner, 'checkout.session.async_payment_succeeded', session)];
  }

  failAsyncPayment(sessionId: string): SignedEvent[] {
    const { owner, intent, session } = this.pendingAsync(sessionId);
    intent.status = 'requires_payment_method';
    session.payment_status = 'unpaid';
    return [this.emit(owner, 'checkout.session.async_payment_failed', session)];
  }

  expireCheckout(sessionId: string): SignedEvent[] {
    const { owner, value: session } = this.entry('checkout.session', sessionId);
    if (session.status !== 'open') throw new Error(`Checkout session ${sessionId} is ${session.status}, not open`);
    session.status = 'expired';
    session.url = null;
    return [this.emit(owner, 'checkout.session.expired', session)];
  }

  /** Refunds the session's charge (default: all that is left). */
  refund(sessionId: string, amountMinor?: number): SignedEvent[] {
    const { owner, charge } = this.chargeOfSession(sessionId);
    return this.createRefund(owner, charge, amountMinor, {}, null, null).events;
  }

  openDispute(sessionId: string): SignedEvent[] {
    const { owner, charge } = this.chargeOfSession(sessionId);
    if (charge.disputed) throw new Error(`Charge ${charge.id} is already disputed`);
    const amount = charge.amount - charge.amount_refunded;
    if (amount <= 0) throw new Error(`Charge ${charge.id} is fully refunded: nothing to dispute`);
    const dispute: Dispute = {
      id: this.newId('dp_'),
      object: 'dispute',
      amount,
      balance_transactions: [],
      charge: charge.id,
      created: this.nowS(),
      currency: charge.currency,
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      payment_intent: charge.payment_intent,
      reason: 'fraudulent',
      status: 'needs_response',
    };
    this.store(owner, dispute);
    const txn = this.book(owner, { amount: -amount, currency: charge.currency, fee: DISPUTE_FEE, feeDescription: 'Dispute fee', type: 'adjustment', category: 'dispute', source: dispute.id, description: `Chargeback withdrawal for ${charge.id}` });
    dispute.balance_transactions.push(structuredClone(txn));
    charge.disputed = true;
    this.disputeByCharge.set(charge.id, dispute.id);
    return [this.emit(owner, 'charge.dispute.created', dispute), this.emit(owner, 'charge.dispute.funds_withdrawn', dispute)];
  }

  closeDispute(sessionId: string, outcome: 'won' | 'lost'): SignedEvent[] {
    const { owner, charge } = this.chargeOfSession(sessionId);
    const disputeId = this.disputeByCharge.get(charge.id);
    if (disputeId === undefined) throw new Error(`Charge ${charge.id} has no dispute`);
    const dispute = this.entry('dispute', disputeId).value;
    if (dispute.status !== 'needs_response') throw new Error(`Dispute ${dispute.id} is already ${dispute.status}`);
    dispute.status = outcome;
    if (outcome === 'lost') return [this.emit(owner, 'charge.dispute.closed', dispute)];
    const txn = this.book(owner, { amount: dispute.amount, currency: dispute.currency, fee: -DISPUTE_FEE, feeDescription: 'Dispute fee refund', type: 'adjustment', category: 'dispute_reversal', source: dispute.id, description: `Chargeback reversal for ${charge.id}` });
    dispute.balance_transactions.push(structuredClone(txn));
    return [this.emit(owner, 'charge.dispute.funds_reinstated', dispute), this.emit(owner, 'charge.dispute.closed', dispute)];
  }

  /** The creator finishes Connect onboarding: the account can receive transfers and be paid out. */
  completeOnboarding(accountId: string): SignedEvent[] {
    const account = this.entry('account', accountId).value;
    if (account.details_submitted) throw new Error(`Account ${accountId} is already onboarded`);
    const previous = toJson({ capabilities: account.capabilities, charges_enabled: false, details_submitted: false, payouts_enabled: false, requirements: account.requirements });
    account.details_submitted = true;
    account.charges_enabled = true;
    account.payouts_enabled = true;
    account.capabilities = Object.fromEntries(Object.keys(account.capabilities).map((name) => [name, 'active' as const]));
    account.requirements = { current_deadline: null, currently_due: [], disabled_reason: null, eventually_due: [], past_due: [], pending_verification: [] };
    return [this.emit(account.id, 'account.updated', account, { previousAttributes: previous })];
  }

  /** The bank settles a connected account's payout. */
  settlePayout(accountId: string, payoutId: string, outcome: 'paid' | 'failed' | 'canceled'): SignedEvent[] {
    const found = this.find('payout', payoutId, accountId);
    if (!found) throw new Error(`No payout ${payoutId} on ${accountId}`);
    if (found.status !== 'pending') throw new Error(`Payout ${payoutId} is already ${found.status}`);
    found.status = outcome;
    switch (outcome) {
      case 'paid':
        return [this.emit(accountId, 'payout.paid', found)];
      case 'failed': {
        found.failure_code = 'account_closed';
        found.failure_message = 'The bank account has been closed.';
        const txn = this.book(accountId, { amount: found.amount, currency: found.currency, type: 'payout_failure', category: 'payout_reversal', source: found.id, description: 'Payout failure' });
        found.failure_balance_transaction = txn.id;
        return [this.emit(accountId, 'payout.failed', found)];
      }
      case 'canceled':
        this.book(accountId, { amount: found.amount, currency: found.currency, type: 'payout_cancel', category: 'payout_reversal', source: found.id, description: 'Payout cancellation' });
        return [this.emit(accountId, 'payout.canceled', found)];
    }
  }

  // ---- state helpers -----------------------------------------------------------------------

  private newId(prefix: string): string {
    for (;;) {
      const id = `${prefix}${randomToken(prefix.startsWith('cs_') ? ID_LENGTH * 2 : ID_LENGTH)}`;
      if (!this.objects.has(id)) return id;
    }
  }

  private store<T extends StoredObject>(owner: Owner, value: T): T {
    this.objects.set(value.id, { owner, value });
    this.created.set(value.object, (this.created.get(value.object) ?? 0) + 1);
    return value;
  }

  private find<K extends Kind>(kind: K, id: string, owner?: Owner): ObjectOf<K> | undefined {
    const entry = this.objects.get(id);
    if (entry?.value.object !== kind || (owner !== undefined && entry.owner !== owner)) return undefined;
    return entry.value as ObjectOf<K>;
  }

  /** For test-side actions: the object or a plain Error. */
  private entry<K extends Kind>(kind: K, id: string): { owner: Owner; value: ObjectOf<K> } {
    const entry = this.objects.get(id);
    if (entry?.value.object !== kind) throw new Error(`No ${kind} ${id}`);
    return { owner: entry.owner, value: entry.value as ObjectOf<K> };
  }

  private all<K extends Kind>(kind: K, owner: Owner): ObjectOf<K>[] {
    const out: ObjectOf<K>[] = [];
    for (const entry of this.objects.values()) {
      if (entry.owner === owner && entry.value.object === kind) out.push(entry.value as ObjectOf<K>);
    }
    // Newest first (as Stripe lists), later-created first within a second.
    return out.reverse().sort((a, b) => b.created - a.created);
  }

  private credit(owner: Owner, currency: string, amount: number): void {
    let byCurrency = this.balances.get(owner);
    if (!byCurrency) {
      byCurrency = new Map();
      this.balances.set(owner, byCurrency);
    }
    byCurrency.set(currency, (byCurrency.get(currency) ?? 0) + amount);
  }

  private available(owner: Owner, currency: string): number {
    return this.balances.get(owner)?.get(currency) ?? 0;
  }

  /** Records a balance transaction and moves the owner's balance by its net. */
  private book(
    owner: Owner,
    entry: { amount: number; currency: string; fee?: number; feeDescription?: string; type: string; category: string; source: string; description: string | null },
  ): BalanceTransaction {
    const fee = entry.fee ?? 0;
    const now = this.nowS();
    const txn: BalanceTransaction = {
      id: this.newId('txn_'),
      object: 'balance_transaction',
      amount: entry.amount,
      available_on: now,
      created: now,
      currency: entry.currency,
      description: entry.description,
      fee,
      fee_details: fee === 0 ? [] : [{ amount: fee, application: null, currency: entry.currency, description: entry.feeDescription ?? 'Stripe processing fees', type: 'stripe_fee' }],
      net: entry.amount - fee,
      reporting_category: entry.category,
      source: entry.source,
      status: 'available',
      type: entry.type,
    };
    this.store(owner, txn);
    this.credit(owner, entry.currency, txn.net);
    return txn;
  }

  private chargeIntent(owner: Owner, intent: PaymentIntent): Charge {
    const charge: Charge = {
      id: this.newId('ch_'),
      object: 'charge',
      amount: intent.amount,
      amount_captured: intent.amount,
      amount_refunded: 0,
      balance_transaction: null,
      captured: true,
      created: this.nowS(),
      currency: intent.currency,
      description: intent.description,
      disputed: false,
      livemode: false,
      metadata: { ...intent.metadata },
      paid: true,
      payment_intent: intent.id,
      refunded: false,
      source_transfer: null,
      status: 'succeeded',
    };
    this.store(owner, charge);
    const fee = Math.round(intent.amount * CARD_FEE_RATE) + CARD_FEE_FIXED;
    charge.balance_transaction = this.book(owner, { amount: intent.amount, currency: intent.currency, fee, type: 'charge', category: 'charge', source: charge.id, description: intent.description }).id;
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.latest_charge = charge.id;
    return charge;
  }

  private pendingAsync(sessionId: string): { owner: Owner; session: CheckoutSession; intent: PaymentIntent } {
    const { owner, value: session } = this.entry('checkout.session', sessionId);
    const intent = session.payment_intent === null ? undefined : this.find('payment_intent', session.payment_intent);
    if (session.status !== 'complete' || intent?.status !== 'processing') throw new Error(`Checkout session ${sessionId} has no pending async payment`);
    return { owner, session, intent };
  }

  private chargeOfSession(sessionId: string): { owner: Owner; charge: Charge } {
    const { owner, value: session } = this.entry('checkout.session', sessionId);
    const intent = session.payment_intent === null ? undefined : this.find('payment_intent', session.payment_intent);
    const charge = intent?.latest_charge == null ? undefined : this.find('charge', intent.latest_charge);
    if (!charge) throw new Error(`Checkout session ${sessionId} has no charge`);
    return { owner, charge };
  }

  private createRefund(owner: Owner, charge: Charge, amountMinor: number | undefined, metadata: Metadata, reason: string | null, request: RequestContext | null): { refund: Refund; events: SignedEvent[] } {
    const left = charge.amount - charge.amount_refunded;
    if (charge.disputed) throw invalid(`Charge ${charge.id} has been charged back; cannot issue a refund.`, { code: 'charge_disputed', saved: true });
    if (left === 0) throw invalid(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded', saved: true });
    const amount = amountMinor ?? left;
    if (amount < 1) throw invalid('This value must be greater than or equal to 1.', { code: 'parameter_invalid_integer', param: 'amount' });
    if (amount > left) throw invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`, { code: 'amount_too_large', param: 'amount', saved: true });
    const refund: Refund = {
      id: this.newId('re_'),
      object: 'refund',
      amount,
      balance_transaction: null,
      charge: charge.id,
      created: this.nowS(),
      currency: charge.currency,
      metadata,
      payment_intent: charge.payment_intent,
      reason,
      status: 'succeeded',
    };
    this.store(owner, refund);
    refund.balance_transaction = this.book(owner, { amount: -amount, currency: charge.currency, type: 'refund', category: 'refund', source: refund.id, description: 'REFUND FOR CHARGE' }).id;
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    return { refund, events: [this.emit(owner, 'charge.refunded', charge, { request }), this.emit(owner, 'refund.created', refund, { request })] };
  }

  // ---- events ------------------------------------------------------------------------------

  private secretFor(event: FakeEvent): string {
    return event.account !== undefined ? (this.options.connectWebhookSecret ?? this.options.webhookSecret) : this.options.webhookSecret;
  }

  private emit(owner: Owner, type: string, object: StoredObject, extra: { request?: RequestContext | null; previousAttributes?: JsonObject } = {}): SignedEvent {
    const data: { object: JsonObject; previous_attributes?: JsonObject } = { object: this.present(object) };
    if (extra.previousAttributes) data.previous_attributes = extra.previousAttributes;
    const event: FakeEvent = {
      id: this.newId('evt_'),
      object: 'event',
      ...(owner === PLATFORM ? {} : { account: owner }),
      api_version: FAKE_STRIPE_API_VERSION,
      created: this.nowS(),
      data,
      livemode: false,
      pending_webhooks: 1,
      request: { id: extra.request?.requestId ?? null, idempotency_key: extra.request?.idempotencyKey ?? null },
      type,
    };
    const body = JSON.stringify(event, null, 2);
    this.eventLog.push({ event, body, owner });
    this.created.set('event', (this.created.get('event') ?? 0) + 1);
    const signed: SignedEvent = { event, body, signature: this.sign(body, { secret: this.secretFor(event) }) };
    this.options.onEvent?.(signed);
    return signed;
  }

  // ---- presentation ------------------------------------------------------------------------

  /** A deep copy of an object as the API shows it (transfers carry their reversals list). */
  private present(object: StoredObject): JsonObject {
    const copy: JsonObject = structuredClone(object);
    if (object.object === 'transfer') {
      const reversals = this.all('transfer_reversal', this.objects.get(object.id)?.owner ?? PLATFORM).filter((r) => r.transfer === object.id);
      copy['reversals'] = {
        object: 'list',
        data: reversals.slice(0, LIST_LIMIT_DEFAULT).map((r) => structuredClone(r)),
        has_more: reversals.length > LIST_LIMIT_DEFAULT,
        total_count: reversals.length,
        url: `/v1/transfers/${object.id}/reversals`,
      };
    }
    return copy;
  }

  private expand(value: JsonObject, paths: readonly string[]): JsonObject {
    let out: JsonObject = value;
    for (const path of paths) out = this.expandPath(out, path.split('.'), path) as JsonObject;
    return out;
  }

  private expandPath(value: Json, segments: readonly string[], path: string): Json {
    const [head, ...rest] = segments;
    if (head === undefined || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => this.expandPath(item, segments, path));
    const field = value[head];
    const objectType = typeof value['object'] === 'string' ? value['object'] : '';
    if (typeof field === 'string') {
      if (!(EXPANDABLE[objectType] ?? []).includes(head)) throw invalid(`This property cannot be expanded (${head}).`, { param: 'expand' });
      const target = this.objects.get(field);
      if (!target) return value;
      return { ...value, [head]: this.expandPath(this.present(target.value), rest, path) };
    }
    if (field === undefined) throw invalid(`This property cannot be expanded (${head}).`, { param: 'expand' });
    if (field === null) return value;
    return { ...value, [head]: this.expandPath(field, rest, path) };
  }

  /** Stripe's list envelope with limit / starting_after / ending_before and `created` filters. */
  private page(items: readonly (JsonObject & { id: Json; created: Json })[], context: RequestContext, url: string): JsonObject {
    const { params } = context;
    const limit = params.integer('limit') ?? LIST_LIMIT_DEFAULT;
    if (limit < 1 || limit > LIST_LIMIT_MAX) throw invalid(`Invalid limit: must be between 1 and ${LIST_LIMIT_MAX}.`, { code: 'parameter_invalid_integer', param: 'limit' });
    const exact = params.isHash('created') ? undefined : params.integer('created');
    const bounds = exact === undefined ? { gt: params.integer('created.gt'), gte: params.integer('created.gte'), lt: params.integer('created.lt'), lte: params.integer('created.lte') } : { gte: exact, lte: exact };
    const filtered = items.filter((item) => {
      const created = typeof item.created === 'number' ? item.created : 0;
      return (
        (bounds.gt === undefined || created > bounds.gt) &&
        (bounds.gte === undefined || created >= bounds.gte) &&
        (bounds.lt === undefined || created < bounds.lt) &&
        (bounds.lte === undefined || created <= bounds.lte)
      );
    });
    const after = params.string('starting_after');
    const before = params.string('ending_before');
    if (after !== undefined && before !== undefined) throw invalid('You may only specify one of these parameters: starting_after, ending_before.', { code: 'parameters_exclusive', param: 'starting_after' });
    const cursor = after ?? before;
    let data: JsonObject[];
    let hasMore: boolean;
    if (cursor === undefined) {
      data = filtered.slice(0, limit);
      hasMore = filtered.length > limit;
    } else {
      const index = filtered.findIndex((item) => item.id === cursor);
      if (index === -1) throw invalid(`No such object: '${cursor}'`, { code: 'resource_missing', param: after !== undefined ? 'starting_after' : 'ending_before' });
      if (after !== undefined) {
        data = filtered.slice(index + 1, index + 1 + limit);
        hasMore = filtered.length > index + 1 + limit;
      } else {
        data = filtered.slice(Math.max(0, index - limit), index);
        hasMore = index - limit > 0;
      }
    }
    const list: JsonObject = { object: 'list', data, has_more: hasMore, url };
    const expands = params.strings('expand');
    for (const path of expands) {
      if (!path.startsWith('data.')) throw invalid(`This property cannot be expanded (${path.split('.')[0] ?? path}).`, { param: 'expand' });
    }
    return this.expand(list, expands);
  }

  private listOf<K extends Kind>(kind: K, context: RequestContext, url: string, keep: (item: ObjectOf<K>) => boolean = () => true): JsonObject {
    const items = this.all(kind, context.owner)
      .filter(keep)
      .map((item) => this.present(item) as JsonObject & { id: string; created: number });
    return this.page(items, context, url);
  }

  private retrieve<K extends Kind>(kind: K, label: string, id: string, context: RequestContext): JsonObject {
    const found = this.find(kind, id, context.owner);
    if (!found) throw noSuch(label, id);
    return this.expand(this.present(found), context.params.strings('expand'));
  }

  // ---- endpoints ---------------------------------------------------------------------------

  private buildRoutes(): Route[] {
    const id = '([A-Za-z0-9_]+)';
    const route = (method: Route['method'], path: string, allowed: readonly string[], handle: Route['handle']): Route => ({
      method,
      path: new RegExp(`^${path.replace(/:id/g, id).replace(/:sub/g, id)}$`),
      allowed: [...allowed, 'expand.#'],
      handle,
    });
    return [
      route('POST', '/v1/checkout/sessions', [
        'mode', 'success_url', 'cancel_url', 'client_reference_id', 'customer_email', 'locale', 'submit_type', 'expires_at', 'payment_method_types.#', 'metadata.*',
        'line_items.#.quantity', 'line_items.#.price_data.currency', 'line_items.#.price_data.unit_amount', 'line_items.#.price_data.product_data.name', 'line_items.#.price_data.product_data.description',
        'payment_intent_data.metadata.*', 'payment_intent_data.description',
      ], (c) => this.createCheckoutSession(c)),
      route('GET', '/v1/checkout/sessions/:id', [], (c, sessionId) => this.retrieve('checkout.session', 'checkout.session', sessionId, c)),
      route('GET', '/v1/payment_intents/:id', [], (c, intentId) => this.retrieve('payment_intent', 'payment_intent', intentId, c)),
      route('GET', '/v1/charges/:id', [], (c, chargeId) => this.retrieve('charge', 'charge', chargeId, c)),
      route('POST', '/v1/refunds', ['charge', 'payment_intent', 'amount', 'reason', 'metadata.*'], (c) => this.createRefundRequest(c)),
      route('GET', '/v1/refunds/:id', [], (c, refundId) => this.retrieve('refund', 'refund', refundId, c)),
      route('GET', '/v1/disputes/:id', [], (c, disputeId) => this.retrieve('dispute', 'dispute', disputeId, c)),
      route('GET', '/v1/balance', [], (c) => this.balanceOfOwner(c.owner)),
      route('GET', '/v1/balance_transactions', [...LIST_PARAMS, 'type', 'currency', 'source'], (c) => {
        const type = c.params.string('type');
        const currency = c.params.string('currency')?.toLowerCase();
        const source = c.params.string('source');
        return this.listOf('balance_transaction', c, '/v1/balance_transactions', (t) => (type === undefined || t.type === type) && (currency === undefined || t.currency === currency) && (source === undefined || t.source === source));
      }),
      route('GET', '/v1/balance_transactions/:id', [], (c, txnId) => this.retrieve('balance_transaction', 'balance transaction', txnId, c)),
      route('POST', '/v1/accounts', [
        'type', 'email', 'country', 'default_currency', 'business_type', 'capabilities.*.requested', 'metadata.*',
        'controller.fees.payer', 'controller.losses.payments', 'controller.stripe_dashboard.type', 'controller.requirement_collection',
        'business_profile.name', 'business_profile.url', 'business_profile.mcc', 'business_profile.product_description', 'business_profile.support_email',
        'tos_acceptance.service_agreement',
      ], (c) => this.createAccount(c)),
      route('GET', '/v1/accounts/:id', [], (c, accountId) => {
        const account = this.find('account', accountId);
        if (!account || (c.owner !== PLATFORM && c.owner !== accountId)) throw noSuch('account', accountId);
        return this.expand(this.present(account), c.params.strings('expand'));
      }),
      route('POST', '/v1/account_links', ['account', 'refresh_url', 'return_url', 'type', 'collect', 'collection_options.fields', 'collection_options.future_requirements'], (c) => this.createAccountLink(c)),
      route('POST', '/v1/transfers', ['amount', 'currency', 'destination', 'transfer_group', 'description', 'metadata.*'], (c) => this.createTransfer(c)),
      route('GET', '/v1/transfers', [...LIST_PARAMS, 'destination', 'transfer_group'], (c) => {
        const destination = c.params.string('destination');
        const group = c.params.string('transfer_group');
        return this.listOf('transfer', c, '/v1/transfers', (t) => (destination === undefined || t.destination === destination) && (group === undefined || t.transfer_group === group));
      }),
      route('GET', '/v1/transfers/:id', [], (c, transferId) => this.retrieve('transfer', 'transfer', transferId, c)),
      route('POST', '/v1/transfers/:id/reversals', ['amount', 'description', 'metadata.*', 'refund_application_fee'], (c, transferId) => this.createReversal(c, transferId)),
      route('GET', '/v1/transfers/:id/reversals', LIST_PARAMS, (c, transferId) => {
        if (!this.find('transfer', transferId, c.owner)) throw noSuch('transfer', transferId);
        return this.listOf('transfer_reversal', c, `/v1/transfers/${transferId}/reversals`, (r) => r.transfer === transferId);
      }),
      route('POST', '/v1/payouts', ['amount', 'currency', 'description', 'metadata.*', 'method', 'statement_descriptor'], (c) => this.createPayout(c)),
      route('GET', '/v1/payouts', [...LIST_PARAMS, 'status'], (c) => {
        const status = c.params.string('status');
        return this.listOf('payout', c, '/v1/payouts', (p) => status === undefined || p.status === status);
      }),
      route('GET', '/v1/payouts/:id', [], (c, payoutId) => this.retrieve('payout', 'payout', payoutId, c)),
      route('GET', '/v1/events', [...LIST_PARAMS, 'type'], (c) => {
        const type = c.params.string('type');
        const items = this.eventLog
          .filter((e) => e.owner === c.owner && (type === undefined || e.event.type === type))
          .map((e) => JSON.parse(e.body) as JsonObject & { id: string; created: number })
          .reverse();
        return this.page(items, c, '/v1/events');
      }),
      route('GET', '/v1/events/:id', [], (c, eventId) => {
        const found = this.eventLog.find((e) => e.event.id === eventId && e.owner === c.owner);
        if (!found) throw noSuch('event', eventId);
        return JSON.parse(found.body) as JsonObject;
      }),
    ];
  }

  private createCheckoutSession(c: RequestContext): JsonObject {
    const { params } = c;
    const mode = params.requiredString('mode');
    if (mode !== 'payment') throw invalid(`Invalid mode: the fake supports only mode=payment, got ${mode}.`, { param: 'mode' });
    const successUrl = params.requiredString('success_url');
    const items = params.list('line_items');
    if (items.length === 0) throw params.missing('line_items');
    let currency: string | undefined;
    let total = 0;
    for (const item of items) {
      const itemCurrency = item.currency('price_data.currency');
      const unitAmount = item.requiredInteger('price_data.unit_amount');
      item.requiredString('price_data.product_data.name');
      const quantity = item.requiredInteger('quantity');
      if (unitAmount < 0) throw invalid('This value must be greater than or equal to 0.', { code: 'parameter_invalid_integer', param: item.paramName('price_data.unit_amount') });
      if (quantity < 1) throw invalid('This value must be greater than or equal to 1.', { code: 'parameter_invalid_integer', param: item.paramName('quantity') });
      if (currency !== undefined && currency !== itemCurrency) throw invalid('All line items must use the same currency.', { param: 'line_items' });
      currency = itemCurrency;
      total += unitAmount * quantity;
    }
    if (currency === undefined) throw params.missing('line_items');
    const minimum = MINIMUM_CHARGE[currency];
    if (minimum !== undefined && total < minimum) throw invalid(`The Checkout Session's total amount due must add up to at least ${minimum} ${currency} (minor units).`, { code: 'amount_too_small', param: 'line_items' });
    const now = this.nowS();
    const expiresAt = params.integer('expires_at') ?? now + CHECKOUT_TTL_DEFAULT_S;
    if (expiresAt < now + CHECKOUT_TTL_MIN_S || expiresAt > now + CHECKOUT_TTL_MAX_S) {
      throw invalid('The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.', { param: 'expires_at' });
    }
    const metadata = params.metadata();
    const session: CheckoutSession = {
      id: this.newId('cs_test_'),
      object: 'checkout.session',
      amount_subtotal: total,
      amount_total: total,
      cancel_url: params.string('cancel_url') ?? null,
      client_reference_id: params.string('client_reference_id') ?? null,
      created: now,
      currency,
      customer_email: params.string('customer_email') ?? null,
      expires_at: expiresAt,
      livemode: false,
      locale: params.string('locale') ?? null,
      metadata,
      mode: 'payment',
      payment_intent: null,
      payment_status: 'unpaid',
      status: 'open',
      success_url: successUrl,
      url: null,
    };
    session.url = `${this.baseUrl}/pay/${session.id}`;
    this.sessionPaymentIntentData.set(session.id, { metadata: params.metadata('payment_intent_data.metadata'), description: params.string('payment_intent_data.description') ?? null });
    this.store(c.owner, session);
    return this.present(session);
  }

  private createRefundRequest(c: RequestContext): JsonObject {
    const { params } = c;
    const chargeId = params.string('charge');
    const intentId = params.string('payment_intent');
    if (chargeId !== undefined && intentId !== undefined) throw invalid('You may only specify one of these parameters: charge, payment_intent.', { code: 'parameters_exclusive', param: 'charge' });
    let charge: Charge | undefined;
    if (chargeId !== undefined) {
      charge = this.find('charge', chargeId, c.owner);
      if (!charge) throw noSuch('charge', chargeId, 'charge');
    } else if (intentId !== undefined) {
      const intent = this.find('payment_intent', intentId, c.owner);
      if (!intent) throw noSuch('payment_intent', intentId, 'payment_intent');
      charge = intent.latest_charge === null ? undefined : this.find('charge', intent.latest_charge, c.owner);
      if (!charge) throw invalid(`This PaymentIntent (${intentId}) does not have a successful charge to refund.`, { code: 'charge_not_refundable', param: 'payment_intent', saved: true });
    } else {
      throw invalid('One of the following params should be provided for this request: payment_intent or charge.', { code: 'parameter_missing', param: 'charge' });
    }
    const reason = params.string('reason') ?? null;
    if (reason !== null && !['duplicate', 'fraudulent', 'requested_by_customer'].includes(reason)) throw invalid(`Invalid reason: ${reason}`, { param: 'reason' });
    const { refund } = this.createRefund(c.owner, charge, params.amount('amount'), params.metadata(), reason, c);
    return this.present(refund);
  }

  private balanceOfOwner(owner: Owner): JsonObject {
    const byCurrency = this.balances.get(owner);
    const account = owner === PLATFORM ? undefined : this.find('account', owner);
    const entries = byCurrency && byCurrency.size > 0 ? [...byCurrency.entries()] : [[account?.default_currency ?? 'usd', 0] as const];
    return {
      object: 'balance',
      available: entries.map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } })),
      livemode: false,
      pending: [],
    };
  }

  private createAccount(c: RequestContext): JsonObject {
    const { params } = c;
    if (c.owner !== PLATFORM) throw invalid('Connected accounts cannot create accounts: send this request without Stripe-Account.', { code: 'platform_account_required' });
    const dashboard = params.string('controller.stripe_dashboard.type');
    const explicitType = params.string('type');
    if (explicitType !== undefined && params.has('controller')) throw invalid('You cannot specify both type and controller.', { code: 'parameters_exclusive', param: 'type' });
    if (explicitType !== undefined && !['express', 'standard', 'custom'].includes(explicitType)) throw invalid(`Invalid type: ${explicitType}`, { param: 'type' });
    const type = explicitType ?? (dashboard === 'full' ? 'standard' : dashboard === 'none' ? 'custom' : 'express');
    const country = (params.string('country') ?? 'US').toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) throw invalid(`Invalid country: ${country}`, { code: 'country_code_invalid', param: 'country' });
    const email = params.string('email') ?? null;
    if (email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalid(`Invalid email address: ${email}`, { code: 'email_invalid', param: 'email' });
    const capabilities: Record<string, 'active' | 'inactive'> = {};
    for (const name of params.keys('capabilities')) {
      if (params.boolean(`capabilities.${name}.requested`) === true) capabilities[name] = 'inactive';
    }
    const account: Account = {
      id: this.newId('acct_'),
      object: 'account',
      business_type: params.string('business_type') ?? null,
      capabilities,
      charges_enabled: false,
      country,
      created: this.nowS(),
      default_currency: params.string('default_currency')?.toLowerCase() ?? DEFAULT_CURRENCY_BY_COUNTRY[country] ?? 'usd',
      details_submitted: false,
      email,
      metadata: params.metadata(),
      payouts_enabled: false,
      requirements: { current_deadline: null, currently_due: ['external_account'], disabled_reason: 'requirements.past_due', eventually_due: ['external_account'], past_due: ['external_account'], pending_verification: [] },
      type,
    };
    this.store(PLATFORM, account);
    return this.present(account);
  }

  private createAccountLink(c: RequestContext): JsonObject {
    const { params } = c;
    const accountId = params.requiredString('account');
    const type = params.requiredString('type');
    if (type !== 'account_onboarding' && type !== 'account_update') throw invalid(`Invalid type: ${type}`, { param: 'type' });
    const refreshUrl = params.requiredString('refresh_url');
    const returnUrl = params.requiredString('return_url');
    if (!this.find('account', accountId)) throw noSuch('account', accountId, 'account');
    this.onboardingLinks.set(accountId, { returnUrl, refreshUrl });
    const created = this.nowS();
    return { object: 'account_link', created, expires_at: created + ACCOUNT_LINK_TTL_S, url: `${this.baseUrl}/connect/onboard/${accountId}` };
  }

  private createTransfer(c: RequestContext): JsonObject {
    const { params } = c;
    const amount = params.requiredAmount('amount');
    const currency = params.currency('currency');
    const destinationId = params.requiredString('destination');
    const destination = this.find('account', destinationId);
    if (!destination) throw noSuch('destination', destinationId, 'destination');
    if (destination.capabilities['transfers'] !== 'active') {
      throw invalid('Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments', {
        code: 'insufficient_capabilities_for_transfer',
        param: 'destination',
        saved: true,
      });
    }
    if (this.available(c.owner, currency) < amount) {
      throw invalid('You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card.', { code: 'balance_insufficient', saved: true });
    }
    const transfer: Transfer = {
      id: this.newId('tr_'),
      object: 'transfer',
      amount,
      amount_reversed: 0,
      balance_transaction: null,
      created: this.nowS(),
      currency,
      description: params.string('description') ?? null,
      destination: destinationId,
      destination_payment: null,
      livemode: false,
      metadata: params.metadata(),
      reversed: false,
      source_transaction: null,
      source_type: 'card',
      transfer_group: params.string('transfer_group') ?? null,
    };
    this.store(c.owner, transfer);
    transfer.balance_transaction = this.book(c.owner, { amount: -amount, currency, type: 'transfer', category: 'transfer', source: transfer.id, description: transfer.description }).id;
    // The destination receives it as a payment (py_) on its own balance.
    const payment: Charge = {
      id: this.newId('py_'),
      object: 'charge',
      amount,
      amount_captured: amount,
      amount_refunded: 0,
      balance_transaction: null,
      captured: true,
      created: transfer.created,
      currency,
      description: null,
      disputed: false,
      livemode: false,
      metadata: {},
      paid: true,
      payment_intent: null,
      refunded: false,
      source_transfer: transfer.id,
      status: 'succeeded',
    };
    this.store(destinationId, payment);
    payment.balance_transaction = this.book(destinationId, { amount, currency, type: 'payment', category: 'charge', source: payment.id, description: null }).id;
    transfer.destination_payment = payment.id;
    this.emit(c.owner, 'transfer.created', transfer, { request: c });
    return this.present(transfer);
  }

  private createReversal(c: RequestContext, transferId: string): JsonObject {
    const { params } = c;
    const transfer = this.find('transfer', transferId, c.owner);
    if (!transfer) throw noSuch('transfer', transferId);
    const left = transfer.amount - transfer.amount_reversed;
    if (left === 0) throw invalid(`Transfer ${transferId} has already been fully reversed.`, { saved: true });
    const amount = params.amount('amount') ?? left;
    if (amount > left) throw invalid(`Amount (${amount}) is greater than the amount of the transfer that can be reversed (${left}).`, { code: 'amount_too_large', param: 'amount', saved: true });
    if (this.available(transfer.destination, transfer.currency) < amount) {
      throw invalid(`The destination account ${transfer.destination} has insufficient funds to cover the reversal.`, { code: 'balance_insufficient', saved: true });
    }
    const reversal: TransferReversal = {
      id: this.newId('trr_'),
      object: 'transfer_reversal',
      amount,
      balance_transaction: null,
      created: this.nowS(),
      currency: transfer.currency,
      description: params.string('description') ?? null,
      destination_payment_refund: null,
      metadata: params.metadata(),
      source_refund: null,
      transfer: transfer.id,
    };
    this.store(c.owner, reversal);
    reversal.balance_transaction = this.book(c.owner, { amount, currency: transfer.currency, type: 'transfer_refund', category: 'transfer_reversal', source: reversal.id, description: null }).id;
    if (transfer.destination_payment !== null) {
      const payment = this.find('charge', transfer.destination_payment);
      const paymentRefund: Refund = {
        id: this.newId('pyr_'),
        object: 'refund',
        amount,
        balance_transaction: null,
        charge: transfer.destination_payment,
        created: reversal.created,
        currency: transfer.currency,
        metadata: {},
        payment_intent: null,
        reason: null,
        status: 'succeeded',
      };
      this.store(transfer.destination, paymentRefund);
      paymentRefund.balance_transaction = this.book(transfer.destination, { amount: -amount, currency: transfer.currency, type: 'payment_refund', category: 'refund', source: paymentRefund.id, description: null }).id;
      if (payment) {
        payment.amount_refunded += amount;
        payment.refunded = payment.amount_refunded === payment.amount;
      }
      reversal.destination_payment_refund = paymentRefund.id;
    }
    transfer.amount_reversed += amount;
    transfer.reversed = transfer.amount_reversed === transfer.amount;
    return this.present(reversal);
  }

  private createPayout(c: RequestContext): JsonObject {
    const { params } = c;
    const amount = params.requiredAmount('amount');
    const currency = params.currency('currency');
    const method = params.string('method') ?? 'standard';
    if (method !== 'standard' && method !== 'instant') throw invalid(`Invalid method: ${method}`, { param: 'method' });
    if (c.owner !== PLATFORM) {
      const account = this.find('account', c.owner);
      if (account?.payouts_enabled !== true) throw invalid('Payouts are not enabled on this account: it has not finished onboarding.', { code: 'payouts_not_allowed', saved: true });
    }
    if (this.available(c.owner, currency) < amount) {
      throw invalid('You have insufficient funds in your Stripe account for this payout. Use the /v1/balance endpoint to view your Stripe balance.', { code: 'balance_insufficient', saved: true });
    }
    const created = this.nowS();
    const payout: Payout = {
      id: this.newId('po_'),
      object: 'payout',
      amount,
      arrival_date: (Math.floor(created / DAY_S) + PAYOUT_ARRIVAL_DAYS) * DAY_S,
      automatic: false,
      balance_transaction: null,
      created,
      currency,
      description: params.string('description') ?? null,
      destination: null,
      failure_balance_transaction: null,
      failure_code: null,
      failure_message: null,
      livemode: false,
      metadata: params.metadata(),
      method,
      source_type: 'card',
      statement_descriptor: params.string('statement_descriptor') ?? null,
      status: 'pending',
      type: 'bank_account',
    };
    this.store(c.owner, payout);
    payout.balance_transaction = this.book(c.owner, { amount: -amount, currency, type: 'payout', category: 'payout', source: payout.id, description: payout.description ?? 'STRIPE PAYOUT' }).id;
    return this.present(payout);
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
    const text = JSON.stringify(body, null, 2);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private takeFault(method: string, path: string): FaultMode | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && f.method === method && path.startsWith(f.pathPrefix));
    if (!fault) return undefined;
    fault.remaining -= 1;
    return fault.mode;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
    this.requestLog.push({ method, path });
    const fault = this.takeFault(method, path);
    if (fault === 'drop-before') {
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    if (path.startsWith('/pay/') || path.startsWith('/connect/onboard/')) {
      this.hostedPage(method, path, body, res);
      return;
    }
    const requestId = `req_${randomToken(14)}`;
    const headers: Record<string, string> = { 'Request-Id': requestId, 'Stripe-Version': FAKE_STRIPE_API_VERSION };
    if (fault === 'error500') {
      this.send(res, 500, { error: { type: 'api_error', message: 'An unknown error occurred (injected by FakeStripe.failNext).' } }, headers);
      return;
    }
    const answer = this.answer(method, path, method === 'POST' ? body : query, req, requestId, headers);
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    this.send(res, answer.status, answer.body, headers);
  }

  /** Authenticates, parses, applies idempotency and runs the route. Headers are filled in place. */
  private answer(method: string, path: string, formText: string, req: IncomingMessage, requestId: string, headers: Record<string, string>): { status: number; body: unknown } {
    const authorization = req.headers.authorization ?? '';
    // Bearer, or Basic with the key as user name (`curl -u sk_test_…:` as in Stripe's docs).
    const basic = /^Basic (\S+)$/.exec(authorization)?.[1];
    const credential = basic === undefined ? /^Bearer (\S+)$/.exec(authorization)?.[1] : Buffer.from(basic, 'base64').toString('utf8').split(':')[0];
    const key = credential?.startsWith('sk_') === true ? credential : undefined;
    if (key === undefined) {
      const message = authorization === '' ? 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\').' : 'Invalid API Key provided.';
      return { status: 401, body: { error: { type: 'invalid_request_error', message } } };
    }
    const accountHeader = req.headers['stripe-account'];
    const owner = typeof accountHeader === 'string' && accountHeader !== '' ? accountHeader : PLATFORM;
    if (owner !== PLATFORM) {
      headers['Stripe-Account'] = owner;
      if (!this.find('account', owner)) {
        return { status: 403, body: { error: { type: 'invalid_request_error', code: 'account_invalid', message: `The provided key does not have access to account '${owner}' (or that account does not exist). Application access may have been revoked.` } } };
      }
    }
    const idempotencyHeader = req.headers['idempotency-key'];
    const idempotencyKey = method === 'POST' && typeof idempotencyHeader === 'string' && idempotencyHeader !== '' ? idempotencyHeader : null;
    if (idempotencyKey !== null) headers['Idempotency-Key'] = idempotencyKey;

    const route = this.routes.find((r) => r.method === method && r.path.test(path));
    if (!route) {
      const message = `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`;
      return { status: 404, body: { error: { type: 'invalid_request_error', message } } };
    }
    let form: FormHash;
    try {
      form = parseForm(formText);
    } catch (error) {
      if (error instanceof FormError) return { status: 400, body: { error: { type: 'invalid_request_error', message: error.message } } };
      throw error;
    }
    const savedKey = idempotencyKey === null ? null : `${owner}\u0000${idempotencyKey}`;
    const paramsText = canonical(form);
    if (savedKey !== null && idempotencyKey !== null) {
      const saved = this.idempotency.get(savedKey);
      if (saved) {
        if (saved.method !== method || saved.path !== path || saved.params !== paramsText) {
          return {
            status: 400,
            body: {
              error: {
                type: 'idempotency_error',
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
              },
            },
          };
        }
        headers['Idempotent-Replayed'] = 'true';
        headers['Original-Request'] = saved.requestId;
        return { status: saved.status, body: JSON.parse(saved.body) as unknown };
      }
    }
    const match = route.path.exec(path);
    const context: RequestContext = { owner, params: new Params(form), requestId, idempotencyKey };
    let status = 200;
    let result: unknown;
    let save = true;
    try {
      checkAllowed(form, route.allowed);
      result = route.handle(context, match?.[1] ?? '', match?.[2] ?? '');
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status = error.status;
      result = { error: error.body };
      save = error.saved;
    }
    if (savedKey !== null && save) {
      this.idempotency.set(savedKey, { method, path, params: paramsText, status, body: JSON.stringify(result), requestId });
    }
    return { status, body: result };
  }

  /** Minimal hosted pages behind the `url`s the API hands out: a checkout page and an onboarding page. */
  private hostedPage(method: string, path: string, body: string, res: ServerResponse): void {
    const html = (status: number, title: string, content: string): void => {
      const text = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`;
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    const redirect = (location: string): void => {
      res.writeHead(303, { Location: location, 'Content-Length': 0 });
      res.end();
    };
    const checkout = /^\/pay\/([A-Za-z0-9_]+)$/.exec(path)?.[1];
    if (checkout !== undefined) {
      const session = this.find('checkout.session', checkout);
      if (!session) {
        html(404, 'Checkout session not found', '');
        return;
      }
      if (method === 'GET') {
        if (session.status !== 'open') {
          html(410, `Checkout session ${session.status}`, '');
          return;
        }
        const button = (action: string, label: string): string => `<button name="action" value="${action}">${escapeHtml(label)}</button>`;
        html(200, 'Fake Stripe Checkout', `<p>${session.amount_total} ${escapeHtml(session.currency)} (minor units)</p><form method="post">${button('pay', 'Pay by card')}${button('pay_async', 'Pay by bank (delayed)')}${button('cancel', 'Cancel')}</form>`);
        return;
      }
      const action = new Params(parseForm(body)).string('action');
      if (action === 'cancel') {
        redirect(session.cancel_url ?? this.baseUrl);
        return;
      }
      if (session.status === 'open') this.completeCheckout(session.id, { async: action === 'pay_async' });
      redirect((session.success_url ?? this.baseUrl).replace('{CHECKOUT_SESSION_ID}', session.id));
      return;
    }
    const accountId = /^\/connect\/onboard\/([A-Za-z0-9_]+)$/.exec(path)?.[1];
    const account = accountId === undefined ? undefined : this.find('account', accountId);
    const link = accountId === undefined ? undefined : this.onboardingLinks.get(accountId);
    if (!account || !link) {
      html(404, 'Onboarding link not found', '');
      return;
    }
    if (method === 'GET') {
      html(200, 'Fake Stripe Connect onboarding', `<form method="post"><button>Complete onboarding</button></form>`);
      return;
    }
    if (!account.details_submitted) this.completeOnboarding(account.id);
    redirect(link.returnUrl);
  }
}
