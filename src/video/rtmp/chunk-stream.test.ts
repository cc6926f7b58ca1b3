// Proves the chunk stream: messages come back whole however they were cut into chunks and into
// reads — across chunks, interleaved with other chunk streams, across a chunk size change, with
// extended timestamps (repeated in type 3 chunks or not), with type 1/2/3 headers inheriting from
// the message before — Abort drops a partial message, acknowledgements follow the peer's window,
// and a peer breaking the protocol or a limit gets RtmpProtocolError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkStreamReader, ChunkStreamWriter, MessageType, RtmpProtocolError, type RtmpMessage } from './chunk-stream.js';

const MiB = 1024 * 1024;

function reader(options: { maxMessageBytes?: number } = {}): { reader: ChunkStreamReader; messages: RtmpMessage[]; acks: number[] } {
  const messages: RtmpMessage[] = [];
  const acks: number[] = [];
  const r = new ChunkStreamReader({
    maxMessageBytes: options.maxMessageBytes ?? 4 * MiB,
    onMessage: (message) => messages.push(message),
    onAcknowledgementDue: (sequence) => acks.push(sequence),
  });
  return { reader: r, messages, acks };
}

function payload(length: number, seed = 1): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff));
}

function message(fields: Partial<RtmpMessage> & { payload: Buffer }): RtmpMessage {
  return { chunkStreamId: 4, typeId: MessageType.Video, streamId: 1, timestamp: 0, ...fields };
}

/** A type 0 chunk header by hand: basic header (chunk stream id < 64), timestamp, length, type, stream id. */
function type0(chunkStreamId: number, timestamp: number, length: number, typeId: number, streamId = 1): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt8(chunkStreamId, 0);
  header.writeUIntBE(Math.min(timestamp, 0xffffff), 1, 3);
  header.writeUIntBE(length, 4, 3);
  header.writeUInt8(typeId, 7);
  header.writeUInt32LE(streamId, 8);
  return timestamp >= 0xffffff ? Buffer.concat([header, u32(timestamp)]) : header;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

describe('ChunkStreamReader', () => {
  it('reassembles a message cut into chunks, whatever the reads', () => {
    const m = message({ timestamp: 1000, payload: payload(300) });
    const bytes = new ChunkStreamWriter().write(m);
    expect(bytes.length).toBe(12 + 300 + 2); // type 0 header, two type 3 continuation headers
    for (const step of [1, 7, 13, 128, bytes.length]) {
      const { reader: r, messages } = reader();
      for (let i = 0; i < bytes.length; i += step) r.push(bytes.subarray(i, i + step));
      expect(messages, `reads of ${step}`).toEqual([m]);
    }
  });

  it('reassembles interleaved chunk streams, each message completing when its last chunk comes', () => {
    const video = payload(300, 1);
    const audio = payload(200, 2);
    const bytes = Buffer.concat([
      type0(4, 40, 300, MessageType.Video),
      video.subarray(0, 128),
      type0(6, 40, 200, MessageType.Audio),
      audio.subarray(0, 128),
      Buffer.of(0xc4),
      video.subarray(128, 256),
      Buffer.of(0xc6),
      audio.subarray(128),
      Buffer.of(0xc4),
      video.subarray(256),
    ]);
    const { reader: r, messages } = reader();
    r.push(bytes);
    expect(messages).toEqual([
      { chunkStreamId: 6, typeId: MessageType.Audio, streamId: 1, timestamp: 40, payload: audio },
      { chunkStreamId: 4, typeId: MessageType.Video, streamId: 1, timestamp: 40, payload: video },
    ]);
  });

  it('applies Set Chunk Size to the next chunk, also in the middle of another message', () => {
    const video = payload(400);
    const bytes = Buffer.concat([
      type0(4, 0, 400, MessageType.Video),
      video.subarray(0, 128), // cut at the default 128
      type0(2, 0, 4, MessageType.SetChunkSize, 0),
      u32(1000),
      Buffer.of(0xc4),
      video.subarray(128), // the other 272 bytes in one chunk at the new size
      type0(5, 0, 3, MessageType.Audio),
      Buffer.of(1, 2, 3),
    ]);
    const { reader: r, messages } = reader();
    r.push(bytes);
    expect(messages.map((m) => m.payload)).toEqual([video, Buffer.of(1, 2, 3)]);
  });

  it('reads extended timestamps, repeated in type 3 chunks (the spec, ffmpeg) or not (some encoders)', () => {
    const big = 0x12345678;
    const body = payload(200);
    const repeated = Buffer.concat([type0(4, big, 200, MessageType.Video), body.subarray(0, 128), Buffer.of(0xc4), u32(big), body.subarray(128)]);
    const omitted = Buffer.concat([type0(4, big, 200, MessageType.Video), body.subarray(0, 128), Buffer.of(0xc4), body.subarray(128)]);
    for (const bytes of [repeated, omitted]) {
      const { reader: r, messages } = reader();
      for (let i = 0; i < bytes.length; i += 5) r.push(bytes.subarray(i, i + 5));
      expect(messages).toEqual([message({ timestamp: big, payload: body })]);
    }
    // And our writer repeats it.
    const written = new ChunkStreamWriter().write(message({ timestamp: big, payload: body }));
    expect(written).toEqual(repeated);
  });

  it('gives type 1, 2 and 3 headers the fields of the message before: a type 3 new message repeats the last delta', () => {
    const bytes = Buffer.concat([
      type0(4, 1000, 2, MessageType.Audio),
      Buffer.of(1, 1),
      Buffer.of(0xc4), // type 3 after type 0: the type 0 timestamp is the delta (spec §5.3.1.2.4) → 2000
      Buffer.of(2, 2),
      Buffer.of(0x84, 0, 0, 23), // type 2: delta 23 → 2023
      Buffer.of(3, 3),
      Buffer.of(0xc4), // type 3: delta 23 again → 2046
      Buffer.of(4, 4),
      Buffer.of(0x44, 0, 0, 10, 0, 0, 1, MessageType.Video), // type 1: delta 10, 1 byte of video → 2056
      Buffer.of(5),
    ]);
    const { reader: r, messages } = reader();
    r.push(bytes);
    expect(messages.map((m) => [m.typeId, m.timestamp, m.streamId, [...m.payload]])).toEqual([
      [8, 1000, 1, [1, 1]],
      [8, 2000, 1, [2, 2]],
      [8, 2023, 1, [3, 3]],
      [8, 2046, 1, [4, 4]],
      [9, 2056, 1, [5]],
    ]);
  });

  it('reads 2- and 3-byte basic headers and messages of no bytes', () => {
    const w = new ChunkStreamWriter();
    const sent = [message({ chunkStreamId: 64, payload: payload(10) }), message({ chunkStreamId: 319, payload: Buffer.alloc(0) }), message({ chunkStreamId: 65_599, payload: payload(300) })];
    const bytes = Buffer.concat(sent.map((m) => w.write(m)));
    expect(bytes.subarray(0, 2)).toEqual(Buffer.of(0x00, 0)); // csid 64 → two bytes
    const { reader: r, messages } = reader();
    r.push(bytes);
    expect(messages).toEqual(sent);
  });

  it('drops the partial message of an aborted chunk stream', () => {
    const bytes = Buffer.concat([
      type0(4, 0, 300, MessageType.Video),
      payload(128),
      type0(2, 0, 4, MessageType.Abort, 0),
      u32(4),
      type0(4, 5, 3, MessageType.Video),
      Buffer.of(7, 8, 9),
    ]);
    const { reader: r, messages } = reader();
    r.push(bytes);
    expect(messages).toEqual([message({ timestamp: 5, payload: Buffer.of(7, 8, 9) })]);
  });

  it('asks for an Acknowledgement each time the peer’s window is crossed, counting the handshake', () => {
    const acks: number[] = [];
    const r = new ChunkStreamReader({ maxMessageBytes: MiB, bytesAlreadyRead: 3073, onMessage: () => undefined, onAcknowledgementDue: (n) => acks.push(n) });
    const w = new ChunkStreamWriter();
    const windowAck = w.write({ chunkStreamId: 2, typeId: MessageType.WindowAckSize, streamId: 0, timestamp: 0, payload: u32(5000) });
    r.push(windowAck);
    expect(acks).toEqual([]);
    const media = w.write(message({ payload: payload(1000) }));
    expect([windowAck.length, media.length]).toEqual([16, 1019]);
    for (let i = 0; i < 10; i++) r.push(media);
    // 3073 + 16 + 5 × 1019 crosses 3073 + 5000 first, then 5 more pushes cross the next 5000.
    expect(acks).toEqual([3073 + 16 + 5 * 1019, 3073 + 16 + 10 * 1019]);
  });

  it('refuses what breaks the protocol or a limit with RtmpProtocolError', () => {
    const cases: [string, Buffer, number?][] = [
      ['a message over the limit', type0(4, 0, 1001, MessageType.Video), 1000],
      ['a type 2 header on a new chunk stream', Buffer.of(0x84, 0, 0, 1)],
      ['a type 3 header on a new chunk stream', Buffer.of(0xc4)],
      ['a type 0 header in the middle of a message', Buffer.concat([type0(4, 0, 300, 9), payload(128), type0(4, 0, 3, 9)])],
      ['Set Chunk Size 0', Buffer.concat([type0(2, 0, 4, MessageType.SetChunkSize, 0), u32(0)])],
      ['Set Chunk Size with the top bit', Buffer.concat([type0(2, 0, 4, MessageType.SetChunkSize, 0), u32(0x80000000)])],
      ['a short control message', Buffer.concat([type0(2, 0, 2, MessageType.WindowAckSize, 0), Buffer.of(0, 0)])],
      ['too many chunk streams', Buffer.concat(Array.from({ length: 65 }, (_, i) => Buffer.of(0x00, i, 0, 0, 0, 0, 0, 0, MessageType.Video, 0, 0, 0, 0)))],
      ['incomplete messages beyond twice the limit', Buffer.concat([type0(4, 0, 900, 9), payload(128), type0(5, 0, 900, 9), payload(128), type0(6, 0, 900, 9)]), 1000],
    ];
    for (const [name, bytes, maxMessageBytes] of cases) {
      const { reader: r } = reader({ maxMessageBytes: maxMessageBytes ?? 4 * MiB });
      expect(() => {
        r.push(bytes);
      }, name).toThrow(RtmpProtocolError);
    }
  });
});

/**
 * A message without its chunk stream and timestamp. Payloads repeat their length often and
 * timestamps (see `timing`) their delta, so that the writer uses type 2 and 3 headers too.
 */
const appMessage = fc.record({
  // Every type the reader hands on (1, 2, 3 and 5 it applies itself).
  typeId: fc.oneof(fc.constant(MessageType.Audio), fc.constantFrom(4, 6, 8, 9, 15, 17, 18, 20, 22)),
  streamId: fc.oneof(fc.constant(1), fc.constantFrom(0, 2, 0xffffffff)),
  payload: fc.oneof(fc.constantFrom(4, 300).map((n) => payload(n)), fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 700 })).map((bytes) => Buffer.from(bytes)),
  /** A delta from the chunk stream's previous message, or a time of its own (perhaps earlier, perhaps extended). */
  timing: fc.oneof(
    fc.record({ delta: fc.constantFrom(0, 20, 23) }),
    fc.record({ delta: fc.integer({ min: 0xfffff0, max: 0x1000010 }) }),
    fc.record({ at: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.nat({ max: 0xffffffff })) }),
  ),
});

type AppMessage = typeof appMessage extends fc.Arbitrary<infer T> ? T : never;

/** Gives each message its chunk stream and a timestamp from its timing, per chunk stream. */
function timed(list: readonly { chunkStreamId: number; message: AppMessage }[]): RtmpMessage[] {
  const last = new Map<number, number>();
  return list.map(({ chunkStreamId, message: { timing, ...m } }) => {
    const timestamp = 'at' in timing ? timing.at : ((last.get(chunkStreamId) ?? 0) + timing.delta) % 2 ** 32;
    last.set(chunkStreamId, timestamp);
    return { ...m, chunkStreamId, timestamp };
  });
}

/** Splits the bytes at the given points (any order, any repeats). */
function splitAt(bytes: Buffer, points: number[]): Buffer[] {
  const cuts = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(bytes.subarray(from, cut));
    from = cut;
  }
  return pieces;
}

describe('ChunkStreamReader and ChunkStreamWriter (properties)', () => {
  it('reads back any message list written with random chunk sizes and split at random byte boundaries', () => {
    const step = fc.oneof(
      { weight: 4, arbitrary: fc.record({ chunkStreamId: fc.constantFrom(3, 4, 5, 63, 64, 400), message: appMessage }) },
      { weight: 1, arbitrary: fc.record({ chunkSize: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constant(0xffffff)) }) },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 30 }), (steps, points) => {
        const w = new ChunkStreamWriter();
        const sent = timed(steps.flatMap((s) => ('chunkSize' in s ? [] : [s])));
        const parts: Buffer[] = [];
        let next = 0;
        for (const s of steps) parts.push('chunkSize' in s ? w.setChunkSize(s.chunkSize) : w.write(sent[next++] as RtmpMessage));
        const { reader: r, messages } = reader({ maxMessageBytes: 1000 });
        for (const piece of splitAt(Buffer.concat(parts), points)) r.push(piece);
        expect(messages).toEqual(sent);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws anything but RtmpProtocolError on random bytes, however they are split', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 3000 }),
      // Mostly small headers with small lengths, so that messages complete and control messages apply.
      fc.array(fc.oneof(fc.constantFrom(0x02, 0x03, 0x43, 0x83, 0xc3, 0, 1, 2, 4, 5), fc.integer({ min: 0, max: 255 })), { maxLength: 3000 }),
    );
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 20 }), (data, points) => {
        const { reader: r } = reader({ maxMessageBytes: 5000 });
        try {
          for (const piece of splitAt(Buffer.from(data), points)) r.push(piece);
        } catch (error) {
          expect(error).toBeInstanceOf(RtmpProtocolError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back chunk streams interleaved at random', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.record({ chunkStreamId: fc.constantFrom(3, 4, 6, 70, 5000), message: appMessage }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 400 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (chunkSize, list, picks, points) => {
          const w = new ChunkStreamWriter();
          const setSize = w.setChunkSize(chunkSize);
          const queues = new Map<number, Buffer[]>();
          const sent = new Map<number, RtmpMessage[]>();
          for (const full of timed(list)) {
            const { chunkStreamId } = full;
            sent.set(chunkStreamId, [...(sent.get(chunkStreamId) ?? []), full]);
            queues.set(chunkStreamId, [...(queues.get(chunkStreamId) ?? []), ...w.chunks(full)]);
          }
          // Take the next chunk of a chunk stream picked at random, keeping each stream's own order.
          const order: Buffer[] = [setSize];
          const pending = [...queues.values()];
          let pick = 0;
          while (pending.some((q) => q.length > 0)) {
            const open = pending.filter((q) => q.length > 0);
            const queue = open[(picks[pick++ % Math.max(1, picks.length)] ?? 0) % open.length];
            const chunk = queue?.shift();
            if (chunk !== undefined) order.push(chunk);
          }
          // Up to five messages in progress at once: room for all of them.
          const { reader: r, messages } = reader({ maxMessageBytes: 4000 });
          for (const piece of splitAt(Buffer.concat(order), points)) r.push(piece);
          for (const [chunkStreamId, list] of sent) expect(messages.filter((m) => m.chunkStreamId === chunkStreamId)).toEqual(list);
          expect(messages.length).toBe(list.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
