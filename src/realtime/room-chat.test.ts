// Proves chat, likes and thank-yous over real sockets against a listening node: chat reaches every socket but is refused to anonymous and overlay sockets, overlong text and a chatty user; likes fold into like.batch at most once a second; only the creator may thank, and on resume the thank-you (P0) is replayed while chat (P2) is not; a thank-you to a gifter is stored (the first stands), one to a viewer who gave nothing is not.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import { THANKS_PHRASES } from '../domain/thanks.js';
import type { RoomEvent } from '../protocol/room.js';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';
import { TestSocket } from '../../test/support/room-socket.js';

const sqlite = DIALECTS.find((d) => d.name === 'sqlite');

describe.skipIf(!sqlite?.available)('chat, likes and thank-yous in a LIVE room', () => {
  let node: TestNode;
  let wsBase: string;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    if (!sqlite) throw new Error('no SQLite dialect');
    node = await openTestNode(sqlite);
    wsBase = (await node.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await node.drop();
  });

  let users = 0;
  const user = (prefix = 'chatter') => signUpAs(node, { handle: `${prefix}${users++}` });
  async function liveOfNewCreator(title = 'Chat test'): Promise<{ liveId: string; cookie: string; userId: string }> {
    const creator = await user('host');
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title } });
    expect(live.status).toBe(201);
    return { liveId: live.body.id, ...creator };
  }
  async function connect(liveId: string, options: { cookie?: string; query?: string } = {}): Promise<TestSocket> {
    const socket = await TestSocket.open(`${wsBase}/v1/lives/${liveId}/ws${options.query ?? ''}`, options.cookie !== undefined ? { cookie: options.cookie } : {});
    sockets.push(socket);
    await socket.event('snapshot');
    return socket;
  }
  async function ack(socket: TestSocket, message: { type: string; data: Record<string, unknown> }): Promise<RoomEvent<'ack'>['data']> {
    const id = randomUUID();
    socket.send({ ...message, data: { id, ...message.data } });
    return (await socket.event('ack', (e) => e.data.id === id)).data;
  }

  it('puts a chat line on every socket, trimmed, with its sender and whether they are the creator', async () => {
    const { liveId, cookie: hostCookie, userId: hostId } = await liveOfNewCreator();
    const ana = await user();
    const [talker, listener, host] = [await connect(liveId, { cookie: ana.cookie }), await connect(liveId), await connect(liveId, { cookie: hostCookie })];
    expect(await ack(talker, { type: 'chat.send', data: { text: '  hello room  ' } })).toMatchObject({ ok: true });
    const line = await listener.event('chat.message');
    expect(line.data).toEqual({ sender: { id: ana.userId, handle: expect.any(String) as unknown, displayName: expect.any(String) as unknown }, text: 'hello room', isCreator: false });
    await talker.event('chat.message');
    expect(await ack(host, { type: 'chat.send', data: { text: 'welcome!' } })).toMatchObject({ ok: true });
    expect((await listener.event('chat.message', (e) => e.data.sender.id === hostId)).data).toMatchObject({ text: 'welcome!', isCreator: true });
  });

  it('refuses chat from anonymous and overlay-only sockets, and empty or overlong text', async () => {
    const { liveId } = await liveOfNewCreator();
    const anonymous = await connect(liveId);
    expect(await ack(anonymous, { type: 'chat.send', data: { text: 'hi' } })).toMatchObject({ error: { code: 'unauthenticated' } });
    const ana = await user();
    const made = await node.call<{ token: string }>({ method: 'POST', url: '/v1/me/tokens', headers: { cookie: ana.cookie }, payload: { name: 'OBS', scopes: ['overlay'] } });
    const overlay = await connect(liveId, { query: `?token=${encodeURIComponent(made.body.token)}` });
    expect(await ack(overlay, { type: 'chat.send', data: { text: 'hi' } })).toMatchObject({ error: { code: 'forbidden' } });
    const socket = await connect(liveId, { cookie: ana.cookie });
    expect(await ack(socket, { type: 'chat.send', data: { text: 'x'.repeat(201) } })).toMatchObject({ error: { code: 'validation_failed' } });
    expect(await ack(socket, { type: 'chat.send', data: { text: '   ' } })).toMatchObject({ error: { code: 'validation_failed' } });
    expect(await ack(socket, { type: 'chat.send', data: { text: ` ${'y'.repeat(200)} ` } })).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(anonymous.of('chat.message').map((e) => e.data.text)).toEqual(['y'.repeat(200)]);
    expect(overlay.of('chat.message')).toEqual([]);
  });

  it('answers rate_limited with retryAfterMs past 5 lines in 10 seconds, across the user\'s sockets', async () => {
    const { liveId } = await liveOfNewCreator();
    const ana = await user();
    const [one, two] = [await connect(liveId, { cookie: ana.cookie }), await connect(liveId, { cookie: ana.cookie })];
    for (let i = 0; i < 5; i++) expect(await ack(i % 2 === 0 ? one : two, { type: 'chat.send', data: { text: `line ${i}` } })).toMatchObject({ ok: true });
    const refused = await ack(two, { type: 'chat.send', data: { text: 'one more' } });
    expect(refused).toMatchObject({ error: { code: 'rate_limited' } });
    const retryAfterMs = 'error' in refused ? refused.error.details?.retryAfterMs : undefined;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(10_000);
    const bob = await user();
    expect(await ack(await connect(liveId, { cookie: bob.cookie }), { type: 'chat.send', data: { text: 'my turn' } })).toMatchObject({ ok: true });
  });

  it('folds likes into like.batch, at most once a second, with the running total', async () => {
    const { liveId } = await liveOfNewCreator();
    const ana = await user();
    const [tapper, anonymous] = [await connect(liveId, { cookie: ana.cookie }), await connect(liveId)];
    expect(await ack(tapper, { type: 'like.send', data: { count: 1 } })).toMatchObject({ ok: true });
    const first = await anonymous.event('like.batch');
    expect(first.data).toEqual({ total: 1, recent: 1 });
    for (const count of [2, 3]) expect(await ack(tapper, { type: 'like.send', data: { count } })).toMatchObject({ ok: true });
    expect(await ack(anonymous, { type: 'like.send', data: { count: 4 } })).toMatchObject({ ok: true });
    const second = await anonymous.event('like.batch', (e) => e.data.total === 10);
    expect(second.data).toEqual({ total: 10, recent: 9 });
    expect(second.ts - first.ts).toBeGreaterThanOrEqual(1000);
    expect(anonymous.of('like.batch')).toHaveLength(2);
    tapper.send({ type: 'like.send', data: { id: randomUUID(), count: 51 } });
    expect((await tapper.event('error')).data).toMatchObject({ code: 'validation_failed' });
  }, 10_000);

  it('lets only the creator thank, with a suggested phrase or their own words; on resume the thank-you comes back and the chat does not', async () => {
    const { liveId, cookie: hostCookie, userId: hostId } = await liveOfNewCreator();
    const ana = await user();
    const host = await connect(liveId, { cookie: hostCookie });
    const viewer = await connect(liveId, { cookie: ana.cookie });
    expect(await ack(viewer, { type: 'thanks.send', data: { toUserId: hostId, phrase: 'Great job' } })).toMatchObject({ error: { code: 'forbidden' } });

    const flaky = await connect(liveId);
    const { epoch, seq } = flaky.of('snapshot')[0]?.data ?? { epoch: '', seq: -1 };
    await flaky.close();
    expect(await ack(viewer, { type: 'chat.send', data: { text: 'while you were away' } })).toMatchObject({ ok: true });
    expect(await ack(host, { type: 'thanks.send', data: { toUserId: ana.userId, phrase: THANKS_PHRASES[1] } })).toMatchObject({ ok: true });
    expect(await ack(host, { type: 'thanks.send', data: { toUserId: ana.userId, text: '  you are the best  ' } })).toMatchObject({ ok: true });
    expect(await ack(host, { type: 'thanks.send', data: { toUserId: 'no-such-user', text: 'hi' } })).toMatchObject({ error: { code: 'not_found' } });
    const thanks = await viewer.until((events) => {
      const found = events.filter((e) => e.type === 'thanks.sent');
      return found.length === 2 ? found : undefined;
    }, 'two thank-yous');
    const [t1, t2] = thanks.map((e) => e.seq);
    expect(t1).toBeGreaterThan(seq);
    expect(t2).toBeGreaterThan(t1 ?? Number.POSITIVE_INFINITY);
    expect(thanks.map((e) => e.data)).toEqual([
      { from: expect.objectContaining({ id: hostId }) as unknown, to: expect.objectContaining({ id: ana.userId }) as unknown, text: 'Thank you so much' },
      { from: expect.objectContaining({ id: hostId }) as unknown, to: expect.objectContaining({ id: ana.userId }) as unknown, text: 'you are the best' },
    ]);

    const back = await TestSocket.open(`${wsBase}/v1/lives/${liveId}/ws?since=${epoch}:${seq}`);
    sockets.push(back);
    await back.until((events) => (events.filter((e) => e.type === 'thanks.sent').length === 2 ? true : undefined), 'the missed thank-yous');
    expect(back.events.slice(0, 2)).toEqual(thanks);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(back.of('chat.message')).toEqual([]);
    expect(back.of('snapshot')).toEqual([]);
  });

  it('stores a thank-you sent in the room to a gifter (the first stands), not one to a viewer who only chatted', async () => {
    const { liveId, cookie: hostCookie, userId: hostId } = await liveOfNewCreator();
    const ana = await user('gifter');
    const cat = await user();
    expect((await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: hostCookie }, payload: { enabled: true } })).status).toBe(200);
    const funded = await node.storage.ledger.submit([
      { id: `fund:${ana.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(ana.userId).coins.id, amount: 1_000n },
    ]);
    expect(funded.status).toBe('applied');
    expect((await node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: ana.cookie }, payload: { id: randomUUID(), liveId, giftId: 'rose', count: 1 } })).status).toBe(201);
    const host = await connect(liveId, { cookie: hostCookie });
    const viewer = await connect(liveId, { cookie: cat.cookie });
    expect(await ack(viewer, { type: 'chat.send', data: { text: 'hi all' } })).toMatchObject({ ok: true });

    const rows = () => node.storage.db.selectFrom('live_thanks').select(['gifter_id', 'text', 'phrase']).where('live_id', '=', liveId).execute();
    expect(await ack(host, { type: 'thanks.send', data: { toUserId: cat.userId, text: 'thanks for the company' } })).toMatchObject({ ok: true });
    expect(await ack(host, { type: 'thanks.send', data: { toUserId: ana.userId, phrase: 'Great job' } })).toMatchObject({ ok: true });
    // Stored after the ack, by the node that took the message.
    await expect.poll(rows, { timeout: 3_000 }).toEqual([{ gifter_id: ana.userId, text: 'Great job', phrase: 'Great job' }]);
    expect(await ack(host, { type: 'thanks.send', data: { toUserId: ana.userId, text: 'you are the best' } })).toMatchObject({ ok: true });
    await viewer.until((events) => (events.filter((e) => e.type === 'thanks.sent').length === 3 ? true : undefined), 'all three in the room');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await rows()).toEqual([{ gifter_id: ana.userId, text: 'Great job', phrase: 'Great job' }]);

    const listed = await node.call<{ thanks: { from: { id: string }; to: { id: string }; text: string }[]; total: number }>({ method: 'GET', url: `/v1/lives/${liveId}/thanks`, headers: { cookie: hostCookie } });
    expect(listed.body).toMatchObject({ total: 1, thanks: [{ from: { id: hostId }, to: { id: ana.userId }, text: 'Great job' }] });
    expect((await node.call<{ thanks: { text: string } | null }>({ method: 'GET', url: `/v1/lives/${liveId}/thanks/me`, headers: { cookie: ana.cookie } })).body.thanks?.text).toBe('Great job');
    expect((await node.call({ method: 'GET', url: `/v1/lives/${liveId}/thanks/me`, headers: { cookie: cat.cookie } })).body).toEqual({ thanks: null });
  });

  it('coaches the creator privately when their title, chat or thank-you baits for gifts; the line still goes out, and thanks alone never do', async () => {
    const { liveId, cookie: hostCookie } = await liveOfNewCreator('Send gifts and I will give you a shoutout!');
    const ana = await user();
    const viewer = await connect(liveId, { cookie: ana.cookie });
    const studio = await TestSocket.open(`${wsBase}/v1/lives/${liveId}/ws`, { cookie: hostCookie });
    sockets.push(studio);
    // The creator's socket: the snapshot, then at once the coaching about the title.
    await studio.until((events) => (events.length >= 2 ? true : undefined), 'two events');
    expect(studio.events.map((e) => e.type).slice(0, 2)).toEqual(['snapshot', 'coach.warning']);
    expect(studio.events[1]).toMatchObject({ data: { source: 'title', kind: 'gifts_for_reward', suggestions: expect.arrayContaining([...THANKS_PHRASES]) as unknown } });

    expect(await ack(studio, { type: 'chat.send', data: { text: 'follow for follow, everyone!' } })).toMatchObject({ ok: true });
    const line = await viewer.event('chat.message', (e) => e.data.isCreator);
    expect(line.data.text).toBe('follow for follow, everyone!');
    const coached = await studio.event('coach.warning', (e) => e.data.source === 'chat');
    expect(coached.data).toMatchObject({ kind: 'follow_for_follow' });
    expect('follow for follow, everyone!').toContain(coached.data.excerpt);
    expect(coached.data.why.length).toBeGreaterThan(10);
    // The title and the line are two strikes: a countdown runs (src/domain/ladder.ts). Past its end a
    // third starts another instead of ending this LIVE (ladder.test.ts proves the rest).
    expect((await studio.event('coach.ladder', (e) => e.data.step === 'countdown')).data.strikes).toBe(2);
    node.clock.advance(11 * 60_000);

    const thanked = await ack(studio, { type: 'thanks.send', data: { toUserId: ana.userId, text: 'Share this LIVE and I’ll follow you back' } });
    expect(thanked).toMatchObject({ ok: true });
    await viewer.event('thanks.sent');
    await studio.event('coach.warning', (e) => e.data.source === 'thanks');
    for (const phrase of THANKS_PHRASES) expect(await ack(studio, { type: 'thanks.send', data: { toUserId: ana.userId, phrase } })).toMatchObject({ ok: true });
    await viewer.until((events) => (events.filter((e) => e.type === 'thanks.sent').length === 1 + THANKS_PHRASES.length ? true : undefined), 'every thank-you');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const coaching = studio.events.filter((e): e is RoomEvent<'coach.warning'> => e.type === 'coach.warning');
    expect(coaching.map((e) => e.data.source)).toEqual(['title', 'chat', 'thanks']);
    // Nobody else ever sees the coaching.
    expect(viewer.events.filter((e) => e.type === 'coach.warning')).toEqual([]);
  });
});
