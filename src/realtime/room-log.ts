// The state and history of one LIVE room, pure (no I/O, no timers: the caller passes the time).
//
// Classes, as ARCHITECTURE.md's display path sets them:
// - P0 — gifts of at least `bigGiftMinCoins` and the LIVE end: each one is its own event, at once;
// - P0 — also the creator's thank-yous (`thanks.sent`);
// - P1 — smaller gifts: folded into `combo.updated` events, flushed at most every `comboFlushMs`;
// - P2 — chat: passed on at once, never kept for resume; each socket samples it past its budget
//   (ChatBudget below) and drops it past its high-water mark;
// - P3 — counters (viewers, leaderboard, likes): latest state only, at most every `viewersEveryMs` /
//   `leaderboardEveryMs` / `likesEveryMs`, never kept for resume.
// P0 and P1 events take the next `seq` and are kept in a ring buffer (bounded by age and by count),
// so a client that reconnects with `since=<epoch>:<seq>` gets exactly what it missed, or null, which
// tells the caller to send a fresh snapshot instead.
import type { ChatMessageData, ComboUpdatedData, GiftSentData, LeaderboardEntry, RoomEvent, RoomEventType, ThanksSentData } from '../protocol/room.js';
import type { LiveSummary } from '../protocol/lives.js';

export type RoomPriority = 'P0' | 'P1' | 'P2' | 'P3';

/** An event the room emits, with the class that decides how hard it is kept and delivered. */
export interface RoomOutput {
  readonly event: RoomEvent;
  readonly priority: RoomPriority;
}

export interface RoomLogOptions {
  /** This room's incarnation; a resume point from another epoch gets a snapshot. No ':' in it. */
  readonly epoch: string;
  /** Gifts whose send is worth at least this many coins are P0. */
  readonly bigGiftMinCoins: number;
  /** How long events stay resumable (default 2 minutes) and how many at most (default 10,000). */
  readonly bufferMs?: number;
  readonly bufferMax?: number;
  readonly comboFlushMs?: number;
  /** A combo with no send for this long is final (the combo window of domain/gifts). */
  readonly comboIdleMs?: number;
  readonly viewersEveryMs?: number;
  readonly leaderboardEveryMs?: number;
  /** `like.batch` at most this often (default 1 s). */
  readonly likesEveryMs?: number;
  /** Sizes of what a snapshot carries, and of the state behind it. */
  readonly recentGiftsMax?: number;
  readonly leaderboardSize?: number;
  readonly giftersMax?: number;
  readonly activeCombosMax?: number;
}

interface ActiveCombo {
  data: ComboUpdatedData;
  lastAtMs: number;
  dirty: boolean;
}

/** Gifts kept while the leaderboard waits for its seed from the ledger; past it the seed is given up. */
const UNSEEDED_MAX = 100_000;

export class RoomLog {
  readonly epoch: string;
  private seqNow = 0;
  private readonly options: Required<RoomLogOptions>;
  // The ring buffer of P0/P1 events: `size` events ending at `(head + size - 1) % capacity`.
  private readonly ring: (RoomEvent | undefined)[];
  private head = 0;
  private size = 0;

  private viewers = 0;
  private viewersDirty = false;
  private viewersSentAtMs = Number.NEGATIVE_INFINITY;
  private readonly gifters = new Map<string, LeaderboardEntry>();
  /**
   * Gifts recorded before the leaderboard was seeded from the ledger, with their ledger seq; null
   * once seeded (or given up on). See seedLeaderboard().
   */
  private unseeded: { sender: GiftSentData['sender']; coins: number; ledgerSeq: number | null }[] | null = [];
  private leaderboardVersion = 0;
  private leaderboardDirty = false;
  private leaderboardSentAtMs = Number.NEGATIVE_INFINITY;
  private top: LeaderboardEntry[] = [];
  private readonly combos = new Map<string, ActiveCombo>();
  private combosFlushedAtMs = Number.NEGATIVE_INFINITY;
  private readonly recent: GiftSentData[] = [];
  private endedFlag = false;
  private likesTotal = 0;
  private likesRecent = 0;
  private likesSentAtMs = Number.NEGATIVE_INFINITY;

  constructor(options: RoomLogOptions) {
    if (options.epoch.includes(':') || options.epoch === '') throw new Error('an epoch is a non-empty string without ":"');
    this.epoch = options.epoch;
    this.options = {
      bufferMs: 120_000,
      bufferMax: 10_000,
      comboFlushMs: 100,
      comboIdleMs: 3_000,
      viewersEveryMs: 1_000,
      leaderboardEveryMs: 500,
      likesEveryMs: 1_000,
      recentGiftsMax: 20,
      leaderboardSize: 10,
      giftersMax: 10_000,
      activeCombosMax: 1_000,
      ...options,
    };
    if (!Number.isInteger(this.options.bufferMax) || this.options.bufferMax < 1) throw new Error('bufferMax must be a positive integer');
    this.ring = new Array<RoomEvent | undefined>(this.options.bufferMax);
  }

  /** The seq of the last kept event (0 before any). */
  get seq(): number {
    return this.seqNow;
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  /**
   * Records an applied gift: a big one is returned as its own P0 event; a small one waits for
   * flush(). `ledgerSeq` is the seq of its coin transfer, when known (see seedLeaderboard()).
   */
  recordGift(gift: GiftSentData, nowMs: number, ledgerSeq: number | null = null): RoomOutput[] {
    if (this.endedFlag) return [];
    this.addToLeaderboard(gift.sender, gift.coins);
    if (this.unseeded) {
      this.unseeded.push({ sender: gift.sender, coins: gift.coins, ledgerSeq });
      if (this.unseeded.length > UNSEEDED_MAX) this.unseeded = null; // the seed is far too late: keep what the room saw
    }
    this.recent.push(gift);
    if (this.recent.length > this.options.recentGiftsMax) this.recent.shift();
    if (gift.coins >= this.options.bigGiftMinCoins) return [{ event: this.keep('gift.sent', gift, nowMs), priority: 'P0' }];

    const combo = this.combos.get(gift.comboId);
    if (combo) {
      combo.data = { ...combo.data, comboCount: Math.max(combo.data.comboCount, gift.comboCount), coins: combo.data.coins + gift.coins };
      combo.lastAtMs = nowMs;
      combo.dirty = true;
      // Re-insert: the Map stays ordered by last send, oldest first.
      this.combos.delete(gift.comboId);
      this.combos.set(gift.comboId, combo);
      return [];
    }
    const out: RoomOutput[] = [];
    if (this.combos.size >= this.options.activeCombosMax) {
      const oldest = this.combos.keys().next();
      if (oldest.done !== true) out.push(...this.finishCombo(oldest.value, nowMs));
    }
    this.combos.set(gift.comboId, {
      data: { comboId: gift.comboId, sender: gift.sender, giftId: gift.gift.id, comboCount: gift.comboCount, coins: gift.coins, final: false },
      lastAtMs: nowMs,
      dirty: true,
    });
    return out;
  }

  /** The latest viewer count; sent by flush() at most every `viewersEveryMs`. */
  setViewers(viewers: number): void {
    if (viewers === this.viewers) return;
    this.viewers = viewers;
    this.viewersDirty = true;
  }

  /** A chat line: passed on at once as a P2 event, not kept. */
  recordChat(chat: ChatMessageData, nowMs: number): RoomOutput[] {
    if (this.endedFlag) return [];
    return [{ event: this.transient('chat.message', chat, nowMs), priority: 'P2' }];
  }

  /** Taps on the heart: added up, sent by flush() as one `like.batch` at most every `likesEveryMs`. */
  recordLikes(count: number): RoomOutput[] {
    if (this.endedFlag || !Number.isInteger(count) || count < 1) return [];
    this.likesTotal = Math.min(Number.MAX_SAFE_INTEGER, this.likesTotal + count);
    this.likesRecent = Math.min(Number.MAX_SAFE_INTEGER, this.likesRecent + count);
    return [];
  }

  /** The creator's thank-you: its own P0 event, kept for resume. */
  recordThanks(thanks: ThanksSentData, nowMs: number): RoomOutput[] {
    if (this.endedFlag) return [];
    return [{ event: this.keep('thanks.sent', thanks, nowMs), priority: 'P0' }];
  }

  /** The LIVE ended: pending combos are flushed as final, then `live.ended` (P0). Only the first call counts. */
  endLive(summary: LiveSummary, nowMs: number): RoomOutput[] {
    if (this.endedFlag) return [];
    const out: RoomOutput[] = [];
    for (const comboId of [...this.combos.keys()]) out.push(...this.finishCombo(comboId, nowMs));
    this.endedFlag = true;
    out.push({ event: this.keep('live.ended', { summary }, nowMs), priority: 'P0' });
    return out;
  }

  /** Whatever is due now: combo updates (≤ 1 per `comboFlushMs`), finished combos, counters. */
  flush(nowMs: number): RoomOutput[] {
    const out: RoomOutput[] = [];
    if (nowMs - this.combosFlushedAtMs >= this.options.comboFlushMs) {
      let flushed = false;
      for (const [comboId, combo] of [...this.combos]) {
        if (nowMs - combo.lastAtMs > this.options.comboIdleMs) {
          out.push(...this.finishCombo(comboId, nowMs));
          flushed = true;
        } else if (combo.dirty) {
          combo.dirty = false;
          out.push({ event: this.keep('combo.updated', combo.data, nowMs), priority: 'P1' });
          flushed = true;
        }
      }
      if (flushed) this.combosFlushedAtMs = nowMs;
    }
    if (this.viewersDirty && nowMs - this.viewersSentAtMs >= this.options.viewersEveryMs) {
      this.viewersDirty = false;
      this.viewersSentAtMs = nowMs;
      out.push({ event: this.transient('viewers.changed', { viewers: this.viewers }, nowMs), priority: 'P3' });
    }
    if (this.leaderboardDirty && nowMs - this.leaderboardSentAtMs >= this.options.leaderboardEveryMs) {
      this.leaderboardDirty = false;
      this.leaderboardSentAtMs = nowMs;
      this.leaderboardVersion += 1;
      this.top = this.computeTop();
      out.push({ event: this.transient('leaderboard.changed', { version: this.leaderboardVersion, top: this.top }, nowMs), priority: 'P3' });
    }
    if (this.likesRecent > 0 && nowMs - this.likesSentAtMs >= this.options.likesEveryMs) {
      this.likesSentAtMs = nowMs;
      out.push({ event: this.transient('like.batch', { total: this.likesTotal, recent: this.likesRecent }, nowMs), priority: 'P3' });
      this.likesRecent = 0;
    }
    return out;
  }

  /** True while flush() may still have something to emit (the caller's timer can rest otherwise). */
  get pending(): boolean {
    return this.combos.size > 0 || this.viewersDirty || this.leaderboardDirty || this.likesRecent > 0;
  }

  /**
   * The kept events after `seq` of `epoch`, oldest first, or null when they cannot all be given
   * (another epoch, a seq from the future, or older than the buffer): the caller sends a snapshot.
   */
  since(epoch: string, seq: number, nowMs: number): RoomEvent[] | null {
    this.prune(nowMs);
    if (epoch !== this.epoch || !Number.isInteger(seq) || seq < 0 || seq > this.seqNow) return null;
    if (seq === this.seqNow) return [];
    const oldest = this.at(0);
    if (oldest === undefined || seq + 1 < oldest.seq) return null;
    const out: RoomEvent[] = [];
    for (let i = seq + 1 - oldest.seq; i < this.size; i++) {
      const e = this.at(i);
      if (e !== undefined) out.push(e);
    }
    return out;
  }

  /** The whole state a new or far-behind client starts from. */
  snapshot(nowMs: number): RoomEvent<'snapshot'> {
    if (this.leaderboardDirty) this.top = this.computeTop();
    return {
      type: 'snapshot',
      seq: this.seqNow,
      ts: nowMs,
      data: {
        epoch: this.epoch,
        seq: this.seqNow,
        viewers: this.viewers,
        leaderboard: { version: this.leaderboardVersion, top: this.top },
        activeCombos: [...this.combos.values()].map((c) => c.data),
        recentGifts: [...this.recent],
      },
    };
  }

  private finishCombo(comboId: string, nowMs: number): RoomOutput[] {
    const combo = this.combos.get(comboId);
    if (!combo) return [];
    this.combos.delete(comboId);
    return [{ event: this.keep('combo.updated', { ...combo.data, final: true }, nowMs), priority: 'P1' }];
  }

  /**
   * Starts the leaderboard from the LIVE's totals in the ledger, read through ledger seq
   * `throughSeq` (null: the ledger had no gift yet). Gifts this room recorded meanwhile are added
   * on top unless the read already counted them (their coin transfer's seq is at or below
   * `throughSeq`), so a gift is counted once whichever came first. Only the first call counts.
   */
  seedLeaderboard(top: readonly LeaderboardEntry[], throughSeq: number | null): void {
    const recorded = this.unseeded;
    if (recorded === null) return;
    this.unseeded = null;
    const before = JSON.stringify(this.computeTop());
    this.gifters.clear();
    for (const entry of top) this.gifters.set(entry.user.id, { user: entry.user, coins: entry.coins });
    for (const r of recorded) {
      if (r.ledgerSeq === null || throughSeq === null || r.ledgerSeq > throughSeq) this.addToLeaderboard(r.sender, r.coins);
    }
    // Announced (as a new version) only if the board a viewer sees changed.
    this.leaderboardDirty = JSON.stringify(this.computeTop()) !== before;
    if (!this.leaderboardDirty) this.top = this.computeTop();
  }

  /** The ledger could not be read: the leaderboard stays what this room has seen. */
  abandonLeaderboardSeed(): void {
    this.unseeded = null;
  }

  private addToLeaderboard(sender: GiftSentData['sender'], coins: number): void {
    const entry = this.gifters.get(sender.id);
    this.gifters.set(sender.id, { user: sender, coins: (entry?.coins ?? 0) + coins });
    if (this.gifters.size > this.options.giftersMax) {
      // Forget the smallest gifter: they are the furthest from the top.
      let smallest: string | null = null;
      let smallestCoins = Number.POSITIVE_INFINITY;
      for (const [id, e] of this.gifters) {
        if (e.coins < smallestCoins && id !== sender.id) {
          smallest = id;
          smallestCoins = e.coins;
        }
      }
      if (smallest !== null) this.gifters.delete(smallest);
    }
    this.leaderboardDirty = true;
  }

  private computeTop(): LeaderboardEntry[] {
    return [...this.gifters.values()].sort((a, b) => b.coins - a.coins || a.user.id.localeCompare(b.user.id)).slice(0, this.options.leaderboardSize);
  }

  /** Gives the event the next seq and keeps it for resume. */
  private keep<K extends RoomEventType>(type: K, data: RoomEvent<K>['data'], nowMs: number): RoomEvent {
    this.seqNow += 1;
    const event = { type, seq: this.seqNow, ts: nowMs, data } as RoomEvent;
    const capacity = this.ring.length;
    if (this.size === capacity) {
      this.head = (this.head + 1) % capacity;
      this.size -= 1;
    }
    this.ring[(this.head + this.size) % capacity] = event;
    this.size += 1;
    this.prune(nowMs);
    return event;
  }

  /** An event that is not kept: it carries the seq of the last kept one. */
  private transient<K extends RoomEventType>(type: K, data: RoomEvent<K>['data'], nowMs: number): RoomEvent {
    return { type, seq: this.seqNow, ts: nowMs, data } as RoomEvent;
  }

  private at(i: number): RoomEvent | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.ring[(this.head + i) % this.ring.length];
  }

  /** Drops events older than the buffer's age (each loop turn removes one; at most `size` turns). */
  private prune(nowMs: number): void {
    while (this.size > 0) {
      const oldest = this.at(0);
      if (oldest === undefined || nowMs - oldest.ts <= this.options.bufferMs) return;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.ring.length;
      this.size -= 1;
    }
  }
}

/**
 * One socket's chat budget: a token bucket of `perSecond` messages (default 20) that refills
 * continuously. Chat past it is sampled out for that socket: the room goes on, the phone keeps up.
 */
export class ChatBudget {
  private tokens: number;
  private refilledAtMs: number;

  constructor(
    nowMs: number,
    private readonly perSecond = 20,
  ) {
    this.tokens = perSecond;
    this.refilledAtMs = nowMs;
  }

  /** True when this message may be delivered now (and spends one token). */
  take(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.refilledAtMs);
    this.tokens = Math.min(this.perSecond, this.tokens + (elapsed * this.perSecond) / 1000);
    this.refilledAtMs = Math.max(this.refilledAtMs, nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * A sliding-window rate limit per key (e.g. 5 chat lines per 10 s per user). Bounded: at most
 * `keysMax` keys (the least recently used is forgotten) and `limit` timestamps per key.
 */
export class RateWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly keysMax = 10_000,
  ) {}

  /** 0 when `key` may act now (and counts it), otherwise how many ms until it may. */
  hit(key: string, nowMs: number): number {
    const times = (this.hits.get(key) ?? []).filter((t) => nowMs - t < this.windowMs);
    this.hits.delete(key);
    if (times.length >= this.limit) {
      this.hits.set(key, times);
      return Math.max(1, (times[0] ?? nowMs) + this.windowMs - nowMs);
    }
    times.push(nowMs);
    this.hits.set(key, times);
    if (this.hits.size > this.keysMax) {
      const oldest = this.hits.keys().next();
      if (oldest.done !== true) this.hits.delete(oldest.value);
    }
    return 0;
  }
}
