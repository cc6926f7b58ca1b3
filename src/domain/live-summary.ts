// The LIVE summary: how long it ran, who watched, and what it earned from whom — computed once, from
// the ledger's gift transfers, when the LIVE ends. Pure: the use case reads the transfers page by page
// and feeds them to a LiveGiftTally, which keeps only totals and one entry per gifter.
//
// A gift is one linked group of two `GIFT`/`single` legs with ref `live:<liveId>` and the same
// metadata {liveId, giftId, count, senderId, creatorId, comboId, comboCount}: a COIN leg (amount =
// the coins spent) and a DIAMOND leg (amount = the diamonds earned).
import type { CommittedTransfer } from './ledger.js';

export const TOP_GIFTERS_MAX = 10;

export interface TopGifter {
  readonly user: { readonly id: string; readonly handle: string; readonly displayName: string };
  readonly coins: bigint;
  /** Gifts sent, each send counting its `count`. */
  readonly gifts: number;
}

export interface LiveSummary {
  readonly durationMs: number;
  readonly peakViewers: number;
  /** Distinct viewers (signed-in or anonymous) who joined at least once. */
  readonly uniqueViewers: number;
  /** Distinct viewers who sent at least one gift. */
  readonly gifters: number;
  /** Gifts sent, each send counting its `count`. */
  readonly giftsCount: number;
  readonly coinsSpent: bigint;
  readonly diamondsEarned: bigint;
  /** At most TOP_GIFTERS_MAX, most coins first; a tie goes to whoever gave first. */
  readonly topGifters: readonly TopGifter[];
}

/** What the summary needs besides the gifts: the LIVE's times and audience. */
export interface LiveFacts {
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly peakViewers: number;
  readonly uniqueViewers: number;
}

export interface RankedGifter {
  readonly userId: string;
  readonly coins: bigint;
  readonly gifts: number;
}

/** Thrown when the gift transfers break the format above: a bug or tampering, never a user error. */
export class LiveSummaryInvariantError extends Error {}

interface GifterTotals {
  coins: bigint;
  gifts: number;
  firstSeq: bigint;
}

function parseGiftMetadata(t: CommittedTransfer): { liveId: string; senderId: string; count: number } {
  let m: unknown;
  try {
    m = JSON.parse(t.metadata);
  } catch {
    throw new LiveSummaryInvariantError(`gift transfer ${t.id} has metadata that is not JSON`);
  }
  const { liveId, senderId, count } = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>;
  if (typeof liveId !== 'string' || typeof senderId !== 'string' || senderId === '') {
    throw new LiveSummaryInvariantError(`gift transfer ${t.id} lacks liveId or senderId in its metadata`);
  }
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count <= 0) {
    throw new LiveSummaryInvariantError(`gift transfer ${t.id} has a count that is not a positive integer`);
  }
  return { liveId, senderId, count };
}

/** Accumulates a LIVE's gift transfers, fed in ledger order, one page at a time. */
export class LiveGiftTally {
  private coinLegs = 0;
  private diamondLegs = 0;
  private giftsCount = 0;
  private coinsSpent = 0n;
  private diamondsEarned = 0n;
  private lastSeq = -1n;
  private readonly byGifter = new Map<string, GifterTotals>();

  constructor(readonly liveId: string) {}

  /** The ledger sequence of the last transfer added: where the next page starts. */
  get afterSeq(): bigint | undefined {
    return this.lastSeq < 0n ? undefined : this.lastSeq;
  }

  add(transfers: Iterable<CommittedTransfer>): void {
    const ref = `live:${this.liveId}`;
    for (const t of transfers) {
      // Pages must follow each other: a repeated or reordered transfer would be counted twice.
      if (t.seq <= this.lastSeq) throw new LiveSummaryInvariantError(`transfer ${t.id} (seq ${t.seq}) arrived after seq ${this.lastSeq}`);
      this.lastSeq = t.seq;
      if (t.ref !== ref) throw new LiveSummaryInvariantError(`transfer ${t.id} has ref ${t.ref ?? 'null'}, not ${ref}`);
      // Only committed gifts count; other transfers that name the LIVE (none today) are not gifts.
      if (t.code !== 'GIFT' || t.kind !== 'single') continue;
      const meta = parseGiftMetadata(t);
      if (meta.liveId !== this.liveId) throw new LiveSummaryInvariantError(`gift transfer ${t.id} names LIVE ${meta.liveId} under ${ref}`);
      if (t.asset === 'COIN') {
        this.coinLegs++;
        this.giftsCount += meta.count;
        this.coinsSpent += t.amount;
        const g = this.byGifter.get(meta.senderId);
        if (g) {
          g.coins += t.amount;
          g.gifts += meta.count;
        } else {
          this.byGifter.set(meta.senderId, { coins: t.amount, gifts: meta.count, firstSeq: t.seq });
        }
      } else if (t.asset === 'DIAMOND') {
        this.diamondLegs++;
        this.diamondsEarned += t.amount;
      } else {
        throw new LiveSummaryInvariantError(`gift transfer ${t.id} moves ${t.asset}`);
      }
    }
  }

  /** The biggest gifters: most coins first; a tie goes to whoever gave first. */
  top(limit: number = TOP_GIFTERS_MAX): RankedGifter[] {
    return [...this.byGifter.entries()]
      .sort(([, a], [, b]) => (a.coins !== b.coins ? (b.coins > a.coins ? 1 : -1) : a.firstSeq < b.firstSeq ? -1 : a.firstSeq > b.firstSeq ? 1 : 0))
      .slice(0, Math.max(0, limit))
      .map(([userId, g]) => ({ userId, coins: g.coins, gifts: g.gifts }));
  }

  /**
   * The summary. `people` names the top gifters (by user id); one missing from it (an account that no
   * longer exists) is shown as "Unknown".
   */
  finish(facts: LiveFacts, people: ReadonlyMap<string, { readonly handle: string; readonly displayName: string }>): LiveSummary {
    // Both legs of a gift commit together, so there are as many diamond legs as coin legs.
    if (this.coinLegs !== this.diamondLegs) {
      throw new LiveSummaryInvariantError(`LIVE ${this.liveId} has ${this.coinLegs} coin gift legs but ${this.diamondLegs} diamond legs`);
    }
    return {
      durationMs: Math.max(0, facts.endedAtMs - facts.startedAtMs),
      peakViewers: facts.peakViewers,
      uniqueViewers: facts.uniqueViewers,
      gifters: this.byGifter.size,
      giftsCount: this.giftsCount,
      coinsSpent: this.coinsSpent,
      diamondsEarned: this.diamondsEarned,
      topGifters: this.top().map((g) => {
        const person = people.get(g.userId);
        return { user: { id: g.userId, handle: person?.handle ?? '', displayName: person?.displayName ?? 'Unknown' }, coins: g.coins, gifts: g.gifts };
      }),
    };
  }
}

/** The whole computation at once, for callers that hold every transfer (tests, small LIVEs). */
export function summarizeLive(
  liveId: string,
  facts: LiveFacts,
  transfers: Iterable<CommittedTransfer>,
  people: ReadonlyMap<string, { readonly handle: string; readonly displayName: string }> = new Map(),
): LiveSummary {
  const tally = new LiveGiftTally(liveId);
  tally.add(transfers);
  return tally.finish(facts, people);
}
