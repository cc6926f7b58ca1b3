// The state and history of one LIVE room, pure (no I/O, no timers: the caller passes the time).
//
// Classes, as ARCHITECTURE.md's display path sets them:
// - P0 — gifts of at least `bigGiftMinCoins` and the LIVE end: each one is its own event, at once;
// - P0 — also the creator's thank-yous (`thanks.sent`);
// - P1 — smaller gifts: folded into `combo.updated` events, at most one per combo every
//   `comboFlushMs`, emitted when a `tick` input arrives (below);
// - P2 — chat: passed on at once, never kept for resume; each socket samples it past its budget
//   (ChatBudget below) and drops it past its high-water mark;
// - P3 — counters (viewers, leaderboard, likes): latest state only, at most every `viewersEveryMs` /
//   `leaderboardEveryMs` / `likesEveryMs`, never kept for resume.
//
// Same on every node: the log is driven only by room inputs numbered by the RoomBus (`at.seq`,
// `at.ts`), which every node that watches the room receives in the same order. Its P0 and P1
// events depend on nothing else (not on this node's clock: combos flush on `tick` inputs, and
// their time is the bus's), so every node numbers them alike: the events caused by input n have
// the seqs (n − 1) × SEQ_PER_INPUT + 1, + 2, … and the room's resume point after input n is
// n × SEQ_PER_INPUT. Seqs therefore grow but skip. A node that opens the room late
// replays the inputs the bus still keeps and from then on holds the same events as the others. A
// client that reconnects with `since=<epoch>:<seq>`, to this node or any other, gets exactly the
// kept events after seq from a ring buffer (bounded by age and by count), or null, which tells the
// caller to send a fresh snapshot instead.
import type { ChatMessageData, ComboUpdatedData, GiftSentData, LeaderboardEntry, RoomEvent, RoomEventType, ThanksSentData } from '../protocol/room.js';
import type { LiveSummary } from '../protocol/lives.js';
import type { LiveVideo } from '../protocol/video.js';
import type { LiveEndedBy } from '../domain/lives.js';

export type RoomPriority = 'P0' | 'P1' | 'P2' | 'P3';

/** An event the room emits, with the class that decides how hard it is kept and delivered. */
export interface RoomOutput {
  readonly event: RoomEvent;
  readonly priority: RoomPriority;
}

/** Kept events one input may cause, at most (see the numbering above). */
export const SEQ_PER_INPUT = 10_000;

/** Where a room input stands in the room: its bus number and the bus's time. */
export interface InputPoint {
  readonly seq: number;
  readonly ts: number;
}

export interface RoomLogOptions {
  /** The room's incarnation on the bus; a resume point from another epoch gets a snapshot. No ':' in it. */
  readonly epoch: string;
  /** The bus seq of the last input before the first one this log will be given (default 0). */
  readonly afterInput?: number;
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
  /** When its last combo.updated went out (bus time). */
  sentAtMs: number;
  dirty: boolean;
}

/** Gifts kept while the leaderboard waits for its seed from the ledger; past it the seed is given up. */
const UNSEEDED_MAX = 100_000;

export class RoomLog {
  readonly epoch: string;
  /** The bus seq of the last input applied. */
  private inputSeq: number;
  /** The seq of the last kept event (or of the point before the first input). */
  private seqNow: number;
  /** A client whose resume point is below this cannot be given exactly what it missed. */
  private completeFrom: number;
  private readonly options: Required<RoomLogOptions>;
  // The ring buffer of P0/P1 events: `size` events ending at `(head + size - 1) % capacity`.
  private readonly ring: (RoomEvent | undefined)[];
  private head = 0;
  private size = 0;

  private viewers = 0;
  private viewersDirty = false;
  /** The picture (src/domain/video.ts), as the snapshot tells a new socket. */
  private video: LiveVideo = { state: 'waiting', playlistUrl: null, sinceMs: null, via: null, reconnectEndsAtMs: null };
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
  private readonly recent: GiftSentData[] = [];
  private endedFlag = false;
  private likesTotal = 0;
  private likesRecent = 0;
  private likesSentAtMs = Number.NEGATIVE_INFINITY;

  constructor(options: RoomLogOptions) {
    if (options.epoch.includes(':') || options.epoch === '') throw new Error('an epoch is a non-empty string without ":"');
    // Snapshots publish the threshold (clients decide from it what plays full screen): a whole number of coins, at least 1.
    if (!Number.isSafeInteger(options.bigGiftMinCoins) || options.bigGiftMinCoins < 1) throw new Error('bigGiftMinCoins is a whole number of coins, at least 1');
    this.epoch = options.epoch;
    this.options = {
      afterInput: 0,
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
    if (!Number.isSafeInteger(this.options.afterInput) || this.options.afterInput < 0) throw new Error('afterInput must be a non-negative integer');
    this.inputSeq = this.options.afterInput;
    this.seqNow = this.watermark();
    this.completeFrom = this.seqNow;
  }

  /**
   * The room's resume point: every kept event caused by the inputs applied so far has a seq at or
   * below it, and every later one a seq above it. Snapshots, acks and counters carry it.
   */
  get seq(): number {
    return this.watermark();
  }

  /** The bus seq of the last input applied. */
  get lastInput(): number {
    return this.inputSeq;
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  /**
   * Records an applied gift: a big one is returned as its own P0 event; a small one waits for
   * flush(). `ledgerSeq` is the seq of its coin transfer, when known (see seedLeaderboard()).
   */
  recordGift(gift: GiftSentData, at: InputPoint, ledgerSeq: number | null = null): RoomOutput[] {
    if (!this.accept(at) || this.endedFlag) return [];
    const nowMs = at.ts;
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
      sentAtMs: Number.NEGATIVE_INFINITY,
      dirty: true,
    });
    return out;
  }

  /** The picture as the database had it when the room opened on this node (no event: the snapshot carries it). */
  setVideo(video: LiveVideo): void {
    this.video = video;
  }

  /** The picture changed: `video.changed` (P0, kept: a resuming socket learns it). */
  recordVideo(video: LiveVideo, at: InputPoint): RoomOutput[] {
    if (!this.accept(at) || this.endedFlag) return [];
    this.video = video;
    return [{ event: this.keep('video.changed', video, at.ts), priority: 'P0' }];
  }

  /** The latest viewer count; sent by flush() at most every `viewersEveryMs`. */
  setViewers(viewers: number): void {
    if (viewers === this.viewers) return;
    this.viewers = viewers;
    this.viewersDirty = true;
  }

  /** A chat line: passed on at once as a P2 event, not kept. */
  recordChat(chat: ChatMessageData, at: InputPoint): RoomOutput[] {
    if (!this.accept(at) || this.endedFlag) return [];
    return [{ event: this.transient('chat.message', chat, at.ts), priority: 'P2' }];
  }

  /** Taps on the heart: added up, sent by flush() as one `like.batch` at most every `likesEveryMs`. */
  recordLikes(count: number, at: InputPoint): RoomOutput[] {
    if (!this.accept(at) || this.endedFlag || !Number.isInteger(count) || count < 1) return [];
    this.likesTotal = Math.min(Number.MAX_SAFE_INTEGER, this.likesTotal + count);
    this.likesRecent = Math.min(Number.MAX_SAFE_INTEGER, this.likesRecent + count);
    return [];
  }

  /** The creator's thank-you: its own P0 event, kept for resume. */
  recordThanks(thanks: ThanksSentData, at: InputPoint): RoomOutput[] {
    if (!this.accept(at) || this.endedFlag) return [];
    return [{ event: this.keep('thanks.sent', thanks, at.ts), priority: 'P0' }];
  }

  /**
   * A `tick` input: each combo with sends not yet shown gets a `combo.updated` (at most one per
   * `comboFlushMs` of bus time), and each combo idle for `comboIdleMs` a final one. Any node may
   * publish ticks (see tickDue); extra ones change nothing.
   */
  recordTick(at: InputPoint): RoomOutput[] {
    if (!this.accept(at) || this.endedFlag) return [];
    const out: RoomOutput[] = [];
    for (const [comboId, combo] of [...this.combos]) {
      if (at.ts - combo.lastAtMs >= this.options.comboIdleMs) out.push(...this.finishCombo(comboId, at.ts));
      else if (combo.dirty && at.ts - combo.sentAtMs >= this.options.comboFlushMs) {
        combo.dirty = false;
        combo.sentAtMs = at.ts;
        out.push({ event: this.keep('combo.updated', combo.data, at.ts), priority: 'P1' });
      }
    }
    return out;
  }

  /**
   * Whether this node should publish a tick now (its clock, `nowMs`): a combo has sends not yet
   * shown, or has been idle long enough to be final.
   */
  tickDue(nowMs: number): boolean {
    if (this.endedFlag) return false;
    for (const combo of this.combos.values()) {
      if (combo.dirty || nowMs - combo.lastAtMs >= this.options.comboIdleMs) return true;
    }
    return false;
  }

  /** The LIVE ended: pending combos are flushed as final, then `live.ended` (P0). Only the first call counts. */
  endLive(summary: LiveSummary, at: InputPoint, end: { readonly endedBy: LiveEndedBy | null; readonly reason: string | null } = { endedBy: null, reason: null }): RoomOutput[] {
    if (!this.accept(at) || this.endedFlag) return [];
    const nowMs = at.ts;
    const out: RoomOutput[] = [];
    for (const comboId of [...this.combos.keys()]) out.push(...this.finishCombo(comboId, nowMs));
    this.endedFlag = true;
    out.push({ event: this.keep('live.ended', { summary, endedBy: end.endedBy, reason: end.reason }, nowMs), priority: 'P0' });
    return out;
  }

  /** The counters due now on this node's clock (P3, not kept): viewers, leaderboard, likes. */
  flush(nowMs: number): RoomOutput[] {
    const out: RoomOutput[] = [];
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
    return this.viewersDirty || this.leaderboardDirty || this.likesRecent > 0;
  }

  /**
   * The kept events after `seq` of `epoch`, oldest first, or null when they cannot all be given
   * (another epoch, a seq from the future, or older than the buffer): the caller sends a snapshot.
   */
  since(epoch: string, seq: number, nowMs: number): RoomEvent[] | null {
    this.prune(nowMs);
    if (epoch !== this.epoch || !Number.isSafeInteger(seq) || seq < this.completeFrom || seq > this.watermark()) return null;
    // The ring is in seq order: find the first event after `seq` by binary search.
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.at(mid)?.seq ?? Number.POSITIVE_INFINITY) <= seq) lo = mid + 1;
      else hi = mid;
    }
    const out: RoomEvent[] = [];
    for (let i = lo; i < this.size; i++) {
      const e = this.at(i);
      if (e !== undefined) out.push(e);
    }
    return out;
  }

  /** The whole state a new or far-behind client starts from. */
  snapshot(nowMs: number): RoomEvent<'snapshot'> {
    if (this.leaderboardDirty) this.top = this.computeTop();
    const seq = this.watermark();
    return {
      type: 'snapshot',
      seq,
      ts: nowMs,
      data: {
        epoch: this.epoch,
        seq,
        viewers: this.viewers,
        leaderboard: { version: this.leaderboardVersion, top: this.top },
        activeCombos: [...this.combos.values()].map((c) => c.data),
        recentGifts: [...this.recent],
        bigGiftMinCoins: this.options.bigGiftMinCoins,
        video: this.video,
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

  /**
   * Takes an input in bus order: false for one already applied. A jump in the numbering means the
   * bus lost inputs (they were trimmed before this node could read them): what came before the
   * jump can no longer be given exactly, so those resume points get a snapshot.
   */
  private accept(at: InputPoint): boolean {
    if (!Number.isSafeInteger(at.seq) || at.seq <= this.inputSeq) return false;
    if (at.seq > this.inputSeq + 1) this.completeFrom = Math.max(this.completeFrom, (at.seq - 1) * SEQ_PER_INPUT);
    this.inputSeq = at.seq;
    this.seqNow = Math.max(this.seqNow, (at.seq - 1) * SEQ_PER_INPUT);
    return true;
  }

  private watermark(): number {
    return this.inputSeq * SEQ_PER_INPUT;
  }

  /** Gives the event the next seq of the current input and keeps it for resume. */
  private keep<K extends RoomEventType>(type: K, data: RoomEvent<K>['data'], nowMs: number): RoomEvent {
    if (this.seqNow + 1 > this.watermark()) throw new Error(`one room input caused more than ${SEQ_PER_INPUT} events`);
    this.seqNow += 1;
    const event = { type, seq: this.seqNow, ts: nowMs, data } as RoomEvent;
    const capacity = this.ring.length;
    if (this.size === capacity) {
      this.completeFrom = Math.max(this.completeFrom, this.at(0)?.seq ?? 0);
      this.head = (this.head + 1) % capacity;
      this.size -= 1;
    }
    this.ring[(this.head + this.size) % capacity] = event;
    this.size += 1;
    this.prune(nowMs);
    return event;
  }

  /** An event that is not kept: it carries the room's resume point. */
  private transient<K extends RoomEventType>(type: K, data: RoomEvent<K>['data'], nowMs: number): RoomEvent {
    return { type, seq: this.watermark(), ts: nowMs, data } as RoomEvent;
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
      this.completeFrom = Math.max(this.completeFrom, oldest.seq);
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
