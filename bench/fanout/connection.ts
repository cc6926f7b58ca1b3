// One client of the load generator: a raw `ws` socket into a room, reopened by hand to resume, and
// a gift sender on top of one. Every frame is counted; only connections asked to parse decode them
// (and only they can resume exactly: the resume point is read from the events).
import WebSocket from 'ws';
import { newClientId } from '../../src/sdk/livegift-client.js';
import { pokeSchedules } from './measure.js';
import type { Identity, Resume, RoomWire, WireEvent } from './wire.js';

/** Receives the parsed events of a connection, with the time they were read. */
export type EventSink = (conn: RoomConnection, event: WireEvent, atMs: number) => void;

const HANDSHAKE_MS_MAX = 20_000;
/** Frames read between two pokes of the open-loop schedules (see measure.ts). */
const FRAMES_PER_POKE = 128;
let framesSincePoke = 0;
const CLOSE_MS_MAX = 2_000;

export class RoomConnection {
  /** Application frames received (events, acks, errors), reset by the phases. */
  frames = 0;
  readonly resume: Resume = { epoch: null, seq: 0, pid: null, offset: null };
  sink: EventSink | null = null;
  /** Sockets opened; reopenings that resumed (ours: got missed events, not a snapshot; Socket.IO: recovered). */
  opens = 0;
  /** When the first socket joined the room (performance.now()). */
  joinedAtMs: number | null = null;
  resumedExactly = 0;
  resumedWithSnapshot = 0;
  private ws: WebSocket | null = null;
  /** This socket reopens a connection; ours: its first frame is still to come (a snapshot means not exact). */
  private resuming = false;
  private firstFrameOfResume = false;
  private pidAtOpen: string | null = null;

  constructor(
    private readonly wire: RoomWire,
    readonly who: Identity,
    readonly parse: boolean,
  ) {}

  /** Opens a socket (resuming from what this connection saw) and resolves once it is in the room. */
  open(): Promise<void> {
    this.resuming = this.opens > 0;
    this.pidAtOpen = this.resume.pid;
    const ws = new WebSocket(this.wire.url(this.who, this.resume), { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: HANDSHAKE_MS_MAX });
    this.ws = ws;
    const reply = (text: string): void => {
      ws.send(text);
    };
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | null): void => {
        if (settled) return;
        settled = true;
        if (error) {
          reject(error);
          return;
        }
        this.joinedAtMs ??= performance.now();
        resolve();
      };
      ws.on('open', () => {
        this.opens += 1;
        // Ours: a resume that missed nothing gets no frame at all; a snapshot says it was not exact.
        if (this.resuming && this.wire.inRoomOnOpen) {
          this.resumedExactly += 1;
          this.firstFrameOfResume = true;
        }
        if (this.wire.inRoomOnOpen) settle(null);
      });
      ws.on('message', (data) => {
        if (++framesSincePoke >= FRAMES_PER_POKE) {
          framesSincePoke = 0;
          pokeSchedules();
        }
        const result = this.wire.read(data as Buffer, this.parse, reply, this.who, this.resume);
        if (result === 'event') this.frames += 1;
        else if (result === 'connected') {
          // Socket.IO: the session came back (missed packets may have come just before this).
          if (this.resuming && this.pidAtOpen !== null && this.resume.pid === this.pidAtOpen) this.resumedExactly += 1;
          settle(null);
        } else if (result !== 'control') {
          this.frames += 1;
          this.take(result);
        }
      });
      ws.on('error', (error) => {
        settle(error);
      });
      ws.on('close', (code) => {
        settle(new Error(`the socket closed before it joined the room (${code})`));
      });
    });
  }

  /** Drops the socket at once, as a phone losing its network would (no close handshake). */
  kill(): void {
    this.ws?.terminate();
    this.ws = null;
  }

  /** Closes the socket properly, or drops it if the close takes too long. */
  async close(): Promise<void> {
    const ws = this.ws;
    this.ws = null;
    if (ws === null || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, CLOSE_MS_MAX);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close();
    });
  }

  send(text: string): void {
    this.ws?.send(text);
  }

  private take(event: WireEvent): void {
    if (event.type === 'snapshot') {
      const data = event.data as { epoch: string; seq: number };
      if (this.firstFrameOfResume) {
        this.resumedWithSnapshot += 1;
        this.resumedExactly -= 1;
      }
      // A snapshot starts over: its epoch, and its seq (a new epoch's seqs start again).
      this.resume.epoch = data.epoch;
      this.resume.seq = data.seq;
    } else if (event.seq !== null && event.seq > this.resume.seq) {
      // The highest seq seen on any event: seqs grow per room but may skip numbers.
      this.resume.seq = event.seq;
    }
    this.firstFrameOfResume = false;
    if (event.offset !== null) this.resume.offset = event.offset;
    this.sink?.(this, event, performance.now());
  }
}

/** One gift send, from the moment it was due to its ack. */
export interface GiftSend {
  readonly id: string;
  readonly giftId: string;
  readonly count: number;
  /** When the schedule wanted it sent (performance.now()); latency counts from here. */
  readonly dueAtMs: number;
  sentAtMs: number | null;
  ackedAtMs: number | null;
  comboId: string | null;
  comboCount: number | null;
  error: string | null;
}

/** Gift sends one socket may have waiting for their ack at once (our server refuses more than 16). */
const IN_FLIGHT_MAX = 16;
/** Sends waiting for a free slot, past which the sender refuses (a limit on every queue). */
const QUEUE_MAX = 20_000;

/** A signed-in connection that sends gifts over its socket and matches their acks. */
export class GiftSender {
  /** Every send made through this sender, by id. */
  readonly sends = new Map<string, GiftSend>();
  onAck: ((send: GiftSend) => void) | null = null;
  /** Events other than acks (senders are in the room too). */
  onEvent: EventSink | null = null;
  private readonly queue: GiftSend[] = [];
  private inFlight = 0;
  private ackIds = 0;

  constructor(
    readonly conn: RoomConnection,
    private readonly wire: RoomWire,
  ) {
    if (!conn.parse) throw new Error('a gift sender must parse its frames to read its acks');
    conn.sink = (c, event, atMs) => {
      if (event.type === 'gift.ack') this.acked(event.data, atMs);
      else this.onEvent?.(c, event, atMs);
    };
  }

  get waiting(): number {
    return this.inFlight + this.queue.length;
  }

  /** Sends a gift now, or as soon as one of the 16 slots is free. */
  send(giftId: string, count: number, dueAtMs: number): GiftSend {
    const send: GiftSend = { id: newClientId(), giftId, count, dueAtMs, sentAtMs: null, ackedAtMs: null, comboId: null, comboCount: null, error: null };
    this.sends.set(send.id, send);
    if (this.inFlight < IN_FLIGHT_MAX) this.write(send);
    else if (this.queue.length < QUEUE_MAX) this.queue.push(send);
    else send.error = 'queue_full';
    return send;
  }

  private write(send: GiftSend): void {
    this.inFlight += 1;
    send.sentAtMs = performance.now();
    this.conn.send(this.wire.giftSend(send.id, send.giftId, send.count, this.ackIds++));
  }

  private acked(data: unknown, atMs: number): void {
    const answer = data as { id: string; result?: { comboId: string; comboCount: number }; error?: { code: string } };
    const send = this.sends.get(answer.id);
    if (send === undefined || send.ackedAtMs !== null) return;
    send.ackedAtMs = atMs;
    if (answer.result) {
      send.comboId = answer.result.comboId;
      send.comboCount = answer.result.comboCount;
    } else send.error = answer.error?.code ?? 'unknown';
    this.inFlight -= 1;
    const next = this.queue.shift();
    if (next !== undefined) this.write(next);
    this.onAck?.(send);
  }
}
