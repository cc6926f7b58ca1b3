// The maturation job: a gift's diamonds wait on hold (against refunds and chargebacks) for the
// configured hold, then move to the creator's available balance, where they can be redeemed. One
// MATURE transfer per gift diamond leg, `mature:<legId>`, with the gift's ref.
//
// Idempotent and restart-safe: the transfer id is derived from the leg, so running again (after a
// crash before the cursor was saved, or on two nodes at once) answers `duplicate` and moves nothing
// twice. The cursor (the last seq handled, a `meta` row) only makes the next run start where this one
// ended; it is saved after the transfers are durable and never moves back.
import { userAccounts } from '../domain/accounts.js';
import type { CommittedTransfer, GroupOutcome, TransferRequest } from '../domain/ledger.js';
import { matureTransferId, type DiamondPolicy } from '../domain/payouts.js';
import type { AuditLog, Clock, LedgerStore, TransferFeed } from './ports.js';

/** Where the job resumes (a `meta` row). */
export const MATURE_CURSOR = 'diamonds.mature_cursor';
/** Legs submitted at once (the ledger's group commit takes them in a few batches). */
const PAGE_MAX = 1024;
/** Pages read per run, whether or not they held due legs: bounds one run's work. */
const PAGES_PER_RUN_MAX = 256;

export interface MatureDiamondsInput {
  /** Most gift legs matured in this run. Default 50 000 (a run every few seconds keeps up with tens of thousands of gifts a second). */
  readonly limit?: number;
}

export interface MatureDiamondsReport {
  /** Legs matured now (or found already matured by another run). */
  matured: number;
  diamonds: bigint;
  /** Legs whose diamonds had already left the hold (a refund or chargeback reversed them). */
  skipped: number;
  /** Where the next run starts. */
  cursor: bigint;
}

const HOLD_ACCOUNT = /^user:([^:]+):diamonds:hold$/;

export async function matureDiamonds(
  input: MatureDiamondsInput,
  deps: { feed: TransferFeed; ledger: LedgerStore; clock: Clock; audit: AuditLog; diamondPolicy: DiamondPolicy },
): Promise<MatureDiamondsReport> {
  const nowMs = deps.clock.nowMs();
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? 50_000), 1), 1_000_000);
  const cutoffMs = nowMs - deps.diamondPolicy.diamondHoldMs;
  const report: MatureDiamondsReport = { matured: 0, diamonds: 0n, skipped: 0, cursor: await deps.feed.getCursor(MATURE_CURSOR) };
  const firstSeq = report.cursor;

  for (let page = 0; page < PAGES_PER_RUN_MAX && report.matured + report.skipped < limit; page++) {
    const want = Math.min(PAGE_MAX, limit - report.matured - report.skipped);
    const { transfers, nextCursor } = await deps.feed.giftDiamondLegs({ afterSeq: report.cursor, cutoffMs, limit: want });
    const results = await Promise.all(transfers.map((leg) => matureLeg(leg, deps)));
    for (const [i, result] of results.entries()) {
      const leg = transfers[i];
      if (leg === undefined) continue;
      if (result === 'matured') {
        report.matured++;
        report.diamonds += leg.amount;
      } else {
        report.skipped++;
        await deps.audit.append({ atMs: nowMs, actorId: null, action: 'diamonds.maturation_skipped', subject: `transfer:${leg.id}`, details: { diamonds: leg.amount, reason: 'no longer on hold' } });
      }
    }
    if (nextCursor === report.cursor) break; // nothing more is due
    report.cursor = nextCursor;
    await deps.feed.saveCursor(MATURE_CURSOR, nextCursor, nowMs);
  }
  if (report.matured > 0) {
    await deps.audit.append({
      atMs: nowMs,
      actorId: null,
      action: 'diamonds.matured',
      subject: 'job:mature-diamonds',
      details: { legs: report.matured, diamonds: report.diamonds, afterSeq: firstSeq, throughSeq: report.cursor },
    });
  }
  return report;
}

async function matureLeg(leg: CommittedTransfer, deps: { ledger: LedgerStore }): Promise<'matured' | 'skipped'> {
  // Paired assertion: the feed hands over only diamond gift legs into a creator's hold.
  const owner = HOLD_ACCOUNT.exec(leg.creditAccountId)?.[1];
  if (owner === undefined || leg.code !== 'GIFT' || leg.kind !== 'single' || leg.asset !== 'DIAMOND') {
    throw new Error(`transfer ${leg.id} is not a gift's diamond leg`);
  }
  const accounts = userAccounts(owner);
  if (accounts.diamondsOnHold.id !== leg.creditAccountId) throw new Error(`transfer ${leg.id} credits an unknown hold ${leg.creditAccountId}`);
  const request: TransferRequest = {
    id: matureTransferId(leg.id),
    code: 'MATURE',
    kind: 'single',
    debitAccountId: accounts.diamondsOnHold.id,
    creditAccountId: accounts.diamondsAvailable.id,
    amount: leg.amount,
    metadata: { giftLegId: leg.id },
    ...(leg.ref !== null ? { ref: leg.ref } : {}),
  };
  let outcome: GroupOutcome = await deps.ledger.submit([request]);
  if (outcome.status === 'rejected' && outcome.rejection.code === 'account_not_found' && outcome.rejection.accountId === accounts.diamondsAvailable.id) {
    // Gifts open the hold; the available balance may not exist until the first diamonds mature.
    await deps.ledger.openAccounts([accounts.diamondsAvailable]);
    outcome = await deps.ledger.submit([request]);
  }
  if (outcome.status !== 'rejected') return 'matured';
  // The hold no longer covers this leg: a refund or chargeback took its diamonds back first.
  if (outcome.rejection.code === 'insufficient_funds') return 'skipped';
  throw new Error(`the ledger refused to mature ${leg.id}: ${outcome.rejection.code}`);
}
