// Proves the Redis room bus against a real Redis: one publish reaches every subscribed node (the
// publisher included) in publish order, a node hears only the rooms it subscribed to and stops after
// unsubscribing, a publish past the in-flight bound is dropped instead of queued, and close is final.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, REDIS_URL, redisAvailable, subscribersOf, uniqueChannelPrefix } from '../../test/support/redis.js';
import { InProcessRoomBus } from './in-process-room-bus.js';
import { RedisRoomBus } from './redis-room-bus.js';

describe.skipIf(!redisAvailable)('RedisRoomBus', () => {
  const prefix = uniqueChannelPrefix();
  const open: RedisRoomBus[] = [];
  function bus(options: { publishInFlightMax?: number } = {}): RedisRoomBus {
    const b = new RedisRoomBus({ url: REDIS_URL, channelPrefix: prefix, ...options });
    open.push(b);
    return b;
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  it('delivers every publish once, in publish order, to every subscribed node including the publisher', async () => {
    const [a, b] = [bus(), bus()];
    const liveId = randomUUID();
    const gotA: string[] = [];
    const gotB: string[] = [];
    await a.subscribe(liveId, (p) => gotA.push(p));
    await b.subscribe(liveId, (p) => gotB.push(p));
    expect(await subscribersOf(prefix + liveId)).toBe(2);
    const sent = Array.from({ length: 200 }, (_, i) => JSON.stringify({ i }));
    await Promise.all(sent.map((p) => a.publish(liveId, p)));
    await eventually(() => Promise.resolve(gotA.length === 200 && gotB.length === 200), '200 messages on both nodes');
    expect(gotA).toEqual(sent);
    expect(gotB).toEqual(sent);
  });

  it('hears only subscribed rooms, and nothing after unsubscribing', async () => {
    const [a, b] = [bus(), bus()];
    const [watched, other] = [randomUUID(), randomUUID()];
    const got: string[] = [];
    await b.subscribe(watched, (p) => got.push(p));
    await a.publish(other, 'not for b');
    await a.publish(watched, 'first');
    await eventually(() => Promise.resolve(got.length === 1), 'the first message');
    await b.unsubscribe(watched);
    expect(await subscribersOf(prefix + watched)).toBe(0);
    await a.publish(watched, 'second');
    // A round trip on b's own subscription proves anything published before it has arrived.
    const marker = randomUUID();
    const markers: string[] = [];
    await b.subscribe(marker, (p) => markers.push(p));
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
    const got: string[] = [];
    await a.subscribe(liveId, (p) => got.push(p));
    await a.close();
    await a.close();
    await a.publish(liveId, 'late');
    await a.subscribe(liveId, (p) => got.push(p));
    expect(await subscribersOf(prefix + liveId)).toBe(0);
    expect(got).toEqual([]);
  });
});

describe('InProcessRoomBus', () => {
  it('hands a publish to this node’s subscriber at once, and reports a failing handler without throwing', async () => {
    const errors: string[] = [];
    const bus = new InProcessRoomBus((_error, liveId) => errors.push(liveId));
    const got: string[] = [];
    await bus.subscribe('live-1', (p) => got.push(p));
    await bus.subscribe('live-2', () => {
      throw new Error('boom');
    });
    await bus.publish('live-1', 'a');
    await bus.publish('live-2', 'b');
    await bus.publish('live-3', 'c');
    await bus.unsubscribe('live-1');
    await bus.publish('live-1', 'd');
    expect(got).toEqual(['a']);
    expect(errors).toEqual(['live-2']);
    expect(bus.scope).toBe('process');
  });
});
