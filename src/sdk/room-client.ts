// The typed LIVE room client: one WebSocket to `/v1/lives/:id/ws`, events typed by the protocol's
// one event map (src/protocol/room.ts), and a connection that heals itself. It remembers the last
// `<epoch>:<seq>` it saw, reconnects with jittered exponential backoff passing `since=` so the
// server replays exactly what was missed (or a fresh snapshot), and drops any event it already has.
//
// Gifts sent over the socket keep their client id until their `gift.ack` arrives: a send whose ack
// was lost with the connection is sent again with the SAME id, and the server answers `duplicate`
// instead of charging twice. Runs in browsers (global WebSocket, session cookie) and in Node (the
// `ws` package, loaded only when there is no global WebSocket; cookie or bearer headers).
//
// Chat, likes and thank-yous are answered by an `ack`. They are not idempotent on the server, so
// one that went out is never sent again: if the connection drops before its ack, it times out.
import { THANKS_PHRASES } from '../domain/thanks.js';
import type { SentGift } from '../protocol/gifts.js';
import { RoomEventSchema, type ClientMessage, type RoomEvent, type RoomEventType } from '../protocol/room.js';
import { LivegiftError, newClientId } from './livegift-client.js';

/** What a "reconnecting…" banner needs to know. `closed` is final: only `close()` or a LIVE end gets there. */
export type RoomConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The part of the browser WebSocket API the room client uses (the `ws` package has it too). */
export interface RoomSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket constructor: the browser's, or any class with the same shape. */
export type RoomSocketConstructor = new (url: string) => RoomSocket;

export interface LiveRoomClientOptions {
  /** Where the server is, e.g. `http://localhost:3000` (http → ws, https → wss). */
  readonly baseUrl: string;
  readonly liveId: string;
  /** An API token (`lgp_…`), sent as `?token=` (browsers cannot set headers on a WebSocket). */
  readonly token?: string;
  /** An anonymous viewer's stable key (8–64 of [A-Za-z0-9_-]), so reconnecting does not count them twice. */
  readonly viewerKey?: string;
  /** Extra handshake headers, e.g. `{ cookie }` in Node. Only used with the `ws` package. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Another WebSocket constructor; by default the global one, else the `ws` package. */
  readonly WebSocket?: RoomSocketConstructor;
  /** Backoff bounds: the n-th retry waits a random time in [0, min(maxMs, minMs × 2ⁿ)) (full jitter). */
  readonly backoff?: { readonly minMs?: number; readonly maxMs?: number };
  /** How long `sendGift` waits for its ack, reconnections included (default 15 s). */
  readonly ackTimeoutMs?: number;
  /** Randomness of the jitter (tests). */
  readonly random?: () => number;
}

type Handler<K extends RoomEventType> = (event: RoomEvent<K>) => void;

interface PendingGift {
  readonly message: ClientMessage;
  readonly resolve: (sent: SentGift) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

interface PendingAck {
  readonly message: ClientMessage;
  sent: boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Chat, like and thanks messages waiting for their ack at once, at most. */
const PENDING_ACKS_MAX = 100;

/** Events kept for resume, with strictly growing seqs; the others carry the room's resume point. */
const KEPT: ReadonlySet<RoomEventType> = new Set<RoomEventType>(['gift.sent', 'combo.updated', 'thanks.sent', 'live.ended', 'video.changed']);
const OPEN = 1;

export class LiveRoomClient {
  private readonly url: string;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly ackTimeoutMs: number;
  private readonly random: () => number;
  private readonly handlers = new Map<RoomEventType, Set<(event: RoomEvent) => void>>();
  private readonly stateHandlers = new Set<(state: RoomConnectionState) => void>();
  private readonly pending = new Map<string, PendingGift>();
  private readonly pendingAcks = new Map<string, PendingAck>();
  private socket: RoomSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private started = false;
  private stateNow: RoomConnectionState = 'connecting';
  private epoch: string | null = null;
  private seq = 0;

  /**
   * Makes a client; nothing is opened until `connect()`.
   * @example
   * const room = new LiveRoomClient({ baseUrl: 'http://localhost:3000', liveId });
   * room.on('gift.sent', (e) => { showGift(e.data.gift, e.data.count); });
   * room.onState((state) => { banner.hidden = state !== 'reconnecting'; });
   * await room.connect();
   */
  constructor(private readonly options: LiveRoomClientOptions) {
    const base = options.baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws');
    this.url = `${base}/v1/lives/${encodeURIComponent(options.liveId)}/ws`;
    this.minMs = options.backoff?.minMs ?? 250;
    this.maxMs = options.backoff?.maxMs ?? 10_000;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 15_000;
    this.random = options.random ?? Math.random;
  }

  /** The connection state now. */
  get state(): RoomConnectionState {
    return this.stateNow;
  }

  /** The last point seen, `{epoch, seq}`, or null before the first snapshot. */
  get resumePoint(): { readonly epoch: string; readonly seq: number } | null {
    return this.epoch === null ? null : { epoch: this.epoch, seq: this.seq };
  }

  /**
   * Opens the room; resolves once the first socket is open (it keeps reconnecting until then),
   * rejects if `close()` comes first.
   * @example await room.connect(); // the snapshot arrives next, through room.on('snapshot', …)
   */
  connect(): Promise<void> {
    if (this.stateNow === 'closed') return Promise.reject(new LivegiftError(0, 'closed', 'The room client is closed.', undefined));
    const opened = new Promise<void>((resolve, reject) => {
      const off = this.onState((state) => {
        if (state === 'open') resolve();
        else if (state === 'closed') reject(new LivegiftError(0, 'closed', 'The room client was closed before it connected.', undefined));
        else return;
        off();
      });
    });
    if (!this.started) {
      this.started = true;
      this.open();
    }
    return this.stateNow === 'open' ? Promise.resolve() : opened;
  }

  /**
   * Calls `handler` for every event of this type (deduplicated across reconnections). A misspelt
   * type is a compile error. Returns a function that removes the handler.
   * @example const off = room.on('combo.updated', (e) => { drawCombo(e.data.comboId, e.data.comboCount); });
   */
  on<K extends RoomEventType>(type: K, handler: Handler<K>): () => void {
    let set = this.handlers.get(type);
    if (!set) {
      set = new Set();
      this.handlers.set(type, set);
    }
    const stored = handler as (event: RoomEvent) => void;
    set.add(stored);
    return () => {
      this.handlers.get(type)?.delete(stored);
    };
  }

  /**
   * Calls `handler` on every connection state change. Returns a function that removes it.
   * @example room.onState((s) => { banner.textContent = s === 'reconnecting' ? 'Reconnecting…' : ''; });
   */
  onState(handler: (state: RoomConnectionState) => void): () => void {
    this.stateHandlers.add(handler);
    return () => {
      this.stateHandlers.delete(handler);
    };
  }

  /**
   * Sends a gift over the socket; resolves with the ledger's answer (`applied`, or `duplicate` for
   * an id already sent), rejects with a LivegiftError (status 0) carrying the server's code, or
   * `timeout` (retry later with the same `id`: it never charges twice) or `closed`.
   * @example const sent = await room.sendGift({ giftId: 'rose', count: 5 });
   */
  sendGift(gift: { giftId: string; count?: number; id?: string }): Promise<SentGift> {
    const id = gift.id ?? newClientId();
    if (this.stateNow === 'closed') return Promise.reject(new LivegiftError(0, 'closed', 'The room client is closed.', { id }));
    return new Promise<SentGift>((resolve, reject) => {
      const previous = this.pending.get(id);
      if (previous) {
        // The same id twice at once: the first caller gets the answer too.
        clearTimeout(previous.timer);
        this.pending.delete(id);
      }
      const message: ClientMessage = { type: 'gift.send', data: { id, giftId: gift.giftId, count: gift.count ?? 1 } };
      const timer = setTimeout(() => {
        this.settle(id, (p) => {
          p.reject(new LivegiftError(0, 'timeout', 'No answer to this gift yet; retry with the same id.', { id }));
        });
      }, this.ackTimeoutMs);
      this.pending.set(id, {
        message,
        resolve: (sent) => {
          previous?.resolve(sent);
          resolve(sent);
        },
        reject: (error) => {
          previous?.reject(error);
          reject(error);
        },
        timer,
      });
      if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
      // Otherwise it goes out as soon as a socket opens.
    });
  }

  /**
   * Sends a chat line (1–200 characters once trimmed; signed-in users only). Resolves once the
   * server took it; rejects with a LivegiftError carrying the server's code (`unauthenticated`,
   * `forbidden`, `validation_failed`, `rate_limited` with `details.retryAfterMs`), or `timeout`/`closed`.
   * @example await room.sendChat('What a song!');
   */
  sendChat(text: string): Promise<void> {
    const id = newClientId();
    return this.request(id, { type: 'chat.send', data: { id, text } });
  }

  /**
   * Sends taps on the heart (1–50 at once); everyone sees them folded into `like.batch` (≤ 1 Hz).
   * @example await room.like(3);
   */
  like(count = 1): Promise<void> {
    const id = newClientId();
    return this.request(id, { type: 'like.send', data: { id, count } });
  }

  /**
   * The creator thanks a user, with one of the suggested phrases (THANKS_PHRASES) or their own
   * words (1–200 characters); everyone sees `thanks.sent`. Anyone but the creator gets `forbidden`.
   * @example await room.thank({ toUserId: gift.data.sender.id, text: 'Thank you so much' });
   */
  thank(thanks: { toUserId: string; text: string }): Promise<void> {
    const id = newClientId();
    const phrase = THANKS_PHRASES.find((p) => p === thanks.text);
    return this.request(
      id,
      phrase !== undefined ? { type: 'thanks.send', data: { id, toUserId: thanks.toUserId, phrase } } : { type: 'thanks.send', data: { id, toUserId: thanks.toUserId, text: thanks.text } },
    );
  }

  /** Sends a message answered by `ack` (now, or when a socket opens), at most once. */
  private request(id: string, message: ClientMessage): Promise<void> {
    if (this.stateNow === 'closed') return Promise.reject(new LivegiftError(0, 'closed', 'The room client is closed.', { id }));
    if (this.pendingAcks.size >= PENDING_ACKS_MAX) return Promise.reject(new LivegiftError(0, 'rate_limited', 'Too many messages waiting for an answer.', { id }));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settleAck(id, (p) => {
          p.reject(new LivegiftError(0, 'timeout', 'No answer to this message.', { id }));
        });
      }, this.ackTimeoutMs);
      const pending: PendingAck = { message, sent: false, resolve, reject, timer };
      this.pendingAcks.set(id, pending);
      if (this.socket?.readyState === OPEN) {
        this.socket.send(JSON.stringify(message));
        pending.sent = true;
      }
    });
  }

  private settleAck(id: string, how: (p: PendingAck) => void): void {
    const p = this.pendingAcks.get(id);
    if (!p) return;
    this.pendingAcks.delete(id);
    clearTimeout(p.timer);
    how(p);
  }

  /**
   * Closes the socket for good: no more reconnections; gifts still waiting are rejected (`closed`).
   * @example room.close();
   */
  close(): void {
    if (this.stateNow === 'closed') return;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      // No-ops rather than null: `ws` throws an error event nobody listens to (closing while connecting).
      const ignore = (): void => undefined;
      socket.onclose = ignore;
      socket.onmessage = ignore;
      socket.onopen = ignore;
      socket.onerror = ignore;
      socket.close(1000, 'client closed');
    }
    for (const id of [...this.pending.keys()]) {
      this.settle(id, (p) => {
        p.reject(new LivegiftError(0, 'closed', 'The room client was closed before this gift was answered.', { id }));
      });
    }
    for (const id of [...this.pendingAcks.keys()]) {
      this.settleAck(id, (p) => {
        p.reject(new LivegiftError(0, 'closed', 'The room client was closed before this message was answered.', { id }));
      });
    }
    this.setState('closed');
  }

  private open(): void {
    this.socketConstructor().then(
      (Ctor) => {
        if (this.stateNow === 'closed') return;
        this.attach(new Ctor(this.connectUrl()));
      },
      (error: unknown) => {
        console.error('livegift: no WebSocket implementation', error);
        this.close();
      },
    );
  }

  private async socketConstructor(): Promise<RoomSocketConstructor> {
    if (this.options.WebSocket) return this.options.WebSocket;
    const global = (globalThis as { WebSocket?: RoomSocketConstructor }).WebSocket;
    if (global) return global;
    // Node without a global WebSocket (before 22): the `ws` package, loaded only here.
    const { default: Ws } = await import('ws');
    const headers = this.options.headers ?? {};
    return class extends Ws {
      constructor(url: string) {
        super(url, { headers, perMessageDeflate: false });
      }
    } as unknown as RoomSocketConstructor;
  }

  private connectUrl(): string {
    const query = new URLSearchParams();
    if (this.epoch !== null) query.set('since', `${this.epoch}:${this.seq}`);
    if (this.options.token !== undefined) query.set('token', this.options.token);
    if (this.options.viewerKey !== undefined) query.set('viewerKey', this.options.viewerKey);
    const text = query.toString();
    return text.length > 0 ? `${this.url}?${text}` : this.url;
  }

  private attach(socket: RoomSocket): void {
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setState('open');
      // Gifts without an ack go (again) with the same id: the server is idempotent by id.
      for (const p of this.pending.values()) socket.send(JSON.stringify(p.message));
      // Chat, likes and thanks that never went out go now; those already sent are not repeated.
      for (const p of this.pendingAcks.values()) {
        if (p.sent) continue;
        socket.send(JSON.stringify(p.message));
        p.sent = true;
      }
    };
    socket.onmessage = (event) => {
      this.receive(event.data);
    };
    socket.onerror = () => {
      // A close event always follows; reconnection is decided there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.stateNow === 'closed') return;
    this.setState('reconnecting');
    const ceiling = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    const delay = Math.floor(this.random() * ceiling);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private receive(data: unknown): void {
    const text = typeof data === 'string' ? data : data instanceof Uint8Array ? new TextDecoder().decode(data) : null;
    if (text === null) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const parsed = RoomEventSchema.safeParse(json);
    if (!parsed.success) return; // an event this SDK does not know yet
    const event = parsed.data as RoomEvent;
    if (event.type === 'snapshot') {
      this.epoch = event.data.epoch;
      this.seq = event.data.seq;
    } else if (KEPT.has(event.type)) {
      if (event.seq <= this.seq) return; // already seen before the reconnection
      this.seq = event.seq;
    } else if (event.type === 'gift.ack') {
      const ack = event.data;
      this.settle(ack.id, (p) => {
        if ('result' in ack) p.resolve(ack.result);
        else p.reject(new LivegiftError(0, ack.error.code, ack.error.message, ack.error.details));
      });
    } else if (event.type === 'ack') {
      const ack = event.data;
      this.settleAck(ack.id, (p) => {
        if ('ok' in ack) p.resolve();
        else p.reject(new LivegiftError(0, ack.error.code, ack.error.message, ack.error.details));
      });
    }
    this.emit(event);
    if (event.type === 'live.ended') this.close();
  }

  private settle(id: string, how: (p: PendingGift) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    how(p);
  }

  private emit(event: RoomEvent): void {
    const set = this.handlers.get(event.type);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        handler(event);
      } catch (error) {
        console.error(`livegift: a "${event.type}" handler threw`, error);
      }
    }
  }

  private setState(state: RoomConnectionState): void {
    if (state === this.stateNow) return;
    this.stateNow = state;
    for (const handler of [...this.stateHandlers]) handler(state);
  }
}
