// Kysely table types for the whole database. Money columns are bigint; the ledger's hot path reads
// and writes them as BigInt through prepared statements (SQLite) or text (PostgreSQL).
import type { Generated } from 'kysely';

export interface AccountsTable {
  id: string;
  asset: string;
  owner_id: string | null;
  purpose: string;
  non_negative: number;
  debits_posted: bigint | number | string;
  credits_posted: bigint | number | string;
  debits_pending: bigint | number | string;
  credits_pending: bigint | number | string;
  created_at_ms: bigint | number | string;
  /** The account's number: what transfers store instead of its id. */
  num: bigint | number | string;
  /** Seq of the account's newest transfer, where its statement chain starts. */
  last_seq: bigint | number | string | null;
}

/** The stored form: accounts by number, hashes as raw bytes. Written only by the ledger stores. */
export interface TransfersTable {
  seq: bigint | number | string;
  id: string;
  code: string;
  kind: string;
  pending_id: string | null;
  debit_account: bigint | number | string;
  credit_account: bigint | number | string;
  asset: string;
  amount: bigint | number | string;
  metadata: string;
  ref: string | null;
  created_at_ms: bigint | number | string;
  debit_available_after: bigint | number | string;
  credit_available_after: bigint | number | string;
  debit_prev_seq: bigint | number | string | null;
  credit_prev_seq: bigint | number | string | null;
  fingerprint: Uint8Array;
  prev_hash: Uint8Array;
  hash: Uint8Array;
}

/** The `ledger_transfers` view: transfers as the domain reads them (account ids, hex hashes). */
export interface LedgerTransfersView extends Omit<TransfersTable, 'debit_account' | 'credit_account' | 'fingerprint' | 'prev_hash' | 'hash'> {
  debit_account_id: string;
  credit_account_id: string;
  fingerprint: string;
  prev_hash: string;
  hash: string;
}

export interface LedgerHeadTable {
  id: number;
  seq: bigint | number | string;
  hash: string;
}

export interface MetaTable {
  key: string;
  value: string;
  updated_at_ms: Generated<bigint | number | string>;
}

type Big = bigint | number | string;

export interface UsersTable {
  id: string;
  email: string;
  handle: string;
  display_name: string;
  password_hash: string;
  birth_date: string;
  role: 'user' | 'moderator' | 'admin';
  gifts_enabled: number;
  live_suspended_until_ms: Big | null;
  live_suspension_reason: string | null;
  banned_at_ms: Big | null;
  ban_reason: string | null;
  created_at_ms: Big;
  gifting_frozen_at_ms: Big | null;
  gifting_frozen_reason: string | null;
  payouts_held_at_ms: Big | null;
  payouts_held_reason: string | null;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at_ms: Big;
  expires_at_ms: Big;
  revoked_at_ms: Big | null;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  scopes: string;
  created_at_ms: Big;
  last_used_at_ms: Big | null;
  revoked_at_ms: Big | null;
}

export interface GiftsTable {
  id: string;
  name: string;
  coins: Big;
  art: string;
  scene: string | null;
  animation: 'sticker' | 'fullscreen';
  comboable: number;
  available_from_ms: Big | null;
  available_until_ms: Big | null;
  retired_at_ms: Big | null;
  sort_order: number;
  created_at_ms: Big;
  updated_at_ms: Big;
}

export interface LivesTable {
  id: string;
  creator_id: string;
  title: string;
  status: 'live' | 'ended';
  started_at_ms: Big;
  ended_at_ms: Big | null;
  ended_by: string | null;
  end_reason: string | null;
  creator_seen_at_ms: Big;
  peak_viewers: number;
  summary: string | null;
  /** 0013: the picture — waiting | live | reconnecting (ended LIVEs read as ended). */
  video_state: Generated<string>;
  video_since_ms: Big | null;
  video_via: string | null;
  video_reconnect_ends_at_ms: Big | null;
}

/** 0013-video: a creator's stream key, and the stream of theirs arriving now, if any. */
export interface StreamKeysTable {
  user_id: string;
  stream_key: string;
  created_at_ms: Big;
  publishing_via: string | null;
  publishing_since_ms: Big | null;
}

export interface LiveViewersTable {
  live_id: string;
  viewer_key: string;
  joined_at_ms: Big;
  last_seen_at_ms: Big;
  connections: number;
}

/** 0007-live-thanks: the creator's thank-you to one gifter of an ended LIVE (one per gifter per LIVE). */
export interface LiveThanksTable {
  live_id: string;
  gifter_id: string;
  text: string;
  /** The suggested phrase it was, or null for the creator's own words. */
  phrase: string | null;
  created_at_ms: Big;
}

export interface PurchasesTable {
  id: string;
  user_id: string;
  client_id: string;
  package_id: string | null;
  coins: Big;
  currency: string;
  amount_minor: Big;
  provider: string;
  provider_ref: string | null;
  status: 'created' | 'pending' | 'paid' | 'declined' | 'refunded' | 'disputed' | 'dispute_lost' | 'dispute_won';
  created_at_ms: Big;
  updated_at_ms: Big;
  paid_at_ms: Big | null;
}

export interface WebhookEventsTable {
  id: string;
  type: string;
  received_at_ms: Big;
}

export interface PayoutAccountsTable {
  id: string;
  user_id: string;
  kind: string;
  label: string;
  provider: string;
  provider_ref: string;
  created_at_ms: Big;
  removed_at_ms: Big | null;
  // 0005-payouts: what a person recognises the account by (never a whole bank number).
  holder_name: string | null;
  last4: string | null;
  email: string | null;
  // 0009-money-back: 'ready', or 'onboarding' until the provider's onboarding is done.
  status: string;
}

export interface PayoutsTable {
  id: string;
  user_id: string;
  client_id: string;
  payout_account_id: string;
  diamonds: Big;
  currency: string;
  amount_minor: Big;
  status: 'requested' | 'processing' | 'paid' | 'failed';
  provider_ref: string | null;
  attempts: number;
  next_attempt_at_ms: Big;
  failure_reason: string | null;
  created_at_ms: Big;
  updated_at_ms: Big;
  // 0005-payouts
  last_error: string | null;
  resolved_at_ms: Big | null;
}

export interface AuditLogTable {
  seq: Generated<Big>;
  at_ms: Big;
  actor_id: string | null;
  action: string;
  subject: string;
  details: string;
}

export interface Database {
  accounts: AccountsTable;
  transfers: TransfersTable;
  ledger_transfers: LedgerTransfersView;
  ledger_head: LedgerHeadTable;
  meta: MetaTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  gifts: GiftsTable;
  lives: LivesTable;
  live_viewers: LiveViewersTable;
  live_thanks: LiveThanksTable;
  purchases: PurchasesTable;
  webhook_events: WebhookEventsTable;
  payout_accounts: PayoutAccountsTable;
  payouts: PayoutsTable;
  audit_log: AuditLogTable;
  strikes: StrikesTable;
  reports: ReportsTable;
  suspensions: SuspensionsTable;
  appeals: AppealsTable;
  stream_keys: StreamKeysTable;
  login_devices: LoginDevicesTable;
}

/** 0012-login-devices: a browser that signed in to an account, named by its device cookie (hashed). */
export interface LoginDevicesTable {
  token_hash: string;
  user_id: string;
  created_at_ms: Big;
  expires_at_ms: Big;
}

export type Dialect = 'sqlite' | 'postgres';

/** 0010-moderation: one strike against a user (the gift-baiting detector, or a moderator's warning). */
export interface StrikesTable {
  id: string;
  /** The idempotency key: the same message struck twice (two nodes, a retry) is one row. */
  key: string;
  user_id: string;
  live_id: string | null;
  source: 'title' | 'chat' | 'thanks' | 'moderator';
  rule: string;
  text: string;
  excerpt: string | null;
  report_id: string | null;
  actor_id: string | null;
  created_at_ms: Big;
}

/** 0010-moderation: a report of a LIVE, a chat message or a user; open until a moderator resolves it. */
export interface ReportsTable {
  id: string;
  reporter_id: string;
  target_kind: 'live' | 'message' | 'user';
  target_key: string;
  subject_user_id: string;
  live_id: string | null;
  message_text: string | null;
  reason: string;
  note: string | null;
  status: 'open' | 'resolved';
  created_at_ms: Big;
  resolution: string | null;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at_ms: Big | null;
  resolved_via: string | null;
  /** 0011: the guideline the moderator found, when it differs from the reporter's reason. */
  resolved_reason: string | null;
}

/** 0011-suspensions-appeals: one suspension of going LIVE (a moderator's, or the gift-baiting ladder's). */
export interface SuspensionsTable {
  id: string;
  /** The idempotency key: a ladder suspension is keyed by the first strike it settles. */
  key: string;
  user_id: string;
  source: 'moderator' | 'ladder';
  guideline: string;
  reason: string;
  started_at_ms: Big;
  until_ms: Big;
  actor_id: string | null;
  report_id: string | null;
  /** Set when lifted before until_ms. */
  ended_at_ms: Big | null;
  /** 1 when lifted because an appeal was granted. */
  overturned: Generated<number>;
}

/** 0011-suspensions-appeals: a creator's appeal of one suspension. */
export interface AppealsTable {
  id: string;
  suspension_id: string;
  user_id: string;
  text: string;
  status: 'open' | 'granted' | 'denied';
  created_at_ms: Big;
  decided_by: string | null;
  decided_at_ms: Big | null;
  decision_note: string | null;
}
