// What the ingest's tests share: a sink that records, a log that keeps quiet, a deadline-bound
// wait, and a small RTMP publishing client built on our own chunk stream (the other side of the
// wire, so tests can send exactly the messages an encoder would, or the ones it never should).
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { amf0Object, decodeAmf0, encodeAmf0, isAmf0Object, type Amf0Value } from './amf0.js';
import { ChunkStreamReader, ChunkStreamWriter, MessageType, type RtmpMessage } from './chunk-stream.js';
import type { FlvSink, RtmpIngestLog } from './rtmp-server.js';

/** A sink that keeps every write and every end. */
export class RecordingSink implements FlvSink {
  readonly chunks: Buffer[] = [];
  readonly ends: string[] = [];

  write(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  end(reason: string): void {
    this.ends.push(reason);
  }

  get bytes(): number {
    return this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  }
}

/** Keeps the log lines, prints none. */
export class MemoryLog implements RtmpIngestLog {
  readonly lines: { level: string; msg: string; obj: object }[] = [];
  info(obj: object, msg: string): void {
    this.lines.push({ level: 'info', msg, obj });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: 'warn', msg, obj });
  }
  debug(obj: object, msg: string): void {
    this.lines.push({ level: 'debug', msg, obj });
  }
}

/** Waits until `condition` holds, polling; throws naming `what` after the deadline (generous: tests run on a loaded machine). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A promise's value, or an error naming `what` after the deadline. */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens a TCP connection; answers the socket once connected, and a promise of its close. */
export async function openSocket(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // a reset by the server is what several tests expect
  socket.resume(); // reads (and drops) what the server sends, or its close would wait behind the unread bytes
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('close', () => {
      reject(new Error('closed before connecting'));
    });
  });
  return { socket, closed };
}

/** C0 and a C1 for the simple handshake, or one that looks like Flash Player's complex one (a version in bytes 4–7). */
export function clientHello(complex = false): { c0c1: Buffer; c1: Buffer } {
  const c1 = randomBytes(1536);
  c1.writeUInt32BE(0, 0);
  c1.writeUInt32BE(complex ? 0x80000702 : 0, 4);
  return { c0c1: Buffer.concat([Buffer.of(3), c1]), c1 };
}

/** The name, transaction id and arguments of a command message. */
export interface Command {
  readonly name: string;
  readonly transactionId: number;
  readonly args: readonly Amf0Value[];
  readonly streamId: number;
}

/** The information object (level, code, description) of an onStatus, `_result` or `_error`: its last object argument. */
export function infoOf(command: Command): Record<string, Amf0Value> {
  const info = command.args.findLast(isAmf0Object);
  return info === undefined ? {} : Object.fromEntries(info.properties);
}

/** A publishing RTMP client, on our own chunk stream reader and writer. */
export class TestRtmpClient {
  readonly messages: RtmpMessage[] = [];
  /** Every byte the server sent after the handshake, as it came. */
  readonly raw: Buffer[] = [];
  /** S0, S1 and S2, once the server answered. */
  handshakeReply: Buffer = Buffer.alloc(0);
  readonly writer = new ChunkStreamWriter();
  private readonly reader = new ChunkStreamReader({
    maxMessageBytes: 0xffffff,
    onMessage: (message) => this.messages.push(message),
    onAcknowledgementDue: () => undefined,
  });
  private pending: Buffer = Buffer.alloc(0);
  private streamId = 0;

  private constructor(
    readonly socket: Socket,
    readonly closed: Promise<void>,
    readonly c1: Buffer,
  ) {
    socket.on('data', (data: Buffer) => {
      this.onData(data);
    });
  }

  /** Connects and does the handshake (the complex-looking one if asked). */
  static async open(port: number, options: { complex?: boolean } = {}): Promise<TestRtmpClient> {
    const { socket, closed } = await openSocket(port);
    const { c0c1, c1 } = clientHello(options.complex);
    const client = new TestRtmpClient(socket, closed, c1);
    socket.write(c0c1);
    await waitFor(() => client.handshakeReply.length > 0 || socket.destroyed, 'the handshake reply');
    if (client.handshakeReply.length === 0) throw new Error('closed before the handshake reply');
    return client;
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  private onData(data: Buffer): void {
    if (this.handshakeReply.length === 0) {
      this.pending = Buffer.concat([this.pending, data]);
      if (this.pending.length < 3073) return;
      this.handshakeReply = this.pending.subarray(0, 3073);
      this.socket.write(this.handshakeReply.subarray(1, 1537)); // C2 echoes S1
      data = this.pending.subarray(3073);
    }
    this.raw.push(data);
    this.reader.push(data);
  }

  send(message: RtmpMessage): void {
    this.socket.write(this.writer.write(message));
  }

  /** A command on the connection (stream 0) or, with `streamId`, on that stream. */
  command(name: string, transactionId: number, args: readonly Amf0Value[], streamId = 0): void {
    const payload = encodeAmf0([name, transactionId, ...args]);
    this.send({ chunkStreamId: streamId === 0 ? 3 : 8, typeId: MessageType.CommandAmf0, streamId, timestamp: 0, payload });
  }

  /** Audio, video or data on the published stream. */
  media(typeId: number, timestamp: number, payload: Buffer): void {
    this.send({ chunkStreamId: typeId === MessageType.Audio ? 4 : 6, typeId, streamId: this.streamId, timestamp, payload });
  }

  commands(): Command[] {
    return this.messages
      .filter((m) => m.typeId === MessageType.CommandAmf0)
      .map((m) => {
        const [name, transactionId, ...args] = decodeAmf0(m.payload);
        return { name: typeof name === 'string' ? name : '', transactionId: Number(transactionId), args, streamId: m.streamId };
      });
  }

  /** The first command from the server that satisfies `predicate`, waiting for it. */
  async waitForCommand(predicate: (command: Command) => boolean, what: string): Promise<Command> {
    let found: Command | undefined;
    await waitFor(() => (found = this.commands().find(predicate)) !== undefined, what);
    return found as Command;
  }

  /** connect, as OBS sends it; answers the `_result` or `_error`. */
  async connect(app = 'live'): Promise<Command> {
    this.command('connect', 1, [amf0Object({ app, type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; FMSc/1.0)', tcUrl: `rtmp://127.0.0.1/${app}` })]);
    return this.waitForCommand((c) => c.transactionId === 1 && (c.name === '_result' || c.name === '_error'), 'the answer to connect');
  }

  /** releaseStream, FCPublish, createStream, publish, as OBS sends them; answers the onStatus. */
  async publish(streamKey: string): Promise<Record<string, Amf0Value>> {
    this.command('releaseStream', 2, [null, streamKey]);
    this.command('FCPublish', 3, [null, streamKey]);
    this.command('createStream', 4, [null]);
    const created = await this.waitForCommand((c) => c.transactionId === 4 && c.name === '_result', 'the answer to createStream');
    this.streamId = Number(created.args[1]);
    const before = this.commands().filter((c) => c.name === 'onStatus').length;
    this.command('publish', 5, [null, streamKey, 'live'], this.streamId);
    await waitFor(() => this.commands().filter((c) => c.name === 'onStatus').length > before, 'the answer to publish');
    const status = this.commands().filter((c) => c.name === 'onStatus')[before];
    return status === undefined ? {} : infoOf(status);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
