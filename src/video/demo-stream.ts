// The demo's moving picture (`npm start`): Mira's demo LIVE streams a test pattern — colour bars, a
// wall clock, and the timestamp code the latency measurement reads — from ffmpeg into this node's
// own RTMP ingest with her stream key, as OBS would. If the stream ends (the ingest refused it, a
// restart), it starts again after a pause, until the node stops.
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestPattern, type TestPatternHandle, type TestPatternLog } from './test-pattern.js';

/** Between a stream that ended and the next try. */
const RESTART_PAUSE_MS = 5_000;

export interface DemoStreamOptions {
  readonly ffmpegPath: string;
  /** rtmp://127.0.0.1:<port>/live/<key> */
  readonly url: string;
  readonly title: string;
  readonly log: TestPatternLog;
}

export class DemoStream {
  private current: TestPatternHandle | null = null;
  private readonly abort = new AbortController();
  private readonly loop: Promise<void>;

  constructor(private readonly options: DemoStreamOptions) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping()) {
      this.current = startTestPattern({ ffmpegPath: this.options.ffmpegPath, outputUrl: this.options.url, title: this.options.title, log: this.options.log });
      const exit = await this.current.exited;
      this.current = null;
      if (this.stopping()) return;
      this.options.log.warn({ code: exit.code, signal: exit.signal }, 'the demo stream ended; it starts again shortly');
      await sleep(RESTART_PAUSE_MS, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  /** Read through a call: stop() may come while a stream runs. */
  private stopping(): boolean {
    return this.abort.signal.aborted;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.current?.stop();
    await this.loop;
  }
}
