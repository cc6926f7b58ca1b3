// What a room writes to its sockets, and when: every event is framed once (the WebSocket frame
// itself, header and payload in one buffer), queued on each socket it is for, and each socket's queue
// leaves in ONE write, in a sweep that starts at the end of the event-loop turn (setImmediate: after
// the poll phase, so the inputs, acks and ticks handled in the same turn go together) and goes on in
// short slices (see writeSlice). A socket whose queue holds the same frames as the previous socket's
// gets the same concatenated buffer, so a broadcast of k events to 10,000 sockets copies them once
// and makes 10,000 system calls, not 10,000 × k.
//
// Why not `ws.send`: it frames the payload again for every socket and corks header and payload into
// a `writev` of its own per message — one system call per frame per socket, which was 58–65 % of the
// room's core in `npm run bench:fanout` (docs/BENCHMARKS.md, "What limits us"). Writing whole frames
// to the socket under `ws` is what Socket.IO's adapter does too (`wsPreEncodedFrame`). It is safe
// because the room's `ws` server has no per-message deflate and never sends Blobs, so `ws`'s sender
// writes synchronously and never holds a frame of its own that ours could overtake; control frames
// (ping, close) `ws` writes itself go between whole frames. Before `ws` closes a socket, its queue is
// written first (`flush(target)`), so nothing follows the close frame.
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';

/** A socket's queue of framed messages, waiting for the end of the turn. */
export interface OutboxTarget {
  readonly ws: WebSocket;
  /** Frames waiting, in order. */
  out: Buffer[];
  /** Their bytes. */
  outBytes: number;
  /** In the outbox's list of sockets to write. */
  queued: boolean;
}

/** A WebSocket ping with no payload (RFC 6455 §5.5.2); `ws` answers the peer's pong as usual. */
export const PING_FRAME: Buffer = Buffer.from([0x89, 0x00]);

/** An unmasked, final WebSocket text frame around `payload` (RFC 6455 §5.2), as one buffer. */
export function textFrame(payload: string): Buffer {
  const length = Buffer.byteLength(payload, 'utf8');
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(payload, header, 'utf8');
  return frame;
}

/** The TCP socket under a server-side `ws` socket (an internal of `ws` 8, checked by this module's test). */
function rawSocketOf(ws: WebSocket): Duplex | undefined {
  return (ws as unknown as { _socket?: Duplex })._socket;
}

/** How long one slice of a sweep may hold the event loop before it lets other work in. */
const SLICE_MS = 4;
/** Sockets written between two looks at the clock. */
const CLOCK_EVERY = 32;

export class SocketOutbox {
  /** Sockets with frames waiting, in the order they got their first one (from `head` on). */
  private queue: OutboxTarget[] = [];
  private head = 0;
  private scheduled = false;
  private readonly sweep = (): void => {
    this.scheduled = false;
    this.writeSlice();
  };

  /** Queues one whole frame for `target`; it leaves with the socket's next write. */
  push(target: OutboxTarget, frame: Buffer): void {
    target.out.push(frame);
    target.outBytes += frame.length;
    if (!target.queued) {
      target.queued = true;
      this.queue.push(target);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.sweep);
    }
  }

  /** Sockets with frames waiting. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Writes one socket's frames now (before `ws` closes it, so nothing follows the close frame). */
  flush(target: OutboxTarget): void {
    if (target.out.length > 0) write(target, target.out.length === 1 ? target.out[0] : Buffer.concat(target.out, target.outBytes));
    clear(target); // its place in the queue is skipped
  }

  /**
   * Writes waiting sockets in queue order for up to SLICE_MS, then yields and goes on in the next
   * turn. A broadcast to 10,000 sockets takes about 10,000 system calls (~90 ms of a core on the
   * loopback the benchmark uses), so writing them all in one go would hold every gift send, ledger
   * answer and heartbeat behind it. In slices, an event that arrives during a sweep joins the
   * frames of every socket the sweep has not reached yet (one write for both), and the sockets
   * already written get it on the next pass: a busy room writes fewer, fuller packets, never more.
   */
  private writeSlice(): void {
    const startedAt = performance.now();
    let previous: Buffer[] | null = null;
    let joined: Buffer | null = null;
    let n = 0;
    while (this.head < this.queue.length) {
      const t = this.queue[this.head];
      this.head += 1;
      if (t === undefined || !t.queued) continue; // flushed alone meanwhile
      const out = t.out;
      if (out.length === 1) write(t, out[0]);
      else if (out.length > 1) {
        if (joined === null || previous === null || !sameFrames(previous, out)) {
          joined = Buffer.concat(out, t.outBytes);
          previous = out;
        }
        write(t, joined);
      }
      clear(t);
      n += 1;
      if (n % CLOCK_EVERY === 0 && performance.now() - startedAt >= SLICE_MS) break;
    }
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else {
      if (this.head > 4_096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.scheduled = true;
      setImmediate(this.sweep);
    }
  }
}

function write(target: OutboxTarget, data: Buffer | undefined): void {
  if (data === undefined || target.ws.readyState !== WebSocket.OPEN) return;
  rawSocketOf(target.ws)?.write(data);
}

function clear(target: OutboxTarget): void {
  target.out = [];
  target.outBytes = 0;
  target.queued = false;
}

function sameFrames(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
