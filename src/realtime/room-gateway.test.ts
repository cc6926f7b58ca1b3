// Proves the LIVE room over real WebSockets against a listening server: snapshot first, gifts sent
// over HTTP or the socket reach every socket once (big ones alone, small ones as combos) with
// growing seqs, resume yields exactly the missed events, and bad or unauthorized messages are
// answered with errors without hurting the socket; a socket that stops reading is cut at the hard
// cap with its resume point while the others keep receiving.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { WAITING } from '../domain/video.js';
import type { Services } from '../app/services.js';
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import type { RoomEvent, RoomEventType } from '../protocol/room.js';
import { TestSocket } from '../../test/support/room-socket.js';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';
import { RoomGateway } from './room-gateway.js';

const KEPT: ReadonlySet<RoomEventType> = new Set<RoomEventType>(['gift.sent', 'combo.updated', 'live.ended']);

/** The events a socket received that the room keeps for resume (P0/P1), in order. */
function kept(socket: TestSocket): RoomEvent[] {
  return socket.events.filter((e) => KEPT.has(e.type));
}

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`LIVE rooms over WebSocket on ${dialect.name}`, () => {
    let node: TestNode;
    let wsBase: string;
    let httpBase: string;
    const sockets: TestSocket[] = [];
    beforeAll(async () => {
      node = await openTestNode(dialect, { SPEND_DAILY_MAX_CENTS: '100000000', SPEND_WEEKLY_MAX_CENTS: '100000000' });
      httpBase = await node.app.listen({ port: 0, host: '127.0.0.1' });
      wsBase = httpBase.replace(/^http/, 'ws');
    });
    afterAll(async () => {
      await Promise.all(sockets.map((s) => s.close()));
      await node.drop();
    });

    let users = 0;
    async function viewer(coins = 100_000n): Promise<{ cookie: string; userId: string }> {
      const who = await signUpAs(node, { handle: `viewer${users++}` });
      await node.storage.ledger.submit([
        { id: `fund:${who.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(who.userId).coins.id, amount: coins },
      ]);
      return who;
    }
    async function liveOfNewCreator(): Promise<{ liveId: string; cookie: string }> {
      const creator = await signUpAs(node, { handle: `creator${users++}` });
      await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
      const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Room test' } });
      expect(live.status).toBe(201);
      return { liveId: live.body.id, cookie: creator.cookie };
    }
    async function connect(liveId: string, options: { cookie?: string; query?: string } = {}): Promise<TestSocket> {
      const socket = await TestSocket.open(`${wsBase}/v1/lives/${liveId}/ws${options.query ?? ''}`, options.cookie !== undefined ? { cookie: options.cookie } : {});
      sockets.push(socket);
      return socket;
    }
    async function sendOverHttp(cookie: string, liveId: string, giftId: string, count = 1): Promise<{ status: number; body: { transferId: string; comboId: string } }> {
      return node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie }, payload: { id: randomUUID(), liveId, giftId, count } });
    }
    const snapshotOf = async (s: TestSocket) => (await s.event('snapshot')).data;

    it('greets a new joiner with a snapshot first, and counts them among the viewers', async () => {
      const { liveId } = await liveOfNewCreator();
      const ana = await viewer();
      const socket = await connect(liveId, { cookie: ana.cookie });
      await socket.until((events) => (events.length > 0 ? true : undefined), 'a first event');
      expect(socket.events[0]).toMatchObject({ type: 'snapshot', seq: 0, data: { seq: 0, viewers: 0, recentGifts: [], activeCombos: [], leaderboard: { top: [] }, bigGiftMinCoins: 1000 } });
      await socket.event('viewers.changed', (e) => e.data.viewers === 1);
      const anonymous = await connect(liveId);
      expect((await snapshotOf(anonymous)).epoch).toBe((await snapshotOf(socket)).epoch);
      await socket.event('viewers.changed', (e) => e.data.viewers === 2);
      await anonymous.close();
      await socket.event('viewers.changed', (e) => e.data.viewers === 1);
    });

    it('refuses unknown LIVEs and bad tokens at the upgrade', async () => {
      await expect(TestSocket.open(`${wsBase}/v1/lives/no-such-live/ws`)).rejects.toThrow(/404/);
      const { liveId } = await liveOfNewCreator();
      await expect(TestSocket.open(`${wsBase}/v1/lives/${liveId}/ws?token=lgp_nope`)).rejects.toThrow(/401/);
    });

    it('puts a gift sent over HTTP on every socket with growing seqs and identical frames; a big gift is its own gift.sent', async () => {
      const { liveId } = await liveOfNewCreator();
      const ana = await viewer();
      const [a, b] = [await connect(liveId), await connect(liveId)];
      const start = (await snapshotOf(a)).seq;
      const first = await sendOverHttp(ana.cookie, liveId, 'galaxy');
      const second = await sendOverHttp(ana.cookie, liveId, 'galaxy', 2);
      expect([first.status, second.status]).toEqual([201, 201]);
      for (const s of [a, b]) await s.until((events) => (events.filter((e) => e.type === 'gift.sent').length === 2 ? true : undefined), 'two gifts');
      const giftsOf = (s: TestSocket) => s.events.filter((e) => e.type === 'gift.sent');
      const [s1, s2] = giftsOf(a).map((e) => e.seq);
      expect(s1).toBeGreaterThan(start);
      expect(s2).toBeGreaterThan(s1 ?? Number.POSITIVE_INFINITY);
      expect(giftsOf(a)).toEqual(giftsOf(b));
      const framesOf = (s: TestSocket) => s.frames.filter((f) => f.includes('"gift.sent"'));
      expect(framesOf(a)).toEqual(framesOf(b));
      expect(giftsOf(a)[1]?.data).toMatchObject({
        sender: { id: ana.userId },
        gift: { id: 'galaxy', name: expect.any(String) as unknown, coins: 1000, animation: 'fullscreen' },
        count: 2,
        coins: 2000,
        transferId: second.body.transferId,
      });
      const board = await a.event('leaderboard.changed', (e) => e.data.top[0]?.coins === 3000);
      expect(board.data.top[0]?.user.id).toBe(ana.userId);
    });

    it('starts a room\'s leaderboard from the ledger: gifts sent before anyone watched on this node count once', async () => {
      const { liveId } = await liveOfNewCreator();
      const [ana, ben] = [await viewer(), await viewer()];
      // Nobody watches yet: these gifts reach the ledger but no room.
      expect((await sendOverHttp(ana.cookie, liveId, 'galaxy', 2)).status).toBe(201);
      expect((await sendOverHttp(ben.cookie, liveId, 'galaxy')).status).toBe(201);
      const socket = await connect(liveId);
      await snapshotOf(socket);
      // A gift right after joining may be counted by the room, the ledger read, or both: once in total.
      expect((await sendOverHttp(ben.cookie, liveId, 'galaxy', 2)).status).toBe(201);
      const board = await socket.event('leaderboard.changed', (e) => e.data.top.length === 2 && e.data.top[0]?.coins === 3000 && e.data.top[1]?.coins === 2000);
      expect(board.data.top.map((e) => e.user.id)).toEqual([ben.userId, ana.userId]);
      // Nothing is counted twice later either.
      await new Promise((resolve) => setTimeout(resolve, 700));
      const last = socket.events.filter((e) => e.type === 'leaderboard.changed').at(-1);
      expect(last?.type === 'leaderboard.changed' ? last.data.top.map((e) => e.coins) : []).toEqual([3000, 2000]);
    });

    it('folds a combo of roses into combo.updated events, never one gift.sent per rose', async () => {
      const { liveId } = await liveOfNewCreator();
      const ana = await viewer();
      const socket = await connect(liveId);
      await snapshotOf(socket);
      const sends = [];
      for (let i = 0; i < 5; i++) sends.push(await sendOverHttp(ana.cookie, liveId, 'rose'));
      const comboId = sends[0]?.body.comboId;
      expect(new Set(sends.map((s) => s.body.comboId))).toEqual(new Set([comboId]));
      const last = await socket.event('combo.updated', (e) => e.data.comboCount === 5);
      expect(last.data).toMatchObject({ comboId, giftId: 'rose', sender: { id: ana.userId }, coins: 5 });
      const updates = socket.events.filter((e) => e.type === 'combo.updated');
      expect(updates.length).toBeLessThanOrEqual(5);
      expect(socket.events.filter((e) => e.type === 'gift.sent')).toEqual([]);
      const seqs = kept(socket).map((e) => e.seq);
      expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
      const joiner = await connect(liveId);
      expect((await snapshotOf(joiner)).activeCombos).toContainEqual(expect.objectContaining({ comboId, comboCount: 5 }));
    });

    it('resumes a socket that dropped mid-stream with exactly the events it missed; a far-off resume point gets a snapshot', async () => {
      const { liveId } = await liveOfNewCreator();
      const ana = await viewer();
      const steady = await connect(liveId);
      const flaky = await connect(liveId);
      const { epoch } = await snapshotOf(flaky);
      await sendOverHttp(ana.cookie, liveId, 'galaxy');
      const seen = await flaky.event('gift.sent');
      await flaky.close();

      await sendOverHttp(ana.cookie, liveId, 'galaxy');
      await sendOverHttp(ana.cookie, liveId, 'rose', 3);
      await sendOverHttp(ana.cookie, liveId, 'galaxy', 3);
      const lastSeq = (await steady.event('gift.sent', (e) => e.data.count === 3)).seq;
      await steady.event('combo.updated', (e) => e.data.comboCount === 3);

      const back = await connect(liveId, { query: `?since=${epoch}:${seen.seq}` });
      const missed = kept(steady).filter((e) => e.seq > seen.seq);
      await back.until((events) => (events.filter((e) => KEPT.has(e.type)).length >= missed.length ? true : undefined), 'the missed events');
      expect(back.events[0]?.type).not.toBe('snapshot');
      expect(kept(back).slice(0, missed.length)).toEqual(missed);
      expect(missed.map((e) => e.seq).at(-1)).toBeGreaterThanOrEqual(lastSeq);

      for (const since of [`other-epoch:${seen.seq}`, `${epoch}:999999999999`, 'garbage']) {
        const fresh = await connect(liveId, { query: `?since=${encodeURIComponent(since)}` });
        await fresh.until((events) => (events.length > 0 ? true : undefined), 'a first event');
        expect(fresh.events[0]).toMatchObject({ type: 'snapshot', data: { epoch } });
        expect((fresh.events[0] as RoomEvent<'snapshot'>).data.recentGifts.length).toBeGreaterThan(0);
      }
    });

    it('sends a gift over the socket: ack applied, then duplicate for the same id, and the room sees it once', async () => {
      const { liveId } = await liveOfNewCreator();
      const ana = await viewer();
      const socket = await connect(liveId, { cookie: ana.cookie });
      await snapshotOf(socket);
      const id = randomUUID();
      socket.send({ type: 'gift.send', data: { id, giftId: 'galaxy', count: 1 } });
      const applied = await socket.event('gift.ack', (e) => e.data.id === id);
      expect(applied.data).toMatchObject({ id, result: { status: 'applied', giftId: 'galaxy', coins: 1000, balanceCoins: 99_000, liveId } });
      await socket.event('gift.sent', (e) => e.data.transferId === id);
      socket.send({ type: 'gift.send', data: { id, giftId: 'galaxy', count: 1 } });
      const acks = await socket.until((events) => {
        const found = events.filter((e) => e.type === 'gift.ack');
        return found.length === 2 ? found : undefined;
      }, 'the second ack');
      expect(acks[1]?.data).toMatchObject({ id, result: { status: 'duplicate', balanceCoins: 99_000 } });
      const poor = await viewer(10n);
      const broke = await connect(liveId, { cookie: poor.cookie });
      const other = randomUUID();
      broke.send({ type: 'gift.send', data: { id: other, giftId: 'galaxy' } });
      expect((await broke.event('gift.ack')).data).toMatchObject({ id: other, error: { code: 'insufficient_coins' } });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(socket.events.filter((e) => e.type === 'gift.sent')).toHaveLength(1);
    });

    it('refuses gift.send from anonymous and overlay-only sockets, which still watch', async () => {
      const { liveId } = await liveOfNewCreator();
      const anonymous = await connect(liveId);
      await snapshotOf(anonymous);
      anonymous.send({ type: 'gift.send', data: { id: randomUUID(), giftId: 'rose' } });
      expect((await anonymous.event('gift.ack')).data).toMatchObject({ error: { code: 'unauthenticated' } });

      const ana = await viewer();
      const made = await node.call<{ token: string }>({ method: 'POST', url: '/v1/me/tokens', headers: { cookie: ana.cookie }, payload: { name: 'OBS', scopes: ['overlay'] } });
      expect(made.status).toBe(201);
      const overlay = await connect(liveId, { query: `?token=${encodeURIComponent(made.body.token)}` });
      await snapshotOf(overlay);
      overlay.send({ type: 'gift.send', data: { id: randomUUID(), giftId: 'rose' } });
      expect((await overlay.event('gift.ack')).data).toMatchObject({ error: { code: 'forbidden' } });
      const sent = await sendOverHttp(ana.cookie, liveId, 'galaxy');
      for (const s of [anonymous, overlay]) await s.event('gift.sent', (e) => e.data.transferId === sent.body.transferId);
    });

    it('answers malformed, invalid and oversized frames with an error event and keeps the socket working', async () => {
      const { liveId } = await liveOfNewCreator();
      const ana = await viewer();
      const socket = await connect(liveId, { cookie: ana.cookie });
      await snapshotOf(socket);
      socket.send('{not json');
      socket.send({ type: 'gift.explode', data: {} });
      socket.send({ type: 'gift.send', data: { id: 'not-a-uuid', giftId: 'rose' } });
      socket.send(JSON.stringify({ type: 'gift.send', pad: 'x'.repeat(20_000) }));
      const errors = await socket.until((events) => {
        const found = events.filter((e) => e.type === 'error');
        return found.length === 4 ? found : undefined;
      }, 'four errors');
      expect(errors.map((e) => e.data.code)).toEqual(['malformed', 'validation_failed', 'validation_failed', 'payload_too_large']);
      const id = randomUUID();
      socket.send({ type: 'gift.send', data: { id, giftId: 'rose' } });
      expect((await socket.event('gift.ack')).data).toMatchObject({ id, result: { status: 'applied' } });
      expect(socket.closed).toBeNull();
    });

    it('tells every socket when the creator ends the LIVE, with the summary', async () => {
      const { liveId, cookie } = await liveOfNewCreator();
      const ana = await viewer();
      const socket = await connect(liveId);
      await snapshotOf(socket);
      await sendOverHttp(ana.cookie, liveId, 'galaxy');
      const ended = await node.call({ method: 'POST', url: `/v1/lives/${liveId}/end`, headers: { cookie } });
      expect(ended.status).toBe(200);
      const event = await socket.event('live.ended');
      expect(event.data.summary).toMatchObject({ coinsSpent: 1000, gifters: 1 });
      await node.call({ method: 'POST', url: `/v1/lives/${liveId}/end`, headers: { cookie } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(socket.events.filter((e) => e.type === 'live.ended')).toHaveLength(1);
      await expect(TestSocket.open(`${wsBase}/v1/lives/${liveId}/ws`)).rejects.toThrow(/409/);
    });

    it('tells the sockets when the auto-end job ends a LIVE whose creator went away', async () => {
      const { liveId } = await liveOfNewCreator();
      const socket = await connect(liveId);
      await snapshotOf(socket);
      node.clock.advance(10 * 60_000); // the last test of the file: moving the clock harms no other
      const result = await node.services.endAbandonedLives({ creatorAwayMs: 60_000 });
      expect(result.ended).toContain(liveId);
      expect((await socket.event('live.ended')).data.summary).toMatchObject({ coinsSpent: 0 });
    });
  });
}

describe('a socket that stops reading', () => {
  it('stops being counted once it misses its pongs, and is terminated', async () => {
    const app = Fastify({ logger: false });
    let left = 0;
    const beats: number[] = [];
    const services = {
      getLive: () => Promise.resolve({ id: 'l1', status: 'live', creator: { id: 'c1' }, video: WAITING }),
      recordLiveHeartbeats: (input: { viewers: unknown[] }) => {
        beats.push(input.viewers.length);
        return Promise.resolve({ liveId: 'l1', viewers: 1, peakViewers: 1 });
      },
      recordPresence: (input: { changes: { action: string }[] }) => {
        left += input.changes.filter((c) => c.action === 'leave').length;
        return Promise.resolve({ liveId: 'l1', viewers: 1, peakViewers: 1 });
      },
    } as unknown as Services;
    const gateway = new RoomGateway(app, { services, log: app.log, bigGiftMinCoins: 1000, heartbeatMs: 50 });
    const base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
    try {
      const dead = await TestSocket.open(`${base}/v1/lives/l1/ws`);
      const alive = await TestSocket.open(`${base}/v1/lives/l1/ws`);
      await dead.event('snapshot');
      (dead.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(left).toBe(1);
      expect(alive.closed).toBeNull();
      // One presence call per room and heartbeat, with every live socket's viewer in it.
      expect(Math.max(...beats)).toBe(2);
      expect(beats.at(-1)).toBe(1);
    } finally {
      await gateway.close();
      await app.close();
    }
  });

  it('is cut at the hard cap with its resume point, and does not slow the others', async () => {
    // A bare Fastify app and only the use cases a room calls: this test is about buffers, not money.
    const app = Fastify({ logger: false });
    const name = 'x'.repeat(4000); // big events fill the buffers quickly
    const services = {
      getLive: () => Promise.resolve({ id: 'l1', status: 'live', creator: { id: 'c1' }, video: WAITING }),
      recordPresence: () => Promise.resolve({ liveId: 'l1', viewers: 1, peakViewers: 1 }),
      getUser: (id: string) => Promise.resolve({ id, handle: 'ana', displayName: name }),
      getGift: () => Promise.resolve({ id: 'galaxy', name: 'Galaxy', coins: 1000n, art: 'galaxy.svg', scene: null, animation: 'fullscreen', comboable: false, availableFromMs: null, availableUntilMs: null, retiredAtMs: null, sortOrder: 1 }),
    } as unknown as Services;
    const gateway = new RoomGateway(app, { services, log: app.log, bigGiftMinCoins: 1000, hardCapBytes: 1024 * 1024, highWaterBytes: 256 * 1024 });
    const base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
    try {
      const fast = await TestSocket.open(`${base}/v1/lives/l1/ws`);
      const slow = await TestSocket.open(`${base}/v1/lives/l1/ws`);
      const { epoch } = (await slow.event('snapshot')).data;
      await fast.event('snapshot');
      (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

      const total = 6000; // ~24 MB: more than the kernel buffers and the 1 MB cap together
      for (let i = 1; i <= total; i++) {
        await gateway.giftSent({ status: 'applied', transferId: `t${i}`, seq: BigInt(i), senderId: 'u1', creatorId: 'c1', liveId: 'l1', giftId: 'galaxy', count: 1, coins: 1000n, balanceCoins: 0n, diamonds: 1000n, comboId: `t${i}`, comboCount: 1, atMs: 0 });
        // The fast client reads on this same event loop: let it, as a real phone would between gifts.
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await fast.until((events) => (events.filter((e) => e.type === 'gift.sent').length === total ? true : undefined), 'every gift on the fast socket');

      (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.resume();
      await slow.until(() => (slow.closed ? true : undefined), 'the slow socket to be closed');
      expect(slow.closed?.code).toBe(4008);
      const seenBySlow = slow.events.filter((e) => e.type === 'gift.sent');
      expect(seenBySlow.length).toBeLessThan(total);
      const lastSeen = seenBySlow.at(-1)?.seq ?? 0;
      expect(slow.closed?.reason).toBe(`too slow; resume from ${epoch}:${lastSeen}`);
    } finally {
      await gateway.close();
      await app.close();
    }
  });
});
