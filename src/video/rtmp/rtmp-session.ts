// One encoder's connection, from the handshake to the end of its publish: the handshake, then the
// chunk stream; `connect` is answered with the window, bandwidth and chunk size and
// NetConnection.Connect.Success; `releaseStream`/`FCPublish` get an empty `_result`,
// `createStream` gets stream id 1; `publish` asks the server (which asks the operator) and starts
// the stream or refuses it and closes. While publishing, media messages become FLV tags for the
// sink; FCUnpublish/deleteStream/closeStream end it. One publish per connection: an encoder that
// restarts its stream reconnects.
//
// Each phase has one timer: the handshake, connect→publish accepted (so an operator that never
// answers does not hold a key), then no media while publishing, then lingering after unpublish.
// Whatever goes wrong on the wire — a malformed chunk, a bad AMF0 value, a message over the limit —
// ends the connection with `protocol_error` and never reaches the server.
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { Amf0DecodeError, decodeAmf0, isAmf0Object, type Amf0Value, amf0Object } from './amf0.js';
import { ChunkStreamReader, ChunkStreamWriter, MessageType, RtmpProtocolError, type RtmpMessage } from './chunk-stream.js';
import { FLV_HEADER, flvTagsOf } from './flv-tags.js';
import { CLIENT_HANDSHAKE_BYTES, ServerHandshake } from './handshake.js';
import { acknowledgement, commandError, commandResult, onStatus, setPeerBandwidth, streamBegin, windowAckSize } from './rtmp-messages.js';
import type { FlvSink, RtmpDecision, RtmpIngestLog, RtmpPublishRequest } from './rtmp-server.js';

export type SinkEndReason = Parameters<FlvSink['end']>[0];

export interface SessionLimits {
  readonly handshakeTimeoutMs: number;
  readonly publishTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxMessageBytes: number;
}

/** What a session needs from its server. */
export interface RtmpSessionHost {
  readonly limits: SessionLimits;
  readonly log: RtmpIngestLog;
  /** Whether the session may publish under the key; never rejects. The session holds the key from this call until `released`. */
  authorize(session: RtmpSession, request: RtmpPublishRequest): Promise<RtmpDecision>;
  /** The session no longer publishes nor asks to: its key is free (when it holds it). */
  released(session: RtmpSession): void;
  /** The socket is closed. */
  closed(session: RtmpSession): void;
}

type Phase = 'handshake' | 'connecting' | 'connected' | 'authorizing' | 'publishing' | 'unpublished' | 'closed';

/** The stream id createStream answers; one publish per connection needs only one. */
const PUBLISH_STREAM_ID = 1;
/** What we ask the encoder to send before it waits for our acknowledgement, and the window we announce. */
const WINDOW_BYTES = 5_000_000;
/** Our outgoing chunk size: every reply we send fits in one chunk. */
const OUTGOING_CHUNK_SIZE = 4096;
/** After a refusal, how long the client has to read it and close before we cut the socket. */
const LINGER_MS = 2_000;
/** App names and stream keys longer than this are refused before anyone is asked. */
const MAX_NAME_CHARS = 256;

/** The name before any `?query` (OBS and ffmpeg pass URL parameters along in the publish name). */
function withoutQuery(name: string): string {
  const at = name.indexOf('?');
  return at === -1 ? name : name.slice(0, at);
}

/** A stream key as logs may show it: keys are secrets, so only a short hash. */
export function keyIdOf(streamKey: string): string {
  return createHash('sha256').update(streamKey).digest('hex').slice(0, 8);
}

export class RtmpSession {
  readonly remoteAddress: string;
  private key: string | null = null;
  private sinceMs = 0;
  private phase: Phase = 'handshake';
  private handshake: ServerHandshake | null = new ServerHandshake();
  private reader: ChunkStreamReader | null = null;
  private readonly writer = new ChunkStreamWriter();
  private app = '';
  private publishStreamId = PUBLISH_STREAM_ID;
  private sink: FlvSink | null = null;
  /** Why the session stopped; a sink accepted after that is ended with it at once. */
  private endReason: SinkEndReason | null = null;
  private timer: NodeJS.Timeout;
  private linger: NodeJS.Timeout | null = null;
  private droppedEarlyMedia = false;

  constructor(
    private readonly socket: Socket,
    private readonly host: RtmpSessionHost,
  ) {
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.timer = this.arm(host.limits.handshakeTimeoutMs, 'handshake');
    socket.on('data', (data: Buffer) => {
      this.onData(data);
    });
    socket.on('error', (error) => {
      host.log.debug({ remoteAddress: this.remoteAddress, err: error.message }, 'rtmp socket error');
    });
    socket.on('close', () => {
      if (this.linger !== null) clearTimeout(this.linger);
      this.close('disconnected');
      host.closed(this);
    });
  }

  /** The key asked for or published under, once `publish` came. */
  get streamKey(): string | null {
    return this.key;
  }

  /** When the publish started (Publish.Start sent). */
  get publishingSinceMs(): number {
    return this.sinceMs;
  }

  get publishing(): boolean {
    return this.phase === 'publishing';
  }

  get bytesIn(): number {
    return this.socket.bytesRead;
  }

  /** Ends the session now: its sink, if any, gets end('cut'). */
  cut(): void {
    this.close('cut');
  }

  private arm(ms: number, what: string): NodeJS.Timeout {
    return setTimeout(() => {
      this.host.log.info({ remoteAddress: this.remoteAddress, timeout: what, ms }, 'rtmp connection timed out');
      this.close('timeout');
    }, ms);
  }

  private rearm(ms: number, what: string): void {
    clearTimeout(this.timer);
    this.timer = this.arm(ms, what);
  }

  private onData(data: Buffer): void {
    if (this.phase === 'closed') return;
    try {
      const chunks = this.handshake === null ? data : this.readHandshake(this.handshake, data);
      if (chunks !== null) this.reader?.push(chunks);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Feeds the handshake; answers the first chunk stream bytes once it is over, else null. */
  private readHandshake(handshake: ServerHandshake, data: Buffer): Buffer | null {
    for (const step of handshake.push(data)) {
      if (step.kind === 'reply') this.socket.write(step.bytes);
      else if (step.kind === 'done') {
        this.handshake = null;
        this.phase = 'connecting';
        this.reader = new ChunkStreamReader({
          maxMessageBytes: this.host.limits.maxMessageBytes,
          bytesAlreadyRead: CLIENT_HANDSHAKE_BYTES,
          onMessage: (message) => {
            this.onMessage(message);
          },
          onAcknowledgementDue: (sequenceNumber) => {
            this.send(acknowledgement(sequenceNumber));
          },
        });
        this.rearm(this.host.limits.publishTimeoutMs, 'publish');
        return step.rest;
      }
    }
    return null;
  }

  private fail(error: unknown): void {
    if (error instanceof RtmpProtocolError || error instanceof Amf0DecodeError) {
      this.host.log.info({ remoteAddress: this.remoteAddress, phase: this.phase, err: error.message }, 'rtmp protocol error');
    } else {
      this.host.log.warn({ remoteAddress: this.remoteAddress, phase: this.phase, err: error instanceof Error ? error.stack : String(error) }, 'rtmp session failed');
    }
    this.close('protocol_error');
  }

  private onMessage(message: RtmpMessage): void {
    if (this.phase === 'closed') return; // the rest of a push after the session ended
    switch (message.typeId) {
      case MessageType.CommandAmf0:
        this.onCommand(decodeAmf0(message.payload), message.streamId);
        return;
      case MessageType.CommandAmf3:
        // An AMF3 command message starts with a format byte, then AMF0 values like type 20.
        this.onCommand(decodeAmf0(message.payload.subarray(1)), message.streamId);
        return;
      case MessageType.Audio:
      case MessageType.Video:
      case MessageType.DataAmf0:
      case MessageType.Aggregate:
        this.onMedia(message);
        return;
      default:
        // User control (a ping response, a buffer length), Set Peer Bandwidth, AMF3 data, shared
        // objects: nothing a publisher needs from us.
        return;
    }
  }

  private onCommand(values: readonly Amf0Value[], streamId: number): void {
    const [name, transactionId] = values;
    if (typeof name !== 'string' || typeof transactionId !== 'number') throw new RtmpProtocolError('a command without a name and a transaction id');
    if (this.phase === 'connecting' && name !== 'connect') throw new RtmpProtocolError(`${name.slice(0, 64)} before connect`);
    switch (name) {
      case 'connect':
        this.connect(transactionId, values[2]);
        return;
      case 'releaseStream':
      case 'FCPublish':
        this.send(commandResult(transactionId, null, undefined));
        return;
      case 'createStream':
        this.send(commandResult(transactionId, null, PUBLISH_STREAM_ID));
        return;
      case 'publish':
        this.publish(values[3], streamId);
        return;
      case 'FCUnpublish':
      case 'deleteStream':
      case 'closeStream':
        this.unpublish();
        return;
      case 'play':
      case 'play2':
        this.send(onStatus(streamId, { level: 'error', code: 'NetStream.Play.Failed', description: 'This server takes publishers only.' }));
        this.close('protocol_error', 'graceful');
        return;
      default:
        // Encoders send calls we have nothing for (_checkbw, getStreamLength, …): answer those
        // that expect an answer, so the encoder does not wait.
        if (transactionId !== 0) this.send(commandError(transactionId, 'Not served by this server.'));
    }
  }

  private connect(transactionId: number, commandObject: Amf0Value): void {
    if (this.phase !== 'connecting') throw new RtmpProtocolError('connect on a connected connection');
    const app = isAmf0Object(commandObject) ? commandObject.properties.get('app') : undefined;
    if (typeof app !== 'string' || app.length > MAX_NAME_CHARS) throw new RtmpProtocolError('connect without an app name');
    this.app = withoutQuery(app).replace(/^\/+|\/+$/g, '');
    this.phase = 'connected';
    this.send(windowAckSize(WINDOW_BYTES));
    this.send(setPeerBandwidth(WINDOW_BYTES));
    this.socket.write(this.writer.setChunkSize(OUTGOING_CHUNK_SIZE));
    this.send(
      commandResult(
        transactionId,
        amf0Object({ fmsVer: 'FMS/3,0,1,123', capabilities: 31 }),
        amf0Object({ level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.', objectEncoding: 0 }),
      ),
    );
  }

  private publish(nameValue: Amf0Value, streamId: number): void {
    if (this.phase !== 'connected') {
      this.send(onStatus(streamId, { level: 'error', code: 'NetStream.Publish.Denied', description: 'One publish per connection.' }));
      if (this.phase === 'unpublished') this.close('unpublished', 'graceful');
      return;
    }
    this.publishStreamId = streamId;
    const streamKey = typeof nameValue === 'string' ? withoutQuery(nameValue) : '';
    if (streamKey === '' || streamKey.length > MAX_NAME_CHARS) {
      this.refuse({ accept: false, code: 'bad_key', description: 'No stream key, or one too long.' });
      return;
    }
    const request: RtmpPublishRequest = { app: this.app, streamKey, remoteAddress: this.remoteAddress };
    this.phase = 'authorizing';
    this.key = streamKey;
    void this.host
      .authorize(this, request)
      .then((decision) => {
        this.decided(decision);
      })
      .catch((error: unknown) => {
        this.fail(error);
      });
  }

  private decided(decision: RtmpDecision): void {
    if (this.phase !== 'authorizing') {
      // The encoder left, unpublished or was cut while we were asking: an accepted sink ends at once.
      if (decision.accept) endSink(decision.sink, this.endReason ?? 'disconnected', this.host.log);
      return;
    }
    if (!decision.accept) {
      this.refuse(decision);
      return;
    }
    this.sink = decision.sink;
    this.phase = 'publishing';
    this.sinceMs = Date.now();
    this.send(streamBegin(this.publishStreamId));
    this.send(onStatus(this.publishStreamId, { level: 'status', code: 'NetStream.Publish.Start', description: 'Publishing.' }));
    this.host.log.info({ remoteAddress: this.remoteAddress, app: this.app, keyId: keyIdOf(this.key ?? '') }, 'rtmp publish started');
    this.rearm(this.host.limits.idleTimeoutMs, 'no media');
    this.writeToSink(FLV_HEADER);
  }

  /** Says no the way encoders show it (BadName for the key, Denied for the rest), then closes. */
  private refuse(decision: Extract<RtmpDecision, { accept: false }>): void {
    const code = decision.code === 'bad_key' || decision.code === 'busy' ? 'NetStream.Publish.BadName' : 'NetStream.Publish.Denied';
    this.send(onStatus(this.publishStreamId, { level: 'error', code, description: decision.description }));
    this.host.log.info({ remoteAddress: this.remoteAddress, app: this.app, refusal: decision.code }, 'rtmp publish refused');
    this.close('disconnected', 'graceful');
  }

  private unpublish(): void {
    if (this.phase !== 'publishing' && this.phase !== 'authorizing') return;
    this.host.log.info({ remoteAddress: this.remoteAddress, app: this.app }, 'rtmp publish ended');
    this.stop('unpublished');
    this.phase = 'unpublished';
    // The encoder normally closes right after; if it does not, it is let go like an idle one.
    this.rearm(this.host.limits.idleTimeoutMs, 'after unpublish');
  }

  private onMedia(message: RtmpMessage): void {
    const sink = this.sink;
    if (this.phase !== 'publishing' || sink === null) {
      // Media before Publish.Start (or after unpublish) has nowhere to go.
      if (!this.droppedEarlyMedia) this.host.log.debug({ remoteAddress: this.remoteAddress, phase: this.phase }, 'rtmp media outside a publish dropped');
      this.droppedEarlyMedia = true;
      return;
    }
    if (message.typeId !== MessageType.DataAmf0) this.timer.refresh();
    for (const tag of flvTagsOf(message)) {
      if (!this.writeToSink(tag)) return;
    }
  }

  /** Hands bytes to the sink; a sink that throws is treated as the server cutting the publisher. */
  private writeToSink(bytes: Buffer): boolean {
    try {
      this.sink?.write(bytes);
      return true;
    } catch (error) {
      this.host.log.warn({ remoteAddress: this.remoteAddress, err: error instanceof Error ? error.message : String(error) }, 'rtmp sink write failed');
      this.close('cut');
      return false;
    }
  }

  private send(message: RtmpMessage): void {
    if (!this.socket.writable) return;
    this.socket.write(this.writer.write(message));
  }

  /** Ends the sink and frees the key, once. */
  private stop(reason: SinkEndReason): void {
    this.endReason ??= reason;
    const sink = this.sink;
    this.sink = null;
    if (sink !== null) endSink(sink, reason, this.host.log);
    this.host.released(this);
  }

  /**
   * Ends the session: the sink (if any) with `reason`, the timers, the socket — at once, or
   * `graceful`ly after what we wrote (a refusal the encoder should read), with a deadline.
   */
  private close(reason: SinkEndReason, mode: 'now' | 'graceful' = 'now'): void {
    if (this.phase === 'closed') {
      if (mode === 'now' && !this.socket.destroyed) this.socket.destroy();
      return;
    }
    this.phase = 'closed';
    clearTimeout(this.timer);
    this.stop(reason);
    if (mode === 'now') {
      this.socket.destroy();
      return;
    }
    this.socket.end();
    this.linger = setTimeout(() => this.socket.destroy(), LINGER_MS);
  }
}

/** Calls the sink's end, which must not take the server down if it throws. */
function endSink(sink: FlvSink, reason: SinkEndReason, log: RtmpIngestLog): void {
  try {
    sink.end(reason);
  } catch (error) {
    log.warn({ reason, err: error instanceof Error ? error.message : String(error) }, 'rtmp sink end failed');
  }
}
