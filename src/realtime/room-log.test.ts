// Proves the room's pure log: big gifts are kept one by one, small ones fold into combo updates
// that tick inputs flush at a bounded rate, counters are latest-state only, kept events are
// numbered from the bus's input numbers (so two logs fed the same inputs agree, even one that
// started late), and resume from any point within the buffer yields exactly the missed suffix
// (or null when it cannot).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GiftSentData, RoomEvent } from '../protocol/room.js';
import type { LiveSummary } from '../protocol/lives.js';
import { RoomLog, SEQ_PER_INPUT, type InputPoint } from './room-log.js';

const T0 = 1_800_000_000_000;
const ana = { id: 'u-ana', handle: 'ana', displayName: 'Ana' };
const bob = { id: 'u-bob', handle: 'bob', displayName: 'Bob' };
const rose = { id: 'rose', name: 'Rose', coins: 1, artUrl: '/assets/gifts/rose.svg', animation: 'sticker' as const };
const galaxy = { id: 'galaxy', name: 'Galaxy', coins: 1000, artUrl: '/assets/gifts/galaxy.svg', animation: 'fullscreen' as const };
const summary: LiveSummary = { durationMs: 1, peakViewers: 1, uniqueViewers: 1, gifters: 1, giftsCount: 1, coinsSpent: 1, diamondsEarned: 1, topGifters: [] };

let n = 0;
function gift(over: Partial<GiftSentData> = {}): GiftSentData {
  n += 1;
  return { sender: ana, gift: rose, count: 1, comboId: 'c1', comboCount: 1, coins: 1, transferId: `t${n}`, ...over };
}
const big = (over: Partial<GiftSentData> = {}) => gift({ gift: galaxy, coins: 1000, comboId: `big${n}`, ...over });
const newLog = (extra: Partial<ConstructorParameters<typeof RoomLog>[0]> = {}) => new RoomLog({ epoch: 'e1', bigGiftMinCoins: 1000, ...extra });
const types = (events: readonly { event: RoomEvent }[]) => events.map((o) => o.event.type);

/** Numbers inputs like the bus: 1, 2, 3 … with the time given. */
function inputs(first = 1): (ts: number) => InputPoint {
  let seq = first - 1;
  return (ts) => ({ seq: ++seq, ts });
}
/** The seq of the i-th kept event (0, 1, …) caused by input `input`. */
const seqOf = (input: number, i = 0) => (input - 1) * SEQ_PER_INPUT + 1 + i;

describe('RoomLog', () => {
  it('refuses an epoch that could not be written in a resume point, and a bad starting input', () => {
    expect(() => new RoomLog({ epoch: 'a:b', bigGiftMinCoins: 1 })).toThrow();
    expect(() => new RoomLog({ epoch: '', bigGiftMinCoins: 1 })).toThrow();
    expect(() => new RoomLog({ epoch: 'e', bigGiftMinCoins: 1, afterInput: -1 })).toThrow();
    expect(() => new RoomLog({ epoch: 'e', bigGiftMinCoins: 0 })).toThrow();
    expect(() => new RoomLog({ epoch: 'e', bigGiftMinCoins: 1.5 })).toThrow();
  });

  it('seeds the leaderboard from the ledger once, counting each gift recorded meanwhile exactly once', () => {
    const log = newLog();
    const at = inputs();
    log.recordGift(big({ sender: ana }), at(T0), 10); // already in the ledger read (through seq 12)
    log.recordGift(big({ sender: bob }), at(T0), 14); // committed after the read: not in it
    expect(log.snapshot(T0).data.leaderboard.top.map((e) => e.coins)).toEqual([1000, 1000]);

    // The ledger: Ana 3,000 (including seq 10), Bob 500, through seq 12.
    log.seedLeaderboard([{ user: ana, coins: 3000 }, { user: bob, coins: 500 }], 12);
    const board = log.flush(T0 + 1).find((o) => o.event.type === 'leaderboard.changed');
    expect(board?.event.data).toMatchObject({ top: [{ user: ana, coins: 3000 }, { user: bob, coins: 1500 }] });

    // Later seeds are ignored, and gifts after the seed simply add up.
    log.seedLeaderboard([{ user: bob, coins: 99_999 }], 99);
    log.recordGift(big({ sender: bob }), at(T0 + 2), 15);
    expect(log.snapshot(T0 + 2).data.leaderboard.top).toEqual([{ user: bob, coins: 2500 }, { user: ana, coins: 3000 }].sort((a, b) => b.coins - a.coins));
  });

  it('keeps what the room saw when the ledger cannot be read, and announces no change when the seed adds nothing', () => {
    const log = newLog();
    log.recordGift(big({ sender: ana }), { seq: 1, ts: T0 }, 3);
    log.abandonLeaderboardSeed();
    log.seedLeaderboard([], null);
    expect(log.snapshot(T0).data.leaderboard.top).toEqual([{ user: ana, coins: 1000 }]);

    const quiet = newLog();
    quiet.seedLeaderboard([], null);
    expect(quiet.flush(T0 + 1).filter((o) => o.event.type === 'leaderboard.changed')).toEqual([]);
  });

  it('sends a big gift at once as its own P0 gift.sent, numbered from its input; the resume point follows the inputs', () => {
    const log = newLog();
    const at = inputs();
    expect(log.seq).toBe(0);
    const first = log.recordGift(big(), at(T0));
    expect(first).toEqual([{ priority: 'P0', event: expect.objectContaining({ type: 'gift.sent', seq: 1, ts: T0 }) as unknown }]);
    expect(log.seq).toBe(SEQ_PER_INPUT);
    log.recordChat({ sender: bob, text: 'hi', isCreator: false }, at(T0 + 1)); // input 2 keeps nothing
    const third = log.recordGift(big(), at(T0 + 2));
    expect(third[0]?.event.seq).toBe(seqOf(3));
    expect(log.seq).toBe(3 * SEQ_PER_INPUT);
    expect(log.lastInput).toBe(3);
  });

  it('applies each input once: a repeated or older input changes nothing', () => {
    const log = newLog();
    expect(log.recordGift(big(), { seq: 1, ts: T0 })).toHaveLength(1);
    expect(log.recordGift(big(), { seq: 1, ts: T0 })).toEqual([]);
    expect(log.recordThanks({ from: bob, to: ana, text: 'thanks' }, { seq: 1, ts: T0 })).toEqual([]);
    expect(log.snapshot(T0).data.recentGifts).toHaveLength(1);
  });

  it('folds small gifts of one combo into one combo.updated per tick, at most every 100 ms of bus time', () => {
    const log = newLog();
    const at = inputs();
    expect(log.recordGift(gift({ comboCount: 1 }), at(T0))).toEqual([]);
    expect(log.recordGift(gift({ comboCount: 2 }), at(T0 + 10))).toEqual([]);
    expect(log.recordGift(gift({ comboCount: 3, count: 2, coins: 2 }), at(T0 + 20))).toEqual([]);
    expect(log.tickDue(T0 + 20)).toBe(true);
    const flushed = log.recordTick(at(T0 + 30)); // input 4
    expect(flushed).toHaveLength(1);
    expect(flushed[0]).toMatchObject({ priority: 'P1', event: { type: 'combo.updated', seq: seqOf(4), data: { comboId: 'c1', comboCount: 3, coins: 4, final: false, giftId: 'rose', sender: ana } } });
    expect(log.tickDue(T0 + 30)).toBe(false);
    log.recordGift(gift({ comboCount: 4 }), at(T0 + 40));
    expect(log.recordTick(at(T0 + 50))).toEqual([]); // too soon after the last update
    expect(log.recordTick(at(T0 + 130))).toHaveLength(1);
    expect(log.recordTick(at(T0 + 240))).toEqual([]); // nothing new
    // Counters never carry combos: flush() on this node's clock does not touch them.
    expect(types(log.flush(T0 + 10_000))).not.toContain('combo.updated');
  });

  it('finishes an idle combo with a final update on a tick and drops it from the active combos', () => {
    const log = newLog({ comboIdleMs: 3000 });
    const at = inputs();
    log.recordGift(gift(), at(T0));
    log.recordTick(at(T0 + 100));
    expect(log.snapshot(T0 + 200).data.activeCombos).toHaveLength(1);
    expect(log.tickDue(T0 + 2999)).toBe(false);
    expect(log.tickDue(T0 + 3000)).toBe(true);
    const out = log.recordTick(at(T0 + 3200));
    expect(out.map((o) => o.event)).toEqual([expect.objectContaining({ type: 'combo.updated', seq: seqOf(3), data: expect.objectContaining({ final: true }) as unknown })]);
    expect(log.snapshot(T0 + 3300).data.activeCombos).toEqual([]);
    expect(log.tickDue(T0 + 10_000)).toBe(false);
  });

  it('numbers several events of one input one after the other', () => {
    const log = newLog();
    const at = inputs();
    log.recordGift(gift({ comboId: 'a' }), at(T0));
    log.recordGift(gift({ comboId: 'b' }), at(T0));
    log.recordGift(gift({ comboId: 'c' }), at(T0));
    expect(log.recordTick(at(T0 + 100)).map((o) => o.event.seq)).toEqual([seqOf(4, 0), seqOf(4, 1), seqOf(4, 2)]);
  });

  it('bounds the active combos: the oldest is finished when a new one would pass the limit', () => {
    const log = newLog({ activeCombosMax: 2 });
    const at = inputs();
    log.recordGift(gift({ comboId: 'a' }), at(T0));
    log.recordGift(gift({ comboId: 'b' }), at(T0 + 1));
    const out = log.recordGift(gift({ comboId: 'c' }), at(T0 + 2));
    expect(out).toMatchObject([{ priority: 'P1', event: { type: 'combo.updated', seq: seqOf(3), data: { comboId: 'a', final: true } } }]);
    expect(log.snapshot(T0).data.activeCombos.map((c) => c.comboId)).toEqual(['b', 'c']);
  });

  it('sends viewers at most once a second and the leaderboard at most twice, as latest state without a seq of their own', () => {
    const log = newLog();
    const at = inputs();
    log.setViewers(3);
    log.setViewers(5);
    log.recordGift(big({ sender: bob }), at(T0));
    log.recordGift(gift({ sender: ana, coins: 7, count: 7 }), at(T0));
    const first = log.flush(T0);
    expect(first.find((o) => o.event.type === 'viewers.changed')).toMatchObject({ priority: 'P3', event: { seq: 2 * SEQ_PER_INPUT, data: { viewers: 5 } } });
    expect(first.find((o) => o.event.type === 'leaderboard.changed')).toMatchObject({
      priority: 'P3',
      event: { data: { version: 1, top: [{ user: bob, coins: 1000 }, { user: ana, coins: 7 }] } },
    });
    log.setViewers(6);
    log.recordGift(big({ sender: ana }), at(T0 + 100));
    expect(types(log.flush(T0 + 400))).not.toContain('viewers.changed');
    expect(types(log.flush(T0 + 400))).not.toContain('leaderboard.changed');
    expect(types(log.flush(T0 + 500))).toContain('leaderboard.changed');
    expect(types(log.flush(T0 + 1000))).toContain('viewers.changed');
    expect(log.snapshot(T0 + 1000).data.leaderboard).toMatchObject({ version: 2, top: [{ user: ana, coins: 1007 }, { user: bob, coins: 1000 }] });
    log.setViewers(6);
    expect(log.flush(T0 + 5000)).toEqual([]);
    expect(log.pending).toBe(false);
  });

  it('keeps at most giftersMax gifters, forgetting the smallest', () => {
    const log = newLog({ giftersMax: 2, leaderboardSize: 5 });
    const at = inputs();
    log.recordGift(gift({ sender: ana, coins: 5 }), at(T0));
    log.recordGift(gift({ sender: bob, coins: 3 }), at(T0));
    log.recordGift(gift({ sender: { id: 'u-cy', handle: 'cy', displayName: 'Cy' }, coins: 4 }), at(T0));
    expect(log.snapshot(T0).data.leaderboard.top.map((e) => e.user.id)).toEqual(['u-ana', 'u-cy']);
  });

  it('ends the LIVE once: pending combos finish, then live.ended (P0); later gifts and ticks are ignored', () => {
    const log = newLog();
    const at = inputs();
    log.recordGift(gift(), at(T0));
    const out = log.endLive(summary, at(T0 + 10));
    expect(out.map((o) => [o.event.type, o.priority, o.event.seq])).toEqual([['combo.updated', 'P1', seqOf(2, 0)], ['live.ended', 'P0', seqOf(2, 1)]]);
    expect(log.ended).toBe(true);
    expect(log.endLive(summary, at(T0 + 20))).toEqual([]);
    expect(log.recordGift(big(), at(T0 + 30))).toEqual([]);
    expect(log.recordTick(at(T0 + 5000))).toEqual([]);
    expect(log.tickDue(T0 + 5000)).toBe(false);
  });

  it('snapshots viewers, leaderboard, active combos and the last recent gifts', () => {
    const log = newLog({ recentGiftsMax: 3 });
    const at = inputs();
    for (let i = 0; i < 5; i++) log.recordGift(big({ transferId: `b${i}` }), at(T0 + i));
    log.recordGift(gift({ comboId: 'small' }), at(T0 + 6));
    log.setViewers(12);
    const snap = log.snapshot(T0 + 7);
    expect(snap).toMatchObject({ type: 'snapshot', seq: 6 * SEQ_PER_INPUT, ts: T0 + 7, data: { epoch: 'e1', seq: 6 * SEQ_PER_INPUT, viewers: 12, leaderboard: { top: [{ user: ana, coins: 5001 }] }, bigGiftMinCoins: 1000 } });
    expect(snap.data.recentGifts.map((g) => g.transferId)).toEqual(['b3', 'b4', expect.any(String) as unknown]);
    expect(snap.data.activeCombos.map((c) => c.comboId)).toEqual(['small']);
  });

  it('holds the same events as a log that started late, from the inputs both were given', () => {
    const early = newLog();
    const late = newLog({ afterInput: 3 });
    const at = inputs();
    const all: InputPoint[] = [];
    const feed = (apply: (log: RoomLog, point: InputPoint) => readonly { event: RoomEvent }[]) => {
      const point = at(T0 + all.length * 40);
      all.push(point);
      const fromEarly = apply(early, point).map((o) => o.event);
      const fromLate = point.seq > 3 ? apply(late, point).map((o) => o.event) : null;
      if (fromLate) expect(fromLate).toEqual(fromEarly);
    };
    feed((log, p) => log.recordGift(big(), p));
    feed((log, p) => log.recordGift(gift({ comboId: 'x' }), p));
    feed((log, p) => log.recordTick(p));
    const rose1 = gift({ comboId: 'y' });
    const rose2 = gift({ comboId: 'y', comboCount: 2 });
    const galaxy1 = big();
    feed((log, p) => log.recordGift(rose1, p));
    feed((log, p) => log.recordGift(galaxy1, p));
    feed((log, p) => log.recordGift(rose2, p));
    feed((log, p) => log.recordTick(p));
    feed((log, p) => log.recordThanks({ from: bob, to: ana, text: 'thank you' }, p));
    expect(late.seq).toBe(early.seq);
    // A client of the early log resumes on the late one: exactly what it missed, by the same seqs.
    expect(late.since('e1', seqOf(5), T0 + 1000)).toEqual(early.since('e1', seqOf(5), T0 + 1000));
    // A point from before the late log's first input cannot be served there.
    expect(early.since('e1', seqOf(2), T0 + 1000)).not.toBeNull();
    expect(late.since('e1', seqOf(2), T0 + 1000)).toBeNull();
  });

  describe('since', () => {
    it('answers [] when up to date, null for another epoch, a future seq or a negative one', () => {
      const log = newLog();
      log.recordGift(big(), { seq: 1, ts: T0 });
      expect(log.since('e1', SEQ_PER_INPUT, T0)).toEqual([]);
      expect(log.since('e1', 1, T0)).toEqual([]);
      expect(log.since('e0', 0, T0)).toBeNull();
      expect(log.since('e1', SEQ_PER_INPUT + 1, T0)).toBeNull();
      expect(log.since('e1', -1, T0)).toBeNull();
      expect(log.since('e1', 0, T0)?.map((e) => e.seq)).toEqual([1]);
    });

    it('refuses a resume point from before inputs the bus lost', () => {
      const log = newLog();
      log.recordGift(big(), { seq: 1, ts: T0 });
      log.recordGift(big(), { seq: 4, ts: T0 }); // inputs 2 and 3 never arrived
      expect(log.since('e1', 1, T0)).toBeNull();
      expect(log.since('e1', 3 * SEQ_PER_INPUT, T0)?.map((e) => e.seq)).toEqual([seqOf(4)]);
    });

    it('forgets events past the buffer size: too far behind is null', () => {
      const log = newLog({ bufferMax: 3 });
      const at = inputs();
      for (let i = 0; i < 5; i++) log.recordGift(big(), at(T0));
      expect(log.since('e1', seqOf(2), T0)?.map((e) => e.seq)).toEqual([seqOf(3), seqOf(4), seqOf(5)]);
      expect(log.since('e1', seqOf(1), T0)).toBeNull();
    });

    it('forgets events older than the buffer age', () => {
      const log = newLog({ bufferMs: 120_000 });
      log.recordGift(big(), { seq: 1, ts: T0 });
      log.recordGift(big(), { seq: 2, ts: T0 + 60_000 });
      expect(log.since('e1', 0, T0 + 100_000)?.map((e) => e.seq)).toEqual([seqOf(1), seqOf(2)]);
      expect(log.since('e1', 0, T0 + 150_000)).toBeNull();
      expect(log.since('e1', seqOf(1), T0 + 150_000)?.map((e) => e.seq)).toEqual([seqOf(2)]);
      expect(log.since('e1', seqOf(1), T0 + 200_000)).toBeNull();
      expect(log.since('e1', seqOf(2), T0 + 200_000)).toEqual([]);
    });

    it('property: from any seq still in the buffer, resume yields exactly the suffix of the kept events', () => {
      const step = fc.oneof(
        fc.record({ kind: fc.constant('big' as const), dt: fc.integer({ min: 0, max: 2_000 }) }),
        fc.record({ kind: fc.constant('small' as const), combo: fc.integer({ min: 0, max: 3 }), dt: fc.integer({ min: 0, max: 2_000 }) }),
        fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 5_000 }) }),
        fc.record({ kind: fc.constant('viewers' as const), viewers: fc.integer({ min: 0, max: 100 }), dt: fc.constant(0) }),
      );
      fc.assert(
        fc.property(fc.array(step, { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), fc.nat(), (steps, bufferMax, pick) => {
          const log = newLog({ bufferMax, bufferMs: 60_000 });
          const at = inputs();
          const kept: RoomEvent[] = [];
          let now = T0;
          for (const s of steps) {
            now += s.dt;
            const out =
              s.kind === 'big' ? log.recordGift(big(), at(now))
              : s.kind === 'small' ? log.recordGift(gift({ comboId: `c${s.combo}` }), at(now))
              : s.kind === 'viewers' ? (log.setViewers(s.viewers), [])
              : log.recordTick(at(now));
            for (const o of out) if (o.priority !== 'P3') kept.push(o.event);
          }
          // Kept seqs strictly grow and never pass the resume point.
          for (let i = 1; i < kept.length; i++) expect(kept[i]?.seq).toBeGreaterThan(kept[i - 1]?.seq ?? 0);
          expect(kept.at(-1)?.seq ?? 0).toBeLessThanOrEqual(log.seq);
          const inBuffer = kept.filter((e) => now - e.ts <= 60_000).slice(-bufferMax);
          const dropped = kept.slice(0, kept.length - inBuffer.length);
          const lowest = dropped.at(-1)?.seq ?? 0;
          // Any resume point from the newest forgotten event to now yields the exact suffix.
          const from = lowest + (pick % (log.seq - lowest + 1));
          expect(log.since('e1', from, now)).toEqual(kept.filter((e) => e.seq > from));
          if (lowest > 0) expect(log.since('e1', lowest - 1, now)).toBeNull();
        }),
        { numRuns: 300 },
      );
    });
  });
});
