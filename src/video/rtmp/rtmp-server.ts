// The RTMP ingest: encoders (OBS, ffmpeg) publish to rtmp://host/<app>/<stream key>, and each
// accepted publish arrives at its sink as an FLV byte stream, ready to be piped into ffmpeg for HLS.
// Server side only, publishing only: `play` is refused. The protocol layer is ours (see
// docs/VIDEO.md, "RTMP ingest"): the operator decides on a publish before the encoder is told it
// may start, which is the point of not using node-media-server.
//
// The server keeps one rule itself: a stream key publishes from one connection at a time. A key is
// held from the moment its `publish` comes (while the operator is asked) until that publish ends,
// so two encoders racing with one key cannot both be accepted; the second is refused `busy`
// without asking. An encoder whose connection dropped without a FIN keeps its key until the idle
// timeout notices.
//
// Back-pressure: none. A live encoder produces in real time and cannot be slowed down usefully
// (OBS drops frames when its socket backs up), so `FlvSink.write` must not block: the sink owns
// its queue, bounds it, and calls `cut(key)` when its consumer falls too far behind.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { RtmpSession, keyIdOf, type RtmpSessionHost, type SessionLimits } from './rtmp-session.js';

export interface RtmpPublishRequest {
  /** The application from the URL (`live` in rtmp://host/live/KEY), without any ?query or slashes around. */
  readonly app: string;
  /** The publish name without any ?query. */
  readonly streamKey: string;
  readonly remoteAddress: string;
}

export interface FlvSink {
  /** FLV bytes in order: the 13-byte FLV header + PreviousTagSize0 first, then whole tags (tag + its PreviousTagSize). */
  write(chunk: Buffer): void;
  /** The publisher stopped (deleteStream/FCUnpublish/close/socket error/timeout/cut). Called exactly once. */
  end(reason: 'unpublished' | 'disconnected' | 'timeout' | 'cut' | 'protocol_error'): void;
}

export type RtmpDecision =
  | { readonly accept: true; readonly sink: FlvSink }
  | { readonly accept: false; readonly code: 'bad_key' | 'busy' | 'suspended' | 'unavailable'; readonly description: string };

/** pino-compatible. */
export interface RtmpIngestLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface RtmpIngestOptions {
  /**
   * Whether a publish may start, and where its FLV goes. Asked once per publish, after the encoder
   * sent `publish` and before it is told NetStream.Publish.Start. Throwing counts as `unavailable`.
   * An accepted sink is always ended exactly once, even when the encoder left while we were asking.
   */
  authorize(request: RtmpPublishRequest): Promise<RtmpDecision>;
  log: RtmpIngestLog;
  /** Sockets at once, publishing or not; more are closed on arrival. Default 64. */
  maxConnections?: number;
  /** From accepting the socket to the end of the handshake. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** From the end of the handshake to Publish.Start (the operator's answer included). Default 15 s. */
  publishTimeoutMs?: number;
  /** No audio or video for this long while publishing ends the publish. Default 15 s. */
  idleTimeoutMs?: number;
  /** The longest message accepted (a key frame at a high bitrate is the largest). Default 4 MiB, at most 16 MiB − 1. */
  maxMessageBytes?: number;
}

export interface PublisherInfo {
  readonly remoteAddress: string;
  readonly sinceMs: number;
  /** Bytes read from the encoder's socket so far. */
  readonly bytesIn: number;
}

const DEFAULTS = {
  maxConnections: 64,
  handshakeTimeoutMs: 10_000,
  publishTimeoutMs: 15_000,
  idleTimeoutMs: 15_000,
  maxMessageBytes: 4 * 1024 * 1024,
} as const;

function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`${name} must be an integer from 1 to ${max}, not ${value}`);
  return value;
}

/**
 * @example
 * const ingest = new RtmpIngestServer({ authorize: async (r) => (r.streamKey === key ? { accept: true, sink } : { accept: false, code: 'bad_key', description: 'Unknown stream key.' }), log });
 * const { port } = await ingest.listen(1935, '0.0.0.0');
 */
export class RtmpIngestServer {
  private readonly server: Server;
  private readonly sessions = new Set<RtmpSession>();
  /** Keys held by a session that asked to publish or publishes (see the note at the top). */
  private readonly holders = new Map<string, RtmpSession>();
  private readonly maxConnections: number;
  private readonly host: RtmpSessionHost;

  constructor(private readonly options: RtmpIngestOptions) {
    this.maxConnections = positiveInteger('maxConnections', options.maxConnections ?? DEFAULTS.maxConnections);
    const limits: SessionLimits = {
      handshakeTimeoutMs: positiveInteger('handshakeTimeoutMs', options.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs),
      publishTimeoutMs: positiveInteger('publishTimeoutMs', options.publishTimeoutMs ?? DEFAULTS.publishTimeoutMs),
      idleTimeoutMs: positiveInteger('idleTimeoutMs', options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs),
      maxMessageBytes: positiveInteger('maxMessageBytes', options.maxMessageBytes ?? DEFAULTS.maxMessageBytes, 0xffffff),
    };
    this.host = {
      limits,
      log: options.log,
      authorize: (session, request) => this.authorize(session, request),
      released: (session) => {
        if (session.streamKey !== null && this.holders.get(session.streamKey) === session) this.holders.delete(session.streamKey);
      },
      closed: (session) => this.sessions.delete(session),
    };
    this.server = createServer((socket) => {
      this.accept(socket);
    });
    this.server.on('error', (error) => {
      options.log.warn({ err: error.message }, 'rtmp server error');
    });
  }

  /** Starts listening; port 0 picks a free port, and the answer says which. */
  listen(port: number, host: string): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        reject(error);
      };
      this.server.once('error', failed);
      this.server.listen(port, host, () => {
        this.server.off('error', failed);
        resolve({ port: (this.server.address() as AddressInfo).port });
      });
    });
  }

  /** Stops listening and ends every session (a publishing one's sink gets end('cut')). */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      // Answers once every socket is closed; an error only says it was not listening.
      this.server.close(() => {
        resolve();
      });
    });
    for (const session of this.sessions) session.cut();
    return closed;
  }

  /** Cuts the publisher using this key (or asking to), if any: key rotated, LIVE ended, account suspended. Answers whether one was cut. */
  cut(streamKey: string): boolean {
    const session = this.holders.get(streamKey);
    if (session === undefined) return false;
    this.options.log.info({ remoteAddress: session.remoteAddress, keyId: keyIdOf(streamKey) }, 'rtmp publisher cut');
    session.cut();
    return true;
  }

  /** Publishers now: key → where from, since when, bytes read. */
  publishers(): ReadonlyMap<string, PublisherInfo> {
    const publishers = new Map<string, PublisherInfo>();
    for (const [streamKey, session] of this.holders) {
      if (session.publishing) publishers.set(streamKey, { remoteAddress: session.remoteAddress, sinceMs: session.publishingSinceMs, bytesIn: session.bytesIn });
    }
    return publishers;
  }

  private accept(socket: Socket): void {
    if (this.sessions.size >= this.maxConnections) {
      this.options.log.warn({ remoteAddress: socket.remoteAddress, maxConnections: this.maxConnections }, 'rtmp connection refused: too many');
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.sessions.add(new RtmpSession(socket, this.host));
  }

  /** Holds the key for the session and asks the operator; a key held by another session is `busy`. */
  private async authorize(session: RtmpSession, request: RtmpPublishRequest): Promise<RtmpDecision> {
    if (this.holders.has(request.streamKey)) return { accept: false, code: 'busy', description: 'This stream key is publishing from another connection.' };
    this.holders.set(request.streamKey, session);
    const decision = await this.askOperator(request);
    if (!decision.accept && this.holders.get(request.streamKey) === session) this.holders.delete(request.streamKey);
    return decision;
  }

  private async askOperator(request: RtmpPublishRequest): Promise<RtmpDecision> {
    try {
      return await this.options.authorize(request);
    } catch (error) {
      this.options.log.warn({ remoteAddress: request.remoteAddress, err: error instanceof Error ? error.message : String(error) }, 'rtmp authorize failed');
      return { accept: false, code: 'unavailable', description: 'Publishing is unavailable right now; try again later.' };
    }
  }
}
