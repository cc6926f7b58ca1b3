// Proves the room buses. Against a real Redis: every publish is numbered once and reaches every
// subscribed node (the publisher included) in that order with the same epoch, seq and time; a node
// that subscribes late gets the kept inputs as its feed; a message lost on the way is read back
// from the stream; a room Redis forgot starts a new epoch; a node hears only the rooms it
// subscribed to; a publish past the in-flight bound is dropped instead of queued; close is final.
// In process: the same numbering and feed, bounded by count and age, and a failing handler is
// reported without throwing.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually, REDIS_URL, redisAvailable, subscribersOf, uniqueChannelPrefix } from '../../test/support/redis.js';
import type { RoomInput } from '../app/ports.js';
import { InProcessRoomBus } from './in-process-room-bus.js';
import { RedisRoomBus } from './redis-room-bus.js';

describe.skipIf(!redisAvailable)('RedisRoomBus', () => {
  const prefix = uniqueChannelPrefix();
  const open: RedisRoomBus[] = [];
  const raw = new Redis(REDIS_URL, { lazyConnect: true });
  function bus(options: { publishInFlightMax?: number; historyMax?: number } = {}): RedisRoomBus {
    const b = new RedisRoomBus({ url: REDIS_URL, channelPrefix: prefix, ...options });
    open.push(b);
    return b;
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });
  afterAll(() => {
    raw.disconnect();
  });

  it('numbers every publish once and delivers it in that order to every subscribed node, the publisher included', async () => {
    const [a, b] = [bus(), bus()];
    const liveId = randomUUID();
    const gotA: RoomInput[] = [];
    const gotB: RoomInput[] = [];
    const feedA = await a.subscribe(liveId, (i) => gotA.push(i));
    const feedB = await b.subscribe(liveId, (i) => gotB.push(i));
    expect(feedA).toEqual({ epoch: feedB.epoch, seq: 0, history: [] });
    expect(await subscribersOf(prefix + liveId)).toBe(2);
    const sent = Array.from({ length: 200 }, (_, i) => JSON.stringify({ i }));
    const before = Date.now();
    await Promise.all(sent.map((p) => a.publish(liveId, p)));
    await eventually(() => Promise.resolve(gotA.length === 200 && gotB.length === 200), '200 messages on both nodes');
    expect(gotA.map((i) => i.seq)).toEqual(sent.map((_, i) => i + 1));
    expect(gotA.every((i) => i.epoch === feedA.epoch && i.ts >= before - 1000 && i.ts <= Date.now() + 1000)).toBe(true);
    expect(gotB).toEqual(gotA);
    // Publish order across concurrent publishes is the numbering order: the payloads follow it.
    expect(new Set(gotA.map((i) => i.payload))).toEqual(new Set(sent));
  });

  it('gives a node that subscribes late the kept inputs as its feed, then everything after', async () => {
    const [a, late] = [bus(), bus()];
    const liveId = randomUUID();
    const gotA: RoomInput[] = [];
    await a.subscribe(liveId, (i) => gotA.push(i));
    for (let i = 0; i < 5; i++) await a.publish(liveId, `early ${i}`);
    await eventually(() => Promise.resolve(gotA.length === 5), 'five inputs on a');
    const gotLate: RoomInput[] = [];
    const feed = await late.subscribe(liveId, (i) => gotLate.push(i));
    expect(feed).toEqual({ epoch: gotA[0]?.epoch, seq: 5, history: gotA });
    await a.publish(liveId, 'after');
    await eventually(() => Promise.resolve(gotLate.some((i) => i.seq === 6)), 'input 6 on the late node');
    expect(gotLate.filter((i) => i.seq > 5)).toEqual(gotA.filter((i) => i.seq > 5));
  });

  it('keeps about historyMax inputs per room, ending at the last one', async () => {
    const a = bus({ historyMax: 10 });
    const liveId = randomUUID();
    for (let i = 0; i < 300; i++) await a.publish(liveId, String(i));
    const feed = await bus().subscribe(liveId, () => undefined);
    expect(feed.seq).toBe(300);
    expect(feed.history.at(-1)?.seq).toBe(300);
    expect(feed.history.length).toBeGreaterThanOrEqual(10);
    expect(feed.history.length).toBeLessThan(300);
  });

  it('reads back from the stream an input whose message never arrived', async () => {
    const a = bus();
    const liveId = randomUUID();
    const got: RoomInput[] = [];
    const feed = await a.subscribe(liveId, (i) => got.push(i));
    // Input 1 is numbered and kept but its pub/sub message is lost (as for a node that was briefly
    // disconnected): only the stream has it.
    await raw.hincrby(`${prefix}{${liveId}}:state`, 'seq', 1);
    await raw.xadd(`${prefix}{${liveId}}:log`, '1-0', 'e', feed.epoch, 't', String(Date.now()), 'p', 'lost on the way');
    await a.publish(liveId, 'second');
    await eventually(() => Promise.resolve(got.length === 2), 'both inputs');
    expect(got.map((i) => [i.seq, i.payload])).toEqual([[1, 'lost on the way'], [2, 'second']]);
  });

  it('starts a new epoch, numbered from 1, for a room whose state Redis no longer has', async () => {
    const a = bus();
    const liveId = randomUUID();
    const got: RoomInput[] = [];
    const feed = await a.subscribe(liveId, (i) => got.push(i));
    await a.publish(liveId, 'old');
    await eventually(() => Promise.resolve(got.length === 1), 'the first input');
    await raw.del(`${prefix}{${liveId}}:state`);
    await a.publish(liveId, 'new');
    await eventually(() => Promise.resolve(got.length === 2), 'the second input');
    expect(got[0]).toMatchObject({ epoch: feed.epoch, seq: 1 });
    expect(got[1]?.epoch).not.toBe(feed.epoch);
    expect(got[1]?.seq).toBe(1);
    expect((await bus().subscribe(liveId, () => undefined)).history.map((i) => i.payload)).toEqual(['new']);
  });

  it('hears only subscribed rooms, and nothing after unsubscribing', async () => {
    const [a, b] = [bus(), bus()];
    const [watched, other] = [randomUUID(), randomUUID()];
    const got: string[] = [];
    await b.subscribe(watched, (i) => got.push(i.payload));
    await a.publish(other, 'not for b');
    await a.publish(watched, 'first');
    await eventually(() => Promise.resolve(got.length === 1), 'the first message');
    await b.unsubscribe(watched);
    expect(await subscribersOf(prefix + watched)).toBe(0);
    await a.publish(watched, 'second');
    // A round trip on b's own subscription proves anything published before it has arrived.
    const marker = randomUUID();
    const markers: string[] = [];
    await b.subscribe(marker, (i) => markers.push(i.payload));
    await a.publish(marker, 'ping');
    await eventually(() => Promise.resolve(markers.length === 1), 'the marker');
    expect(got).toEqual(['first']);
  });

  it('drops publishes past the in-flight bound instead of queueing them', async () => {
    const a = bus({ publishInFlightMax: 2 });
    const liveId = randomUUID();
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.publish(liveId, String(i))));
    expect(a.droppedPublishes).toBe(48);
  });

  it('does nothing after close, and closes twice without complaint', async () => {
    const a = bus();
    const liveId = randomUUID();
    const got: RoomInput[] = [];
    await a.subscribe(liveId, (i) => got.push(i));
    await a.close();
    await a.close();
    await a.publish(liveId, 'late');
    await expect(a.subscribe(liveId, (i) => got.push(i))).rejects.toThrow();
    expect(await subscribersOf(prefix + liveId)).toBe(0);
    expect(got).toEqual([]);
  });
});

describe('InProcessRoomBus', () => {
  it('numbers and hands a publish to this node’s subscriber at once, and reports a failing handler without throwing', async () => {
    const errors: string[] = [];
    let now = 1_000;
    const bus = new InProcessRoomBus({ nowMs: () => now, onHandlerError: (_error, liveId) => errors.push(liveId) });
    const got: RoomInput[] = [];
    const feed = await bus.subscribe('live-1', (i) => got.push(i));
    await bus.subscribe('live-2', () => {
      throw new Error('boom');
    });
    await bus.publish('live-1', 'a');
    now += 5;
    await bus.publish('live-1', 'b');
    await bus.publish('live-2', 'b');
    await bus.publish('live-3', 'c');
    expect(got).toEqual([
      { epoch: feed.epoch, seq: 1, ts: 1_000, payload: 'a' },
      { epoch: feed.epoch, seq: 2, ts: 1_005, payload: 'b' },
    ]);
    expect(errors).toEqual(['live-2']);
    expect(bus.scope).toBe('process');
  });

  it('keeps the latest inputs, bounded by count and age, as the feed of the next subscription', async () => {
    let now = 0;
    const bus = new InProcessRoomBus({ nowMs: () => now, historyMax: 3, historyMs: 1_000 });
    const first = await bus.subscribe('live', () => undefined);
    for (let i = 1; i <= 5; i++) await bus.publish('live', `p${i}`);
    await bus.unsubscribe('live');
    // Dropped and opened again within the time: same epoch, numbering goes on, the last 3 are kept.
    const again = await bus.subscribe('live', () => undefined);
    expect(again.epoch).toBe(first.epoch);
    expect(again.seq).toBe(5);
    expect(again.history.map((i) => i.payload)).toEqual(['p3', 'p4', 'p5']);
    now += 1_001;
    expect((await bus.subscribe('live', () => undefined)).history).toEqual([]);
  });

  it('forgets a room nobody watches once its inputs aged out: it comes back as a new epoch', async () => {
    let now = 0;
    const bus = new InProcessRoomBus({ nowMs: () => now, historyMs: 1_000 });
    const first = await bus.subscribe('live', () => undefined);
    await bus.publish('live', 'x');
    now += 2_000;
    await bus.unsubscribe('live');
    const later = await bus.subscribe('live', () => undefined);
    expect(later.epoch).not.toBe(first.epoch);
    expect(later.seq).toBe(0);
  });
});
