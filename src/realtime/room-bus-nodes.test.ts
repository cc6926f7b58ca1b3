// Proves two Livegift nodes on one PostgreSQL database and one Redis share their LIVE rooms: a gift
// sent over HTTP to node A reaches a socket on node B (big gifts as gift.sent, small ones as
// combo.updated) with one bus publish per gift, both nodes hold the same events under the same
// epoch and seqs (node B opened the room late and replayed the bus's history), a client that
// dropped on node A resumes on node B with exactly what it missed, and the LIVE end reaches both.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RoomBus, RoomFeed, RoomInput } from '../app/ports.js';
import { loadConfig } from '../config.js';
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import { ScryptPasswordHasher } from '../platform/scrypt-password-hasher.js';
import { RoomEventSchema, type RoomEvent, type RoomEventType } from '../protocol/room.js';

/** Events kept for resume (P0, P1). */
const KEPT: ReadonlySet<RoomEventType> = new Set<RoomEventType>(['gift.sent', 'combo.updated', 'thanks.sent', 'live.ended']);
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

/** Counts the gift publishes a node makes, to show one publish per applied send. */
class CountingBus implements RoomBus {
  publishes = 0;
  constructor(private readonly inner: RedisRoomBus) {}
  get scope(): 'cluster' {
    return this.inner.scope;
  }
  publish(liveId: string, payload: string): Promise<void> {
    if (payload.includes('"kind":"gift"')) this.publishes += 1;
    return this.inner.publish(liveId, payload);
  }
  subscribe(liveId: string, onInput: (input: RoomInput) => void): Promise<RoomFeed> {
    return this.inner.subscribe(liveId, onInput);
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
    VIDEO: 'off',
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

  it('shows a gift sent through node A on node B with the same seqs, and resumes a client of node A on node B exactly', async () => {
    const creator = await signUp('creator1');
    await call(nodeA, 'PUT', '/v1/me/gifts', { enabled: true }, creator.cookie);
    const live = await call<{ id: string }>(nodeA, 'POST', '/v1/lives', { title: 'Two nodes' }, creator.cookie);
    expect(live.status).toBe(201);
    const liveId = live.body.id;
    const fan = await signUp('fan1');
    await storage.ledger.submit([
      { id: `fund:${fan.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(fan.userId).coins.id, amount: 100_000n },
    ]);
    const send = (node: Livegift, giftId: string) => call<{ transferId: string; comboId: string }>(node, 'POST', '/v1/gifts', { id: randomUUID(), liveId, giftId, count: 1 }, fan.cookie);
    const kept = (v: Viewer) => v.events.filter((e) => KEPT.has(e.type));

    // Only node A has the room open at first.
    const steady = await watch(wsA, liveId);
    const flaky = await watch(wsA, liveId);
    const { epoch } = (await flaky.event('snapshot')).data;
    const before = busA.publishes;
    const big = await send(nodeA, 'galaxy');
    expect(big.status).toBe(201);
    const roses = [];
    for (let i = 0; i < 3; i++) roses.push(await send(nodeA, 'rose'));
    expect(busA.publishes - before).toBe(4); // one publish per applied send
    const comboOnA = await steady.event('combo.updated', (e) => e.data.comboCount === 3);
    expect(comboOnA.data).toMatchObject({ comboId: roses[0]?.body.comboId, giftId: 'rose', coins: 3 });
    const seen = await flaky.event('gift.sent', (e) => e.data.transferId === big.body.transferId);
    flaky.close();

    // Node B opens the room late: it replays the inputs Redis keeps, so its room is node A's.
    const onB = await watch(wsB, liveId);
    const snapshotB = (await onB.event('snapshot')).data;
    expect(snapshotB.epoch).toBe(epoch);
    expect(snapshotB.recentGifts.map((g) => g.transferId)).toContain(big.body.transferId);
    await eventually(async () => (await subscribersOf(prefix + liveId)) === 2, 'both nodes subscribed');

    // A gift through node B reaches both nodes with the same seq and the same frame.
    const second = await send(nodeB, 'galaxy');
    const onBoth = await Promise.all([steady, onB].map((v) => v.event('gift.sent', (e) => e.data.transferId === second.body.transferId)));
    expect(onBoth[0]).toEqual(onBoth[1]);
    expect(onBoth[0]?.seq).toBeGreaterThan(snapshotB.seq);

    // The client that dropped on node A comes back through node B: exactly the events it missed.
    const back = await watch(wsB, liveId, `?since=${epoch}:${seen.seq}`);
    const missed = kept(steady).filter((e) => e.seq > seen.seq);
    await eventually(() => Promise.resolve(kept(back).length >= missed.length), 'the missed events on node B', WAIT_MS);
    expect(back.events[0]?.type).not.toBe('snapshot');
    expect(kept(back)).toEqual(missed);
    expect(missed.map((e) => e.type)).toEqual(expect.arrayContaining(['combo.updated', 'gift.sent']));

    const ended = await call(nodeA, 'POST', `/v1/lives/${liveId}/end`, {}, creator.cookie);
    expect(ended.status).toBe(200);
    const endOnB = await onB.event('live.ended');
    const endOnA = await steady.event('live.ended');
    expect(endOnB.seq).toBe(endOnA.seq);
    // Every event both nodes kept since B joined is the same, seq for seq.
    expect(kept(onB)).toEqual(kept(steady).filter((e) => e.seq > snapshotB.seq));
  });
});
