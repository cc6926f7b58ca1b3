// The ledger's rules: assets, accounts, transfers and the pure batch planner that decides, for a
// batch of submitted transfer groups, which apply, which are duplicates and which are refused.
// Storage adapters load the rows a batch touches, run the planner, and persist what it returns;
// every rule about money lives here, once, for every database.
import { hash } from 'node:crypto';

/** COIN and DIAMOND are the platform's two virtual assets; every fiat currency has its own ledger. */
export type Asset = 'COIN' | 'DIAMOND' | `FIAT:${string}`;

const ASSET_PATTERN = /^(COIN|DIAMOND|FIAT:[A-Z]{3})$/;

export function isAsset(value: string): value is Asset {
  return ASSET_PATTERN.test(value);
}

export function fiatAsset(currency: string): Asset {
  const asset = `FIAT:${currency.toUpperCase()}`;
  if (!isAsset(asset)) throw new RangeError(`not an ISO currency code: ${currency}`);
  return asset;
}

/** What a transfer is for. Stored on every transfer, read by reports and reconciliation. */
export const TRANSFER_CODES = [
  'PURCHASE',
  'GIFT',
  'MATURE',
  'PAYOUT',
  'REFUND',
  'CHARGEBACK',
  'REVERSAL',
  'LOSS',
  'ADJUSTMENT',
] as const;
export type TransferCode = (typeof TRANSFER_CODES)[number];

/**
 * `single` moves posted money at once. `pending` reserves it (two-phase, for payouts); exactly one
 * later `post` or `void` naming it by `pendingId` resolves the reservation.
 */
export const TRANSFER_KINDS = ['single', 'pending', 'post', 'void'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

export type MetadataValue = string | number | boolean | null;
export type Metadata = Readonly<Record<string, MetadataValue>>;

/** Longest client id we keep; UUIDs are 36 characters, derived leg ids add a short suffix. */
export const TRANSFER_ID_MAX = 100;
/** A linked group is one business operation; nothing we do needs more legs than this. */
export const GROUP_LEGS_MAX = 8;
/** Largest amount of one transfer: keeps every running sum far inside a signed 64-bit column. */
export const AMOUNT_MAX = 1n << 52n;
export const METADATA_BYTES_MAX = 2048;

export interface AccountSpec {
  readonly id: string;
  readonly asset: Asset;
  /** The user who owns the account, or null for a system account. */
  readonly ownerId: string | null;
  readonly purpose: string;
  /** When set, debits (posted + pending) may never exceed credits: a wallet never goes below zero. */
  readonly nonNegative: boolean;
}

export interface AccountBalances {
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

export interface AccountState extends AccountSpec, AccountBalances {
  /**
   * Seq of the newest transfer that debits or credits this account (null before the first). With
   * each transfer's `debitPrevSeq`/`creditPrevSeq` it chains an account's statement newest-first,
   * so storage needs no per-account index on transfers.
   */
  lastSeq: bigint | null;
}

/** Posted credits minus posted and reserved debits: what can still be spent. */
export function availableOf(b: AccountBalances): bigint {
  return b.creditsPosted - b.debitsPosted - b.debitsPending;
}

export function zeroBalances(): AccountBalances {
  return { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n };
}

/** What a client asks for. For `post`/`void`, accounts and amount come from the pending transfer. */
export type TransferRequest = MovementRequest | ResolutionRequest;

export type MovementRequest = {
      readonly id: string;
      readonly code: TransferCode;
      readonly kind: 'single' | 'pending';
      readonly debitAccountId: string;
      readonly creditAccountId: string;
      readonly amount: bigint;
      readonly metadata?: Metadata;
      /** What the transfer belongs to (e.g. `live:<id>`, `purchase:<id>`), indexed for reports. */
      readonly ref?: string;
      /**
       * Limits this leg counts against, checked inside the ledger transaction: after it, the total
       * counted under each key must not exceed its limit (e.g. a viewer's daily spend). Policy, not
       * content: caps are not part of the fingerprint, so a replay on another day still matches.
       */
      readonly caps?: readonly SpendCap[];
    };

export interface SpendCap {
  readonly key: string;
  readonly limit: bigint;
}

/** Longest cap key and reference we keep. */
export const CAP_KEY_MAX = 200;
export const REF_MAX = 200;

export type ResolutionRequest = {
      readonly id: string;
      readonly code: TransferCode;
      readonly kind: 'post' | 'void';
      readonly pendingId: string;
      readonly metadata?: Metadata;
      readonly ref?: string;
    };

/** A transfer as it was committed; immutable once written. */
export function isResolution(r: TransferRequest): r is ResolutionRequest {
  return r.kind === 'post' || r.kind === 'void';
}

export interface CommittedTransfer {
  readonly seq: bigint;
  readonly id: string;
  readonly code: TransferCode;
  readonly kind: TransferKind;
  readonly pendingId: string | null;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly asset: Asset;
  readonly amount: bigint;
  /** Canonical JSON (sorted keys) of the request's metadata. */
  readonly metadata: string;
  readonly ref: string | null;
  readonly createdAtMs: bigint;
  /** Available balance of each account right after this transfer. */
  readonly debitAvailableAfter: bigint;
  readonly creditAvailableAfter: bigint;
  /**
   * The previous transfer of the debit (credit) account, null for its first: each account's
   * statement is a chain through these, from the account's `lastSeq`. Derived from seq order, so
   * not part of the hash chain; reconcile() verifies every link.
   */
  readonly debitPrevSeq: bigint | null;
  readonly creditPrevSeq: bigint | null;
  /** Hash of the request's content: a resubmission with another fingerprint is a conflict. */
  readonly fingerprint: string;
  readonly prevHash: string;
  readonly hash: string;
}

export type LedgerRejection =
  | { readonly code: 'insufficient_funds'; readonly accountId: string; readonly available: bigint; readonly required: bigint }
  | { readonly code: 'id_conflict'; readonly transferId: string }
  | { readonly code: 'account_not_found'; readonly accountId: string }
  | { readonly code: 'asset_mismatch'; readonly transferId: string }
  | { readonly code: 'invalid_transfer'; readonly transferId: string; readonly reason: string }
  | { readonly code: 'pending_not_found'; readonly pendingId: string }
  | { readonly code: 'pending_already_resolved'; readonly pendingId: string; readonly resolvedBy: string }
  | { readonly code: 'cap_exceeded'; readonly key: string; readonly used: bigint; readonly limit: bigint; readonly required: bigint };

/**
 * The answer to one submitted group. `duplicate` means every leg was already committed with the same
 * content: the original transfers are returned and nothing moved again.
 */
export type GroupOutcome =
  | { readonly status: 'applied' | 'duplicate'; readonly transfers: readonly CommittedTransfer[] }
  | { readonly status: 'rejected'; readonly rejection: LedgerRejection };

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainHead {
  readonly seq: bigint;
  readonly hash: string;
}

function canonicalMetadata(metadata: Metadata | undefined): string {
  if (metadata === undefined) return '{}';
  const keys = Object.keys(metadata).sort();
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, metadata[k]])));
}

function sha256Hex(text: string): string {
  // One-shot hash: the same digest as createHash().update().digest() without a Hash object per
  // call. The planner hashes four times per gift (two fingerprints, two chain links).
  return hash('sha256', text, 'hex');
}

/** The fingerprint of a request: equal for identical content, whatever the key order of metadata. */
export function fingerprintOf(request: TransferRequest, metadata: string = canonicalMetadata(request.metadata)): string {
  const u = '\u001f';
  // One template, no intermediate arrays: the planner fingerprints every leg it applies.
  const movement = isResolution(request)
    ? `${request.pendingId}${u}${u}${u}`
    : `${u}${request.debitAccountId}${u}${request.creditAccountId}${u}${request.amount}`;
  return sha256Hex(`${request.id}${u}${request.code}${u}${request.kind}${u}${movement}${u}${metadata}${u}${request.ref ?? ''}`);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What the chain hashes: every field of a transfer except its own hash and the statement links. */
export type ChainedFields = Omit<CommittedTransfer, 'hash' | 'debitPrevSeq' | 'creditPrevSeq'>;

/** The text hashed into the chain: every chained field of the transfer, in a fixed order. */
export function chainTextOf(t: ChainedFields): string {
  const u = '\u001f';
  return (
    `${t.prevHash}${u}${t.seq}${u}${t.id}${u}${t.code}${u}${t.kind}${u}${t.pendingId ?? ''}${u}${t.debitAccountId}${u}` +
    `${t.creditAccountId}${u}${t.asset}${u}${t.amount}${u}${t.metadata}${u}${t.ref ?? ''}${u}${t.createdAtMs}${u}` +
    `${t.debitAvailableAfter}${u}${t.creditAvailableAfter}${u}${t.fingerprint}`
  );
}

export function chainHashOf(t: ChainedFields): string {
  return sha256Hex(chainTextOf(t));
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Text that every database stores and compares exactly as sent. */
function isPlainKey(text: string): boolean {
  return !CONTROL_CHARACTER.test(text) && text.isWellFormed();
}

/** Checks a request's shape; storage never sees a request that fails here. */
export function validateRequest(request: TransferRequest): LedgerRejection | null {
  const invalid = (reason: string): LedgerRejection => ({ code: 'invalid_transfer', transferId: request.id, reason });
  if (request.id.length === 0 || request.id.length > TRANSFER_ID_MAX) return invalid('id must be 1-100 characters');
  // Keys are stored and looked up as text: a control character or a lone surrogate could not be
  // stored as sent (PostgreSQL refuses NUL outright) and would fail the whole batch, not only this group.
  if (!isPlainKey(request.id)) return invalid('ids must be well-formed text without control characters');
  if (!TRANSFER_CODES.includes(request.code)) return invalid('unknown code');
  // Checked at run time like the code: a kind the planner has no case for would reach the table's
  // CHECK and fail the whole batch, every other caller's group with it.
  if (!TRANSFER_KINDS.includes(request.kind)) return invalid('unknown kind');
  // Bytes of UTF-8, not UTF-16 characters: the limit bounds what is stored.
  if (Buffer.byteLength(canonicalMetadata(request.metadata), 'utf8') > METADATA_BYTES_MAX) return invalid('metadata too large');
  if (request.ref !== undefined && (request.ref.length === 0 || request.ref.length > REF_MAX)) return invalid('ref must be 1-200 characters');
  if (request.ref !== undefined && !isPlainKey(request.ref)) return invalid('refs must be well-formed text without control characters');
  if (isResolution(request)) {
    if (request.pendingId.length === 0 || request.pendingId.length > TRANSFER_ID_MAX) return invalid('pendingId must be 1-100 characters');
    if (!isPlainKey(request.pendingId)) return invalid('pendingId must be well-formed text without control characters');
    return null;
  }
  if (!isPlainKey(request.debitAccountId) || !isPlainKey(request.creditAccountId)) {
    return invalid('account ids must be well-formed text without control characters');
  }
  for (const cap of request.caps ?? []) {
    if (cap.key.length === 0 || cap.key.length > CAP_KEY_MAX) return invalid('cap keys must be 1-200 characters');
    if (!isPlainKey(cap.key)) return invalid('cap keys must be well-formed text without control characters');
    if (cap.limit < 0n) return invalid('cap limits must not be negative');
  }
  if (request.amount <= 0n || request.amount > AMOUNT_MAX) return invalid('amount must be positive and at most 2^52');
  if (request.debitAccountId === request.creditAccountId) return invalid('debit and credit accounts must differ');
  return null;
}

/** The rows a batch needs, loaded (and locked, where the database can) by the storage adapter. */
export interface BatchSnapshot {
  readonly head: ChainHead;
  readonly accounts: ReadonlyMap<string, AccountState>;
  /** Committed transfers whose ids appear in the batch (as ids or as pendingIds). */
  readonly transfers: ReadonlyMap<string, CommittedTransfer>;
  /** For each pending transfer id in `transfers`: the id of the post/void that resolved it. */
  readonly resolutions: ReadonlyMap<string, string>;
  /** Amount already counted under each cap key the batch names (absent: nothing yet). */
  readonly caps?: ReadonlyMap<string, bigint>;
}

/** Everything a batch changes, for the adapter to write in one transaction. */
export interface BatchPlan {
  readonly outcomes: GroupOutcome[];
  readonly newTransfers: CommittedTransfer[];
  /** Final state of every account the batch changed; each written once. */
  readonly changedAccounts: AccountState[];
  /** Final amount counted under every cap key the batch changed. */
  readonly changedCaps: ReadonlyMap<string, bigint>;
  readonly head: ChainHead;
}

/** Every id a batch must load: transfer ids (for replays), pending ids, and account ids, of well-formed groups. */
export function batchKeys(groups: readonly (readonly TransferRequest[])[]): { transferIds: string[]; accountIds: string[]; capKeys: string[] } {
  const transferIds = new Set<string>();
  const accountIds = new Set<string>();
  const capKeys = new Set<string>();
  for (const group of groups) {
    // A group the planner will refuse as malformed needs nothing loaded, and its keys may be text a
    // database cannot even look up (PostgreSQL fails the whole statement on a NUL).
    if (group.some((r) => validateRequest(r) !== null)) continue;
    for (const r of group) {
      transferIds.add(r.id);
      if (isResolution(r)) transferIds.add(r.pendingId);
      else {
        accountIds.add(r.debitAccountId);
        accountIds.add(r.creditAccountId);
        for (const cap of r.caps ?? []) capKeys.add(cap.key);
      }
    }
  }
  return { transferIds: [...transferIds], accountIds: [...accountIds], capKeys: [...capKeys].sort() };
}

/** Accounts a batch must load: those named by requests plus those of the pending transfers it resolves. */
export function batchAccountIds(requestAccountIds: readonly string[], loaded: Iterable<CommittedTransfer>): string[] {
  const ids = new Set(requestAccountIds);
  for (const t of loaded) {
    if (t.kind === 'pending') {
      ids.add(t.debitAccountId);
      ids.add(t.creditAccountId);
    }
  }
  // Sorted: PostgreSQL locks rows in this order, so two writers can never deadlock on accounts.
  return [...ids].sort();
}

/** A copy to stage changes on; a literal, as a spread of the state costs several times more. */
function copyAccount(a: AccountState): AccountState {
  return {
    id: a.id,
    asset: a.asset,
    ownerId: a.ownerId,
    purpose: a.purpose,
    nonNegative: a.nonNegative,
    debitsPosted: a.debitsPosted,
    creditsPosted: a.creditsPosted,
    debitsPending: a.debitsPending,
    creditsPending: a.creditsPending,
    lastSeq: a.lastSeq,
  };
}

/** The signed change of each counter between two states of an account. */
export function balanceDelta(before: AccountBalances, after: AccountBalances): AccountBalances {
  return {
    debitsPosted: after.debitsPosted - before.debitsPosted,
    creditsPosted: after.creditsPosted - before.creditsPosted,
    debitsPending: after.debitsPending - before.debitsPending,
    creditsPending: after.creditsPending - before.creditsPending,
  };
}

/**
 * Applies groups in order against a snapshot. A group either applies all its legs or changes
 * nothing (its legs are staged on copies and kept only when every leg succeeded), so one overdraft
 * fails alone and the rest of the batch commits.
 */
export function planBatch(
  snapshot: BatchSnapshot,
  groups: readonly (readonly TransferRequest[])[],
  createdAtMs: bigint,
): BatchPlan {
  // Snapshot objects are never mutated: a group stages copies and keeps them only if it applies.
  const accounts = new Map(snapshot.accounts);
  const transfers = new Map(snapshot.transfers);
  const resolutions = new Map(snapshot.resolutions);
  const caps = new Map(snapshot.caps ?? []);
  const changedCaps = new Map<string, bigint>();
  const changed = new Set<string>();
  const newTransfers: CommittedTransfer[] = [];
  const outcomes: GroupOutcome[] = [];
  let head = snapshot.head;

  for (const group of groups) {
    const outcome = planGroup(group);
    outcomes.push(outcome);
  }

  return { outcomes, newTransfers, changedAccounts: [...changed].map((id) => accounts.get(id) as AccountState), changedCaps, head };

  function planGroup(group: readonly TransferRequest[]): GroupOutcome {
    if (group.length === 0 || group.length > GROUP_LEGS_MAX) {
      return { status: 'rejected', rejection: { code: 'invalid_transfer', transferId: group[0]?.id ?? '', reason: `a group has 1-${GROUP_LEGS_MAX} legs` } };
    }
    for (let i = 0; i < group.length; i++) {
      const r = group[i] as TransferRequest;
      const invalid = validateRequest(r);
      if (invalid) return { status: 'rejected', rejection: invalid };
      // At most GROUP_LEGS_MAX legs: comparing pairs is cheaper than building a set.
      for (let j = 0; j < i; j++) {
        if ((group[j] as TransferRequest).id === r.id) return { status: 'rejected', rejection: { code: 'invalid_transfer', transferId: r.id, reason: 'ids in a group must differ' } };
      }
    }

    // Replays: all legs committed with the same content → duplicate; any mismatch → conflict.
    if (group.some((r) => transfers.has(r.id))) {
      const existing: CommittedTransfer[] = [];
      for (const r of group) {
        const t = transfers.get(r.id);
        if (t === undefined || t.fingerprint !== fingerprintOf(r)) {
          return { status: 'rejected', rejection: { code: 'id_conflict', transferId: r.id } };
        }
        existing.push(t);
      }
      return { status: 'duplicate', transfers: existing };
    }

    // Stage on copies so a failing leg leaves no trace.
    const staged = new Map<string, AccountState>();
    const stagedResolutions = new Map<string, string>();
    const stagedCaps = new Map<string, bigint>();
    const stagedTransfers: CommittedTransfer[] = [];
    let stagedHead = head;
    const account = (id: string): AccountState | undefined => {
      const s = staged.get(id);
      if (s) return s;
      const a = accounts.get(id);
      if (!a) return undefined;
      const copy = copyAccount(a);
      staged.set(id, copy);
      return copy;
    };

    for (const r of group) {
      let debitId: string;
      let creditId: string;
      let amount: bigint;
      let pendingId: string | null = null;
      if (isResolution(r)) {
        const pending = transfers.get(r.pendingId) ?? stagedTransfers.find((t) => t.id === r.pendingId);
        if (!pending || pending.kind !== 'pending') return reject({ code: 'pending_not_found', pendingId: r.pendingId });
        const resolvedBy = resolutions.get(r.pendingId) ?? stagedResolutions.get(r.pendingId);
        if (resolvedBy !== undefined) return reject({ code: 'pending_already_resolved', pendingId: r.pendingId, resolvedBy });
        debitId = pending.debitAccountId;
        creditId = pending.creditAccountId;
        amount = pending.amount;
        pendingId = pending.id;
      } else {
        debitId = r.debitAccountId;
        creditId = r.creditAccountId;
        amount = r.amount;
      }
      const debit = account(debitId);
      if (!debit) return reject({ code: 'account_not_found', accountId: debitId });
      const credit = account(creditId);
      if (!credit) return reject({ code: 'account_not_found', accountId: creditId });
      if (debit.asset !== credit.asset) return reject({ code: 'asset_mismatch', transferId: r.id });

      switch (r.kind) {
        case 'single':
        case 'pending': {
          const available = availableOf(debit);
          if (debit.nonNegative && available < amount) {
            return reject({ code: 'insufficient_funds', accountId: debit.id, available, required: amount });
          }
          for (const cap of r.caps ?? []) {
            const used = stagedCaps.get(cap.key) ?? caps.get(cap.key) ?? 0n;
            if (used + amount > cap.limit) return reject({ code: 'cap_exceeded', key: cap.key, used, limit: cap.limit, required: amount });
            stagedCaps.set(cap.key, used + amount);
          }
          if (r.kind === 'single') {
            debit.debitsPosted += amount;
            credit.creditsPosted += amount;
          } else {
            debit.debitsPending += amount;
            credit.creditsPending += amount;
          }
          break;
        }
        case 'post':
          debit.debitsPending -= amount;
          credit.creditsPending -= amount;
          debit.debitsPosted += amount;
          credit.creditsPosted += amount;
          stagedResolutions.set(pendingId as string, r.id);
          break;
        case 'void':
          debit.debitsPending -= amount;
          credit.creditsPending -= amount;
          stagedResolutions.set(pendingId as string, r.id);
          break;
      }

      const seq = stagedHead.seq + 1n;
      const metadata = canonicalMetadata(r.metadata);
      const debitPrevSeq = debit.lastSeq;
      const creditPrevSeq = credit.lastSeq;
      debit.lastSeq = seq;
      credit.lastSeq = seq;
      // One object literal with every field, its hash filled in last: spreading a body into a new
      // object was the planner's single largest cost.
      const committed: Mutable<CommittedTransfer> = {
        seq,
        id: r.id,
        code: r.code,
        kind: r.kind,
        pendingId,
        debitAccountId: debitId,
        creditAccountId: creditId,
        asset: debit.asset,
        amount,
        metadata,
        ref: r.ref ?? null,
        createdAtMs,
        debitAvailableAfter: availableOf(debit),
        creditAvailableAfter: availableOf(credit),
        debitPrevSeq,
        creditPrevSeq,
        fingerprint: fingerprintOf(r, metadata),
        prevHash: stagedHead.hash,
        hash: '',
      };
      committed.hash = chainHashOf(committed);
      stagedTransfers.push(committed);
      stagedHead = { seq, hash: committed.hash };
    }

    // Every leg succeeded: keep the staged state.
    for (const [id, a] of staged) {
      accounts.set(id, a);
      changed.add(id);
    }
    for (const [p, by] of stagedResolutions) resolutions.set(p, by);
    for (const [key, used] of stagedCaps) {
      caps.set(key, used);
      changedCaps.set(key, used);
    }
    for (const t of stagedTransfers) {
      transfers.set(t.id, t);
      newTransfers.push(t);
    }
    head = stagedHead;
    return { status: 'applied', transfers: stagedTransfers };

    function reject(rejection: LedgerRejection): GroupOutcome {
      return { status: 'rejected', rejection };
    }
  }
}
