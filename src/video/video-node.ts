// This node's LIVE video (docs/VIDEO.md): finds ffmpeg, listens for RTMP (OBS), takes the studio's
// camera over a WebSocket, and runs one HLS packager per creator's stream, whose files the HTTP
// routes serve. It asks the use cases whether a stream key may publish and tells them when a stream
// is live or stopped (src/app/stream-lifecycle.ts); they keep the LIVE's picture in the database and
// announce it to the room.
//
// One stream per creator: a second publisher (a second OBS, OBS and the camera) is refused as busy
// while the first runs. A stream's files live in VIDEO_DIR/<creator>/<stream>/ and are removed a
// little after it stops (players may still be fetching its last segments); whatever an earlier run
// left behind is removed at start.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VideoIngest } from '../app/ports.js';
import type { StreamAuthorization } from '../app/stream-lifecycle.js';
import type { VideoConfig } from '../config.js';
import type { StreamVia } from '../domain/video.js';
import { locateFfmpeg, type Ffmpeg } from './ffmpeg.js';
import { HlsPackager, type StreamInput } from './hls-packager.js';
import { RtmpIngestServer, type FlvSink, type RtmpDecision, type RtmpPublishRequest } from './rtmp/rtmp-server.js';

/** What the video node asks of the use cases. */
export interface VideoServices {
  authorizeStream(input: { readonly streamKey: string }): Promise<StreamAuthorization>;
  streamLive(input: { readonly userId: string; readonly via: StreamVia }): Promise<string | null>;
  streamStopped(input: { readonly userId: string; readonly graceMs: number }): Promise<string | null>;
}

export interface VideoLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** How long a stream's first segment may take (the encoder's first keyframe, ffmpeg starting). */
const READY_TIMEOUT_MS = 30_000;
/** The file that marks VIDEO_DIR as ours (cleared at start). */
const MARKER = '.livegift-video';
/** A stopped stream's files stay this long for players finishing its last segments. */
const KEEP_AFTER_STOP_MS = 30_000;

/** A stream arriving at this node. */
interface Stream {
  readonly id: string;
  readonly userId: string;
  readonly via: StreamVia;
  readonly dir: string;
  readonly packager: HlsPackager;
  readonly sinceMs: number;
  /** Stops the source (closes the RTMP session or the browser's socket). */
  readonly cut: () => void;
  stopped: boolean;
}

export class VideoNode implements VideoIngest {
  private found: Ffmpeg | null = null;
  private unavailable: string | null = 'Video is starting.';
  private rtmp: RtmpIngestServer | null = null;
  private rtmpPort: number | null = null;
  private readonly streams = new Map<string, Stream>();
  private readonly removals = new Set<NodeJS.Timeout>();
  /** Folders of stopped streams not removed yet (close() removes them at once). */
  private readonly stoppedDirs: string[] = [];
  private closing = false;

  constructor(
    private readonly config: VideoConfig,
    private readonly services: VideoServices,
    private readonly log: VideoLog,
    /** The address people reach the HTTP server at (the RTMP URL's host comes from it). */
    private readonly publicUrl: string,
  ) {}

  get available(): boolean {
    return this.found !== null;
  }

  get reason(): string | null {
    return this.found !== null ? null : this.unavailable;
  }

  get transcode(): boolean {
    return this.config.transcode === 'ladder';
  }

  get browser(): boolean {
    return this.found !== null;
  }

  /** The ffmpeg executable in use, or null when video is unavailable. */
  get ffmpegPath(): string | null {
    return this.found?.path ?? null;
  }

  /** The ffmpeg in use (its version line). */
  get ffmpeg(): string | null {
    return this.found?.version ?? null;
  }

  rtmpUrl(): string | null {
    if (this.rtmpPort === null) return null;
    if (this.config.rtmpPublicUrl !== null) return this.config.rtmpPublicUrl;
    return `rtmp://${new URL(this.publicUrl).hostname}:${this.rtmpPort}/live`;
  }

  /** The RTMP port listened on (tests publish to it); null when off. */
  get port(): number | null {
    return this.rtmpPort;
  }

  /** Finds ffmpeg, clears what an earlier run left, and listens for RTMP. Video stays unavailable (with the reason) when it cannot. */
  async start(): Promise<void> {
    if (!this.config.enabled) {
      this.unavailable = 'Video is turned off on this server (VIDEO=off).';
      return;
    }
    const lookup = await locateFfmpeg({ configured: this.config.ffmpegPath });
    if (lookup.found === null) {
      this.unavailable = lookup.reason;
      this.log.warn({}, `LIVE video is unavailable: ${lookup.reason}`);
      return;
    }
    if (!(await this.clearLeftovers())) {
      this.unavailable = `VIDEO_DIR (${this.config.dir}) is not empty and not Livegift's.`;
      return;
    }
    this.found = lookup.found;
    const rtmp = new RtmpIngestServer({ authorize: (request) => this.authorizeRtmp(request), log: this.log });
    try {
      this.rtmpPort = (await rtmp.listen(this.config.rtmpPort, this.config.rtmpHost)).port;
      this.rtmp = rtmp;
      this.log.info({ port: this.rtmpPort, ffmpeg: lookup.found.version, source: lookup.found.source }, `RTMP ingest listening: ${this.rtmpUrl() ?? ''}`);
    } catch (error) {
      // The camera in the studio still works without RTMP (another program may hold the port).
      this.log.warn({ err: error, port: this.config.rtmpPort }, 'the RTMP ingest could not listen; OBS cannot connect, the studio camera still can');
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.rtmp?.close();
    await Promise.all([...this.streams.values()].map((s) => this.stop(s, 'the server is stopping')));
    for (const timer of this.removals) clearTimeout(timer);
    this.removals.clear();
    if (this.found !== null) for (const stream of this.stoppedDirs.splice(0)) await rm(stream, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Cuts the user's stream at this node, if any (key rotated, suspended, banned). */
  cut(userId: string): void {
    this.streams.get(userId)?.cut();
  }

  /** The directory of the user's stream arriving here now, if any (the HLS routes serve from it). */
  streamDir(userId: string): string | null {
    const stream = this.streams.get(userId);
    return stream && !stream.stopped ? stream.dir : null;
  }

  /** Streams arriving now: creator → how (for the studio's "arriving" and tests). */
  arriving(): ReadonlyMap<string, { via: StreamVia; sinceMs: number }> {
    return new Map([...this.streams.values()].filter((s) => !s.stopped).map((s) => [s.userId, { via: s.via, sinceMs: s.sinceMs }]));
  }

  /**
   * A stream from the studio's camera (src/video/browser-ingest.ts): answers where to write its
   * bytes, or why not. `cut` closes the socket.
   */
  async openBrowserStream(userId: string, webm: { readonly videoIsH264: boolean }, cut: () => void): Promise<{ readonly ok: true; readonly write: (chunk: Buffer) => boolean; readonly end: () => void } | { readonly ok: false; readonly code: 'unavailable' | 'busy'; readonly description: string }> {
    if (this.found === null || this.closing) return { ok: false, code: 'unavailable', description: this.reason ?? 'Video is unavailable.' };
    if (this.streams.has(userId)) return { ok: false, code: 'busy', description: 'A stream of yours is already arriving (OBS or another tab): stop it first.' };
    const stream = await this.open(userId, 'browser', 'webm', webm.videoIsH264, cut);
    return { ok: true, write: (chunk) => this.write(stream, chunk), end: () => void this.stop(stream, 'the studio stopped sending') };
  }

  private async authorizeRtmp(request: RtmpPublishRequest): Promise<RtmpDecision> {
    if (this.found === null || this.closing) return { accept: false, code: 'unavailable', description: this.reason ?? 'Video is unavailable.' };
    const answer = await this.services.authorizeStream({ streamKey: request.streamKey });
    if (!answer.ok) {
      this.log.info({ remoteAddress: request.remoteAddress, code: answer.code }, 'an RTMP publisher was refused');
      return { accept: false, code: answer.code, description: answer.description };
    }
    if (this.streams.has(answer.userId)) return { accept: false, code: 'busy', description: 'A stream with this key is already arriving.' };
    const stream = await this.open(answer.userId, 'rtmp', 'flv', true, () => this.rtmp?.cut(request.streamKey));
    const sink: FlvSink = {
      write: (chunk) => {
        if (!this.write(stream, chunk)) stream.cut();
      },
      end: (reason) => {
        void this.stop(stream, `the encoder stopped (${reason})`);
      },
    };
    return { accept: true, sink };
  }

  private async open(userId: string, via: StreamVia, input: StreamInput, videoIsH264: boolean, cut: () => void): Promise<Stream> {
    if (this.found === null) throw new Error('open() without ffmpeg');
    const id = randomUUID();
    const dir = join(this.config.dir, userId, id);
    await mkdir(dir, { recursive: true });
    const packager = await HlsPackager.start({
      ffmpegPath: this.found.path,
      dir,
      input,
      videoIsH264,
      transcode: this.config.transcode,
      segmentSeconds: this.config.segmentSeconds,
      // Tenths of a second: a reconnect continues the media sequence upward.
      startNumber: Math.floor(Date.now() / 100),
      log: this.log,
    });
    const stream: Stream = { id, userId, via, dir, packager, sinceMs: Date.now(), cut, stopped: false };
    this.streams.set(userId, stream);
    this.log.info({ userId, via, stream: id }, 'a stream arrives');
    void this.whenReady(stream);
    void packager.exited.then((exit) => {
      if (!stream.stopped) {
        this.log.warn({ userId, code: exit.code, signal: exit.signal, stderr: exit.stderr }, 'ffmpeg stopped before its stream');
        stream.cut();
        void this.stop(stream, 'ffmpeg stopped');
      }
    });
    return stream;
  }

  private write(stream: Stream, chunk: Buffer): boolean {
    return !stream.stopped && stream.packager.write(chunk);
  }

  /** The first segment is written: the LIVE shows the picture. */
  private async whenReady(stream: Stream): Promise<void> {
    if (!(await stream.packager.ready(READY_TIMEOUT_MS)) || stream.stopped) {
      if (!stream.stopped) {
        this.log.warn({ userId: stream.userId }, 'a stream made no video in time: it is stopped');
        stream.cut();
        await this.stop(stream, 'no video in time');
      }
      return;
    }
    await this.services.streamLive({ userId: stream.userId, via: stream.via }).catch((error: unknown) => {
      this.log.error({ err: error, userId: stream.userId }, 'a live stream could not be announced');
    });
  }

  private async stop(stream: Stream, why: string): Promise<void> {
    if (stream.stopped) return;
    stream.stopped = true;
    if (this.streams.get(stream.userId) === stream) this.streams.delete(stream.userId);
    this.log.info({ userId: stream.userId, stream: stream.id, why }, 'a stream stopped');
    await stream.packager.finish();
    if (!this.closing) {
      await this.services.streamStopped({ userId: stream.userId, graceMs: this.config.reconnectGraceMs }).catch((error: unknown) => {
        this.log.error({ err: error, userId: stream.userId }, 'a stopped stream could not be announced');
      });
    }
    this.stoppedDirs.push(stream.dir);
    const timer = setTimeout(() => {
      this.removals.delete(timer);
      this.stoppedDirs.splice(this.stoppedDirs.indexOf(stream.dir), 1);
      void rm(stream.dir, { recursive: true, force: true });
    }, KEEP_AFTER_STOP_MS);
    timer.unref();
    this.removals.add(timer);
  }

  /**
   * Streams of an earlier run (a crash, a kill) are over: their files go. Only in a folder that is
   * ours — empty, or marked by an earlier start — so a VIDEO_DIR pointed somewhere else by mistake
   * loses nothing (video then stays off, with the reason logged).
   */
  private async clearLeftovers(): Promise<boolean> {
    await mkdir(this.config.dir, { recursive: true });
    const entries = await readdir(this.config.dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      this.log.error({ dir: this.config.dir }, `VIDEO_DIR is not empty and not Livegift's (no ${MARKER} in it): choose an empty folder`);
      return false;
    }
    for (const entry of entries) if (entry !== MARKER) await rm(join(this.config.dir, entry), { recursive: true, force: true });
    await writeFile(join(this.config.dir, MARKER), 'Livegift writes LIVE video here and clears this folder at start.\n');
    return true;
  }
}
