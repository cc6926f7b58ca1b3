// Proves the ingest server against a scripted RTMP client on a real socket: the handshake (answered
// the simple way to a complex-looking client), the replies to connect/createStream/publish, media
// reaching the sink as exact FLV tags, unpublish ending the sink once, each refusal's status code,
// one publish per key and per connection, `play` and unknown calls refused, every timeout and
// limit closing the connection, acknowledgements, and close() ending sessions — including a sink
// accepted after its encoder left.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { amf0Object, encodeAmf0 } from './amf0.js';
import { MessageType } from './chunk-stream.js';
import { FLV_HEADER, flvTag } from './flv-tags.js';
import { RtmpIngestServer, type RtmpDecision, type RtmpIngestOptions, type RtmpPublishRequest } from './rtmp-server.js';
import { MemoryLog, RecordingSink, TestRtmpClient, clientHello, infoOf, openSocket, waitFor, within } from './test-support.js';

const servers: RtmpIngestServer[] = [];
const clients: TestRtmpClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Ingest {
  server: RtmpIngestServer;
  port: number;
  sinks: RecordingSink[];
  requests: RtmpPublishRequest[];
  log: MemoryLog;
}

/** A listening ingest whose operator accepts `good-…` keys with a recording sink and refuses the rest as their name says. */
async function startIngest(options: Partial<RtmpIngestOptions> & { decide?: (request: RtmpPublishRequest) => Promise<RtmpDecision> } = {}): Promise<Ingest> {
  const sinks: RecordingSink[] = [];
  const requests: RtmpPublishRequest[] = [];
  const log = new MemoryLog();
  const decideByName = (request: RtmpPublishRequest): Promise<RtmpDecision> => {
    if (request.streamKey.startsWith('good')) {
      const sink = new RecordingSink();
      sinks.push(sink);
      return Promise.resolve({ accept: true, sink });
    }
    const code = request.streamKey as 'bad_key' | 'busy' | 'suspended' | 'unavailable';
    return Promise.resolve({ accept: false, code, description: `Refused: ${code}.` });
  };
  const decide = options.decide ?? decideByName;
  const server = new RtmpIngestServer({
    log,
    ...options,
    authorize: (request) => {
      requests.push(request);
      return decide(request);
    },
  });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, sinks, requests, log };
}

async function client(port: number, options: { complex?: boolean } = {}): Promise<TestRtmpClient> {
  const c = await TestRtmpClient.open(port, options);
  clients.push(c);
  return c;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

/** An aggregate message's sub-message: FLV tag header, body, back pointer. */
function subMessage(typeId: 8 | 9, timestamp: number, body: Buffer): Buffer {
  return flvTag(typeId, timestamp, body);
}

describe('RtmpIngestServer with a scripted client', () => {
  it('answers a complex-looking handshake the simple way, then connect, createStream and publish, and streams exact FLV tags until deleteStream', async () => {
    const { server, port, sinks, requests } = await startIngest();
    const c = await client(port, { complex: true });
    const reply = c.handshakeReply;
    expect(reply.readUInt8(0)).toBe(3);
    expect(reply.readUInt32BE(1 + 4)).toBe(0); // S1 without a version: no digest handshake
    expect(reply.subarray(1537)).toEqual(c.c1); // S2 echoes C1

    const connected = await c.connect('live/');
    expect(connected.name).toBe('_result');
    expect(infoOf(connected)).toMatchObject({ level: 'status', code: 'NetConnection.Connect.Success' });
    // The client's reader applies Window Ack Size and Set Chunk Size itself, so those two are looked
    // for in the raw bytes: chunk stream 2, timestamp 0, 4 bytes, the type, then the value.
    const raw = Buffer.concat(c.raw).toString('hex');
    expect(raw).toContain('000004' + '05' + '00000000' + u32(5_000_000).toString('hex'));
    expect(raw).toContain('000004' + '01' + u32(4096).toString('hex'));
    const peerBandwidth = c.messages.filter((m) => m.typeId === MessageType.SetPeerBandwidth);
    expect(peerBandwidth.map((m) => m.payload.toString('hex'))).toEqual([u32(5_000_000).toString('hex') + '02']); // dynamic

    const status = await c.publish('good-key?token=abc');
    expect(status).toMatchObject({ level: 'status', code: 'NetStream.Publish.Start' });
    expect(requests).toEqual([{ app: 'live', streamKey: 'good-key', remoteAddress: '127.0.0.1' }]);
    const streamBegin = c.messages.find((m) => m.typeId === MessageType.UserControl);
    expect(streamBegin?.payload).toEqual(Buffer.from('000000000001', 'hex'));
    const publisher = server.publishers().get('good-key');
    expect(publisher?.remoteAddress).toBe('127.0.0.1');
    expect(Math.abs((publisher?.sinceMs ?? 0) - Date.now())).toBeLessThan(10_000);
    expect(publisher?.bytesIn).toBeGreaterThan(3073);

    const sink = sinks[0] ?? new RecordingSink();
    const metadata = amf0Object({ width: 320, height: 180, videocodecid: 7 }, 'ecma-array');
    const video = Buffer.concat([Buffer.from('1701000000', 'hex'), Buffer.alloc(300, 7)]); // longer than a chunk
    c.media(MessageType.DataAmf0, 0, encodeAmf0(['@setDataFrame', 'onMetaData', metadata]));
    c.media(MessageType.Video, 0, video);
    c.media(MessageType.Audio, 23, Buffer.from('af01aaaa', 'hex'));
    c.media(MessageType.Aggregate, 1000, Buffer.concat([subMessage(9, 70, Buffer.of(0x27, 1)), subMessage(8, 80, Buffer.of(0xaf, 1))]));
    await waitFor(() => sink.chunks.length === 6, 'six writes');
    expect(sink.chunks[0]).toEqual(FLV_HEADER);
    expect(sink.chunks.slice(1)).toEqual([
      flvTag(18, 0, encodeAmf0(['onMetaData', metadata])),
      flvTag(9, 0, video),
      flvTag(8, 23, Buffer.from('af01aaaa', 'hex')),
      flvTag(9, 1000, Buffer.of(0x27, 1)),
      flvTag(8, 1010, Buffer.of(0xaf, 1)),
    ]);

    c.command('FCUnpublish', 6, [null, 'good-key']);
    c.command('deleteStream', 7, [null, 1]);
    await waitFor(() => sink.ends.length > 0, 'the end of the publish');
    expect(server.publishers().size).toBe(0);
    c.destroy();
    await server.close(); // answers once the socket is closed on the server's side too
    expect(sink.ends).toEqual(['unpublished']);
  });

  it('refuses with BadName for bad_key and busy, Denied for suspended and unavailable, with the description, and closes', async () => {
    const { port, sinks, requests } = await startIngest();
    const expected: [string, string][] = [
      ['bad_key', 'NetStream.Publish.BadName'],
      ['busy', 'NetStream.Publish.BadName'],
      ['suspended', 'NetStream.Publish.Denied'],
      ['unavailable', 'NetStream.Publish.Denied'],
    ];
    for (const [key, code] of expected) {
      const c = await client(port);
      await c.connect();
      expect(await c.publish(key)).toEqual({ level: 'error', code, description: `Refused: ${key}.` });
      await within(c.closed, `the close after ${key}`);
    }
    expect(requests.map((r) => r.streamKey)).toEqual(['bad_key', 'busy', 'suspended', 'unavailable']);
    expect(sinks).toEqual([]);

    // An empty key is refused before anyone is asked.
    const empty = await client(port);
    await empty.connect();
    expect(await empty.publish('?only=query')).toMatchObject({ code: 'NetStream.Publish.BadName' });
    expect(requests).toHaveLength(4);
  });

  it('refuses an operator that throws as unavailable', async () => {
    const { port, log } = await startIngest({ decide: () => Promise.reject(new Error('database down')) });
    const c = await client(port);
    await c.connect();
    expect(await c.publish('good-key')).toMatchObject({ level: 'error', code: 'NetStream.Publish.Denied' });
    expect(log.lines.some((l) => l.level === 'warn' && l.msg === 'rtmp authorize failed')).toBe(true);
  });

  it('lets a key publish from one connection at a time, without asking for the second, and frees it on unpublish', async () => {
    const { port, sinks, requests } = await startIngest();
    const first = await client(port);
    await first.connect();
    expect(await first.publish('good-key')).toMatchObject({ code: 'NetStream.Publish.Start' });
    const second = await client(port);
    await second.connect();
    expect(await second.publish('good-key')).toMatchObject({ level: 'error', code: 'NetStream.Publish.BadName' });
    expect(requests).toHaveLength(1);
    first.command('deleteStream', 6, [null, 1]);
    await waitFor(() => sinks[0]?.ends.length === 1, 'the first publish to end');
    const third = await client(port);
    await third.connect();
    expect(await third.publish('good-key')).toMatchObject({ code: 'NetStream.Publish.Start' });
  });

  it('refuses a second publish on the connection, play, and calls it does not serve, and closes on a command before connect', async () => {
    const { server, port } = await startIngest();
    const c = await client(port);
    await c.connect();
    expect(await c.publish('good-key')).toMatchObject({ code: 'NetStream.Publish.Start' });
    c.command('publish', 8, [null, 'good-other', 'live'], 1);
    await c.waitForCommand((cmd) => cmd.name === 'onStatus' && infoOf(cmd)['code'] === 'NetStream.Publish.Denied', 'the second publish refused');
    expect([...server.publishers().keys()]).toEqual(['good-key']);
    c.command('getStreamLength', 9, [null, 'x']);
    const error = await c.waitForCommand((cmd) => cmd.transactionId === 9, 'the answer to getStreamLength');
    expect([error.name, infoOf(error)['code']]).toEqual(['_error', 'NetConnection.Call.Failed']);

    const viewer = await client(port);
    await viewer.connect();
    viewer.command('play', 4, [null, 'good-key'], 1);
    const refused = await viewer.waitForCommand((cmd) => cmd.name === 'onStatus', 'the answer to play');
    expect(infoOf(refused)).toMatchObject({ level: 'error', code: 'NetStream.Play.Failed' });
    await within(viewer.closed, 'the close after play');

    const early = await client(port);
    early.command('createStream', 2, [null]);
    await within(early.closed, 'the close of a connection that skipped connect');
  });

  it('closes a silent connection after the handshake timeout, and one that never publishes after the publish timeout', async () => {
    const { port } = await startIngest({ handshakeTimeoutMs: 300, publishTimeoutMs: 300 });
    const started = Date.now();
    const silent = await openSocket(port);
    await within(silent.closed, 'the handshake timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);

    const idle = await client(port);
    await idle.connect();
    await within(idle.closed, 'the publish timeout');
  });

  it('ends a publish that sends no media with timeout', async () => {
    const { port, sinks } = await startIngest({ idleTimeoutMs: 300 });
    const c = await client(port);
    await c.connect();
    await c.publish('good-key');
    await within(c.closed, 'the idle timeout');
    await waitFor(() => sinks[0]?.ends.length === 1, 'the sink to end');
    expect(sinks[0]?.ends).toEqual(['timeout']);
  });

  it('ends a publish whose message is over maxMessageBytes with protocol_error', async () => {
    const { port, sinks } = await startIngest({ maxMessageBytes: 64 * 1024 });
    const c = await client(port);
    await c.connect();
    await c.publish('good-key');
    const header = Buffer.from('06' + '000000' + '010001' + '09' + '01000000', 'hex'); // video of 65537 bytes
    c.socket.write(header);
    await within(c.closed, 'the close');
    await waitFor(() => sinks[0]?.ends.length === 1, 'the sink to end');
    expect(sinks[0]?.ends).toEqual(['protocol_error']);
  });

  it('closes a connection declaring a huge message without waiting for its bytes', async () => {
    const { port } = await startIngest();
    const { socket, closed } = await openSocket(port);
    const header = Buffer.from('03' + '000000' + 'ffffff' + '14' + '00000000', 'hex'); // a command of 16 MiB − 1
    socket.write(Buffer.concat([clientHello().c0c1, Buffer.alloc(1536), header]));
    await within(closed, 'the close');
  });

  it('acknowledges as the client’s window asks', async () => {
    const { port } = await startIngest();
    const c = await client(port);
    await c.connect();
    await c.publish('good-key');
    c.send({ chunkStreamId: 2, typeId: MessageType.WindowAckSize, streamId: 0, timestamp: 0, payload: u32(2000) });
    for (let i = 0; i < 3; i++) c.media(MessageType.Video, i * 33, Buffer.alloc(1000, 1));
    // The Acknowledgement (type 3, 4 bytes) follows the server's Set Chunk Size (type 1) on chunk stream 2: a type 1 header.
    await waitFor(() => /4200000000000403[0-9a-f]{8}/.test(Buffer.concat(c.raw).toString('hex')), 'an Acknowledgement');
    const sequence = Number.parseInt(/4200000000000403([0-9a-f]{8})/.exec(Buffer.concat(c.raw).toString('hex'))?.[1] ?? '0', 16);
    expect(sequence).toBeGreaterThanOrEqual(3073 + 2000);
  });

  it('closes sockets past maxConnections at once and takes new ones when there is room', async () => {
    const { port } = await startIngest({ maxConnections: 2 });
    const a = await openSocket(port);
    const b = await openSocket(port);
    const extra = await openSocket(port);
    let answered = false;
    extra.socket.on('data', () => (answered = true));
    extra.socket.write(clientHello().c0c1);
    await within(extra.closed, 'the extra socket to be closed');
    expect(answered).toBe(false);
    a.socket.destroy();
    await waitFor(() => a.socket.destroyed, 'a to close');
    // The server notices a's close on its own time: try until a newcomer is answered.
    let served: TestRtmpClient | null = null;
    for (let attempt = 0; attempt < 200 && served === null; attempt++) {
      served = await TestRtmpClient.open(port).catch(() => null);
      if (served === null) await sleep(20);
    }
    expect(served).not.toBeNull();
    if (served !== null) clients.push(served);
    b.socket.destroy();
  });

  it('close() cuts publishers, and a sink accepted after its encoder left is ended at once', async () => {
    let release: ((decision: RtmpDecision) => void) | null = null;
    const late = new RecordingSink();
    const early = new RecordingSink();
    const { server, port } = await startIngest({
      decide: (request) => (request.streamKey === 'good-now' ? Promise.resolve({ accept: true, sink: early }) : new Promise<RtmpDecision>((resolve) => {
              release = resolve;
            })),
    });
    const publishing = await client(port);
    await publishing.connect();
    await publishing.publish('good-now');
    const waiting = await client(port);
    await waiting.connect();
    waiting.command('createStream', 2, [null]);
    waiting.command('publish', 3, [null, 'good-later', 'live'], 1);
    await waitFor(() => release !== null, 'the second publish to be asked about');
    await server.close();
    expect(early.ends).toEqual(['cut']);
    await within(publishing.closed, 'the publisher to be closed');
    expect(server.cut('good-now')).toBe(false);
    (release as ((decision: RtmpDecision) => void) | null)?.({ accept: true, sink: late });
    await waitFor(() => late.ends.length === 1, 'the late sink to end');
    expect(late.ends).toEqual(['cut']);
    expect(late.chunks).toEqual([]);
  });
});
