// A real `ws` client for room tests: records every event (validated against the protocol) and
// every raw frame, and waits for what a test expects.
import WebSocket from 'ws';
import { RoomEventSchema, type RoomEvent, type RoomEventType } from '../../src/protocol/room.js';

const WAIT_MS = 5_000;

export class TestSocket {
  readonly events: RoomEvent[] = [];
  readonly frames: string[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      this.frames.push(text);
      this.events.push(RoomEventSchema.parse(JSON.parse(text)));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers, perMessageDeflate: false });
      const socket = new TestSocket(ws);
      ws.once('open', () => {
        resolve(socket);
      });
      ws.once('error', reject);
    });
  }

  /** Waits until `check` finds what it wants in the events so far. */
  async until<T>(check: (events: readonly RoomEvent[]) => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = check(this.events);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${this.events.length} events, the last: ${JSON.stringify(this.events.slice(-10).map((e) => [e.type, e.seq]))}; closed: ${JSON.stringify(this.closed)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async event<K extends RoomEventType>(type: K, where: (e: RoomEvent<K>) => boolean = () => true): Promise<RoomEvent<K>> {
    const found = await this.until((events) => events.find((e) => e.type === type && where(e as RoomEvent<K>)), type);
    return found as RoomEvent<K>;
  }

  of<K extends RoomEventType>(type: K): RoomEvent<K>[] {
    return this.events.filter((e) => e.type === type) as RoomEvent<K>[];
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.ws.close();
    await this.until(() => (this.closed ? true : undefined), 'close');
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
