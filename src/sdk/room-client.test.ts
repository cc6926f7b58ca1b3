// Proves the typed room client against a real listening node (snapshot and gifts received, a dropped connection resumed with no missed and no duplicated events, gifts acked once per id and retried across a reconnect, close() final) and, on a scripted socket, its dedupe and bounded jittered backoff.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import type { RoomEvent, RoomEventType } from '../protocol/room.js';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';
import { LiveRoomClient, type RoomConnectionState, type RoomSocket, type RoomSocketConstructor } from './room-client.js';

const WAIT_MS = 5_000;
const KEPT: readonly RoomEventType[] = ['gift.sent', 'combo.updated', 'live.ended'];
const sqlite = DIALECTS.find((d) => d.name === 'sqlite');

/** A room client that records its events, states and the raw sockets it opened. */
class Recorder {
  readonly events: RoomEvent[] = [];
  readonly states: RoomConnectionState[] = [];
  readonly sockets: WebSocket[] = [];
  readonly client: LiveRoomClient;

  constructor(baseUrl: string, liveId: string, options: { headers?: Record<string, string>; backoff?: { minMs: number; maxMs: number }; random?: () => number } = {}) {
    const headers = options.headers ?? {};
    const sockets = this.sockets;
    const Recording = class extends WebSocket {
      constructor(url: string) {
        super(url, { headers, perMessageDeflate: false });
        sockets.push(this);
      }
    };
    this.client = new LiveRoomClient({ baseUrl, liveId, WebSocket: Recording as unknown as RoomSocketConstructor, backoff: options.backoff ?? { minMs: 50, maxMs: 200 }, ackTimeoutMs: 4_000, ...(options.random ? { random: options.random } : {}) });
    for (const type of ['snapshot', 'gift.sent', 'combo.updated', 'viewers.changed', 'leaderboard.changed', 'live.ended', 'gift.ack', 'error'] as const) {
      this.client.on(type, (e) => this.events.push(e));
    }
    this.client.onState((s) => this.states.push(s));
  }

  kept(): RoomEvent[] {
    return this.events.filter((e) => KEPT.includes(e.type));
  }

  async until(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.events.map((e) => [e.type, e.seq]))}; states: ${this.states.join(',')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe.skipIf(!sqlite?.available)('the typed LIVE room client against a listening node', () => {
  let node: TestNode;
  let httpBase: string;
  const recorders: Recorder[] = [];
  beforeAll(async () => {
    if (!sqlite) throw new Error('no SQLite dialect');
    node = await openTestNode(sqlite, { SPEND_DAILY_MAX_CENTS: '100000000', SPEND_WEEKLY_MAX_CENTS: '100000000' });
    httpBase = await node.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const r of recorders) r.client.close();
    await node.drop();
  });

  let users = 0;
  async function viewer(coins = 100_000n): Promise<{ cookie: string; userId: string }> {
    const who = await signUpAs(node, { handle: `roomsdk${users++}` });
    await node.storage.ledger.submit([
      { id: `fund:${who.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(who.userId).coins.id, amount: coins },
    ]);
    return who;
  }
  async function liveOfNewCreator(): Promise<string> {
    const creator = await signUpAs(node, { handle: `roomsdkcreator${users++}` });
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'SDK test' } });
    expect(live.status).toBe(201);
    return live.body.id;
  }
  async function joined(liveId: string, options: ConstructorParameters<typeof Recorder>[2] = {}): Promise<Recorder> {
    const r = new Recorder(httpBase, liveId, options);
    recorders.push(r);
    await r.client.connect();
    await r.until(() => r.events.some((e) => e.type === 'snapshot'), 'the snapshot');
    return r;
  }
  async function sendOverHttp(cookie: string, liveId: string, giftId: string, count = 1): Promise<string> {
    const res = await node.call<{ transferId: string }>({ method: 'POST', url: '/v1/gifts', headers: { cookie }, payload: { id: randomUUID(), liveId, giftId, count } });
    expect(res.status).toBe(201);
    return res.body.transferId;
  }

  it('receives the snapshot first, then a gift sent over HTTP, typed', async () => {
    const liveId = await liveOfNewCreator();
    const ana = await viewer();
    const room = await joined(liveId);
    expect(room.events[0]).toMatchObject({ type: 'snapshot', seq: 0 });
    expect(room.states).toEqual(['open']);
    const transferId = await sendOverHttp(ana.cookie, liveId, 'galaxy');
    await room.until(() => room.events.some((e) => e.type === 'gift.sent'), 'the gift');
    const gift = room.events.find((e): e is RoomEvent<'gift.sent'> => e.type === 'gift.sent');
    expect(gift?.data).toMatchObject({ transferId, gift: { id: 'galaxy' }, sender: { id: ana.userId } });
    // @ts-expect-error a misspelt event type does not compile
    room.client.on('gift.snet', () => undefined);
    expect(room.client.resumePoint).toEqual({ epoch: (room.events[0] as RoomEvent<'snapshot'>).data.epoch, seq: gift?.seq });
  });

  it('resumes a dropped connection with no missed and no duplicated events', async () => {
    const liveId = await liveOfNewCreator();
    const ana = await viewer();
    const steady = await joined(liveId);
    // Offline for exactly 400 ms (the jitter is pinned to its ceiling): the next three gifts are missed.
    const flaky = await joined(liveId, { backoff: { minMs: 400, maxMs: 400 }, random: () => 1 });
    await sendOverHttp(ana.cookie, liveId, 'galaxy');
    await flaky.until(() => flaky.kept().length === 1, 'the first gift');

    flaky.sockets[0]?.terminate();
    await flaky.until(() => flaky.states.includes('reconnecting'), 'reconnecting');
    await sendOverHttp(ana.cookie, liveId, 'galaxy', 2);
    await sendOverHttp(ana.cookie, liveId, 'rose', 3);
    await sendOverHttp(ana.cookie, liveId, 'galaxy', 3);
    expect(flaky.sockets).toHaveLength(1); // still offline: these gifts can only come back by resume
    await steady.until(() => steady.kept().some((e) => e.type === 'gift.sent' && e.data.count === 3), 'the last gift on the steady client');
    await steady.until(() => steady.kept().some((e) => e.type === 'combo.updated' && e.data.comboCount === 3), 'the rose combo');
    const expected = steady.kept().map((e) => e.seq);

    await flaky.until(() => flaky.kept().length >= expected.length, 'the missed events');
    await new Promise((resolve) => setTimeout(resolve, 200)); // anything duplicated would show up by now
    expect(flaky.kept().map((e) => e.seq)).toEqual(expected);
    expect(flaky.kept()).toEqual(steady.kept());
    expect(flaky.events.filter((e) => e.type === 'snapshot')).toHaveLength(1); // resumed, not re-snapshotted
    expect(flaky.sockets.length).toBeGreaterThanOrEqual(2);
    expect(flaky.states.slice(0, 3)).toEqual(['open', 'reconnecting', 'open']);
  });

  it('sends a gift: applied, then duplicate for the same id; a send cut by a drop is retried with its id', async () => {
    const liveId = await liveOfNewCreator();
    const ana = await viewer();
    const room = await joined(liveId, { headers: { cookie: ana.cookie } });
    const id = randomUUID();
    const first = await room.client.sendGift({ giftId: 'galaxy', id });
    expect(first).toMatchObject({ status: 'applied', transferId: id, coins: 1000, balanceCoins: 99_000, liveId });
    const again = await room.client.sendGift({ giftId: 'galaxy', id });
    expect(again).toMatchObject({ status: 'duplicate', transferId: id, balanceCoins: 99_000 });

    const cut = randomUUID();
    const sending = room.client.sendGift({ giftId: 'galaxy', id: cut });
    room.sockets.at(-1)?.terminate(); // the ack (if the frame got out at all) dies with this socket
    const retried = await sending;
    expect(retried).toMatchObject({ transferId: cut, balanceCoins: 98_000 });
    expect(['applied', 'duplicate']).toContain(retried.status);
    await room.until(() => room.kept().filter((e) => e.type === 'gift.sent').length === 2, 'both gifts in the room');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(room.kept().filter((e) => e.type === 'gift.sent').map((e) => e.data.transferId)).toEqual([id, cut]);

    await expect(room.client.sendGift({ giftId: 'no-such-gift' })).rejects.toMatchObject({ name: 'LivegiftError', code: expect.any(String) as unknown });
  });

  it('stops reconnecting after close(), and rejects gifts still waiting', async () => {
    const liveId = await liveOfNewCreator();
    const room = await joined(liveId);
    room.sockets[0]?.terminate();
    await room.until(() => room.states.includes('reconnecting'), 'reconnecting');
    const waiting = room.client.sendGift({ giftId: 'galaxy' });
    room.client.close();
    await expect(waiting).rejects.toMatchObject({ code: 'closed' });
    const opened = room.sockets.length;
    await new Promise((resolve) => setTimeout(resolve, 600)); // three times the longest backoff
    expect(room.sockets).toHaveLength(opened);
    expect(room.client.state).toBe('closed');
    expect(room.states.at(-1)).toBe('closed');
    await expect(room.client.sendGift({ giftId: 'galaxy' })).rejects.toMatchObject({ code: 'closed' });
    await expect(room.client.connect()).rejects.toMatchObject({ code: 'closed' });
  });

  it('closes itself when the LIVE ends, since there is nothing to resume', async () => {
    const creator = await signUpAs(node, { handle: `roomsdkender${users++}` });
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Ends' } });
    const room = await joined(live.body.id);
    await node.call({ method: 'POST', url: `/v1/lives/${live.body.id}/end`, headers: { cookie: creator.cookie } });
    await room.until(() => room.client.state === 'closed', 'closed');
    expect(room.events.some((e) => e.type === 'live.ended')).toBe(true);
  });
});

/** A scripted socket: the test opens it, pushes events into it and drops it. */
class FakeSocket implements RoomSocket {
  static made: FakeSocket[] = [];
  readyState = 0;
  readonly sent: string[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(event: RoomEvent): void {
    this.onmessage?.({ data: JSON.stringify(event) });
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }
}

describe('the room client on a scripted socket', () => {
  afterEach(() => {
    vi.useRealTimers();
    FakeSocket.made = [];
  });
  const sender = { id: 'u1', handle: 'ana', displayName: 'Ana' };
  const snapshot = (epoch: string, seq: number): RoomEvent => ({ type: 'snapshot', seq, ts: 1, data: { epoch, seq, viewers: 1, leaderboard: { version: 0, top: [] }, activeCombos: [], recentGifts: [], bigGiftMinCoins: 1000, video: { state: 'waiting', playlistUrl: null, sinceMs: null, via: null, reconnectEndsAtMs: null } } });
  const combo = (seq: number): RoomEvent => ({ type: 'combo.updated', seq, ts: 1, data: { comboId: 'c1', sender, giftId: 'rose', comboCount: seq, coins: seq, final: false } });
  const last = (): FakeSocket => {
    const socket = FakeSocket.made.at(-1);
    if (!socket) throw new Error('no socket yet');
    return socket;
  };

  it('drops events it already has, resumes from its last seq, and starts over on a new epoch', async () => {
    const client = new LiveRoomClient({ baseUrl: 'https://example.test/', liveId: 'l1', token: 'lgp_x', WebSocket: FakeSocket, random: () => 0 });
    const seqs: number[] = [];
    client.on('combo.updated', (e) => seqs.push(e.seq));
    const connected = client.connect();
    await vi.waitFor(() => {
      expect(FakeSocket.made).toHaveLength(1);
    });
    expect(last().url).toBe('wss://example.test/v1/lives/l1/ws?token=lgp_x');
    last().accept();
    await connected;
    last().push(snapshot('e1', 4));
    for (const seq of [5, 6, 6, 3, 7]) last().push(combo(seq));
    last().drop();
    await vi.waitFor(() => {
      expect(FakeSocket.made).toHaveLength(2);
    });
    expect(last().url).toBe('wss://example.test/v1/lives/l1/ws?since=e1%3A7&token=lgp_x');
    last().accept();
    for (const seq of [6, 7, 8]) last().push(combo(seq)); // a server replaying a little too much
    last().push(snapshot('e2', 0)); // the room restarted: a new epoch starts at 0
    last().push(combo(1));
    expect(seqs).toEqual([5, 6, 7, 8, 1]);
    expect(client.resumePoint).toEqual({ epoch: 'e2', seq: 1 });
    client.close();
  });

  it('waits a full-jitter exponential backoff between attempts, bounded, reset by a successful open', async () => {
    vi.useFakeTimers();
    const client = new LiveRoomClient({ baseUrl: 'http://x.test', liveId: 'l1', WebSocket: FakeSocket, backoff: { minMs: 250, maxMs: 1000 }, random: () => 0.5 });
    const states: RoomConnectionState[] = [];
    client.onState((s) => states.push(s));
    const connected = client.connect();
    await vi.advanceTimersByTimeAsync(0);
    last().accept();
    await connected;
    const waitFor = async (ms: number): Promise<void> => {
      const before = FakeSocket.made.length;
      last().drop();
      await vi.advanceTimersByTimeAsync(ms - 1);
      expect(FakeSocket.made).toHaveLength(before);
      await vi.advanceTimersByTimeAsync(1);
      expect(FakeSocket.made).toHaveLength(before + 1);
    };
    for (const ms of [125, 250, 500, 500, 500]) await waitFor(ms); // half of 250, 500, 1000, then the cap
    last().accept();
    await waitFor(125);
    expect(states).toEqual(['open', 'reconnecting', 'open', 'reconnecting']);
    client.close();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(states.at(-1)).toBe('closed');
    expect(FakeSocket.made).toHaveLength(7); // the first, five retries, one after the reset: none after close()
  });
});
