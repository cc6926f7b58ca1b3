// One stream's HLS: an ffmpeg that reads the stream on its stdin (FLV from the RTMP ingest, WebM from
// the studio's MediaRecorder) and writes a rolling playlist of short segments into the stream's own
// directory, which the HTTP routes serve (src/http/routes/video.ts).
//
// - Copy by default: an RTMP stream's H.264/AAC is remuxed as it comes (no re-encode, a few % of a
//   core); a browser stream's H.264 is copied and its Opus made AAC; VP8/VP9 from a browser without
//   H.264 is encoded to H.264. With VIDEO_TRANSCODE=ladder the video is re-encoded into 720p, 480p and
//   360p renditions under a master playlist.
// - Segments are `hls_time` long at most as the keyframes allow (OBS at 1 s keyframes makes 1 s
//   segments); the playlist keeps the last few and ffmpeg deletes older segments, so disk use is
//   bounded. Playlists are written to a temporary file and renamed (`temp_file`; the static ffmpeg
//   4.1 of the npm package says it cannot and writes in place, so the route checks a playlist is
//   whole before serving it).
// - Segment numbers start from the clock (tenths of a second), so a stream that reconnects continues
//   the media sequence upward and players carry on after the discontinuity.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type StreamInput = 'flv' | 'webm';

export interface HlsPackagerOptions {
  readonly ffmpegPath: string;
  /** The stream's own directory (created); index.m3u8 is its playlist. */
  readonly dir: string;
  readonly input: StreamInput;
  /** For WebM: whether its video is H.264 (copied) or not (encoded). */
  readonly videoIsH264?: boolean;
  readonly transcode: 'off' | 'ladder';
  readonly segmentSeconds: number;
  /** The first segment's number (monotonic across a creator's reconnects). */
  readonly startNumber: number;
  readonly log: { warn(obj: object, msg: string): void; debug(obj: object, msg: string): void };
}

export interface PackagerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The end of ffmpeg's error output, for the log. */
  readonly stderr: string;
}

/** Bytes the packager holds for ffmpeg before it gives up on a stream ffmpeg cannot keep up with. */
const BACKLOG_MAX_BYTES = 32 * 1024 * 1024;
/** How long ffmpeg may take to finish after its input ends before it is killed. */
const FINISH_TIMEOUT_MS = 5_000;
const READY_POLL_MS = 150;
const STDERR_TAIL = 4_000;
/** Playlist entries kept (the player joins near the end; older segments are deleted). */
const LIST_SIZE = 6;

/** The ladder's renditions: height and video bitrate. */
const LADDER = [
  { height: 720, kbps: 2800 },
  { height: 480, kbps: 1200 },
  { height: 360, kbps: 700 },
] as const;

/** The ffmpeg arguments for a stream (exported for tests and docs/VIDEO.md). */
export function ffmpegArgs(o: Pick<HlsPackagerOptions, 'dir' | 'input' | 'videoIsH264' | 'transcode' | 'segmentSeconds' | 'startNumber'>): string[] {
  const input = ['-hide_banner', '-loglevel', 'error', '-fflags', '+genpts', '-f', o.input, '-i', 'pipe:0'];
  const hls = (playlist: string, segments: string) => [
    '-f', 'hls',
    '-hls_time', String(o.segmentSeconds),
    '-hls_list_size', String(LIST_SIZE),
    '-hls_flags', 'delete_segments+independent_segments+temp_file+discont_start',
    '-start_number', String(o.startNumber),
    '-hls_segment_filename', segments,
    playlist,
  ];
  // One keyframe per segment when we encode: segments as short as asked.
  const encode = (fpsGop: string) => ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'main', '-pix_fmt', 'yuv420p', '-force_key_frames', fpsGop, '-sc_threshold', '0'];
  const keyframes = `expr:gte(t,n_forced*${o.segmentSeconds})`;
  if (o.transcode === 'ladder') {
    const split = `[0:v]split=${LADDER.length}${LADDER.map((_, i) => `[s${i}]`).join('')};${LADDER.map((r, i) => `[s${i}]scale=-2:${r.height}[v${i}]`).join(';')}`;
    const maps = LADDER.flatMap((_, i) => ['-map', `[v${i}]`, '-map', '0:a?']);
    const rates = LADDER.flatMap((r, i) => [`-b:v:${i}`, `${r.kbps}k`, `-maxrate:v:${i}`, `${Math.round(r.kbps * 1.2)}k`, `-bufsize:v:${i}`, `${r.kbps * 2}k`]);
    return [
      ...input,
      '-filter_complex', split,
      ...maps,
      ...encode(keyframes),
      ...rates,
      '-c:a', 'aac', '-b:a', '128k',
      '-var_stream_map', LADDER.map((_, i) => `v:${i},a:${i}`).join(' '),
      '-master_pl_name', 'index.m3u8',
      ...hls(join(o.dir, 'v%v', 'index.m3u8'), join(o.dir, 'v%v', `${o.startNumber}-%d.ts`)),
    ];
  }
  const video = o.input === 'flv' || o.videoIsH264 === true ? ['-c:v', 'copy'] : [...encode(keyframes), '-b:v', '2500k', '-maxrate', '3000k', '-bufsize', '5000k'];
  const audio = o.input === 'flv' ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '128k'];
  return [...input, '-map', '0:v?', '-map', '0:a?', ...video, ...audio, ...hls(join(o.dir, 'index.m3u8'), join(o.dir, `${o.startNumber}-%d.ts`))];
}

export class HlsPackager {
  private readonly child: ChildProcess;
  private backlog = 0;
  private stderr = '';
  private ended = false;
  /** Settles when ffmpeg exits, however. */
  readonly exited: Promise<PackagerExit>;

  private constructor(private readonly options: HlsPackagerOptions) {
    this.child = spawn(options.ffmpegPath, ffmpegArgs(options), { stdio: ['pipe', 'ignore', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.stderr += `\n${error.message}`;
      });
      this.child.on('close', (code, signal) => {
        resolve({ code, signal, stderr: this.stderr.slice(-STDERR_TAIL) });
      });
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_TAIL);
    });
    // ffmpeg gone while we still write: the stream is over (the exit says why).
    this.child.stdin?.on('error', (error) => {
      options.log.debug({ err: error }, 'the packager’s ffmpeg stopped reading');
    });
  }

  static async start(options: HlsPackagerOptions): Promise<HlsPackager> {
    await mkdir(options.dir, { recursive: true });
    if (options.transcode === 'ladder') for (let i = 0; i < LADDER.length; i++) await mkdir(join(options.dir, `v${i}`), { recursive: true });
    return new HlsPackager(options);
  }

  /** Hands stream bytes to ffmpeg. False when the stream must stop: ffmpeg is gone or far behind. */
  write(chunk: Buffer): boolean {
    const stdin = this.child.stdin;
    if (this.ended || stdin === null || stdin.destroyed || this.child.exitCode !== null) return false;
    if (this.backlog + chunk.length > BACKLOG_MAX_BYTES) {
      this.options.log.warn({ backlog: this.backlog }, 'ffmpeg cannot keep up with a stream: it is stopped');
      this.kill();
      return false;
    }
    this.backlog += chunk.length;
    stdin.write(chunk, () => {
      this.backlog -= chunk.length;
    });
    return true;
  }

  /** Ends the input; ffmpeg writes its last segment and exits (killed if it takes too long). */
  async finish(): Promise<PackagerExit> {
    if (!this.ended) {
      this.ended = true;
      this.child.stdin?.end();
    }
    const timer = setTimeout(() => {
      this.kill();
    }, FINISH_TIMEOUT_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    this.ended = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** Resolves once the playlist lists a segment (players may start); false if ffmpeg exits first or `timeoutMs` passes. */
  async ready(timeoutMs: number): Promise<boolean> {
    const playlist = this.options.transcode === 'ladder' ? join(this.options.dir, 'v0', 'index.m3u8') : join(this.options.dir, 'index.m3u8');
    const deadline = Date.now() + timeoutMs;
    const state = { exited: false };
    void this.exited.then(() => {
      state.exited = true;
    });
    while (!state.exited && Date.now() < deadline) {
      const text = await readFile(playlist, 'utf8').catch(() => '');
      if (text.includes('#EXTINF')) return true;
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    return false;
  }
}
