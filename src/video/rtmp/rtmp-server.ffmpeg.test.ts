// Proves the ingest with a real encoder: ffmpeg publishing a generated 3-second stream over RTMP
// gives the sink a well-formed FLV that a second ffmpeg reads back as ~90 H.264 frames and AAC
// audio without an error; a wrong key makes ffmpeg fail at once with nothing reaching a sink; a
// second publisher of a live key is refused and cut(key) stops the first; and a few hundred
// connections of garbage (random bytes, huge declared lengths) leave the server serving.
import { spawn, type ChildProcess } from 'node:child_process';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../ffmpeg.js';
import { amf0Object, encodeAmf0, type Amf0Value } from './amf0.js';
import { ChunkStreamWriter, MessageType } from './chunk-stream.js';
import { FLV_HEADER } from './flv-tags.js';
import { RtmpIngestServer, type RtmpPublishRequest } from './rtmp-server.js';
import { MemoryLog, RecordingSink, clientHello, openSocket, waitFor, within } from './test-support.js';

const lookup = await locateFfmpeg();
const ffmpegPath = lookup.found?.path ?? '';

const children = new Set<ChildProcess>();
const servers: RtmpIngestServer[] = [];

afterEach(async () => {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    }),
  );
  children.clear();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs ffmpeg with `input` on its stdin (or none); answers the process and a promise of its exit. */
function runFfmpeg(args: readonly string[], input?: Buffer): { child: ChildProcess; exit: Promise<Exit> } {
  const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', ...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  children.add(child);
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout?.on('data', (data: Buffer) => stdout.push(data));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (data: string) => {
    if (stderr.length < 64_000) stderr += data;
  });
  if (input !== undefined) {
    child.stdin?.on('error', () => undefined); // ffmpeg may stop reading early; its exit says how it went
    child.stdin?.end(input);
  }
  const exit = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr });
    });
  });
  return { child, exit };
}

/** ffmpeg publishing the generated test pattern and tone to the ingest for `seconds`, paced in real time. */
function publish(port: number, path: string, seconds: number): { child: ChildProcess; exit: Promise<Exit> } {
  return runFfmpeg([
    '-loglevel', 'error',
    '-re',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30',
    '-c:a', 'aac',
    '-t', String(seconds),
    '-f', 'flv', `rtmp://127.0.0.1:${port}/${path}`,
  ]);
}

/** Walks the FLV: header, then tags whose PreviousTagSize each match; answers the tags' types and times. */
function flvTags(flv: Buffer): { type: number; timestamp: number }[] {
  expect(flv.subarray(0, 13)).toEqual(FLV_HEADER);
  const tags: { type: number; timestamp: number }[] = [];
  let offset = 13;
  while (offset < flv.length) {
    const size = flv.readUIntBE(offset + 1, 3);
    expect(flv.readUInt32BE(offset + 11 + size)).toBe(11 + size);
    tags.push({ type: flv.readUInt8(offset), timestamp: (flv.readUIntBE(offset + 4, 3) | (flv.readUInt8(offset + 7) << 24)) >>> 0 });
    offset += 11 + size + 4;
  }
  expect(offset).toBe(flv.length);
  return tags;
}

/** The packets per stream a second ffmpeg reads from the FLV (`-f framecrc`: one line per packet), and its complaints. */
async function readBack(flv: Buffer): Promise<{ video: number; audio: number; codecs: string[]; errors: string }> {
  const { exit } = runFfmpeg(['-loglevel', 'error', '-f', 'flv', '-i', 'pipe:0', '-c', 'copy', '-f', 'framecrc', '-'], flv);
  const result = await within(exit, 'ffmpeg to read the FLV back');
  expect(result.code).toBe(0);
  const lines = result.stdout.toString('utf8').split('\n');
  return {
    video: lines.filter((l) => l.startsWith('0,')).length,
    audio: lines.filter((l) => l.startsWith('1,')).length,
    codecs: lines.filter((l) => l.startsWith('#codec_id')).map((l) => l.split(':')[1]?.trim() ?? ''),
    errors: result.stderr.trim(),
  };
}

/** An ingest accepting `good-…` keys with recording sinks (and refusing the rest as bad keys). */
async function startIngest(options: { idleTimeoutMs?: number; handshakeTimeoutMs?: number } = {}): Promise<{ server: RtmpIngestServer; port: number; sinks: RecordingSink[]; requests: RtmpPublishRequest[] }> {
  const sinks: RecordingSink[] = [];
  const requests: RtmpPublishRequest[] = [];
  const server = new RtmpIngestServer({
    log: new MemoryLog(),
    ...options,
    authorize: (request) => {
      requests.push(request);
      if (!request.streamKey.startsWith('good')) return Promise.resolve({ accept: false, code: 'bad_key', description: 'Unknown stream key.' });
      const sink = new RecordingSink();
      sinks.push(sink);
      return Promise.resolve({ accept: true, sink });
    },
  });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, sinks, requests };
}

/** Checks a finished publish: one end, every write a whole FLV piece, and ffmpeg reading it all back cleanly. */
async function expectGoodFlv(sink: RecordingSink, seconds: number): Promise<void> {
  expect(sink.ends).toHaveLength(1);
  expect(['unpublished', 'disconnected']).toContain(sink.ends[0]);
  expect(sink.chunks[0]).toEqual(FLV_HEADER);
  for (const chunk of sink.chunks.slice(1)) expect(flvTags(Buffer.concat([FLV_HEADER, chunk]))).toHaveLength(1); // one whole tag per write
  const tags = flvTags(Buffer.concat(sink.chunks));
  expect(tags[0]?.type).toBe(18); // onMetaData first
  const back = await readBack(Buffer.concat(sink.chunks));
  expect(back.errors).toBe('');
  expect(back.codecs).toEqual(['h264', 'aac']);
  expect(back.video).toBeGreaterThanOrEqual(30 * seconds - 5);
  expect(back.video).toBeLessThanOrEqual(30 * seconds + 5);
  expect(back.audio).toBeGreaterThan(40 * seconds); // AAC at 44.1 kHz: ~43 frames a second
}

describe.skipIf(lookup.found === null)('RtmpIngestServer with ffmpeg publishing', () => {
  it('turns a 3-second ffmpeg publish into an FLV that ffmpeg reads back whole', async () => {
    // An idle timeout shorter than the stream: media must keep the publish alive.
    const { server, port, sinks, requests } = await startIngest({ idleTimeoutMs: 2_000 });
    const { exit } = publish(port, 'live/good-key?token=1', 3);
    await waitFor(() => server.publishers().has('good-key'), 'the publish to start');
    const result = await within(exit, 'ffmpeg to finish publishing', 30_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(requests).toEqual([{ app: 'live', streamKey: 'good-key', remoteAddress: '127.0.0.1' }]);
    const [sink] = sinks;
    if (sink === undefined) throw new Error('no sink');
    await waitFor(() => sink.ends.length > 0, 'the sink to end');
    await expectGoodFlv(sink, 3);
    expect(server.publishers().size).toBe(0);
  });

  it('makes ffmpeg fail at once on a wrong key, with nothing reaching a sink', async () => {
    const { port, sinks, requests } = await startIngest();
    const started = Date.now();
    const result = await within(publish(port, 'live/wrong-key', 30).exit, 'ffmpeg to give up');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Unknown stream key.');
    expect(Date.now() - started).toBeLessThan(15_000); // long before the 30 seconds it meant to stream
    expect(requests.map((r) => r.streamKey)).toEqual(['wrong-key']);
    expect(sinks).toEqual([]);
  });

  it('refuses a second publisher of a live key as busy, and cut(key) stops the first', async () => {
    const { server, port, sinks, requests } = await startIngest();
    const first = publish(port, 'live/good-key', 30);
    await waitFor(() => (sinks[0]?.chunks.length ?? 0) > 10, 'media from the first publisher');

    const second = await within(publish(port, 'live/good-key', 30).exit, 'the second publisher to give up');
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('This stream key is publishing from another connection.');
    expect(requests).toHaveLength(1); // refused without asking
    expect(sinks[0]?.ends).toEqual([]);

    expect(server.cut('good-key')).toBe(true);
    const cut = await within(first.exit, 'the first publisher to stop');
    expect(cut.code).not.toBe(0);
    expect(sinks[0]?.ends).toEqual(['cut']);
    expect(server.publishers().size).toBe(0);
    expect(server.cut('good-key')).toBe(false);
  });

  it('survives a few hundred connections of garbage and still takes a good publisher', async () => {
    const { server, port, sinks } = await startIngest({ handshakeTimeoutMs: 2_000 });
    const handshake = Buffer.concat([clientHello().c0c1, Buffer.alloc(1536)]);
    /** A type 0 chunk header with any fields (lengths up to 0xFFFFFF), after a good handshake. */
    const chunkHeader = fc
      .record({ first: fc.integer({ min: 0, max: 255 }), timestamp: fc.integer({ min: 0, max: 0xffffff }), length: fc.integer({ min: 0, max: 0xffffff }), typeId: fc.integer({ min: 0, max: 255 }), tail: fc.uint8Array({ maxLength: 300 }) })
      .map(({ first, timestamp, length, typeId, tail }) => {
        const header = Buffer.alloc(12);
        header.writeUInt8(first & 0x3f, 0); // type 0, any chunk stream id form
        header.writeUIntBE(timestamp, 1, 3);
        header.writeUIntBE(length, 4, 3);
        header.writeUInt8(typeId, 7);
        return Buffer.concat([handshake, header, tail]);
      });
    /** A good handshake, connect and publish (accepted: a sink is made), then anything. */
    let publishes = 0;
    const afterPublish = fc.uint8Array({ maxLength: 2000 }).map((bytes) => {
      const writer = new ChunkStreamWriter();
      const command = (values: Amf0Value[], streamId = 0) => writer.write({ chunkStreamId: 3, typeId: MessageType.CommandAmf0, streamId, timestamp: 0, payload: encodeAmf0(values) });
      return Buffer.concat([
        handshake,
        command(['connect', 1, amf0Object({ app: 'live' })]),
        command(['createStream', 2, null]),
        command(['publish', 3, null, `good-fuzz-${publishes++}`, 'live'], 1),
        Buffer.from(bytes),
      ]);
    });
    const garbage = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 4000 }).map((bytes) => Buffer.from(bytes)),
      fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.concat([handshake, bytes])),
      chunkHeader,
      afterPublish,
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (bytes) => {
        const { socket, closed } = await openSocket(port);
        socket.write(bytes);
        socket.end(); // a client that stops sending is let go too
        await within(closed, 'the garbage connection to close', 10_000);
      }),
      { numRuns: 300 },
    );
    // Every publish that got a sink ended once, however the garbage after it went.
    await waitFor(() => sinks.every((s) => s.ends.length > 0), 'every fuzzed publish to end');
    expect(sinks.length).toBeGreaterThan(0);
    for (const sink of sinks) {
      expect(sink.ends).toHaveLength(1);
      expect(['unpublished', 'disconnected', 'protocol_error']).toContain(sink.ends[0]);
    }
    expect(server.publishers().size).toBe(0);

    const fuzzed = sinks.length;
    const { exit } = publish(port, 'live/good-key', 1);
    const result = await within(exit, 'the good publisher to finish', 30_000);
    expect(result.code).toBe(0);
    const sink = sinks[fuzzed];
    if (sink === undefined) throw new Error('no sink');
    await waitFor(() => sink.ends.length > 0, 'the sink to end');
    await expectGoodFlv(sink, 1);
  });
});
