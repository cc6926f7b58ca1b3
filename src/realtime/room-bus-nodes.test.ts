// Proves two Livegift nodes on one PostgreSQL database and one Redis share their LIVE rooms: a gift
// sent over HTTP to node A reaches a socket on node B (big gifts as gift.sent, small ones as
// combo.updated) with one bus publish per room input, the LIVE end reaches both nodes, and a resume
// point from one node presented to the other gets a snapshot that already holds the gift.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RoomBus } from '../app/ports.js';
import { loadConfig } from '../config.js';
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import { ScryptPasswordHasher } from '../platform/scrypt-password-hasher.js';
import { RoomEventSchema, type RoomEvent, type RoomEventType } from '../protocol/room.js';
import { buildLivegift, type Livegift } from '../server.js';
import { openStorage } from '../storage/database.js';
import { DIALECTS, type TestStorage } from '../../test/support/databases.js';
import { eventually, REDIS_URL, redisAvailable, subscribersOf, uniqueChannelPrefix } from '../../test/support/redis.js';
import { RedisRoomBus } from './redis-room-bus.js';

const WAIT_MS = 5_000;
const postgres = DIALECTS.find((d) => d.name === 'postgres');

/** A real socket that keeps every event it receives, validated against the protocol. */
class Viewer {
  readonly events: RoomEvent[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.events.push(RoomEventSchema.parse(JSON.parse(data.toString('utf8'))));
    });
  }
  static open(url: string): Promise<Viewer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const viewer = new Viewer(ws);
      ws.once('open', () => {
        resolve(viewer);
      });
      ws.once('error', reject);
    });
  }
  async event<K extends RoomEventType>(type: K, where: (e: RoomEvent<K>) => boolean = () => true): Promise<RoomEvent<K>> {
    let found: RoomEvent<K> | undefined;
    await eventually(
      () => {
        found = this.events.find((e) => e.type === type && where(e as RoomEvent<K>)) as RoomEvent<K> | undefined;
        return Promise.resolve(found !== undefined);
      },
      `${type} (got ${JSON.stringify(this.events.map((e) => [e.type, e.seq]))})`,
      WAIT_MS,
    );
    if (!found) throw new Error(`no ${type}`);
    return found;
  }
  close(): void {
    this.ws.terminate();
  }
}

/** Counts the publishes a node makes, to show one publish per room input. */
class CountingBus implements RoomBus {
  publishes = 0;
  constructor(private readonly inner: RedisRoomBus) {}
  get scope(): 'cluster' {
    return this.inner.scope;
  }
  publish(liveId: string, payload: string): Promise<void> {
    this.publishes += 1;
    return this.inner.publish(liveId, payload);
  }
  subscribe(liveId: string, onMessage: (payload: string) => void): Promise<void> {
    return this.inner.subscribe(liveId, onMessage);
  }
  unsubscribe(liveId: string): Promise<void> {
    return this.inner.unsubscribe(liveId);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe.skipIf(!redisAvailable || postgres?.available !== true)('LIVE rooms across two nodes (PostgreSQL + Redis)', () => {
  const prefix = uniqueChannelPrefix();
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DEMO: 'false',
    REDIS_URL,
    LIVE_AUTO_END_INTERVAL_SECONDS: '0',
    DIAMOND_MATURE_INTERVAL_SECONDS: '0',
    PAYOUT_WORKER_INTERVAL_SECONDS: '0',
    SPEND_DAILY_MAX_CENTS: '100000000',
    SPEND_WEEKLY_MAX_CENTS: '100000000',
  });
  let storage: TestStorage;
  let nodeA: Livegift;
  let nodeB: Livegift;
  let busA: CountingBus;
  let wsA: string;
  let wsB: string;
  const viewers: Viewer[] = [];

  beforeAll(async () => {
    if (!postgres) throw new Error('no PostgreSQL dialect');
    storage = await postgres.open();
    busA = new CountingBus(new RedisRoomBus({ url: REDIS_URL, channelPrefix: prefix }));
    const passwords = new ScryptPasswordHasher(1 << 10);
    nodeA = await buildLivegift(config, { storage, passwords, roomBus: busA });
    nodeB = await buildLivegift(config, { storage: await openStorage(storage.options), passwords, roomBus: new RedisRoomBus({ url: REDIS_URL, channelPrefix: prefix }) });
    wsA = (await nodeA.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
    wsB = (await nodeB.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
  });
  afterAll(async () => {
    for (const v of viewers) v.close();
    await nodeB.close();
    await nodeA.close();
    await storage.drop();
  });

  async function call<T>(node: Livegift, method: 'POST' | 'PUT', url: string, payload: object, cookie?: string): Promise<{ status: number; body: T; setCookie: string }> {
    const res = await node.app.inject({ method, url, payload, headers: cookie !== undefined ? { cookie } : {} });
    return { status: res.statusCode, body: JSON.parse(res.body) as T, setCookie: String(res.headers['set-cookie']) };
  }
  async function signUp(handle: string): Promise<{ cookie: string; userId: string }> {
    const res = await call<{ user: { id: string } }>(nodeA, 'POST', '/v1/auth/signup', {
      email: `${handle}@example.test`,
      password: 'correct horse battery',
      handle,
      displayName: handle.toUpperCase(),
      birthDate: '1990-05-17',
    });
    expect(res.status).toBe(201);
    return { cookie: res.setCookie.split(';')[0] ?? '', userId: res.body.user.id };
  }
  async function watch(wsBase: string, liveId: string, query = ''): Promise<Viewer> {
    const v = await Viewer.open(`${wsBase}/v1/lives/${liveId}/ws${query}`);
    viewers.push(v);
    return v;
  }

  it('shows a gift sent through node A to a viewer on node B, and resumes across nodes with a snapshot', async () => {
    const creator = await signUp('creator1');
    await call(nodeA, 'PUT', '/v1/me/gifts', { enabled: true }, creator.cookie);
    const live = await call<{ id: string }>(nodeA, 'POST', '/v1/lives', { title: 'Two nodes' }, creator.cookie);
    expect(live.status).toBe(201);
    const liveId = live.body.id;
    const fan = await signUp('fan1');
    await storage.ledger.submit([
      { id: `fund:${fan.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(fan.userId).coins.id, amount: 100_000n },
    ]);

    const onB = await watch(wsB, liveId);
    const onA = await watch(wsA, liveId);
    const snapshotA = (await onA.event('snapshot')).data;
    const snapshotB = (await onB.event('snapshot')).data;
    expect(snapshotA.epoch).not.toBe(snapshotB.epoch);
    // Each node subscribes when it opens the room; the gift must not race the subscriptions.
    await eventually(async () => (await subscribersOf(prefix + liveId)) === 2, 'both nodes subscribed');

    const before = busA.publishes;
    const big = await call<{ transferId: string }>(nodeA, 'POST', '/v1/gifts', { id: randomUUID(), liveId, giftId: 'galaxy', count: 1 }, fan.cookie);
    expect(big.status).toBe(201);
    const roses = [];
    for (let i = 0; i < 3; i++) roses.push(await call<{ comboId: string }>(nodeA, 'POST', '/v1/gifts', { id: randomUUID(), liveId, giftId: 'rose', count: 1 }, fan.cookie));
    expect(busA.publishes - before).toBe(4); // one publish per applied send, whoever watches

    const giftOnB = await onB.event('gift.sent', (e) => e.data.transferId === big.body.transferId);
    expect(giftOnB).toMatchObject({ seq: snapshotB.seq + 1, data: { sender: { id: fan.userId }, gift: { id: 'galaxy' }, coins: 1000 } });
    const comboOnB = await onB.event('combo.updated', (e) => e.data.comboCount === 3);
    expect(comboOnB.data).toMatchObject({ comboId: roses[0]?.body.comboId, giftId: 'rose', coins: 3 });
    const giftOnA = await onA.event('gift.sent', (e) => e.data.transferId === big.body.transferId);
    expect(giftOnA.seq).toBe(snapshotA.seq + 1);
    expect(onB.events.filter((e) => e.type === 'gift.sent')).toHaveLength(1);

    // A client that was on node A reconnects through node B: another epoch, so a snapshot that
    // already holds what it missed. On node B itself its own resume point is exact.
    const movedOver = await watch(wsB, liveId, `?since=${snapshotA.epoch}:${snapshotA.seq}`);
    const snapshot = await movedOver.event('snapshot');
    expect(snapshot.data.epoch).toBe(snapshotB.epoch);
    expect(snapshot.data.recentGifts.map((g) => g.transferId)).toContain(big.body.transferId);
    const resumedOnB = await watch(wsB, liveId, `?since=${snapshotB.epoch}:${snapshotB.seq}`);
    const replayed = await resumedOnB.event('gift.sent');
    expect(replayed).toEqual(giftOnB);
    expect(resumedOnB.events[0]?.type).toBe('gift.sent');

    const ended = await call(nodeA, 'POST', `/v1/lives/${liveId}/end`, {}, creator.cookie);
    expect(ended.status).toBe(200);
    await onB.event('live.ended');
    await onA.event('live.ended');
  });
});
