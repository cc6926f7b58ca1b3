// Recomputes every balance from the transfers alone and compares it with what storage cached,
// checks that each asset's debits equal its credits, that recorded balances replay exactly, and that
// the hash chain is unbroken. Pure: storage streams transfers in, in seq order.
import {
  availableOf,
  chainHashOf,
  GENESIS_HASH,
  zeroBalances,
  type AccountBalances,
  type AccountState,
  type CommittedTransfer,
} from './ledger.js';

export interface ReconcileProblem {
  readonly kind: 'balance_drift' | 'conservation' | 'chain' | 'replay' | 'negative' | 'pending' | 'statement';
  readonly detail: string;
}

export interface ReconcileReport {
  readonly ok: boolean;
  readonly transfers: number;
  readonly accounts: number;
  readonly head: { seq: string; hash: string };
  /** Per asset: total posted debits (equal to total posted credits when the ledger balances). */
  readonly totals: Record<string, string>;
  readonly problems: readonly ReconcileProblem[];
}

/** Report at most this many problems; one is enough to fail, the rest is context. */
const PROBLEMS_MAX = 100;

export class Reconciler {
  private readonly balances = new Map<string, AccountBalances>();
  private readonly nonNegative = new Map<string, boolean>();
  private readonly pendingOpen = new Map<string, CommittedTransfer>();
  private readonly resolved = new Set<string>();
  private readonly problems: ReconcileProblem[] = [];
  /** Each account's newest transfer so far: the link its next transfer must carry. */
  private readonly lastSeqs = new Map<string, bigint>();
  private prevHash = GENESIS_HASH;
  private prevSeq = 0n;
  private count = 0;

  constructor(accounts: Iterable<Pick<AccountState, 'id' | 'nonNegative'>>) {
    for (const a of accounts) {
      this.balances.set(a.id, zeroBalances());
      this.nonNegative.set(a.id, a.nonNegative);
    }
  }

  private problem(kind: ReconcileProblem['kind'], detail: string): void {
    if (this.problems.length < PROBLEMS_MAX) this.problems.push({ kind, detail });
  }

  private balancesOf(id: string, seq: bigint): AccountBalances {
    let b = this.balances.get(id);
    if (!b) {
      this.problem('replay', `transfer #${seq} names unknown account ${id}`);
      b = zeroBalances();
      this.balances.set(id, b);
    }
    return b;
  }

  /** Feed transfers in ascending seq order. */
  add(t: CommittedTransfer): void {
    this.count++;
    if (t.seq !== this.prevSeq + 1n) this.problem('chain', `seq ${t.seq} follows ${this.prevSeq}`);
    if (t.prevHash !== this.prevHash) this.problem('chain', `transfer #${t.seq} does not link to the previous hash`);
    // chainHashOf reads only the chained fields (not the hash itself, nor the statement links).
    if (chainHashOf(t) !== t.hash) this.problem('chain', `transfer #${t.seq} (${t.id}) was altered: hash mismatch`);
    this.prevHash = t.hash;
    this.prevSeq = t.seq;
    this.link(t.debitAccountId, t.debitPrevSeq, t);
    this.link(t.creditAccountId, t.creditPrevSeq, t);

    const debit = this.balancesOf(t.debitAccountId, t.seq);
    const credit = this.balancesOf(t.creditAccountId, t.seq);
    switch (t.kind) {
      case 'single':
        debit.debitsPosted += t.amount;
        credit.creditsPosted += t.amount;
        break;
      case 'pending':
        debit.debitsPending += t.amount;
        credit.creditsPending += t.amount;
        this.pendingOpen.set(t.id, t);
        break;
      case 'post':
      case 'void': {
        const pendingId = t.pendingId ?? '';
        if (this.resolved.has(pendingId)) this.problem('pending', `pending ${pendingId} resolved twice (again by ${t.id})`);
        else if (!this.pendingOpen.has(pendingId)) this.problem('pending', `${t.id} resolves unknown pending ${pendingId}`);
        this.resolved.add(pendingId);
        this.pendingOpen.delete(pendingId);
        debit.debitsPending -= t.amount;
        credit.creditsPending -= t.amount;
        if (t.kind === 'post') {
          debit.debitsPosted += t.amount;
          credit.creditsPosted += t.amount;
        }
        break;
      }
    }
    if (availableOf(debit) !== t.debitAvailableAfter || availableOf(credit) !== t.creditAvailableAfter) {
      this.problem('replay', `transfer #${t.seq} (${t.id}) recorded balances that do not replay`);
    }
    if (this.nonNegative.get(t.debitAccountId) === true && availableOf(debit) < 0n) {
      this.problem('negative', `account ${t.debitAccountId} went below zero at transfer #${t.seq}`);
    }
  }

  /** Checks that a transfer links to its account's previous transfer (the statement chain). */
  private link(accountId: string, prevSeq: bigint | null, t: CommittedTransfer): void {
    const expected = this.lastSeqs.get(accountId) ?? null;
    if (prevSeq !== expected) {
      this.problem('statement', `transfer #${t.seq} links account ${accountId} to #${prevSeq ?? 'none'}, its previous transfer is #${expected ?? 'none'}`);
    }
    this.lastSeqs.set(accountId, t.seq);
  }

  /** Compare with the cached balances and chain head, and check conservation per asset. */
  finish(cached: Iterable<AccountState>, storedHead: { seq: bigint; hash: string }): ReconcileReport {
    if (storedHead.seq !== this.prevSeq || storedHead.hash !== this.prevHash) {
      this.problem('chain', `stored head #${storedHead.seq} does not match the last transfer #${this.prevSeq}`);
    }
    const sums = new Map<string, { dp: bigint; cp: bigint; dq: bigint; cq: bigint }>();
    let accounts = 0;
    for (const a of cached) {
      accounts++;
      const r = this.balances.get(a.id) ?? zeroBalances();
      for (const field of ['debitsPosted', 'creditsPosted', 'debitsPending', 'creditsPending'] as const) {
        if (r[field] !== a[field]) {
          this.problem('balance_drift', `account ${a.id} ${field}: cached ${a[field]}, recomputed ${r[field]}`);
        }
      }
      if (a.nonNegative && availableOf(a) < 0n) this.problem('negative', `account ${a.id} is below zero`);
      const lastSeq = this.lastSeqs.get(a.id) ?? null;
      if (a.lastSeq !== lastSeq) this.problem('statement', `account ${a.id} names #${a.lastSeq ?? 'none'} as its newest transfer, it is #${lastSeq ?? 'none'}`);
      const s = sums.get(a.asset) ?? { dp: 0n, cp: 0n, dq: 0n, cq: 0n };
      s.dp += r.debitsPosted;
      s.cp += r.creditsPosted;
      s.dq += r.debitsPending;
      s.cq += r.creditsPending;
      sums.set(a.asset, s);
    }
    const totals: Record<string, string> = {};
    for (const [asset, s] of sums) {
      totals[asset] = s.dp.toString();
      if (s.dp !== s.cp || s.dq !== s.cq) {
        this.problem('conservation', `${asset}: debits ${s.dp}/${s.dq} pending vs credits ${s.cp}/${s.cq} pending`);
      }
    }
    return {
      ok: this.problems.length === 0,
      transfers: this.count,
      accounts,
      head: { seq: this.prevSeq.toString(), hash: this.prevHash },
      totals,
      problems: this.problems,
    };
  }
}
