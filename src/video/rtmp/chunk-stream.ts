// The RTMP chunk stream (Adobe RTMP spec 1.0, §5.3): messages cut into chunks, chunks of several
// chunk streams interleaved on one TCP connection. The reader reassembles the peer's messages and
// applies the protocol control messages that change how the rest is read (Set Chunk Size, Abort,
// Window Acknowledgement Size) itself, before the next byte; the writer cuts our own messages.
//
// Timestamps follow the spec and ffmpeg: a type 1 or 2 header carries a delta; a type 3 header that
// starts a new message repeats the previous header's field as its delta, and a type 0 header's
// absolute time counts as that field ("If a Type 3 chunk follows a Type 0 chunk, then the timestamp
// delta for this Type 3 chunk is the same as the timestamp of the Type 0 chunk", §5.3.1.2.4).
// Timestamps are 32 bits and wrap.
//
// The reader never holds more than one incomplete chunk header between pushes (at most 18 bytes):
// payload bytes go straight into their message's buffer as they arrive, so a 4 MiB message arriving
// in 64 KiB reads is copied once.

/** RTMP message type ids (spec §5.4, §7.1). */
export const MessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  CommandAmf3: 17,
  DataAmf0: 18,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;

export interface RtmpMessage {
  /** The chunk stream it came on (or goes on): 2 for protocol control, 3 and up for the rest. */
  readonly chunkStreamId: number;
  readonly typeId: number;
  /** The message stream: 0 for the connection, else a stream id given by createStream. */
  readonly streamId: number;
  /** Absolute, in milliseconds, modulo 2^32. */
  readonly timestamp: number;
  readonly payload: Buffer;
}

/** The peer broke the chunk stream protocol or one of our limits; the connection cannot go on. */
export class RtmpProtocolError extends Error {
  override readonly name = 'RtmpProtocolError';
}

/** The chunk size both sides start with (§5.4.1). */
export const DEFAULT_CHUNK_SIZE = 128;
/** No chunk is longer than a message, and a message is at most 0xFFFFFF bytes: larger sizes act as this. */
const MAX_EFFECTIVE_CHUNK_SIZE = 0xffffff;
/** The timestamp field value that says an extended (32-bit) timestamp follows. */
const EXTENDED_TIMESTAMP = 0xffffff;
/** Chunk stream ids a connection may use; encoders use a handful (ffmpeg 2–8, OBS 2–5). */
const MAX_CHUNK_STREAMS = 64;

/** What the reader remembers of one chunk stream between chunks (§5.3.1.2: headers inherit from it). */
interface InboundChunkStream {
  readonly id: number;
  /** False until a type 0 or 1 header has given a length and a type. */
  known: boolean;
  timestamp: number;
  /** The last header's timestamp field, which a type 3 header starting a message repeats as its delta. */
  timestampField: number;
  /** The last header's field was extended: type 3 chunks after it carry the 4 bytes again. */
  extended: boolean;
  length: number;
  typeId: number;
  streamId: number;
  /** The message being reassembled, or null between messages. */
  message: Buffer | null;
  filled: number;
}

export interface ChunkStreamReaderOptions {
  /** A message declaring more bytes than this is a protocol error. */
  readonly maxMessageBytes: number;
  /** Each complete message other than Set Chunk Size, Abort, Acknowledgement and Window Ack Size. */
  onMessage(message: RtmpMessage): void;
  /** The peer's acknowledgement window was crossed: send it an Acknowledgement with this sequence number. */
  onAcknowledgementDue(sequenceNumber: number): void;
  /** Bytes the connection read before the chunk stream (the handshake): the sequence numbers count them. */
  readonly bytesAlreadyRead?: number;
}

/** A chunk header parsed in full: where its payload starts, and the chunk stream it belongs to. */
interface ParsedHeader {
  readonly end: number;
  readonly stream: InboundChunkStream;
}

export class ChunkStreamReader {
  private chunkSize = DEFAULT_CHUNK_SIZE;
  private readonly streams = new Map<number, InboundChunkStream>();
  /** The chunk whose payload is being read, and how many of its payload bytes are still to come. */
  private current: InboundChunkStream | null = null;
  private chunkRemaining = 0;
  /** An incomplete chunk header left from the previous push. */
  private leftover: Buffer = Buffer.alloc(0);
  /** Declared bytes of the messages being reassembled, all chunk streams together. */
  private pendingBytes = 0;
  private readonly maxPendingBytes: number;
  private bytesRead: number;
  private ackWindow = 0;
  private lastAckAt: number;

  constructor(private readonly options: ChunkStreamReaderOptions) {
    // Two messages at the limit may be in progress at once (a big video frame interleaved with one
    // more); beyond that a peer is only making us allocate.
    this.maxPendingBytes = 2 * options.maxMessageBytes;
    this.bytesRead = options.bytesAlreadyRead ?? 0;
    this.lastAckAt = this.bytesRead;
  }

  /** Reads the bytes; throws RtmpProtocolError (or what onMessage throws) and must not be pushed to again after. */
  push(data: Buffer): void {
    this.bytesRead += data.length;
    const input = this.leftover.length > 0 ? Buffer.concat([this.leftover, data]) : data;
    let offset = 0;
    while (offset < input.length) {
      if (this.current === null) {
        const header = this.readHeader(input, offset);
        if (header === null) break;
        offset = header.end;
        this.beginChunk(header.stream);
      } else offset = this.readPayload(this.current, input, offset);
    }
    // Copied: a subarray would keep the whole socket buffer alive for a few bytes.
    this.leftover = Buffer.from(input.subarray(offset));
    this.acknowledgeIfDue();
  }

  private acknowledgeIfDue(): void {
    if (this.ackWindow > 0 && this.bytesRead - this.lastAckAt >= this.ackWindow) {
      this.lastAckAt = this.bytesRead;
      this.options.onAcknowledgementDue(this.bytesRead % 2 ** 32);
    }
  }

  private streamFor(chunkStreamId: number): InboundChunkStream {
    let stream = this.streams.get(chunkStreamId);
    if (stream === undefined) {
      if (this.streams.size >= MAX_CHUNK_STREAMS) throw new RtmpProtocolError(`more than ${MAX_CHUNK_STREAMS} chunk streams`);
      stream = { id: chunkStreamId, known: false, timestamp: 0, timestampField: 0, extended: false, length: 0, typeId: 0, streamId: 0, message: null, filled: 0 };
      this.streams.set(chunkStreamId, stream);
    }
    return stream;
  }

  /** Parses the chunk header at `offset`, or answers null when its bytes are not all here yet (nothing is changed then). */
  private readHeader(input: Buffer, offset: number): ParsedHeader | null {
    const available = input.length - offset;
    const first = input.readUInt8(offset);
    const format = first >> 6;
    let chunkStreamId = first & 0x3f;
    let at = offset + 1;
    if (chunkStreamId === 0) {
      if (available < 2) return null;
      chunkStreamId = 64 + input.readUInt8(at);
      at += 1;
    } else if (chunkStreamId === 1) {
      if (available < 3) return null;
      chunkStreamId = 64 + input.readUInt8(at) + 256 * input.readUInt8(at + 1);
      at += 2;
    }
    const stream = this.streamFor(chunkStreamId);
    return stream.message !== null ? this.readContinuation(stream, format, input, at) : this.readMessageHeader(stream, format, input, at);
  }

  /** A chunk continuing the message in progress on its chunk stream: a type 3 header, perhaps with the extended timestamp again. */
  private readContinuation(stream: InboundChunkStream, format: number, input: Buffer, at: number): ParsedHeader | null {
    if (format !== 3) throw new RtmpProtocolError(`a type ${format} chunk header in the middle of a message`);
    if (!stream.extended) return { end: at, stream };
    if (input.length - at < 4) return null;
    // The spec repeats the extended timestamp in every type 3 chunk (ffmpeg and librtmp write it);
    // some encoders leave it out. The four bytes are the timestamp only when they equal it — a
    // payload starting with exactly those bytes is the 1-in-2^32 case we accept.
    return { end: input.readUInt32BE(at) === stream.timestampField ? at + 4 : at, stream };
  }

  /** The header of a chunk that starts a message: fields of types 0–3, then the extended timestamp. */
  private readMessageHeader(stream: InboundChunkStream, format: number, input: Buffer, at: number): ParsedHeader | null {
    const sizes = [11, 7, 3, 0] as const;
    const headerBytes = sizes[format] ?? 0;
    if (input.length - at < headerBytes) return null;
    if (format >= 2 && !stream.known) throw new RtmpProtocolError(`a type ${format} chunk header on a chunk stream with no message before`);
    let field = format <= 2 ? input.readUIntBE(at, 3) : stream.timestampField;
    const extended = format <= 2 ? field === EXTENDED_TIMESTAMP : stream.extended;
    const end = at + headerBytes + (extended ? 4 : 0);
    if (input.length < end) return null;
    if (extended) field = input.readUInt32BE(at + headerBytes);

    // Everything is here: commit the header to the chunk stream.
    if (format <= 1) {
      stream.length = input.readUIntBE(at + 3, 3);
      stream.typeId = input.readUInt8(at + 6);
      stream.known = true;
    }
    if (format === 0) stream.streamId = input.readUInt32LE(at + 7);
    stream.timestamp = format === 0 ? field : (stream.timestamp + field) % 2 ** 32;
    stream.timestampField = field;
    stream.extended = extended;
    this.startMessage(stream);
    return { end, stream };
  }

  private startMessage(stream: InboundChunkStream): void {
    if (stream.length > this.options.maxMessageBytes) throw new RtmpProtocolError(`a message of ${stream.length} bytes (at most ${this.options.maxMessageBytes})`);
    if (this.pendingBytes + stream.length > this.maxPendingBytes) throw new RtmpProtocolError(`more than ${this.maxPendingBytes} bytes of incomplete messages`);
    this.pendingBytes += stream.length;
    // Unsafe is fine: the message is handed on only once every byte of it has been copied in.
    stream.message = Buffer.allocUnsafe(stream.length);
    stream.filled = 0;
  }

  private beginChunk(stream: InboundChunkStream): void {
    this.current = stream;
    this.chunkRemaining = Math.min(this.chunkSize, stream.length - stream.filled);
    if (this.chunkRemaining === 0) this.endChunk(stream); // a message of no bytes
  }

  private readPayload(stream: InboundChunkStream, input: Buffer, offset: number): number {
    const message = stream.message;
    if (message === null) throw new Error('payload bytes with no message in progress');
    const n = Math.min(this.chunkRemaining, input.length - offset);
    input.copy(message, stream.filled, offset, offset + n);
    stream.filled += n;
    this.chunkRemaining -= n;
    if (this.chunkRemaining === 0) this.endChunk(stream);
    return offset + n;
  }

  private endChunk(stream: InboundChunkStream): void {
    this.current = null;
    const message = stream.message;
    if (message === null || stream.filled < stream.length) return;
    stream.message = null;
    this.pendingBytes -= stream.length;
    this.handle({
      chunkStreamId: stream.id,
      typeId: stream.typeId,
      streamId: stream.streamId,
      timestamp: stream.timestamp,
      payload: message,
    });
  }

  /** Applies the protocol control messages that change how we read; hands on the rest. */
  private handle(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.SetChunkSize: {
        const size = controlValue(message);
        // The top bit must be 0 (§5.4.1); 0 would never make progress.
        if (size === 0 || size > 0x7fffffff) throw new RtmpProtocolError(`Set Chunk Size ${size}`);
        this.chunkSize = Math.min(size, MAX_EFFECTIVE_CHUNK_SIZE);
        return;
      }
      case MessageType.Abort:
        this.abort(controlValue(message));
        return;
      case MessageType.Acknowledgement:
        return; // the peer acknowledging what we sent: we send too little to wait for it
      case MessageType.WindowAckSize:
        this.ackWindow = controlValue(message);
        return;
      default:
        this.options.onMessage(message);
    }
  }

  /** Abort (§5.4.2): drop the partly received message of that chunk stream. */
  private abort(chunkStreamId: number): void {
    const stream = this.streams.get(chunkStreamId);
    if (stream?.message == null) return;
    this.pendingBytes -= stream.length;
    stream.message = null;
    stream.filled = 0;
  }
}

/** The 4-byte big-endian value every protocol control message we read carries. */
function controlValue(message: RtmpMessage): number {
  if (message.payload.length < 4) throw new RtmpProtocolError(`protocol control message ${message.typeId} of ${message.payload.length} bytes`);
  return message.payload.readUInt32BE(0);
}

/** What the writer remembers of a chunk stream's last message, to compress the next header. */
interface OutboundChunkStream {
  readonly timestamp: number;
  readonly timestampField: number;
  readonly length: number;
  readonly typeId: number;
  readonly streamId: number;
}

/** The 1–3 byte basic header (§5.3.1.1). */
function basicHeader(format: number, chunkStreamId: number): Buffer {
  if (!Number.isInteger(chunkStreamId) || chunkStreamId < 2 || chunkStreamId > 65_599) throw new RangeError(`chunk stream id ${chunkStreamId}`);
  if (chunkStreamId < 64) return Buffer.of((format << 6) | chunkStreamId);
  const id = chunkStreamId - 64;
  if (id < 256) return Buffer.of(format << 6, id);
  return Buffer.of((format << 6) | 1, id & 0xff, id >> 8);
}

/**
 * Cuts messages into chunks, with the smallest header the previous message on the same chunk
 * stream allows (type 1 when only the stream id matches, 2 when length and type match too, 3 when
 * the timestamp delta matches as well).
 */
export class ChunkStreamWriter {
  private size = DEFAULT_CHUNK_SIZE;
  private readonly streams = new Map<number, OutboundChunkStream>();

  /** Set Chunk Size (§5.4.1), cut at the size in force until now; the messages after it use the new one. */
  setChunkSize(size: number): Buffer {
    if (!Number.isInteger(size) || size < 1 || size > MAX_EFFECTIVE_CHUNK_SIZE) throw new RangeError(`chunk size ${size}`);
    const payload = Buffer.allocUnsafe(4);
    payload.writeUInt32BE(size);
    const bytes = this.write({ chunkStreamId: 2, typeId: MessageType.SetChunkSize, streamId: 0, timestamp: 0, payload });
    this.size = size;
    return bytes;
  }

  /** The message's chunks, ready for the socket. */
  write(message: RtmpMessage): Buffer {
    return Buffer.concat(this.chunks(message));
  }

  /** The message's chunks one by one (each with its header), for a caller that interleaves chunk streams. */
  chunks(message: RtmpMessage): Buffer[] {
    const { chunkStreamId, payload } = message;
    if (payload.length > 0xffffff) throw new RangeError(`a message of ${payload.length} bytes`);
    const { format, field } = headerFor(message, this.streams.get(chunkStreamId));
    const extended = field >= EXTENDED_TIMESTAMP;
    this.streams.set(chunkStreamId, { timestamp: message.timestamp, timestampField: field, length: payload.length, typeId: message.typeId, streamId: message.streamId });

    const extendedBytes = Buffer.allocUnsafe(extended ? 4 : 0);
    if (extended) extendedBytes.writeUInt32BE(field);
    const chunks = [Buffer.concat([basicHeader(format, chunkStreamId), messageHeader(format, message, extended ? EXTENDED_TIMESTAMP : field), extendedBytes, payload.subarray(0, this.size)])];
    // Type 3 chunks repeat the extended timestamp, as the spec says and ffmpeg and librtmp read it.
    const continuation = Buffer.concat([basicHeader(3, chunkStreamId), extendedBytes]);
    for (let offset = this.size; offset < payload.length; offset += this.size) chunks.push(Buffer.concat([continuation, payload.subarray(offset, offset + this.size)]));
    return chunks;
  }
}

/** The header type and timestamp field for a message after `previous` on the same chunk stream. */
function headerFor(message: RtmpMessage, previous: OutboundChunkStream | undefined): { format: number; field: number } {
  if (previous === undefined || previous.streamId !== message.streamId || message.timestamp < previous.timestamp) return { format: 0, field: message.timestamp };
  const delta = message.timestamp - previous.timestamp;
  if (previous.length !== message.payload.length || previous.typeId !== message.typeId) return { format: 1, field: delta };
  return { format: delta === previous.timestampField ? 3 : 2, field: delta };
}

/** The message header of a chunk of type 0, 1 or 2 (types 3 has none), §5.3.1.2. */
function messageHeader(format: number, message: RtmpMessage, timestampField: number): Buffer {
  const header = Buffer.alloc([11, 7, 3, 0][format] ?? 0);
  if (format <= 2) header.writeUIntBE(timestampField, 0, 3);
  if (format <= 1) {
    header.writeUIntBE(message.payload.length, 3, 3);
    header.writeUInt8(message.typeId, 6);
  }
  if (format === 0) header.writeUInt32LE(message.streamId, 7);
  return header;
}
