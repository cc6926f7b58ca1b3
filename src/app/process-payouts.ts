// The payout worker: takes requested payouts to the provider and records the outcome, on an interval
// (see src/server.ts), a bounded number per run.
//
//   requested ──claim──▶ processing ──send──▶ paid    (post the reservation + book the money out)
//                             │  ▲      └───▶ failed  (void the reservation: diamonds back)
//                             └──┘ transient failure or timeout: retry with backoff
//
// Never paid twice, because every step can be repeated safely:
// - The provider is idempotent on the payout id, and a `processing` payout is first looked up with
//   getStatus (after a timeout, a crash or a restart) before anything is sent again.
// - Ledger transfers have ids derived from the payout id (`payout:<id>:post`, `:void`, `:fiat`), so
//   booking an outcome twice is a duplicate, and the ledger resolves a pending transfer only once: a
//   payout can never be both paid and returned.
// - The ledger is written before the row, so a crash between the two is finished by the next run.
// - A worker claims a payout by moving its next attempt forward with a compare-and-set, so two
//   nodes never act on one payout at once; a claim that dies with its node expires after CLAIM_MS.
//
// Double entry of a paid payout (one linked group, atomic):
//   DIAMOND  post `payout:<id>` (creator available → system:diamond:payout-clearing): the diamonds
//            reserved at request time are consumed.
//   FIAT:USD `payout:<id>:fiat`, system:fiat:USD:payout-clearing → system:fiat:USD:provider-clearing,
//            the amount paid: the money leaves the balance the provider holds for us (where coin
//            purchases put it, as debits of provider-clearing), and payout-clearing's debit balance
//            totals what creators have been paid — the fiat side of the diamonds in payout-clearing.
// A failed payout books no money: the void returns the diamonds to the creator's available balance.
import { fiatAccounts, SystemAccounts, userAccounts } from '../domain/accounts.js';
import { DIAMOND_VALUE_CURRENCY, diamondsToMinor } from '../domain/diamond-value.js';
import type { GroupOutcome, TransferRequest } from '../domain/ledger.js';
import { PAYOUT_ATTEMPTS_MAX, payoutIdOfReservation, payoutRetryDelayMs, payoutTransferIds, type DiamondPolicy } from '../domain/payouts.js';
import {
  PayoutDeclined,
  PayoutProviderUnavailable,
  type AuditLog,
  type Clock,
  type LedgerStore,
  type PayoutAccountStore,
  type PayoutProvider,
  type PayoutRecord,
  type PayoutStore,
  type TransferFeed,
  type UserStore,
} from './ports.js';

/** How long a claim lasts: a worker that dies mid-payout leaves it to another after this. */
export const PAYOUT_CLAIM_MS = 120_000;
/** How often a payout the provider accepted but has not settled is asked about again. */
export const PAYOUT_POLL_MS = 15_000;
/** A reservation without its payout row is rebuilt only after this long (its request may still be running). */
export const PAYOUT_RECOVERY_GRACE_MS = 60_000;
/** A provider call that takes longer counts as timed out (the payout is then looked up, never blindly resent). */
export const PAYOUT_PROVIDER_TIMEOUT_MS = 30_000;
/** Where the reservation sweep resumes (a `meta` row). */
export const PAYOUT_RECOVERY_CURSOR = 'payouts.recovery_cursor';

export interface ProcessPayoutsInput {
  /** Most payouts acted on in this run (a limit on one run's work). Default 50. */
  readonly limit?: number;
  /** A provider call that takes longer counts as timed out. Default PAYOUT_PROVIDER_TIMEOUT_MS. */
  readonly providerTimeoutMs?: number;
}

export interface ProcessPayoutsReport {
  /** Payouts whose rows were rebuilt from a reservation left by an interrupted request. */
  recovered: number;
  paid: number;
  failed: number;
  /** Accepted by the provider and not settled yet: asked again later. */
  inFlight: number;
  /** Transient failures or timeouts: retried later with backoff. */
  retrying: number;
  /** Claimed by another worker first. */
  skipped: number;
  /** Not sent: an admin holds the creator's diamonds for review (asked again later). */
  held: number;
  /** Unexpected errors, by payout id; each payout is retried when its claim expires. */
  errors: { payoutId: string; message: string }[];
}

type Deps = {
  users: UserStore;
  payouts: PayoutStore;
  payoutAccounts: PayoutAccountStore;
  payoutProvider: PayoutProvider;
  ledger: LedgerStore;
  feed: TransferFeed;
  clock: Clock;
  audit: AuditLog;
  diamondPolicy: DiamondPolicy;
};

export async function processPayouts(input: ProcessPayoutsInput, deps: Deps): Promise<ProcessPayoutsReport> {
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? 50), 1), 1000);
  const report: ProcessPayoutsReport = { recovered: 0, paid: 0, failed: 0, inFlight: 0, retrying: 0, skipped: 0, held: 0, errors: [] };
  report.recovered = await recoverOrphanReservations(limit, deps);
  const due = await deps.payouts.listDue(deps.clock.nowMs(), limit);
  for (const payout of due) {
    try {
      const result = await processOne(payout, input.providerTimeoutMs ?? PAYOUT_PROVIDER_TIMEOUT_MS, deps);
      report[result]++;
    } catch (error) {
      report.errors.push({ payoutId: payout.id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return report;
}

type Result = 'paid' | 'failed' | 'inFlight' | 'retrying' | 'skipped' | 'held';

/** How long a payout held for review waits before the worker looks at it again. */
export const PAYOUT_HOLD_RECHECK_MS = 60_000;

/**
 * Acts on one payout now (the provider's webhook said it settled): asks the provider and books what
 * it says, exactly as the worker's poll would. A payout already resolved is left as it is.
 */
export async function processPayoutNow(payoutId: string, deps: Deps, timeoutMs = PAYOUT_PROVIDER_TIMEOUT_MS): Promise<Result | 'resolved'> {
  const payout = await deps.payouts.findById(payoutId);
  if (!payout) throw new Error(`no payout ${payoutId}`);
  if (payout.status !== 'processing') return payout.status === 'requested' ? 'skipped' : 'resolved';
  return processOne(payout, timeoutMs, deps);
}

async function processOne(due: PayoutRecord, timeoutMs: number, deps: Deps): Promise<Result> {
  const nowMs = deps.clock.nowMs();
  const claimUntilMs = nowMs + PAYOUT_CLAIM_MS;
  if (!(await deps.payouts.update(due.id, { status: due.status, nextAttemptAtMs: due.nextAttemptAtMs }, { nextAttemptAtMs: claimUntilMs, updatedAtMs: nowMs }))) {
    return 'skipped';
  }
  const p: PayoutRecord = { ...due, nextAttemptAtMs: claimUntilMs };

  // Paired assertion: a payout row exists only after its reservation committed (request-payout.ts
  // writes the ledger first). Without reserved diamonds nothing may be sent.
  const reservation = await deps.ledger.getTransfer(payoutTransferIds(p.id).reserve);
  if (!reservation || reservation.kind !== 'pending' || reservation.amount !== p.diamonds || reservation.debitAccountId !== userAccounts(p.userId).diamondsAvailable.id) {
    throw new Error(`payout ${p.id} has no matching diamond reservation in the ledger; not sending`);
  }

  if (p.status === 'requested') {
    // Held for review: nothing is sent until an admin lifts the hold; the diamonds stay reserved.
    const creator = await deps.users.findById(p.userId);
    if (creator && creator.payoutsHeldAtMs !== null) {
      const moved = await deps.payouts.update(p.id, { status: 'requested', nextAttemptAtMs: claimUntilMs }, { nextAttemptAtMs: nowMs + PAYOUT_HOLD_RECHECK_MS, updatedAtMs: nowMs });
      return moved ? 'held' : 'skipped';
    }
    return send(p, timeoutMs, deps);
  }

  // processing: after a timeout, a transient failure, a poll or a restart. Ask before sending again.
  let known;
  try {
    known = await withTimeout(deps.payoutProvider.getStatus(p.id), timeoutMs, 'asking the payout provider');
  } catch (error) {
    return retryLater(p, error, deps);
  }
  if (known === null) {
    // The provider never received it, so returning the diamonds cannot race a payment.
    if (p.attempts >= PAYOUT_ATTEMPTS_MAX) {
      return fail(p, `The payout provider could not be reached after ${p.attempts} attempts; nothing was paid.`, deps);
    }
    return send(p, timeoutMs, deps);
  }
  if (known.currency !== p.currency || known.amountMinor !== p.amountMinor) {
    throw new Error(`the provider's payout ${p.id} is ${known.amountMinor} ${known.currency}, ours is ${p.amountMinor} ${p.currency}`);
  }
  switch (known.status) {
    case 'paid':
      return pay(p, known.providerRef, deps);
    case 'failed':
      return fail(p, known.failureReason ?? 'The payout provider declined the payout.', deps);
    case 'processing':
      return pollLater(p, known.providerRef, deps);
  }
}

async function send(p: PayoutRecord, timeoutMs: number, deps: Deps): Promise<Result> {
  const nowMs = deps.clock.nowMs();
  const attempts = p.attempts + 1;
  // Counted before the call, so a crash during it still counts as an attempt.
  if (!(await deps.payouts.update(p.id, { status: p.status, nextAttemptAtMs: p.nextAttemptAtMs }, { status: 'processing', attempts, updatedAtMs: nowMs }))) return 'skipped';
  const sending: PayoutRecord = { ...p, status: 'processing', attempts };
  if (p.status === 'requested') {
    await deps.audit.append({ atMs: nowMs, actorId: null, action: 'payout.processing', subject: `payout:${p.id}`, details: { provider: deps.payoutProvider.name } });
  }
  const account = await deps.payoutAccounts.findById(p.payoutAccountId);
  if (!account) throw new Error(`payout ${p.id} names a missing payout account ${p.payoutAccountId}`);
  await deps.audit.append({ atMs: nowMs, actorId: null, action: 'payout.sent', subject: `payout:${p.id}`, details: { attempt: attempts, amountMinor: p.amountMinor, currency: p.currency } });
  let answer;
  try {
    answer = await withTimeout(
      deps.payoutProvider.send({ payoutId: p.id, providerAccountRef: account.providerRef, currency: p.currency, amountMinor: p.amountMinor }),
      timeoutMs,
      'sending to the payout provider',
    );
  } catch (error) {
    if (error instanceof PayoutDeclined) return fail(sending, error.message, deps);
    return retryLater(sending, error, deps);
  }
  return answer.status === 'paid' ? pay(sending, answer.providerRef, deps) : pollLater(sending, answer.providerRef, deps);
}

/** Books the payout as paid: the diamonds consumed and the money out, in one linked group. */
async function pay(p: PayoutRecord, providerRef: string, deps: Deps): Promise<Result> {
  const ids = payoutTransferIds(p.id);
  const fiat = fiatAccounts(p.currency);
  const group: TransferRequest[] = [
    { id: ids.post, code: 'PAYOUT', kind: 'post', pendingId: ids.reserve, ref: ids.ref },
    {
      id: ids.fiat,
      code: 'PAYOUT',
      kind: 'single',
      debitAccountId: fiat.payoutClearing.id,
      creditAccountId: fiat.providerClearing.id,
      amount: p.amountMinor,
      ref: ids.ref,
      metadata: { payoutId: p.id, diamonds: Number(p.diamonds) },
    },
  ];
  let outcome = await deps.ledger.submit(group);
  if (outcome.status === 'rejected' && outcome.rejection.code === 'account_not_found') {
    // The payout currency's fiat ledger may not be among the configured currencies: open it.
    await deps.ledger.openAccounts([fiat.payoutClearing, fiat.providerClearing]);
    outcome = await deps.ledger.submit(group);
  }
  requireBooked(outcome, `paid payout ${p.id}`);
  const nowMs = deps.clock.nowMs();
  const moved = await deps.payouts.update(p.id, { status: 'processing' }, { status: 'paid', providerRef, resolvedAtMs: nowMs, nextAttemptAtMs: nowMs, lastError: null, updatedAtMs: nowMs });
  if (!moved) return 'skipped';
  await deps.audit.append({
    atMs: nowMs,
    actorId: null,
    action: 'payout.paid',
    subject: `payout:${p.id}`,
    details: { providerRef, diamonds: p.diamonds, amountMinor: p.amountMinor, currency: p.currency, attempts: p.attempts },
  });
  return 'paid';
}

/** Books the payout as failed for good: the reservation is voided, the diamonds are available again. */
async function fail(p: PayoutRecord, reason: string, deps: Deps): Promise<Result> {
  const ids = payoutTransferIds(p.id);
  requireBooked(await deps.ledger.submit([{ id: ids.void, code: 'PAYOUT', kind: 'void', pendingId: ids.reserve, ref: ids.ref }]), `failed payout ${p.id}`);
  const nowMs = deps.clock.nowMs();
  const moved = await deps.payouts.update(p.id, { status: p.status }, { status: 'failed', failureReason: reason, resolvedAtMs: nowMs, nextAttemptAtMs: nowMs, updatedAtMs: nowMs });
  if (!moved) return 'skipped';
  await deps.audit.append({ atMs: nowMs, actorId: null, action: 'payout.failed', subject: `payout:${p.id}`, details: { reason, diamondsReturned: p.diamonds, attempts: p.attempts } });
  return 'failed';
}

async function retryLater(p: PayoutRecord, error: unknown, deps: Deps): Promise<Result> {
  const nowMs = deps.clock.nowMs();
  const message =
    error instanceof PayoutProviderUnavailable ? `${error.timedOut ? 'timed out' : 'unavailable'}: ${error.message}`
    : error instanceof Error ? `unexpected: ${error.message}`
    : 'unexpected failure';
  const nextAttemptAtMs = nowMs + payoutRetryDelayMs(Math.max(p.attempts, 1));
  const moved = await deps.payouts.update(p.id, { status: p.status, nextAttemptAtMs: p.nextAttemptAtMs }, { nextAttemptAtMs, lastError: message, updatedAtMs: nowMs });
  if (!moved) return 'skipped';
  await deps.audit.append({ atMs: nowMs, actorId: null, action: 'payout.retry_scheduled', subject: `payout:${p.id}`, details: { attempts: p.attempts, error: message, nextAttemptAtMs } });
  return 'retrying';
}

async function pollLater(p: PayoutRecord, providerRef: string, deps: Deps): Promise<Result> {
  const nowMs = deps.clock.nowMs();
  const moved = await deps.payouts.update(
    p.id,
    { status: 'processing', nextAttemptAtMs: p.nextAttemptAtMs },
    { providerRef, nextAttemptAtMs: nowMs + PAYOUT_POLL_MS, lastError: null, updatedAtMs: nowMs },
  );
  if (!moved) return 'skipped';
  if (p.providerRef === null) {
    await deps.audit.append({ atMs: nowMs, actorId: null, action: 'payout.accepted', subject: `payout:${p.id}`, details: { providerRef } });
  }
  return 'inFlight';
}

/** Bounds a provider call: a hung connection must not hold the worker (or the payout's claim) forever. */
async function withTimeout<T>(call: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new PayoutProviderUnavailable(`${what} took longer than ${timeoutMs} ms`, true));
    }, timeoutMs);
  });
  try {
    return await Promise.race([call, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function requireBooked(outcome: GroupOutcome, what: string): void {
  if (outcome.status !== 'rejected') return;
  // pending_already_resolved here means the payout was already resolved the other way: paid and
  // returned at once must never happen, so it stops this payout for an operator to look at.
  throw new Error(`the ledger refused the ${what}: ${JSON.stringify(outcome.rejection, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
}

/**
 * Rebuilds the payout row of every reservation whose request died between its two writes (see
 * request-payout.ts), walking the PAYOUT reservations once each with a cursor. Bounded by `limit`.
 */
async function recoverOrphanReservations(limit: number, deps: Deps): Promise<number> {
  const nowMs = deps.clock.nowMs();
  const afterSeq = await deps.feed.getCursor(PAYOUT_RECOVERY_CURSOR);
  const page = await deps.feed.payoutReservations({ afterSeq, cutoffMs: nowMs - PAYOUT_RECOVERY_GRACE_MS, limit });
  let recovered = 0;
  for (const t of page.transfers) {
    const payoutId = payoutIdOfReservation(t.id);
    if (payoutId === null || (await deps.payouts.findById(payoutId)) !== null) continue;
    const meta = JSON.parse(t.metadata) as { userId?: unknown; payoutAccountId?: unknown };
    if (typeof meta.userId !== 'string' || typeof meta.payoutAccountId !== 'string' || t.debitAccountId !== userAccounts(meta.userId).diamondsAvailable.id || t.creditAccountId !== SystemAccounts.diamondPayoutClearing.id) {
      throw new Error(`reservation ${t.id} does not say whose payout it is`);
    }
    const createdAtMs = Number(t.createdAtMs);
    await deps.payouts.insertIfAbsent({
      id: payoutId,
      userId: meta.userId,
      payoutAccountId: meta.payoutAccountId,
      diamonds: t.amount,
      currency: DIAMOND_VALUE_CURRENCY,
      amountMinor: diamondsToMinor(t.amount, deps.diamondPolicy.diamondValueMicroUsd),
      status: 'requested',
      providerRef: null,
      attempts: 0,
      nextAttemptAtMs: nowMs,
      failureReason: null,
      lastError: null,
      createdAtMs,
      updatedAtMs: nowMs,
      resolvedAtMs: null,
    });
    await deps.audit.append({ atMs: nowMs, actorId: null, action: 'payout.recovered', subject: `payout:${payoutId}`, details: { reservation: t.id, diamonds: t.amount } });
    recovered++;
  }
  if (page.nextCursor > afterSeq) await deps.feed.saveCursor(PAYOUT_RECOVERY_CURSOR, page.nextCursor, nowMs);
  return recovered;
}
