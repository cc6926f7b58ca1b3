// Proves the room client's sendChat, like and thank against a listening node: each resolves on the server's ack or rejects with its error code, and the other sockets' handlers see chat.message, like.batch and thanks.sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { THANKS_PHRASES } from '../domain/thanks.js';
import type { RoomEvent } from '../protocol/room.js';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';
import { LiveRoomClient, type RoomSocketConstructor } from './room-client.js';

const sqlite = DIALECTS.find((d) => d.name === 'sqlite');

describe.skipIf(!sqlite?.available)('the room client speaking in a LIVE', () => {
  let node: TestNode;
  let baseUrl: string;
  const clients: LiveRoomClient[] = [];
  beforeAll(async () => {
    if (!sqlite) throw new Error('no SQLite dialect');
    node = await openTestNode(sqlite);
    baseUrl = await node.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node.drop();
  });

  async function client(liveId: string, cookie?: string): Promise<LiveRoomClient> {
    const headers = cookie !== undefined ? { cookie } : {};
    const Ws = class extends WebSocket {
      constructor(url: string) {
        super(url, { headers, perMessageDeflate: false });
      }
    };
    const room = new LiveRoomClient({ baseUrl, liveId, WebSocket: Ws as unknown as RoomSocketConstructor, ackTimeoutMs: 4_000 });
    clients.push(room);
    await room.connect();
    return room;
  }
  function next<K extends 'chat.message' | 'like.batch' | 'thanks.sent'>(room: LiveRoomClient, type: K): Promise<RoomEvent<K>> {
    return new Promise((resolve) => {
      const off = room.on(type, (e) => {
        off();
        resolve(e);
      });
    });
  }

  it('chats, likes and thanks, and refuses a viewer\'s thank-you with forbidden', async () => {
    const host = await signUpAs(node, { handle: 'sdkhost' });
    const ana = await signUpAs(node, { handle: 'sdkana' });
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: host.cookie }, payload: { title: 'SDK chat' } });
    const [hostRoom, anaRoom, watcher] = [await client(live.body.id, host.cookie), await client(live.body.id, ana.cookie), await client(live.body.id)];

    const chat = next(watcher, 'chat.message');
    await anaRoom.sendChat('hello from the SDK');
    expect((await chat).data).toMatchObject({ text: 'hello from the SDK', sender: { id: ana.userId }, isCreator: false });
    await expect(watcher.sendChat('anonymous')).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(anaRoom.sendChat('x'.repeat(201))).rejects.toMatchObject({ code: 'validation_failed' });

    const likes = next(hostRoom, 'like.batch');
    await watcher.like(3);
    expect((await likes).data).toEqual({ total: 3, recent: 3 });

    await expect(anaRoom.thank({ toUserId: host.userId, text: THANKS_PHRASES[0] })).rejects.toMatchObject({ code: 'forbidden' });
    const thanks = next(anaRoom, 'thanks.sent');
    await hostRoom.thank({ toUserId: ana.userId, text: THANKS_PHRASES[2] });
    expect((await thanks).data).toMatchObject({ from: { id: host.userId }, to: { id: ana.userId }, text: 'This helps me so much, thank you!' });
    expect(anaRoom.resumePoint?.seq).toBe((await thanks).seq);

    watcher.close();
    await expect(watcher.like()).rejects.toMatchObject({ code: 'closed' });
  });
});
