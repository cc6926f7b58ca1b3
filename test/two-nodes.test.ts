// Proves several nodes as an operator runs them: two `livegift serve` processes on one PostgreSQL
// database and one Redis. A gift sent through node A reaches a viewer on node B at once, with the
// same seq and the same frame as on node A; a viewer of node A that drops comes back through node
// B and gets exactly the events it missed; a gift through node B and the end of the LIVE reach
// both; and the ledger both nodes wrote reconciles clean.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomEvent, RoomEventType } from '../src/protocol/room.js';
import { LivegiftClient } from '../src/sdk/livegift-client.js';
import { PG_URL, pgAvailable } from './support/databases.js';
import { REDIS_URL, redisAvailable } from './support/redis.js';
import { TestSocket } from './support/room-socket.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'livegift.js');
/** Events kept for resume (P0, P1). */
const KEPT: ReadonlySet<RoomEventType> = new Set<RoomEventType>(['gift.sent', 'combo.updated', 'thanks.sent', 'live.ended']);
const kept = (socket: TestSocket): RoomEvent[] => socket.events.filter((e) => KEPT.has(e.type));

interface Node {
  readonly child: ChildProcess;
  readonly url: string;
  readonly ws: string;
  readonly exited: Promise<number | null>;
}

describe.skipIf(!pgAvailable || !redisAvailable)('two server processes on one PostgreSQL and one Redis', () => {
  const database = `livegift_two_nodes_${process.pid}_${randomUUID().slice(0, 8)}`;
  const databaseUrl = Object.assign(new URL(PG_URL), { pathname: `/${database}` }).toString();
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    DEMO: 'false',
    // Each node's RTMP ingest on a free port, its stream files in its own place.
    RTMP_PORT: '0',
    VIDEO: 'off',
    SPEND_DAILY_MAX_CENTS: '100000000',
    SPEND_WEEKLY_MAX_CENTS: '100000000',
  };
  const nodes: Node[] = [];
  const sockets: TestSocket[] = [];

  async function admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  async function start(): Promise<Node> {
    const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code); }));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`no banner within 30 s:\n${stderr}`)); }, 30_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /running at (http:\/\/\S+)/.exec(stderr);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      void exited.then((code) => { reject(new Error(`exited ${String(code)} before serving:\n${stderr}`)); });
    });
    const node = { child, url, ws: url.replace(/^http/, 'ws'), exited };
    nodes.push(node);
    return node;
  }

  async function watch(node: Node, liveId: string, query = ''): Promise<TestSocket> {
    const socket = await TestSocket.open(`${node.ws}/v1/lives/${liveId}/ws${query}`);
    sockets.push(socket);
    return socket;
  }

  /** Pays at the sandbox checkout as a browser would, then follows the provider's redirect back. */
  async function buyCoins(client: LivegiftClient, baseUrl: string): Promise<void> {
    const { checkoutUrl } = await client.buyCoins({ packageId: 'usd-3500' });
    const path = new URL(checkoutUrl).pathname;
    const paid = await fetch(`${baseUrl}${path}/pay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });
    expect(paid.status).toBe(303);
    const back = new URL(paid.headers.get('location') ?? '');
    expect(await (await fetch(`${baseUrl}${back.pathname}${back.search}`)).text()).toContain('Payment complete');
  }

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${database}`);
    // One after the other: the first migrates the new database.
    await start();
    await start();
  }, 90_000);

  afterAll(async () => {
    for (const s of sockets) s.ws.terminate();
    for (const n of nodes) n.child.kill('SIGTERM');
    const codes = await Promise.all(nodes.map((n) => n.exited));
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    expect(codes).toEqual(nodes.map(() => 0));
  }, 60_000);

  it('shows a gift through node A on node B at once, resumes a client of node A on node B exactly, and reconciles', async () => {
    const [a, b] = nodes as [Node, Node];
    const creator = new LivegiftClient({ baseUrl: a.url });
    await creator.signUp({ email: 'mira@example.test', password: 'mira password 1', handle: 'mira', displayName: 'Mira', birthDate: '1996-04-02' });
    await creator.setGiftsEnabled(true);
    const live = await creator.startLive({ title: 'Two processes' });
    const fanOnA = new LivegiftClient({ baseUrl: a.url });
    await fanOnA.signUp({ email: 'ana@example.test', password: 'ana password 1', handle: 'ana', displayName: 'Ana', birthDate: '2000-08-09' });
    await buyCoins(fanOnA, a.url);
    // The same person on node B: sessions live in the shared database.
    const fanOnB = new LivegiftClient({ baseUrl: b.url });
    await fanOnB.logIn({ login: 'ana', password: 'ana password 1' });

    const steady = await watch(a, live.id);
    const flaky = await watch(a, live.id);
    const onB = await watch(b, live.id);
    const { epoch } = (await flaky.event('snapshot')).data;
    expect((await onB.event('snapshot')).data.epoch).toBe(epoch);

    // Through node A, seen on node B at once, with node A's seq and frame.
    const sentAt = Date.now();
    const big = await fanOnA.sendGift({ liveId: live.id, giftId: 'galaxy' });
    const onBoth = await Promise.all([steady, onB].map((s) => s.event('gift.sent', (e) => e.data.transferId === big.transferId)));
    expect(Date.now() - sentAt).toBeLessThan(2_000);
    expect(onBoth[0]).toEqual(onBoth[1]);
    expect(onB.frames.filter((f) => f.includes(big.transferId))).toEqual(steady.frames.filter((f) => f.includes(big.transferId)));
    const seen = await flaky.event('gift.sent', (e) => e.data.transferId === big.transferId);
    flaky.ws.terminate();

    // Meanwhile: roses through node A (a combo), a big gift through node B.
    for (let i = 0; i < 3; i++) await fanOnA.sendGift({ liveId: live.id, giftId: 'rose' });
    const second = await fanOnB.sendGift({ liveId: live.id, giftId: 'galaxy' });
    await steady.event('gift.sent', (e) => e.data.transferId === second.transferId);
    await steady.event('combo.updated', (e) => e.data.comboCount === 3);

    // The client of node A comes back through node B: exactly what it missed, no snapshot.
    const back = await watch(b, live.id, `?since=${epoch}:${seen.seq}`);
    const missed = kept(steady).filter((e) => e.seq > seen.seq);
    await back.until((events) => (events.filter((e) => KEPT.has(e.type)).length >= missed.length ? true : undefined), 'the missed events');
    expect(back.events[0]?.type).not.toBe('snapshot');
    expect(kept(back).slice(0, missed.length)).toEqual(missed);

    // The end, asked of node B, reaches everyone with one seq.
    const creatorOnB = new LivegiftClient({ baseUrl: b.url });
    await creatorOnB.logIn({ login: 'mira', password: 'mira password 1' });
    await creatorOnB.endLive(live.id);
    const ends = await Promise.all([steady, onB, back].map((s) => s.event('live.ended')));
    expect(new Set(ends.map((e) => e.seq)).size).toBe(1);
    expect(kept(onB)).toEqual(kept(steady));

    // The ledger both nodes wrote is one consistent ledger.
    const reconcile = spawnSync(process.execPath, [BIN, 'reconcile'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(reconcile.stderr).toContain('Ledger is consistent');
    expect(reconcile.status).toBe(0);
  }, 60_000);
});
