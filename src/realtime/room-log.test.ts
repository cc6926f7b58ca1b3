// Proves the room's pure log: big gifts are kept one by one, small ones fold into rate-limited combo
// updates, counters are latest-state only, seqs grow by one per kept event, and resume from any
// point within the buffer yields exactly the missed suffix (or null when it cannot).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GiftSentData, RoomEvent } from '../protocol/room.js';
import type { LiveSummary } from '../protocol/lives.js';
import { RoomLog } from './room-log.js';

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

describe('RoomLog', () => {
  it('refuses an epoch that could not be written in a resume point', () => {
    expect(() => new RoomLog({ epoch: 'a:b', bigGiftMinCoins: 1 })).toThrow();
    expect(() => new RoomLog({ epoch: '', bigGiftMinCoins: 1 })).toThrow();
  });

  it('seeds the leaderboard from the ledger once, counting each gift recorded meanwhile exactly once', () => {
    const log = newLog();
    log.recordGift(big({ sender: ana }), T0, 10); // already in the ledger read (through seq 12)
    log.recordGift(big({ sender: bob }), T0, 14); // committed after the read: not in it
    expect(log.snapshot(T0).data.leaderboard.top.map((e) => e.coins)).toEqual([1000, 1000]);

    // The ledger: Ana 3,000 (including seq 10), Bob 500, through seq 12.
    log.seedLeaderboard([{ user: ana, coins: 3000 }, { user: bob, coins: 500 }], 12);
    const board = log.flush(T0 + 1).find((o) => o.event.type === 'leaderboard.changed');
    expect(board?.event.data).toMatchObject({ top: [{ user: ana, coins: 3000 }, { user: bob, coins: 1500 }] });

    // Later seeds are ignored, and gifts after the seed simply add up.
    log.seedLeaderboard([{ user: bob, coins: 99_999 }], 99);
    log.recordGift(big({ sender: bob }), T0 + 2, 15);
    expect(log.snapshot(T0 + 2).data.leaderboard.top).toEqual([{ user: bob, coins: 2500 }, { user: ana, coins: 3000 }].sort((a, b) => b.coins - a.coins));
  });

  it('keeps what the room saw when the ledger cannot be read, and announces no change when the seed adds nothing', () => {
    const log = newLog();
    log.recordGift(big({ sender: ana }), T0, 3);
    log.abandonLeaderboardSeed();
    log.seedLeaderboard([], null);
    expect(log.snapshot(T0).data.leaderboard.top).toEqual([{ user: ana, coins: 1000 }]);

    const quiet = newLog();
    quiet.seedLeaderboard([], null);
    expect(quiet.flush(T0 + 1).filter((o) => o.event.type === 'leaderboard.changed')).toEqual([]);
  });

  it('sends a big gift at once as its own P0 gift.sent, with the next seq', () => {
    const log = newLog();
    const first = log.recordGift(big(), T0);
    const second = log.recordGift(big(), T0 + 1);
    expect(first).toEqual([{ priority: 'P0', event: expect.objectContaining({ type: 'gift.sent', seq: 1, ts: T0 }) as unknown }]);
    expect(second[0]?.event.seq).toBe(2);
    expect(log.seq).toBe(2);
  });

  it('folds small gifts of one combo into one combo.updated per flush, at most every 100 ms', () => {
    const log = newLog();
    expect(log.recordGift(gift({ comboCount: 1 }), T0)).toEqual([]);
    expect(log.recordGift(gift({ comboCount: 2 }), T0 + 10)).toEqual([]);
    expect(log.recordGift(gift({ comboCount: 3, count: 2, coins: 2 }), T0 + 20)).toEqual([]);
    const flushed = log.flush(T0 + 30);
    const combos = flushed.filter((o) => o.event.type === 'combo.updated');
    expect(combos).toHaveLength(1);
    expect(combos[0]).toMatchObject({ priority: 'P1', event: { seq: 1, data: { comboId: 'c1', comboCount: 3, coins: 4, final: false, giftId: 'rose', sender: ana } } });
    log.recordGift(gift({ comboCount: 4 }), T0 + 40);
    expect(log.flush(T0 + 50).filter((o) => o.event.type === 'combo.updated')).toEqual([]); // too soon
    expect(log.flush(T0 + 130).filter((o) => o.event.type === 'combo.updated')).toHaveLength(1);
    expect(log.flush(T0 + 240).filter((o) => o.event.type === 'combo.updated')).toEqual([]); // nothing new
  });

  it('finishes an idle combo with a final update and drops it from the active combos', () => {
    const log = newLog({ comboIdleMs: 3000 });
    log.recordGift(gift(), T0);
    log.flush(T0 + 100);
    expect(log.snapshot(T0 + 200).data.activeCombos).toHaveLength(1);
    const out = log.flush(T0 + 3200);
    expect(out.map((o) => o.event)).toContainEqual(expect.objectContaining({ type: 'combo.updated', data: expect.objectContaining({ final: true }) as unknown }));
    expect(log.snapshot(T0 + 3300).data.activeCombos).toEqual([]);
    expect(log.pending).toBe(false);
  });

  it('bounds the active combos: the oldest is finished when a new one would pass the limit', () => {
    const log = newLog({ activeCombosMax: 2 });
    log.recordGift(gift({ comboId: 'a' }), T0);
    log.recordGift(gift({ comboId: 'b' }), T0 + 1);
    const out = log.recordGift(gift({ comboId: 'c' }), T0 + 2);
    expect(out).toMatchObject([{ priority: 'P1', event: { type: 'combo.updated', data: { comboId: 'a', final: true } } }]);
    expect(log.snapshot(T0).data.activeCombos.map((c) => c.comboId)).toEqual(['b', 'c']);
  });

  it('sends viewers at most once a second and the leaderboard at most twice, as latest state without a seq of their own', () => {
    const log = newLog();
    log.setViewers(3);
    log.setViewers(5);
    log.recordGift(big({ sender: bob }), T0);
    log.recordGift(gift({ sender: ana, coins: 7, count: 7 }), T0);
    const first = log.flush(T0);
    expect(first.find((o) => o.event.type === 'viewers.changed')).toMatchObject({ priority: 'P3', event: { seq: 2, data: { viewers: 5 } } });
    expect(first.find((o) => o.event.type === 'leaderboard.changed')).toMatchObject({
      priority: 'P3',
      event: { data: { version: 1, top: [{ user: bob, coins: 1000 }, { user: ana, coins: 7 }] } },
    });
    log.setViewers(6);
    log.recordGift(big({ sender: ana }), T0 + 100);
    expect(types(log.flush(T0 + 400))).not.toContain('viewers.changed');
    expect(types(log.flush(T0 + 400))).not.toContain('leaderboard.changed');
    expect(types(log.flush(T0 + 500))).toContain('leaderboard.changed');
    expect(types(log.flush(T0 + 1000))).toContain('viewers.changed');
    expect(log.snapshot(T0 + 1000).data.leaderboard).toMatchObject({ version: 2, top: [{ user: ana, coins: 1007 }, { user: bob, coins: 1000 }] });
    log.setViewers(6);
    expect(types(log.flush(T0 + 5000))).toEqual(['combo.updated']); // only the small gift's combo finishing
  });

  it('keeps at most giftersMax gifters, forgetting the smallest', () => {
    const log = newLog({ giftersMax: 2, leaderboardSize: 5 });
    log.recordGift(gift({ sender: ana, coins: 5 }), T0);
    log.recordGift(gift({ sender: bob, coins: 3 }), T0);
    log.recordGift(gift({ sender: { id: 'u-cy', handle: 'cy', displayName: 'Cy' }, coins: 4 }), T0);
    expect(log.snapshot(T0).data.leaderboard.top.map((e) => e.user.id)).toEqual(['u-ana', 'u-cy']);
  });

  it('ends the LIVE once: pending combos finish, then live.ended (P0); later gifts are ignored', () => {
    const log = newLog();
    log.recordGift(gift(), T0);
    const out = log.endLive(summary, T0 + 10);
    expect(out.map((o) => [o.event.type, o.priority])).toEqual([['combo.updated', 'P1'], ['live.ended', 'P0']]);
    expect(log.ended).toBe(true);
    expect(log.endLive(summary, T0 + 20)).toEqual([]);
    expect(log.recordGift(big(), T0 + 30)).toEqual([]);
  });

  it('snapshots viewers, leaderboard, active combos and the last recent gifts', () => {
    const log = newLog({ recentGiftsMax: 3 });
    for (let i = 0; i < 5; i++) log.recordGift(big({ transferId: `b${i}` }), T0 + i);
    log.recordGift(gift({ comboId: 'small' }), T0 + 6);
    log.setViewers(12);
    const snap = log.snapshot(T0 + 7);
    expect(snap).toMatchObject({ type: 'snapshot', seq: 5, ts: T0 + 7, data: { epoch: 'e1', seq: 5, viewers: 12, leaderboard: { top: [{ user: ana, coins: 5001 }] } } });
    expect(snap.data.recentGifts.map((g) => g.transferId)).toEqual(['b3', 'b4', expect.any(String) as unknown]);
    expect(snap.data.activeCombos.map((c) => c.comboId)).toEqual(['small']);
  });

  describe('since', () => {
    it('answers [] when up to date, null for another epoch, a future seq or a negative one', () => {
      const log = newLog();
      log.recordGift(big(), T0);
      expect(log.since('e1', 1, T0)).toEqual([]);
      expect(log.since('e0', 0, T0)).toBeNull();
      expect(log.since('e1', 2, T0)).toBeNull();
      expect(log.since('e1', -1, T0)).toBeNull();
      expect(log.since('e1', 0, T0)?.map((e) => e.seq)).toEqual([1]);
    });

    it('forgets events past the buffer size: too far behind is null', () => {
      const log = newLog({ bufferMax: 3 });
      for (let i = 0; i < 5; i++) log.recordGift(big(), T0);
      expect(log.since('e1', 2, T0)?.map((e) => e.seq)).toEqual([3, 4, 5]);
      expect(log.since('e1', 1, T0)).toBeNull();
    });

    it('forgets events older than the buffer age', () => {
      const log = newLog({ bufferMs: 120_000 });
      log.recordGift(big(), T0);
      log.recordGift(big(), T0 + 60_000);
      expect(log.since('e1', 0, T0 + 100_000)?.map((e) => e.seq)).toEqual([1, 2]);
      expect(log.since('e1', 0, T0 + 150_000)).toBeNull();
      expect(log.since('e1', 1, T0 + 150_000)?.map((e) => e.seq)).toEqual([2]);
      expect(log.since('e1', 1, T0 + 200_000)).toBeNull();
      expect(log.since('e1', 2, T0 + 200_000)).toEqual([]);
    });

    it('property: from any seq still in the buffer, resume yields exactly the suffix of the kept events', () => {
      const step = fc.oneof(
        fc.record({ kind: fc.constant('big' as const), dt: fc.integer({ min: 0, max: 2_000 }) }),
        fc.record({ kind: fc.constant('small' as const), combo: fc.integer({ min: 0, max: 3 }), dt: fc.integer({ min: 0, max: 2_000 }) }),
        fc.record({ kind: fc.constant('flush' as const), dt: fc.integer({ min: 0, max: 5_000 }) }),
        fc.record({ kind: fc.constant('viewers' as const), viewers: fc.integer({ min: 0, max: 100 }), dt: fc.constant(0) }),
      );
      fc.assert(
        fc.property(fc.array(step, { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), fc.nat(), (steps, bufferMax, pick) => {
          const log = newLog({ bufferMax, bufferMs: 60_000 });
          const kept: RoomEvent[] = [];
          let now = T0;
          for (const s of steps) {
            now += s.dt;
            const out =
              s.kind === 'big' ? log.recordGift(big(), now)
              : s.kind === 'small' ? log.recordGift(gift({ comboId: `c${s.combo}` }), now)
              : s.kind === 'viewers' ? (log.setViewers(s.viewers), [])
              : log.flush(now);
            for (const o of out) if (o.priority !== 'P3') kept.push(o.event);
          }
          // Kept seqs are exactly 1..seq, one each.
          expect(kept.map((e) => e.seq)).toEqual(kept.map((_, i) => i + 1));
          expect(log.seq).toBe(kept.length);
          const inBuffer = kept.filter((e) => now - e.ts <= 60_000).slice(-bufferMax);
          const oldestSeq = inBuffer[0]?.seq ?? log.seq + 1;
          // Any resume point from just before the oldest kept event to now yields the exact suffix.
          const from = oldestSeq - 1 + (pick % (log.seq - oldestSeq + 2));
          expect(log.since('e1', from, now)).toEqual(kept.slice(from));
          if (oldestSeq - 2 >= 0) expect(log.since('e1', oldestSeq - 2, now)).toBeNull();
        }),
        { numRuns: 300 },
      );
    });
  });
});
