// The outbox against real `ws` sockets on a listening server: frames built by textFrame are read by a
// `ws` client as the same messages at every length class; one turn's frames reach a socket in one
// write (one TCP read on loopback), in order; sockets with different queues get their own bytes;
// a socket flushed alone before ws closes it reads its frames before the close.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SocketOutbox, textFrame, type OutboxTarget } from './socket-outbox.js';

interface Peer {
  readonly target: OutboxTarget;
  readonly client: WebSocket;
  readonly messages: string[];
  /** Chunks the client's TCP socket read. */
  chunks: number;
  readonly closed: Promise<{ code: number; messagesAtClose: number }>;
}

describe('SocketOutbox', () => {
  let server: Server;
  let wss: WebSocketServer;
  let url: string;
  beforeAll(async () => {
    server = createServer();
    wss = new WebSocketServer({ server, perMessageDeflate: false });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      wss.close(() => {
        server.close(() => {
          resolve();
        });
      });
    });
  });

  async function connect(): Promise<Peer> {
    const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    const client = new WebSocket(url, { perMessageDeflate: false });
    const messages: string[] = [];
    client.on('message', (data: Buffer) => {
      messages.push(data.toString('utf8'));
    });
    await new Promise((resolve) => client.once('open', resolve));
    const peer: Peer = {
      target: { ws: await accepted, out: [], outBytes: 0, queued: false },
      client,
      messages,
      chunks: 0,
      closed: new Promise((resolve) => client.once('close', (code) => { resolve({ code, messagesAtClose: messages.length }); })),
    };
    (client as unknown as { _socket: Duplex })._socket.on('data', () => {
      peer.chunks += 1;
    });
    return peer;
  }

  async function until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(check()).toBe(true);
  }

  it('frames text a ws client reads back unchanged, at every length class', async () => {
    const peer = await connect();
    const outbox = new SocketOutbox();
    const payloads = [0, 1, 125, 126, 127, 65_535, 65_536, 200_000].map((n) => 'é'.repeat(Math.floor(n / 2)) + 'x'.repeat(n % 2));
    for (const p of payloads) outbox.push(peer.target, textFrame(p));
    await until(() => peer.messages.length === payloads.length);
    expect(peer.messages).toEqual(payloads);
    peer.client.close();
  });

  it('writes one turn of frames to each socket at once, in order, sharing nothing it should not', async () => {
    const a = await connect();
    const b = await connect();
    const c = await connect();
    const outbox = new SocketOutbox();
    const [one, two, three] = ['{"n":1}', '{"n":2}', '{"n":3}'].map(textFrame);
    if (!one || !two || !three) throw new Error('no frames');
    const before = [a.chunks, b.chunks, c.chunks];
    // a and b get the same three frames; c gets two of them and a private one in between.
    for (const peer of [a, b]) for (const f of [one, two, three]) outbox.push(peer.target, f);
    outbox.push(c.target, one);
    outbox.push(c.target, textFrame('{"private":true}'));
    outbox.push(c.target, three);
    expect(a.target.outBytes).toBe(one.length + two.length + three.length);
    await until(() => a.messages.length === 3 && b.messages.length === 3 && c.messages.length === 3);
    expect(a.messages).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(b.messages).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(c.messages).toEqual(['{"n":1}', '{"private":true}', '{"n":3}']);
    expect([a.chunks - (before[0] ?? 0), b.chunks - (before[1] ?? 0), c.chunks - (before[2] ?? 0)]).toEqual([1, 1, 1]);
    expect(a.target.out).toEqual([]);
    expect(a.target.queued).toBe(false);
    for (const peer of [a, b, c]) peer.client.close();
  });

  it('writes a socket alone before ws closes it, so its frames come before the close', async () => {
    const peer = await connect();
    const outbox = new SocketOutbox();
    outbox.push(peer.target, textFrame('last words'));
    outbox.flush(peer.target);
    peer.target.ws.close(4008, 'too slow');
    const closed = await peer.closed;
    expect(closed).toEqual({ code: 4008, messagesAtClose: 1 });
    expect(peer.messages).toEqual(['last words']);
    // The turn's flush finds nothing left for it and writes nothing after the close.
    await new Promise((resolve) => setImmediate(resolve));
    expect(peer.messages).toEqual(['last words']);
  });

  it('writes nothing to a socket that closed before the end of the turn', async () => {
    const peer = await connect();
    const outbox = new SocketOutbox();
    outbox.push(peer.target, textFrame('never'));
    peer.target.ws.close(1000, 'bye');
    const closed = await peer.closed;
    expect(closed.messagesAtClose).toBe(0);
    expect(peer.messages).toEqual([]);
  });

  it('sweeps a big room in slices: a frame that arrives mid-sweep joins the sockets not reached yet', async () => {
    // Sockets whose writes take 20 µs each, like a loopback system call: 3,000 of them are ~60 ms of
    // writing, so the sweep must yield several times.
    const writes: Buffer[][] = [];
    const targets: OutboxTarget[] = Array.from({ length: 3_000 }, (_, i) => {
      writes.push([]);
      const socket = {
        write(data: Buffer) {
          const until = performance.now() + 0.02;
          while (performance.now() < until);
          writes[i]?.push(data);
        },
      };
      return { ws: { readyState: WebSocket.OPEN, _socket: socket } as unknown as WebSocket, out: [], outBytes: 0, queued: false };
    });
    const outbox = new SocketOutbox();
    const a = textFrame('a');
    const b = textFrame('b');
    for (const t of targets) outbox.push(t, a);
    await new Promise((resolve) => setImmediate(resolve));
    const reachedInFirstSlice = writes.filter((w) => w.length > 0).length;
    expect(reachedInFirstSlice).toBeGreaterThan(0);
    expect(reachedInFirstSlice).toBeLessThan(3_000);
    expect(outbox.waiting).toBe(3_000 - reachedInFirstSlice);
    for (const t of targets) outbox.push(t, b);
    await until(() => outbox.waiting === 0 && writes.every((w) => Buffer.concat(w).equals(Buffer.concat([a, b]))));
    // Reached before b: two writes; the rest got a and b in one.
    expect(writes.filter((w) => w.length === 2).length).toBe(reachedInFirstSlice);
    expect(writes.filter((w) => w.length === 1).length).toBe(3_000 - reachedInFirstSlice);
  });
});
