// A room socket for tests that send anything (binary, broken JSON, oversize frames): it keeps every
// frame the server sends, parses each against the room protocol without throwing (a frame that does
// not parse is kept as a protocol violation, itself a finding), and waits for answers by id.
import WebSocket from 'ws';
import { RoomEventSchema, type RoomEvent } from '../../../src/protocol/room.js';

const WAIT_MS = 5_000;

/** The answer to one client message: `ack`, `gift.ack` (by id) or an `error` event. */
export type Answer =
  | { readonly kind: 'ok'; readonly event: RoomEvent }
  | { readonly kind: 'error'; readonly code: string; readonly message: string; readonly event: RoomEvent };

export class RawRoomSocket {
  readonly events: RoomEvent[] = [];
  /** Server frames that are not a valid room event (the protocol forbids them). */
  readonly violations: string[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const text = data.toString('utf8');
      let parsed: ReturnType<typeof RoomEventSchema.safeParse> | null = null;
      try {
        parsed = isBinary ? null : RoomEventSchema.safeParse(JSON.parse(text));
      } catch {
        parsed = null;
      }
      if (parsed?.success === true) this.events.push(parsed.data);
      else this.violations.push(`${isBinary ? 'binary ' : ''}${text.slice(0, 300)}`);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => {
      this.wake();
    });
  }

  /** Opens a socket; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, headers: Readonly<Record<string, string>> = {}): Promise<RawRoomSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { ...headers }, perMessageDeflate: false });
      const socket = new RawRoomSocket(ws);
      ws.once('open', () => {
        resolve(socket);
      });
      ws.once('unexpected-response', (_request, response) => {
        reject(new Error(`upgrade refused: ${response.statusCode ?? 0}`));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Waits until `check` finds what it wants, the socket closes, or the time is up. */
  async until<T>(check: () => T | undefined, what: string, waitMs = WAIT_MS): Promise<T> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        throw new Error(`timed out waiting for ${what}; closed: ${JSON.stringify(this.closed)}; last events: ${JSON.stringify(this.events.slice(-5))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The answer (`ack` or `gift.ack`) to the message with this id. */
  answerTo(id: string): Promise<Answer> {
    return this.until(() => {
      for (const event of this.events) {
        if ((event.type === 'ack' || event.type === 'gift.ack') && event.data.id === id) {
          return 'error' in event.data ? { kind: 'error' as const, code: event.data.error.code, message: event.data.error.message, event } : { kind: 'ok' as const, event };
        }
      }
      return undefined;
    }, `the answer to ${id}`);
  }

  /** Answers (acks, gift acks and error events) received so far. */
  answers(): RoomEvent[] {
    return this.events.filter((e) => e.type === 'ack' || e.type === 'gift.ack' || e.type === 'error');
  }

  async close(): Promise<void> {
    if (this.closed || this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.until(() => (this.closed ? true : undefined), 'the close').catch(() => {
      this.ws.terminate();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
