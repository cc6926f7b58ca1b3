// The demo's LIVE picture and the latency probe's source: a test pattern drawn frame by frame in Node
// and streamed by ffmpeg (H.264 + a quiet tone, FLV) to our RTMP ingest, like a creator's OBS would.
// Each frame shows moving colour bars and a sweeping block (so motion is plain to see), a big wall clock
// HH:MM:SS.t in our own 7-segment digits and the title in our own 5×7 pixel font (no font files: a fresh
// machine may have none, and the static ffmpeg's drawtext needs one), and the timestamp code with the
// time the frame is handed to ffmpeg, which a viewer's page reads back to measure glass-to-glass latency.
//
// Frames are yuv420p, x264's own format: measured on the 2-core box, rgb24 costs ffmpeg a third more
// CPU for the conversion and Node no less (see docs/VIDEO.md for the numbers).
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { timestampCodeBlocks, type PixelRect } from './timestamp-code.js';

export type TestPatternPixelFormat = 'yuv420p' | 'rgb24';

/** A colour as 8-bit red, green, blue. */
type Rgb = readonly [number, number, number];

/** Paints solid rectangles into one frame buffer of a pixel format. */
interface Painter {
  fill(frame: Buffer, rect: PixelRect, colour: Rgb): void;
}

/** Frame sizes are at least this and at most 4K, even (yuv420p halves them for colour). */
const MIN_SIZE = 64;
const MAX_WIDTH = 3840;
const MAX_HEIGHT = 2160;

/** The bytes of one frame. */
export function testPatternFrameBytes(width: number, height: number, pixelFormat: TestPatternPixelFormat): number {
  return pixelFormat === 'rgb24' ? width * height * 3 : width * height + 2 * (width / 2) * (height / 2);
}

/** Clips a rectangle to the frame; null when nothing is left. */
function clip(rect: PixelRect, width: number, height: number): { x0: number; y0: number; x1: number; y1: number } | null {
  const x0 = Math.max(0, Math.round(rect.x));
  const y0 = Math.max(0, Math.round(rect.y));
  const x1 = Math.min(width, Math.round(rect.x + rect.width));
  const y1 = Math.min(height, Math.round(rect.y + rect.height));
  return x1 > x0 && y1 > y0 ? { x0, y0, x1, y1 } : null;
}

function rgbPainter(width: number, height: number): Painter {
  return {
    fill(frame, rect, colour) {
      const c = clip(rect, width, height);
      if (c === null) return;
      const pattern = Buffer.from(colour);
      const first = (c.y0 * width + c.x0) * 3;
      const rowBytes = (c.x1 - c.x0) * 3;
      frame.fill(pattern, first, first + rowBytes);
      for (let y = c.y0 + 1; y < c.y1; y++) frame.copyWithin((y * width + c.x0) * 3, first, first + rowBytes);
    },
  };
}

/** BT.601 limited range, what ffmpeg and browsers assume for untagged standard-definition video. */
function toYuv([r, g, b]: Rgb): [number, number, number] {
  return [
    Math.round(16 + 0.257 * r + 0.504 * g + 0.098 * b),
    Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b),
    Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b),
  ];
}

function yuvPainter(width: number, height: number): Painter {
  const chromaWidth = width / 2;
  const uPlane = width * height;
  const vPlane = uPlane + chromaWidth * (height / 2);
  return {
    fill(frame, rect, colour) {
      const c = clip(rect, width, height);
      if (c === null) return;
      const [y, u, v] = toYuv(colour);
      for (let row = c.y0; row < c.y1; row++) frame.fill(y, row * width + c.x0, row * width + c.x1);
      // Colour is one sample per 2×2 pixels: take every sample the rectangle touches.
      const cx0 = c.x0 >> 1;
      const cx1 = (c.x1 + 1) >> 1;
      for (let row = c.y0 >> 1; row < (c.y1 + 1) >> 1; row++) {
        frame.fill(u, uPlane + row * chromaWidth + cx0, uPlane + row * chromaWidth + cx1);
        frame.fill(v, vPlane + row * chromaWidth + cx0, vPlane + row * chromaWidth + cx1);
      }
    },
  };
}

const BACKGROUND: Rgb = [17, 24, 39];
const TEXT: Rgb = [255, 255, 255];
const CLOCK: Rgb = [255, 213, 74];
const SWEEPER: Rgb = [255, 59, 92];
const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];
/** 75% colour bars, as on a broadcast test card. */
const BARS: readonly Rgb[] = [
  [191, 191, 191],
  [191, 191, 0],
  [0, 191, 191],
  [0, 191, 0],
  [191, 0, 191],
  [191, 0, 0],
  [0, 0, 191],
  [0, 0, 0],
];
/** The bars cross the frame once in this time; the sweeper goes and comes back in it. */
const BARS_PERIOD_MS = 4_000;
const SWEEP_PERIOD_MS = 2_000;

/** 7-segment digits: which of the segments a–g each lights. */
const SEGMENTS: readonly string[] = ['abcdef', 'bc', 'abdeg', 'abcdg', 'bcfg', 'acdfg', 'acdefg', 'abc', 'abcdefg', 'abcdfg'];

/** A 5×7 pixel font for titles: 7 rows of 5 pixels each, top first. Lower case draws as upper case. */
const FONT: Readonly<Record<string, string>> = {
  A: '01110 10001 10001 11111 10001 10001 10001',
  B: '11110 10001 10001 11110 10001 10001 11110',
  C: '01110 10001 10000 10000 10000 10001 01110',
  D: '11110 10001 10001 10001 10001 10001 11110',
  E: '11111 10000 10000 11110 10000 10000 11111',
  F: '11111 10000 10000 11110 10000 10000 10000',
  G: '01110 10001 10000 10111 10001 10001 01111',
  H: '10001 10001 10001 11111 10001 10001 10001',
  I: '01110 00100 00100 00100 00100 00100 01110',
  J: '00111 00010 00010 00010 00010 10010 01100',
  K: '10001 10010 10100 11000 10100 10010 10001',
  L: '10000 10000 10000 10000 10000 10000 11111',
  M: '10001 11011 10101 10101 10001 10001 10001',
  N: '10001 10001 11001 10101 10011 10001 10001',
  O: '01110 10001 10001 10001 10001 10001 01110',
  P: '11110 10001 10001 11110 10000 10000 10000',
  Q: '01110 10001 10001 10001 10101 10010 01101',
  R: '11110 10001 10001 11110 10100 10010 10001',
  S: '01111 10000 10000 01110 00001 00001 11110',
  T: '11111 00100 00100 00100 00100 00100 00100',
  U: '10001 10001 10001 10001 10001 10001 01110',
  V: '10001 10001 10001 10001 10001 01010 00100',
  W: '10001 10001 10001 10101 10101 10101 01010',
  X: '10001 10001 01010 00100 01010 10001 10001',
  Y: '10001 10001 10001 01010 00100 00100 00100',
  Z: '11111 00001 00010 00100 01000 10000 11111',
  '0': '01110 10001 10011 10101 11001 10001 01110',
  '1': '00100 01100 00100 00100 00100 00100 01110',
  '2': '01110 10001 00001 00010 00100 01000 11111',
  '3': '11111 00010 00100 00010 00001 10001 01110',
  '4': '00010 00110 01010 10010 11111 00010 00010',
  '5': '11111 10000 11110 00001 00001 10001 01110',
  '6': '00110 01000 10000 11110 10001 10001 01110',
  '7': '11111 00001 00010 00100 01000 01000 01000',
  '8': '01110 10001 10001 01110 10001 10001 01110',
  '9': '01110 10001 10001 01111 00001 00010 01100',
  ' ': '00000 00000 00000 00000 00000 00000 00000',
  '.': '00000 00000 00000 00000 00000 01100 01100',
  ',': '00000 00000 00000 00000 01100 00100 01000',
  '!': '00100 00100 00100 00100 00100 00000 00100',
  '?': '01110 10001 00001 00010 00100 00000 00100',
  '-': '00000 00000 00000 11111 00000 00000 00000',
  ':': '00000 01100 01100 00000 01100 01100 00000',
  "'": '00100 00100 01000 00000 00000 00000 00000',
  '"': '01010 01010 01010 00000 00000 00000 00000',
  '(': '00010 00100 01000 01000 01000 00100 00010',
  ')': '01000 00100 00010 00010 00010 00100 01000',
  '/': '00000 00001 00010 00100 01000 10000 00000',
  '&': '01100 10010 10100 01000 10101 10010 01101',
  '+': '00000 00100 00100 11111 00100 00100 00000',
  '#': '01010 01010 11111 01010 11111 01010 01010',
  '@': '01110 10001 00001 01101 10101 10101 01110',
  _: '00000 00000 00000 00000 00000 00000 11111',
  '=': '00000 00000 11111 00000 11111 00000 00000',
  '%': '11000 11001 00010 00100 01000 10011 00011',
  '*': '00000 00100 10101 01110 10101 00100 00000',
};
const GLYPH_WIDTH = 5;
/** A title longer than this many characters is cut (a LIVE title is at most 100 anyway). */
const TITLE_CHARS_MAX = 200;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The title as the font can draw it, a glyph per character as the reader sees it: accents dropped, upper case, anything else as '?'. */
function fontText(title: string): string[] {
  const glyphs: string[] = [];
  for (const { segment } of graphemes.segment(title)) {
    if (glyphs.length >= TITLE_CHARS_MAX) break;
    const plain = segment.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
    glyphs.push(plain in FONT ? plain : '?');
  }
  return glyphs;
}

export interface TestPatternFrameOptions {
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: TestPatternPixelFormat;
  /** Shown at the top; the default names the pattern. */
  readonly title?: string | undefined;
}

/**
 * Draws test pattern frames: `render(timeMs, frame)` fills a frame buffer with the picture for that
 * wall-clock time, its clock and timestamp code included. The still parts (background, title) are
 * drawn once and copied into every frame.
 */
export class TestPatternRenderer {
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: TestPatternPixelFormat;
  readonly frameBytes: number;
  private readonly painter: Painter;
  private readonly still: Buffer;

  constructor(options: TestPatternFrameOptions) {
    const { width, height, pixelFormat } = options;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width % 2 !== 0 || height % 2 !== 0 || width < MIN_SIZE || height < MIN_SIZE || width > MAX_WIDTH || height > MAX_HEIGHT) {
      throw new RangeError(`A test pattern is an even size from ${MIN_SIZE}×${MIN_SIZE} to ${MAX_WIDTH}×${MAX_HEIGHT}, not ${width}×${height}`);
    }
    this.width = width;
    this.height = height;
    this.pixelFormat = pixelFormat;
    this.frameBytes = testPatternFrameBytes(width, height, pixelFormat);
    this.painter = pixelFormat === 'rgb24' ? rgbPainter(width, height) : yuvPainter(width, height);
    this.still = Buffer.alloc(this.frameBytes);
    this.painter.fill(this.still, { x: 0, y: 0, width, height }, BACKGROUND);
    this.drawTitle(options.title ?? 'Livegift test pattern');
  }

  /** Fills `frame` (at least frameBytes long) with the picture at `timeMs`. */
  render(timeMs: number, frame: Buffer): void {
    if (frame.length < this.frameBytes) throw new RangeError('The frame buffer is too small');
    this.still.copy(frame, 0, 0, this.frameBytes);
    this.drawBars(frame, timeMs);
    this.drawSweeper(frame, timeMs);
    this.drawClock(frame, timeMs);
    for (const block of timestampCodeBlocks(timeMs, this.width, this.height)) this.painter.fill(frame, block, block.white ? WHITE : BLACK);
  }

  private fill(frame: Buffer, x: number, y: number, width: number, height: number, colour: Rgb): void {
    this.painter.fill(frame, { x, y, width, height }, colour);
  }

  private drawTitle(title: string): void {
    const pixel = Math.max(1, Math.floor(this.height / 120));
    const advance = (GLYPH_WIDTH + 1) * pixel;
    const margin = Math.round(this.width * 0.05);
    const fits = Math.floor((this.width - 2 * margin + pixel) / advance);
    let chars = fontText(title);
    if (chars.length > fits) chars = [...chars.slice(0, Math.max(0, fits - 3)), '.', '.', '.'];
    const left = Math.round((this.width - (chars.length * advance - pixel)) / 2);
    const top = Math.round(this.height * 0.035);
    for (const [i, ch] of chars.entries()) {
      const rows = (FONT[ch] ?? '').split(' ');
      for (const [row, bits] of rows.entries()) {
        for (let column = 0; column < GLYPH_WIDTH; column++) {
          if (bits[column] === '1') this.fill(this.still, left + i * advance + column * pixel, top + row * pixel, pixel, pixel, TEXT);
        }
      }
    }
  }

  /** Eight bars scrolling right, wrapping around. */
  private drawBars(frame: Buffer, timeMs: number): void {
    const top = Math.round(this.height * 0.13);
    const height = Math.round(this.height * 0.2);
    const shift = ((timeMs % BARS_PERIOD_MS) / BARS_PERIOD_MS) * this.width;
    for (const [i, colour] of BARS.entries()) {
      const x0 = Math.round((i * this.width) / BARS.length + shift) % this.width;
      const x1 = x0 + Math.round(this.width / BARS.length);
      this.fill(frame, x0, top, Math.min(x1, this.width) - x0, height, colour);
      if (x1 > this.width) this.fill(frame, 0, top, x1 - this.width, height, colour);
    }
  }

  /** A block going left to right and back. */
  private drawSweeper(frame: Buffer, timeMs: number): void {
    const size = Math.round(this.height * 0.07);
    const phase = (timeMs % SWEEP_PERIOD_MS) / SWEEP_PERIOD_MS;
    const travel = this.width - size;
    const x = Math.round((phase < 0.5 ? phase * 2 : 2 - phase * 2) * travel);
    this.fill(frame, 0, Math.round(this.height * 0.74) + Math.floor(size / 2) - 1, this.width, 2, [70, 80, 100]);
    this.fill(frame, x, Math.round(this.height * 0.74), size, size, SWEEPER);
  }

  /** HH:MM:SS.t in this machine's time zone, in 7-segment digits. */
  private drawClock(frame: Buffer, timeMs: number): void {
    const date = new Date(timeMs);
    const two = (n: number) => String(n).padStart(2, '0');
    const text = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${Math.floor(date.getMilliseconds() / 100)}`;
    const digitWidth = Math.round(this.width * 0.075);
    const digitHeight = Math.round(this.height * 0.27);
    const stroke = Math.max(2, Math.round(digitWidth * 0.2));
    const gap = Math.round(digitWidth * 0.22);
    const widthOf = (ch: string) => (ch === ':' || ch === '.' ? stroke : digitWidth);
    let total = -gap;
    for (const ch of text) total += widthOf(ch) + gap;
    let x = Math.round((this.width - total) / 2);
    const y = Math.round(this.height * 0.4);
    for (const ch of text) {
      if (ch === ':') {
        this.fill(frame, x, y + Math.round(digitHeight * 0.3), stroke, stroke, CLOCK);
        this.fill(frame, x, y + Math.round(digitHeight * 0.7) - stroke, stroke, stroke, CLOCK);
      } else if (ch === '.') this.fill(frame, x, y + digitHeight - stroke, stroke, stroke, CLOCK);
      else this.drawDigit(frame, Number(ch), x, y, digitWidth, digitHeight, stroke);
      x += widthOf(ch) + gap;
    }
  }

  private drawDigit(frame: Buffer, digit: number, x: number, y: number, w: number, h: number, t: number): void {
    const mid = Math.floor((h - t) / 2);
    const rects: Record<string, [number, number, number, number]> = {
      a: [x + t, y, w - 2 * t, t],
      b: [x + w - t, y + t, t, mid - t],
      c: [x + w - t, y + mid + t, t, h - mid - 2 * t],
      d: [x + t, y + h - t, w - 2 * t, t],
      e: [x, y + mid + t, t, h - mid - 2 * t],
      f: [x, y + t, t, mid - t],
      g: [x + t, y + mid, w - 2 * t, t],
    };
    for (const segment of SEGMENTS[digit] ?? '') {
      const r = rects[segment];
      if (r !== undefined) this.fill(frame, r[0], r[1], r[2], r[3], CLOCK);
    }
  }
}

/** What the test pattern reports: pino's and Fastify's loggers fit. */
export interface TestPatternLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface TestPatternOptions {
  /** The ffmpeg to run (from locateFfmpeg()). */
  readonly ffmpegPath: string;
  /** Where the stream goes: an rtmp:// URL (our ingest), or any ffmpeg output, e.g. a file path. */
  readonly outputUrl: string;
  /** The container: flv (what RTMP carries; the default) or mpegts. */
  readonly outputFormat?: 'flv' | 'mpegts';
  /** Frame size; default 640×360. */
  readonly width?: number;
  readonly height?: number;
  /** Frames per second; default 30 (about 9% of one core with ffmpeg; see docs/VIDEO.md). */
  readonly fps?: number;
  /** The video bitrate; default 800 kbps. */
  readonly videoBitrateKbps?: number;
  /** The LIVE's title, shown at the top. */
  readonly title?: string;
  readonly pixelFormat?: TestPatternPixelFormat;
  readonly log: TestPatternLog;
  /** The wall clock stamped into frames; Date.now by default. */
  readonly wallMs?: () => number;
}

/**
 * 640×360 at 30 fps: measured on the 2-core box, node and ffmpeg together take about 9% of one core
 * (15 fps saves only 3 points, and would halve how finely latency is seen), so the demo can afford it.
 */
export const TEST_PATTERN_DEFAULTS = { width: 640, height: 360, fps: 30, videoBitrateKbps: 800, pixelFormat: 'yuv420p' } as const;

export interface TestPatternExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface TestPatternHandle {
  /** Ends the stream: ffmpeg gets the end of its input, then SIGTERM, then SIGKILL; resolves when it has exited. */
  stop(): Promise<void>;
  /** Resolves when ffmpeg has exited, whether stopped or on its own (the RTMP server went away, say). */
  readonly exited: Promise<TestPatternExit>;
  /** Frames handed to ffmpeg so far. */
  framesWritten(): number;
  /** Frames skipped because the pattern fell more than a second behind the clock (ffmpeg or the machine stalled). */
  framesDropped(): number;
  /** ffmpeg's process id (undefined when it could not be started). */
  readonly pid: number | undefined;
}

/** Frame buffers in flight to ffmpeg at most (0.27 s at 30 fps): when all are, ffmpeg is behind and the next frame waits. */
const FRAME_BUFFERS = 8;
/** How soon to look again while behind. */
const BEHIND_RETRY_MS = 10;
/** When this far behind the wall clock, pacing starts again from now instead of catching up. */
const CATCH_UP_LIMIT_S = 1;
/** Frames written at once when catching up after a late tick. */
const CATCH_UP_BURST = 2;
/** stop(): how long ffmpeg may take to finish after its input ends, and after SIGTERM. */
const END_GRACE_MS = 3_000;
const TERM_GRACE_MS = 2_000;
/** Lines of ffmpeg's stderr kept to explain an exit, and their length. */
const STDERR_LINES = 20;
const STDERR_LINE_CHARS = 500;

/**
 * The H.264 settings of the stream: x264's fastest preset without frame lookahead (zerolatency),
 * keyframes every second and none on scene cuts (HLS cuts segments at keyframes; short ones mean less
 * delay), a capped bitrate.
 */
export function testPatternEncoderArgs(fps: number, videoBitrateKbps: number): string[] {
  const kbps = `${videoBitrateKbps}k`;
  return [
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p'],
    ...['-g', String(fps), '-keyint_min', String(fps), '-sc_threshold', '0'],
    ...['-b:v', kbps, '-maxrate', kbps, '-bufsize', kbps],
  ];
}

/** The ffmpeg command line: raw frames on stdin, a tone from lavfi, H.264 + AAC out. */
export function testPatternFfmpegArgs(o: { width: number; height: number; fps: number; pixelFormat: TestPatternPixelFormat; videoBitrateKbps: number; outputUrl: string; outputFormat: 'flv' | 'mpegts' }): string[] {
  return [
    // -y: a file output is replaced (an RTMP one has nothing to replace).
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'warning'],
    ...['-f', 'rawvideo', '-pix_fmt', o.pixelFormat, '-s', `${o.width}x${o.height}`, '-r', String(o.fps), '-i', 'pipe:0'],
    // No -re on the tone: ffmpeg takes audio only as far as the frames' timestamps go, so it keeps
    // pace by itself; paced with -re from when the output opened, it held the video back ~190 ms
    // for the whole stream (npm run bench:video: packager floor 273 ms with it, 82 ms without).
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
    ...['-map', '0:v', '-map', '1:a'],
    ...testPatternEncoderArgs(o.fps, o.videoBitrateKbps),
    ...['-af', 'volume=0.05', '-c:a', 'aac', '-b:a', '64k', '-ac', '1'],
    // The tone never ends: the stream ends with the frames.
    '-shortest',
    ...(o.outputFormat === 'flv' ? ['-flvflags', 'no_duration_filesize'] : []),
    ...['-f', o.outputFormat, o.outputUrl],
  ];
}

/**
 * Streams the test pattern: spawns ffmpeg and hands it a frame every 1/fps s of the wall clock, each
 * stamped with the time it is handed over.
 *
 * @example
 * const pattern = startTestPattern({ ffmpegPath, outputUrl: 'rtmp://127.0.0.1:1935/live/KEY', title: 'Demo LIVE', log });
 * void pattern.exited.then(({ code }) => log.warn({ code }, 'test pattern ended'));
 * await pattern.stop();
 */
export function startTestPattern(options: TestPatternOptions): TestPatternHandle {
  const width = options.width ?? TEST_PATTERN_DEFAULTS.width;
  const height = options.height ?? TEST_PATTERN_DEFAULTS.height;
  const fps = options.fps ?? TEST_PATTERN_DEFAULTS.fps;
  const pixelFormat = options.pixelFormat ?? TEST_PATTERN_DEFAULTS.pixelFormat;
  const videoBitrateKbps = options.videoBitrateKbps ?? TEST_PATTERN_DEFAULTS.videoBitrateKbps;
  if (!Number.isInteger(fps) || fps < 1 || fps > 60) throw new RangeError(`fps is a whole number from 1 to 60, not ${fps}`);
  if (!Number.isInteger(videoBitrateKbps) || videoBitrateKbps < 100 || videoBitrateKbps > 20_000) throw new RangeError(`videoBitrateKbps is from 100 to 20000, not ${videoBitrateKbps}`);
  const renderer = new TestPatternRenderer({ width, height, pixelFormat, title: options.title });
  const wallMs = options.wallMs ?? Date.now;
  const { log } = options;
  const args = testPatternFfmpegArgs({ width, height, fps, pixelFormat, videoBitrateKbps, outputUrl: options.outputUrl, outputFormat: options.outputFormat ?? 'flv' });

  const child: ChildProcess = spawn(options.ffmpegPath, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  const stdin = child.stdin;
  const stderr = child.stderr;
  if (stdin === null || stderr === null) throw new Error('ffmpeg was spawned without pipes');
  log.info({ pid: child.pid, width, height, fps, outputFormat: options.outputFormat ?? 'flv' }, 'test pattern started');

  const tail: string[] = [];
  let partial = '';
  stderr.setEncoding('utf8');
  stderr.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = (lines.pop() ?? '').slice(-STDERR_LINE_CHARS);
    for (const line of lines) {
      if (line.trim() === '') continue;
      tail.push(line.slice(0, STDERR_LINE_CHARS));
      if (tail.length > STDERR_LINES) tail.shift();
    }
  });
  // Writing after ffmpeg died fails with EPIPE; the exit says why, so the error itself is not news.
  stdin.on('error', () => undefined);

  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let written = 0;
  let dropped = 0;
  const free: Buffer[] = Array.from({ length: FRAME_BUFFERS }, () => Buffer.allocUnsafe(renderer.frameBytes));
  const intervalMs = 1000 / fps;
  /** The monotonic time of frame 0; frame n is due at epochMs + n × intervalMs. */
  let epochMs = performance.now();
  /** Frames handed over since epochMs. */
  let sent = 0;

  let ended = false;
  const exited = new Promise<TestPatternExit>((resolve) => {
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      const exit = { code, signal };
      if (stopping && (code === 0 || signal !== null)) log.info({ ...exit, framesWritten: written, framesDropped: dropped }, 'test pattern stopped');
      else log.warn({ ...exit, framesWritten: written, framesDropped: dropped, stderr: [...tail, partial].filter((l) => l !== '').join('\n') }, 'test pattern: ffmpeg exited');
      resolve(exit);
    };
    child.on('error', (error) => {
      tail.push(String(error));
      // A spawn that failed never gets an exit event.
      if (child.pid === undefined) settle(null, null);
    });
    child.on('close', settle);
  });
  const running = () => !stopping && !ended && stdin.writable;

  const writeFrame = (): boolean => {
    const frame = free.pop();
    if (frame === undefined) return false;
    renderer.render(wallMs(), frame);
    written++;
    stdin.write(frame, () => free.push(frame));
    return true;
  };

  const tick = () => {
    timer = undefined;
    if (!running()) return;
    let due = Math.floor((performance.now() - epochMs) / intervalMs) + 1;
    if (due - sent > CATCH_UP_LIMIT_S * fps) {
      // Far behind (the machine or ffmpeg stalled): a burst would only add delay; start again from now.
      log.warn({ framesBehind: due - sent }, 'test pattern fell behind the clock; skipping ahead');
      dropped += due - sent - 1;
      epochMs = performance.now();
      sent = 0;
      due = 1;
    }
    // Catching up after a late tick keeps the frame count, which is the video's clock, on the wall clock.
    for (let burst = 0; burst < CATCH_UP_BURST && sent < due && writeFrame(); burst++) sent++;
    // Still behind (every buffer on its way to ffmpeg, or more to catch up): look again soon.
    const nextMs = sent < due ? Math.min(intervalMs, BEHIND_RETRY_MS) : epochMs + sent * intervalMs - performance.now();
    timer = setTimeout(tick, Math.max(0, nextMs));
  };
  tick();

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      clearTimeout(timer);
      stdin.end();
      const within = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, ms, false).unref())]);
      if (!(await within(END_GRACE_MS))) {
        log.warn({ pid: child.pid }, 'test pattern: ffmpeg did not finish; SIGTERM');
        child.kill('SIGTERM');
        if (!(await within(TERM_GRACE_MS))) child.kill('SIGKILL');
      }
      await exited;
    })();
    return stopped;
  };

  return { stop, exited, framesWritten: () => written, framesDropped: () => dropped, pid: child.pid };
}
