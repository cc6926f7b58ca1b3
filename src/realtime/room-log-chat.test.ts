// Proves the pure parts of chat, likes and thank-yous: chat is P2 and never kept, likes fold into one latest-state like.batch at most once per interval, a thank-you is a kept P0 event that resume replays, a socket's chat budget samples past 20 lines/s, and the per-user rate window is exact and bounded.
import { describe, expect, it } from 'vitest';
import { roomText, THANKS_PHRASES } from '../domain/thanks.js';
import { ChatBudget, RateWindow, RoomLog, SEQ_PER_INPUT } from './room-log.js';

const T0 = 1_800_000_000_000;
const ana = { id: 'u-ana', handle: 'ana', displayName: 'Ana' };
const host = { id: 'u-host', handle: 'host', displayName: 'Host' };
const newLog = () => new RoomLog({ epoch: 'e1', bigGiftMinCoins: 1000 });

describe('RoomLog chat, likes and thanks', () => {
  it('passes chat on as P2 with the room resume point, and never keeps it for resume', () => {
    const log = newLog();
    const out = log.recordChat({ sender: ana, text: 'hi', isCreator: false }, { seq: 1, ts: T0 });
    expect(out).toEqual([{ priority: 'P2', event: { type: 'chat.message', seq: SEQ_PER_INPUT, ts: T0, data: { sender: ana, text: 'hi', isCreator: false } } }]);
    expect(log.seq).toBe(SEQ_PER_INPUT);
    expect(log.since('e1', 0, T0 + 1)).toEqual([]);
  });

  it('keeps a thank-you as P0 numbered from its input; resume replays it but not the chat around it', () => {
    const log = newLog();
    log.recordChat({ sender: ana, text: 'before', isCreator: false }, { seq: 1, ts: T0 });
    const [thanks] = log.recordThanks({ from: host, to: ana, text: THANKS_PHRASES[0] }, { seq: 2, ts: T0 + 1 });
    log.recordChat({ sender: ana, text: 'after', isCreator: false }, { seq: 3, ts: T0 + 2 });
    expect(thanks).toMatchObject({ priority: 'P0', event: { type: 'thanks.sent', seq: SEQ_PER_INPUT + 1, data: { text: 'Great job' } } });
    expect(log.since('e1', 0, T0 + 3)?.map((e) => e.type)).toEqual(['thanks.sent']);
  });

  it('folds likes into one like.batch per interval: latest total and the count since the last batch', () => {
    const log = newLog();
    expect(log.pending).toBe(false);
    let seq = 0;
    for (const count of [1, 2, 3]) expect(log.recordLikes(count, { seq: ++seq, ts: T0 })).toEqual([]);
    expect(log.pending).toBe(true);
    expect(log.flush(T0).map((o) => [o.priority, o.event])).toEqual([['P3', { type: 'like.batch', seq: 3 * SEQ_PER_INPUT, ts: T0, data: { total: 6, recent: 6 } }]]);
    log.recordLikes(4, { seq: ++seq, ts: T0 });
    log.recordLikes(50, { seq: ++seq, ts: T0 });
    expect(log.flush(T0 + 999)).toEqual([]);
    expect(log.flush(T0 + 1000).map((o) => o.event.data)).toEqual([{ total: 60, recent: 54 }]);
    expect(log.flush(T0 + 5000)).toEqual([]);
    expect(log.pending).toBe(false);
    expect(log.recordLikes(0, { seq: ++seq, ts: T0 })).toEqual([]);
    expect(log.pending).toBe(false);
  });

  it('takes no chat, likes or thanks after the LIVE ended', () => {
    const log = newLog();
    log.endLive({ durationMs: 1, peakViewers: 1, uniqueViewers: 1, gifters: 0, giftsCount: 0, coinsSpent: 0, diamondsEarned: 0, topGifters: [] }, { seq: 1, ts: T0 });
    expect(log.recordChat({ sender: ana, text: 'hi', isCreator: false }, { seq: 2, ts: T0 })).toEqual([]);
    expect(log.recordThanks({ from: host, to: ana, text: 'thanks' }, { seq: 3, ts: T0 })).toEqual([]);
    log.recordLikes(5, { seq: 4, ts: T0 });
    expect(log.flush(T0 + 2000)).toEqual([]);
  });
});

describe('ChatBudget', () => {
  it('delivers 20 lines at once, then samples to 20 per second', () => {
    const budget = new ChatBudget(T0);
    const burst = Array.from({ length: 100 }, () => budget.take(T0)).filter(Boolean).length;
    expect(burst).toBe(20);
    // A flood of 100 lines/s for 5 s: about 20 per second get through.
    let delivered = 0;
    for (let ms = 10; ms <= 5000; ms += 10) if (budget.take(T0 + ms)) delivered += 1;
    expect(delivered).toBeGreaterThanOrEqual(99);
    expect(delivered).toBeLessThanOrEqual(101);
    expect(budget.take(T0 + 10_000)).toBe(true);
  });
});

describe('RateWindow', () => {
  it('allows 5 per 10 s per key and says how long to wait', () => {
    const window = new RateWindow(5, 10_000);
    for (let i = 0; i < 5; i++) expect(window.hit('ana', T0 + i * 1000)).toBe(0);
    expect(window.hit('ana', T0 + 5000)).toBe(5000);
    expect(window.hit('bob', T0 + 5000)).toBe(0);
    expect(window.hit('ana', T0 + 10_000)).toBe(0);
  });

  it('forgets the least recently seen key past its bound', () => {
    const window = new RateWindow(1, 10_000, 2);
    expect(window.hit('a', T0)).toBe(0);
    expect(window.hit('b', T0)).toBe(0);
    expect(window.hit('c', T0)).toBe(0);
    expect(window.hit('b', T0)).toBeGreaterThan(0);
    expect(window.hit('a', T0)).toBe(0);
  });
});

describe('roomText', () => {
  it('trims and keeps 1 to 200 characters', () => {
    expect(roomText('  hi  ')).toBe('hi');
    expect(roomText('   ')).toBeNull();
    expect(roomText('x'.repeat(201))).toBeNull();
    expect(roomText(` ${'x'.repeat(200)} `)).toHaveLength(200);
  });
});
