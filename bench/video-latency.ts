// Glass-to-glass latency of LIVE video: how old the picture a viewer sees is. A whole node (SQLite,
// RTMP ingest, HLS packager, HTTP) runs in this process; a creator goes LIVE and the test pattern
// (src/video/test-pattern.ts) publishes into the ingest, each frame stamped with the wall-clock time it
// was handed to the encoder. Chromium opens a page at the node's own origin (so the canvas is not
// tainted) where two hls.js players play the LIVE's playlist side by side: hls.js's defaults
// ("standard HLS") and the settings of the app's player (read from web/src/components/video-player.tsx).
// Every 100 ms the page draws each <video> into a canvas and reads the stamp back (readFrameTime):
// latency = Date.now() − stamp, on the same machine's clock.
//
// The baseline measured in the same run is the packager's own delay: from the last frame of a segment
// being made to that segment being listed in the playlist on disk, which no player can beat. Machines
// here are shared and noisy, so the ratios (standard ÷ low-latency, each ÷ the packager floor) are the
// comparable part; the absolute numbers come with the load average.
//
// Run: npm run bench:video (about a minute). Exits 1 when the low-latency player's median is over 5 s
// (the target) or the measurement failed. docs/BENCHMARKS.md explains the output.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Live } from '../src/protocol/lives.js';
import type { StreamSettings } from '../src/protocol/video.js';
import { openStorage, type StorageOptions } from '../src/storage/database.js';
import { locateFfmpeg } from '../src/video/ffmpeg.js';
import { readFrameTime } from '../src/video/read-frame-time.js';
import { startTestPattern, TEST_PATTERN_DEFAULTS, type TestPatternHandle } from '../src/video/test-pattern.js';
import type { TestDialect, TestStorage } from '../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../test/support/livegift.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];
/** The playlist lists this many segments before the viewers come (a LIVE that has been on for a while). */
const SEGMENTS_BEFORE_VIEWERS = 4;
/** After both players show a readable frame: time to settle at their sync points, not measured. */
const WARMUP_MS = 15_000;
/** Both players are measured at once for this long. */
const MEASURE_MS = 25_000;
/** The page samples each player this often. */
const SAMPLE_EVERY_MS = 100;
/** Samples kept per player in the page (a limit on the buffer: 10 minutes at 10 a second). */
const SAMPLES_MAX = 6_000;
/** The packager watcher reads the playlist on disk this often: a segment's listing time is late by at most this. */
const PLAYLIST_POLL_MS = 10;
/** Segments the watcher copies aside at most. */
const SEGMENTS_MAX = 200;
/** How long each start-up step may take before the run gives up. */
const STEP_TIMEOUT_MS = 30_000;
/** The target for the app's player. */
const LOW_LATENCY_MEDIAN_MAX_MS = 5_000;
/** The whole run is abandoned past this, whatever hangs. */
const RUN_MS_MAX = 120_000;
/**
 * The standard player plays at 1× throughout, so its <video> clock should keep to the wall clock; off
 * by more than this and the browser could not play in real time (the box was too busy), so its
 * latency grew during the window and the run is marked DISTURBED.
 */
const VIDEO_CLOCK_TOLERANCE = 0.02;
/** Fewer readings than this per player (of about 250) and the run says it could not measure. */
const SAMPLES_MIN = 50;

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** hls.js's settings the app's player uses, when its file cannot be read (the list). */
const LOW_LATENCY_FALLBACK: Readonly<Record<string, number | boolean>> = {
  lowLatencyMode: true,
  liveSyncDurationCount: 2,
  liveMaxLatencyDurationCount: 5,
  maxLiveSyncPlaybackRate: 1.5,
  backBufferLength: 10,
};

/** One reading of a player: when, how old the picture was, and what hls.js thought at that moment. */
type Sample = readonly [atMs: number, latencyMs: number, hlsLatencyS: number | null, targetLatencyS: number | null, playbackRate: number, bufferAheadS: number, currentTimeS: number];

interface PlayerReport {
  readonly name: string;
  readonly samples: Sample[];
  /** Canvas draws whose code did not read (a frame mid-scaling, no picture yet). */
  readonly unreadable: number;
  /** Times the <video> waited for data ('waiting'), by wall clock. */
  readonly stallsAtMs: number[];
  readonly errors: string[];
  /** EXT-X-TARGETDURATION of the playlist as hls.js read it. */
  readonly targetDurationS: number | null;
  /** The settings that differ from hls.js's defaults, and the ones that matter here in full. */
  readonly effective: Record<string, unknown>;
  /** hls.js's latency when the video first played (where it joined), and how long after the player was made. */
  readonly joinLatencyS: number | null;
  readonly playingAfterMs: number | null;
}

interface ListedSegment {
  readonly name: string;
  /** When the watcher first saw the segment in the playlist on disk. */
  readonly listedAtMs: number;
  readonly durationS: number;
  /** The copy taken at once (the packager deletes old segments). */
  readonly copy: string;
}

interface SegmentTiming extends ListedSegment {
  readonly frames: number;
  readonly readable: number;
  readonly firstStampMs: number | null;
  readonly lastStampMs: number | null;
}

interface Stats {
  readonly n: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly maxMs: number;
  readonly minMs: number;
}

/** Things to undo if the watchdog fires. */
const cleanup: { pattern: TestPatternHandle | null; dir: string | null } = { pattern: null, dir: null };

/** The test pattern's ffmpeg, killed when the run is abandoned (the packager's ffmpeg ends with its stdin, the browser with this process). */
function killPattern(): void {
  if (cleanup.pattern?.pid === undefined) return;
  try {
    process.kill(cleanup.pattern.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, medianMs: percentile(sorted, 50), p90Ms: percentile(sorted, 90), maxMs: sorted.at(-1) ?? Number.NaN, minMs: sorted[0] ?? Number.NaN };
}

function round(n: number, digits: number): number | null {
  if (!Number.isFinite(n)) return null;
  const scale = 10 ** digits;
  return Math.round(n * scale) / scale;
}

function ratio(a: number, b: number): number | null {
  return b === 0 ? null : round(a / b, 2);
}

function ms(n: number): string {
  return Number.isFinite(n) ? `${Math.round(n)} ms` : 'n/a';
}

/** Polls `check` until it answers something (not undefined), or throws after `timeoutMs`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = STEP_TIMEOUT_MS, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await check();
    if (answer !== undefined) return answer;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Whole-machine CPU busy time from /proc/stat (all cores), to say how loaded the box was while measuring. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((sum, v) => sum + v, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

function loadLine(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}

/** The commit the tree under test started from (uncommitted changes are not shown). */
function commitOf(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** SQLite in the run's folder, without test/support/databases.ts (which also probes PostgreSQL). */
function sqliteIn(dir: string): TestDialect {
  return {
    name: 'sqlite',
    available: true,
    async open(extra) {
      const options: StorageOptions = { sqlitePath: join(dir, 'livegift.db'), ...extra };
      const storage = await openStorage(options);
      // The node closes its storage; closing is idempotent, and the run's folder is removed at the end.
      const withDrop: TestStorage = Object.assign(storage, { options, drop: () => storage.close() });
      return withDrop;
    },
  };
}

/**
 * The hls.js settings of the app's player: the `HLS_CONFIG` literal of web/src/components/video-player.tsx
 * (so the bench follows the player), or the list when it cannot be read.
 */
function appPlayerConfig(): { config: Record<string, number | boolean>; source: string } {
  const file = join(projectRoot, 'web/src/components/video-player.tsx');
  try {
    const body = /const HLS_CONFIG[^=]*=\s*\{([^}]*)\}/.exec(readFileSync(file, 'utf8'))?.[1];
    if (body === undefined) throw new Error('no HLS_CONFIG');
    const config: Record<string, number | boolean> = {};
    for (const [, key, value] of body.matchAll(/(\w+)\s*:\s*(true|false|-?[\d.]+)\s*,?/g)) {
      if (key === undefined || value === undefined) continue;
      config[key] = value === 'true' ? true : value === 'false' ? false : Number(value);
    }
    if (Object.keys(config).length === 0) throw new Error('an empty HLS_CONFIG');
    return { config, source: 'web/src/components/video-player.tsx' };
  } catch (error) {
    return { config: { ...LOW_LATENCY_FALLBACK }, source: `the issue's list (${error instanceof Error ? error.message : String(error)} in the player)` };
  }
}

/** Segments in a playlist's text, in order, with their EXTINF durations. */
function listedSegments(text: string): { name: string; durationS: number }[] {
  const out: { name: string; durationS: number }[] = [];
  let duration = Number.NaN;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line.endsWith('.ts') && !line.startsWith('#')) {
      out.push({ name: line.trim(), durationS: duration });
      duration = Number.NaN;
    }
  }
  return out;
}

/**
 * Watches the playlist on disk: the moment each new segment is listed (when a player could first
 * learn of it), copied aside at once for its frames' stamps to be read later. Segments already
 * listed at the start are not counted (their listing time is unknown).
 */
function watchPackager(streamDir: string, copyDir: string): { stop(): Promise<ListedSegment[]>; targetDurations: Set<number> } {
  const playlist = join(streamDir, 'index.m3u8');
  const segments: ListedSegment[] = [];
  const seen = new Set<string>();
  const targetDurations = new Set<number>();
  let first = true;
  const state = { stopped: false };
  const loop = (async () => {
    while (!state.stopped) {
      const text = await readFile(playlist, 'utf8').catch(() => '');
      const atMs = Date.now();
      // A playlist being rewritten in place (the static ffmpeg 4.1) is read again next time.
      if (text.startsWith('#EXTM3U') && text.endsWith('\n')) {
        const target = /#EXT-X-TARGETDURATION:(\d+)/.exec(text)?.[1];
        if (target !== undefined) targetDurations.add(Number(target));
        for (const { name, durationS } of listedSegments(text)) {
          if (seen.has(name)) continue;
          seen.add(name);
          if (first || segments.length >= SEGMENTS_MAX) continue;
          const copy = join(copyDir, name);
          const copied = await copyFile(join(streamDir, name), copy).then(() => true, () => false);
          if (copied) segments.push({ name, listedAtMs: atMs, durationS, copy });
        }
        first = false;
      }
      await sleep(PLAYLIST_POLL_MS);
    }
  })();
  return {
    targetDurations,
    async stop() {
      state.stopped = true;
      await loop;
      return segments;
    },
  };
}

/** Decodes a segment's video and reads every frame's stamp: the first and last that read. */
function readSegmentStamps(ffmpegPath: string, segment: ListedSegment): Promise<SegmentTiming> {
  const { width, height } = TEST_PATTERN_DEFAULTS;
  const frameBytes = width * height * 4;
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-i', segment.copy, '-map', '0:v:0', '-s', `${width}x${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const frame = Buffer.allocUnsafe(frameBytes);
    let filled = 0;
    let frames = 0;
    let readable = 0;
    let firstStampMs: number | null = null;
    let lastStampMs: number | null = null;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-2_000);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        chunk.copy(frame, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled < frameBytes) break;
        filled = 0;
        frames++;
        const stamp = readFrameTime(new Uint8ClampedArray(frame.buffer, frame.byteOffset, frameBytes), width, height);
        if (stamp === null) continue;
        readable++;
        firstStampMs ??= stamp;
        lastStampMs = stamp;
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`ffmpeg could not decode ${segment.name} (${String(code)}): ${stderr}`));
      else resolve({ ...segment, frames, readable, firstStampMs, lastStampMs });
    });
  });
}

/**
 * The viewer's page, served at the node's origin. Plain script (the project's TypeScript has no DOM
 * types): `window.bench.start(url, players)` makes one muted <video> and hls.js per player; every
 * SAMPLE_EVERY_MS each video is drawn into a 320×180 canvas and its stamp read (LatencyDecoder is
 * src/video/read-frame-time.ts, bundled); `window.bench.report()` hands everything back.
 */
function pageHtml(): string {
  const script = `
'use strict';
const players = [];
const WATCHED = ['lowLatencyMode', 'liveSyncDurationCount', 'liveSyncDuration', 'liveMaxLatencyDurationCount', 'maxLiveSyncPlaybackRate', 'backBufferLength', 'maxBufferLength', 'enableWorker'];
function start(url, configs) {
  for (const { name, config } of configs) {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.autoplay = true;
    video.width = 320;
    video.height = 180;
    document.body.append(video);
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 180;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const hls = new Hls(config);
    const effective = {};
    for (const key of WATCHED) effective[key] = hls.config[key];
    const p = { name, video, context, hls, samples: [], unreadable: 0, stallsAtMs: [], errors: [], targetDurationS: null, effective, playing: false, joinLatencyS: null, startedAtMs: Date.now(), playingAfterMs: null };
    hls.on(Hls.Events.LEVEL_LOADED, (_e, data) => { p.targetDurationS = data.details.targetduration; });
    hls.on(Hls.Events.MANIFEST_PARSED, () => { video.play().catch(() => undefined); });
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (p.errors.length < 50) p.errors.push(Date.now() + ' ' + data.type + '/' + data.details + (data.fatal ? ' (fatal)' : ''));
      if (!data.fatal) return;
      // Heal as the app's player does, so one bad moment does not end the measurement.
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
      else setTimeout(() => hls.startLoad(-1), 1000);
    });
    video.addEventListener('playing', () => {
      if (!p.playing) {
        p.joinLatencyS = Number.isFinite(hls.latency) ? hls.latency : null;
        p.playingAfterMs = Date.now() - p.startedAtMs;
      }
      p.playing = true;
    });
    video.addEventListener('waiting', () => { if (p.playing && p.stallsAtMs.length < 1000) p.stallsAtMs.push(Date.now()); });
    hls.loadSource(url);
    hls.attachMedia(video);
    players.push(p);
  }
  setInterval(sample, ${SAMPLE_EVERY_MS});
}
function sample() {
  for (const p of players) {
    if (p.video.readyState < 2 || p.samples.length >= ${SAMPLES_MAX}) continue;
    p.context.drawImage(p.video, 0, 0, 320, 180);
    const image = p.context.getImageData(0, 0, 320, 180);
    const stamp = LatencyDecoder.readFrameTime(image.data, 320, 180);
    const now = Date.now();
    if (stamp === null) { p.unreadable++; continue; }
    const buffered = p.video.buffered;
    const ahead = buffered.length > 0 ? buffered.end(buffered.length - 1) - p.video.currentTime : 0;
    p.samples.push([now, now - stamp, Number.isFinite(p.hls.latency) ? p.hls.latency : null, p.hls.targetLatency ?? null, p.video.playbackRate, ahead, p.video.currentTime]);
  }
}
window.bench = {
  start,
  hlsVersion: () => Hls.version,
  readable: () => players.length > 0 && players.every((p) => p.samples.length > 0),
  report: () => players.map((p) => ({ name: p.name, samples: p.samples, unreadable: p.unreadable, stallsAtMs: p.stallsAtMs, errors: p.errors, targetDurationS: p.targetDurationS, effective: p.effective, joinLatencyS: p.joinLatencyS, playingAfterMs: p.playingAfterMs })),
};
`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>LIVE video latency</title></head>
<body style="margin:0;background:#000">
<script src="/__bench/hls.min.js"></script>
<script src="/__bench/decoder.js"></script>
<script>${script}</script>
</body></html>`;
}

/** src/video/read-frame-time.ts and what it imports, as one script defining `LatencyDecoder`. */
function decoderBundle(): string {
  const result = buildSync({
    entryPoints: [join(projectRoot, 'src/video/read-frame-time.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'LatencyDecoder',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text;
  if (text === undefined) throw new Error('esbuild made no decoder bundle');
  return text;
}

/** Serves the bench page, hls.js and the decoder under `${base}/__bench` (nothing of the app is involved). */
async function routeBenchPage(page: Page): Promise<void> {
  const hlsJs = readFileSync(join(projectRoot, 'node_modules/hls.js/dist/hls.min.js'), 'utf8');
  const decoder = decoderBundle();
  const html = pageHtml();
  await page.route(
    (url) => url.pathname === '/__bench' || url.pathname.startsWith('/__bench/'),
    (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/__bench/hls.min.js') return route.fulfill({ contentType: 'text/javascript', body: hlsJs });
      if (path === '/__bench/decoder.js') return route.fulfill({ contentType: 'text/javascript', body: decoder });
      if (path === '/__bench') return route.fulfill({ contentType: 'text/html', body: html });
      return route.fulfill({ status: 404, body: '' });
    },
  );
}

/** A creator with gifts on, LIVE, and their stream key. */
async function goLive(node: TestNode): Promise<{ liveId: string; userId: string; streamKey: string }> {
  const who = await signUpAs(node, { handle: 'latencybench' });
  const headers = { cookie: who.cookie };
  const gifts = await node.call({ method: 'PUT', url: '/v1/me/gifts', headers, payload: { enabled: true } });
  if (gifts.status !== 200) throw new Error(`PUT /v1/me/gifts answered ${gifts.status}`);
  const live = await node.call<Live>({ method: 'POST', url: '/v1/lives', headers, payload: { title: 'Latency bench' } });
  if (live.status !== 201) throw new Error(`POST /v1/lives answered ${live.status}`);
  const stream = await node.call<StreamSettings>({ method: 'GET', url: '/v1/me/stream', headers });
  if (stream.status !== 200) throw new Error(`GET /v1/me/stream answered ${stream.status}`);
  return { liveId: live.body.id, userId: who.userId, streamKey: stream.body.ingest.streamKey };
}

interface Measured {
  readonly players: PlayerReport[];
  readonly segments: SegmentTiming[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly targetDurations: number[];
  readonly hlsVersion: string;
  readonly chromiumVersion: string;
  readonly busyCores: number | null;
}

async function measure(node: TestNode, base: string, ffmpegPath: string, lowLatency: Record<string, number | boolean>, copyDir: string): Promise<Measured> {
  const { liveId, userId, streamKey } = await goLive(node);
  const pattern = startTestPattern({
    ffmpegPath,
    outputUrl: `rtmp://127.0.0.1:${String(node.video.port)}/live/${streamKey}`,
    title: 'Latency bench',
    log: { info: () => undefined, warn: (details, message) => { console.warn(`test pattern: ${message} ${JSON.stringify(details)}`); } },
  });
  cleanup.pattern = pattern;
  const playlistUrl = `/v1/lives/${liveId}/video/index.m3u8`;
  const streamStartedMs = Date.now();
  let watcher: ReturnType<typeof watchPackager> | null = null;
  let browser: Browser | null = null;
  try {
    await until(`the LIVE to show video and its playlist to list ${SEGMENTS_BEFORE_VIEWERS} segments`, async () => {
      const live = await node.call<Live>({ method: 'GET', url: `/v1/lives/${liveId}` });
      if (live.body.video.state !== 'live') return undefined;
      const playlist = await node.call<string>({ method: 'GET', url: playlistUrl });
      return playlist.status === 200 && listedSegments(playlist.body).length >= SEGMENTS_BEFORE_VIEWERS ? true : undefined;
    });
    const streamDir = node.video.streamDir(userId);
    if (streamDir === null) throw new Error('the node has no stream directory for the creator');
    console.log(`stream up: ${SEGMENTS_BEFORE_VIEWERS} segments listed ${((Date.now() - streamStartedMs) / 1000).toFixed(1)} s after the encoder started`);
    watcher = watchPackager(streamDir, copyDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const chromiumVersion = browser.version();
    const page = await (await browser.newContext({ viewport: { width: 800, height: 400 } })).newPage();
    page.on('pageerror', (e) => { console.error(`page: ${e.message}`); });
    await routeBenchPage(page);
    await page.goto(`${base}/__bench`);
    const hlsVersion = await page.evaluate<string>('window.bench.hlsVersion()');
    await page.evaluate(
      ([url, configs]) => { (globalThis as unknown as { bench: { start(u: string, c: unknown): void } }).bench.start(url, configs); },
      [playlistUrl, [{ name: 'standard', config: {} }, { name: 'low-latency', config: lowLatency }]] as const,
    );
    const openedMs = Date.now();
    await until('both players to show a readable frame', async () => ((await page.evaluate<boolean>('window.bench.readable()')) ? true : undefined), STEP_TIMEOUT_MS, 100);
    console.log(`players showing a readable picture ${((Date.now() - openedMs) / 1000).toFixed(1)} s after the page started them; warming up ${WARMUP_MS / 1000} s, then measuring ${MEASURE_MS / 1000} s`);
    await sleep(WARMUP_MS);
    const cpuBefore = machineCpu();
    const fromMs = Date.now();
    await sleep(MEASURE_MS);
    const toMs = Date.now();
    const cpuAfter = machineCpu();
    const players = await page.evaluate<PlayerReport[]>('window.bench.report()');
    const listed = await watcher.stop();
    const targetDurations = [...watcher.targetDurations].sort((a, b) => a - b);
    await browser.close();
    browser = null;
    // Frames are decoded after the browser is gone, so the decoding takes no CPU from the players.
    const inWindow = listed.filter((s) => s.listedAtMs >= fromMs && s.listedAtMs <= toMs);
    const segments: SegmentTiming[] = [];
    for (const segment of inWindow) segments.push(await readSegmentStamps(ffmpegPath, segment));
    const busyCores = cpuBefore !== null && cpuAfter !== null && cpuAfter.total > cpuBefore.total ? ((cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total)) * cpus().length : null;
    return { players, segments, fromMs, toMs, targetDurations, hlsVersion, chromiumVersion, busyCores };
  } finally {
    await watcher?.stop();
    await browser?.close();
    await pattern.stop();
    cleanup.pattern = null;
  }
}

function inWindow(player: PlayerReport, fromMs: number, toMs: number): Sample[] {
  return player.samples.filter(([at]) => at >= fromMs && at <= toMs);
}

/**
 * How the latency moved over the window (least-squares slope, ms per minute) and how fast the
 * <video>'s currentTime advanced against the wall clock (1 = real time): a player that keeps falling
 * behind without stalling is one whose playback clock runs slow.
 */
function driftPerMinute(samples: readonly Sample[]): { latencyMsPerMin: number; mediaClock: number } {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined || last[0] === first[0]) return { latencyMsPerMin: Number.NaN, mediaClock: Number.NaN };
  const n = samples.length;
  const meanT = samples.reduce((sum, [t]) => sum + t, 0) / n;
  const meanL = samples.reduce((sum, [, l]) => sum + l, 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, l] of samples) {
    num += (t - meanT) * (l - meanL);
    den += (t - meanT) ** 2;
  }
  return { latencyMsPerMin: den === 0 ? Number.NaN : (num / den) * 60_000, mediaClock: ((last[6] - first[6]) * 1000) / (last[0] - first[0]) };
}

function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

async function main(): Promise<number> {
  const watchdog = setTimeout(() => {
    console.error(`FAILED: the benchmark exceeded ${RUN_MS_MAX / 1000} s; abandoned`);
    killPattern();
    if (cleanup.dir !== null) rmSync(cleanup.dir, { recursive: true, force: true });
    process.exit(1);
  }, RUN_MS_MAX);
  watchdog.unref();
  const startedMs = Date.now();

  const lookup = await locateFfmpeg();
  if (lookup.found === null) throw new Error(`no ffmpeg: ${lookup.reason}`);
  const ffmpeg = lookup.found;
  const lowLatency = appPlayerConfig();
  console.log(
    `video latency benchmark: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, commit ${commitOf()}, ${new Date().toISOString()}, ` +
      `load average ${loadLine()} (anything else running shares these cores)`,
  );
  console.log(`ffmpeg: ${ffmpeg.version} (${ffmpeg.source}); test pattern ${TEST_PATTERN_DEFAULTS.width}×${TEST_PATTERN_DEFAULTS.height}@${TEST_PATTERN_DEFAULTS.fps}, 1 s keyframes`);
  console.log(`low-latency player settings from ${lowLatency.source}: ${JSON.stringify(lowLatency.config)}`);

  mkdirSync(join(projectRoot, '.bench'), { recursive: true });
  const dir = mkdtempSync(join(projectRoot, '.bench', 'video-'));
  cleanup.dir = dir;
  const copyDir = join(dir, 'segments');
  mkdirSync(copyDir);
  let result: Measured;
  let node: TestNode | null = null;
  try {
    node = await openTestNode(sqliteIn(dir), { VIDEO: 'on', RTMP_PORT: '0', RTMP_HOST: '127.0.0.1', VIDEO_DIR: join(dir, 'video'), LOG_LEVEL: 'warn' });
    const base = await node.app.listen({ port: 0, host: '127.0.0.1' });
    if (node.video.port === null) throw new Error(`the node has no RTMP ingest: ${node.video.reason ?? 'unknown reason'}`);
    console.log(`node at ${base} (SQLite and video files under ${dir}, deleted at the end), RTMP ingest on port ${node.video.port}`);
    result = await measure(node, base, ffmpeg.path, lowLatency.config, copyDir);
  } finally {
    await node?.drop();
    rmSync(dir, { recursive: true, force: true });
    cleanup.dir = null;
  }

  const { players, segments, fromMs, toMs } = result;
  console.log(`Chromium ${result.chromiumVersion}, hls.js ${result.hlsVersion}; playlist EXT-X-TARGETDURATION seen: ${result.targetDurations.join(', ')} s`);
  const problems: string[] = [];

  // The floor: a segment's last frame made → the segment listed. Also its first frame → listed: the
  // youngest picture a player that fetched the segment the instant it was listed could start with.
  const timed = segments.filter((s) => s.lastStampMs !== null && s.firstStampMs !== null);
  const floor = stats(timed.map((s) => s.listedAtMs - (s.lastStampMs ?? 0)));
  const floorFirst = stats(timed.map((s) => s.listedAtMs - (s.firstStampMs ?? 0)));
  const segmentSpanS = median(timed.map((s) => ((s.lastStampMs ?? 0) - (s.firstStampMs ?? 0)) / 1000 + 1 / TEST_PATTERN_DEFAULTS.fps));
  const extinfS = median(timed.map((s) => s.durationS));
  const unreadFrames = segments.reduce((n, s) => n + (s.frames - s.readable), 0);
  if (timed.length < 10) problems.push(`only ${timed.length} segments were timed`);
  console.log(
    `packager floor (segment's last frame made → listed in the playlist on disk, ${timed.length} segments, polled every ${PLAYLIST_POLL_MS} ms): ` +
      `median ${ms(floor.medianMs)}, p90 ${ms(floor.p90Ms)}, max ${ms(floor.maxMs)}; first frame → listed: median ${ms(floorFirst.medianMs)}; ` +
      `segments ${extinfS.toFixed(3)} s by EXTINF, ${segmentSpanS.toFixed(3)} s by stamps; ${unreadFrames} of ${segments.reduce((n, s) => n + s.frames, 0)} frames without a readable stamp`,
  );

  const byName = new Map<string, { stats: Stats; report: PlayerReport; samples: Sample[]; drift: ReturnType<typeof driftPerMinute> }>();
  for (const report of players) {
    const samples = inWindow(report, fromMs, toMs);
    const s = stats(samples.map(([, latency]) => latency));
    const drift = driftPerMinute(samples);
    byName.set(report.name, { stats: s, report, samples, drift });
    const stalls = report.stallsAtMs.filter((at) => at >= fromMs && at <= toMs).length;
    const first = report.samples[0];
    const hlsLatency = median(samples.flatMap(([, , l]) => (l === null ? [] : [l * 1000])));
    const target = median(samples.flatMap(([, , , t]) => (t === null ? [] : [t * 1000])));
    const rate = median(samples.map(([, , , , r]) => r));
    const fastShare = samples.filter(([, , , , r]) => r > 1).length / Math.max(1, samples.length);
    const ahead = median(samples.map(([, , , , , a]) => a * 1000));
    if (s.n < SAMPLES_MIN) problems.push(`${report.name}: only ${s.n} readings`);
    console.log(
      `${report.name.padEnd(11)} glass-to-glass (${s.n} readings): median ${ms(s.medianMs)}, p90 ${ms(s.p90Ms)}, max ${ms(s.maxMs)}, min ${ms(s.minMs)}; ` +
        `hls.js's own latency ${ms(hlsLatency)} (target ${ms(target)}), buffer ahead ${ms(ahead)}, playback rate median ${rate.toFixed(2)} (above 1 in ${(fastShare * 100).toFixed(0)}% of readings); ` +
        `latency drift ${ms(drift.latencyMsPerMin)}/min, the video's currentTime ran at ${drift.mediaClock.toFixed(3)}× the wall clock; ` +
        `stalls ${stalls} (${report.stallsAtMs.length} since it started); unreadable draws ${report.unreadable}; ` +
        `joined: playing ${ms(report.playingAfterMs ?? Number.NaN)} after it was made, hls.js latency then ${ms((report.joinLatencyS ?? Number.NaN) * 1000)}, first reading ${ms(first?.[1] ?? Number.NaN)}; ` +
        `settings ${JSON.stringify(report.effective)}` +
        (report.errors.length > 0 ? `; hls.js errors: ${report.errors.slice(0, 5).join('; ')}` : ''),
    );
  }
  const standard = byName.get('standard');
  const low = byName.get('low-latency');
  if (standard === undefined || low === undefined) throw new Error('a player reported nothing');

  console.log('comparison (same run, same stream, both players at once):');
  console.log(`  standard ÷ low-latency: median ${String(ratio(standard.stats.medianMs, low.stats.medianMs))}, p90 ${String(ratio(standard.stats.p90Ms, low.stats.p90Ms))}`);
  console.log(`  standard ÷ packager floor: median ${String(ratio(standard.stats.medianMs, floor.medianMs))}; low-latency ÷ packager floor: median ${String(ratio(low.stats.medianMs, floor.medianMs))}`);
  console.log(
    `  above the floor (what the player adds): standard ${ms(standard.stats.medianMs - floor.medianMs)}, low-latency ${ms(low.stats.medianMs - floor.medianMs)} ` +
      `(${((standard.stats.medianMs - floor.medianMs) / 1000 / Math.max(1e-9, extinfS)).toFixed(2)} and ${((low.stats.medianMs - floor.medianMs) / 1000 / Math.max(1e-9, extinfS)).toFixed(2)} segments)`,
  );
  const busy = result.busyCores === null ? 'unknown' : `${result.busyCores.toFixed(2)} of ${cpus().length} cores`;
  console.log(`whole run ${((Date.now() - startedMs) / 1000).toFixed(1)} s; load average at the end ${loadLine()}; the machine was busy ${busy} while measuring (this run included)`);

  const lowOk = low.stats.medianMs <= LOW_LATENCY_MEDIAN_MAX_MS;
  const disturbed = !(Math.abs(standard.drift.mediaClock - 1) <= VIDEO_CLOCK_TOLERANCE);
  console.log(
    `RESULT ${JSON.stringify({
      standard_median_ms: round(standard.stats.medianMs, 0),
      standard_p90_ms: round(standard.stats.p90Ms, 0),
      standard_max_ms: round(standard.stats.maxMs, 0),
      low_latency_median_ms: round(low.stats.medianMs, 0),
      low_latency_p90_ms: round(low.stats.p90Ms, 0),
      low_latency_max_ms: round(low.stats.maxMs, 0),
      packager_floor_median_ms: round(floor.medianMs, 0),
      packager_floor_p90_ms: round(floor.p90Ms, 0),
      packager_floor_max_ms: round(floor.maxMs, 0),
      packager_first_frame_median_ms: round(floorFirst.medianMs, 0),
      standard_over_low_latency: ratio(standard.stats.medianMs, low.stats.medianMs),
      standard_over_floor: ratio(standard.stats.medianMs, floor.medianMs),
      low_latency_over_floor: ratio(low.stats.medianMs, floor.medianMs),
      readings: [standard.stats.n, low.stats.n],
      segments_timed: timed.length,
      target_duration_s: result.targetDurations,
      busy_cores: result.busyCores === null ? null : round(result.busyCores, 2),
      standard_video_clock: round(standard.drift.mediaClock, 3),
      low_latency_video_clock: round(low.drift.mediaClock, 3),
      standard_drift_ms_per_min: round(standard.drift.latencyMsPerMin, 0),
      low_latency_drift_ms_per_min: round(low.drift.latencyMsPerMin, 0),
      disturbed,
      low_latency_target_met: lowOk,
      valid: problems.length === 0,
    })}`,
  );
  if (disturbed) {
    console.log(
      `DISTURBED: the standard player's video clock ran at ${standard.drift.mediaClock.toFixed(3)}× the wall clock at 1× playback, so the browser could not play in real time ` +
        `and that player fell behind by ${ms(standard.drift.latencyMsPerMin)} a minute (the low-latency one catches up by speeding up); run again on a quieter machine`,
    );
  }
  if (problems.length > 0) {
    console.log(`FAILED: the run could not measure: ${problems.join('; ')}`);
    return 1;
  }
  if (!lowOk) {
    console.log(`FAILED: the low-latency player's median glass-to-glass latency is ${ms(low.stats.medianMs)}, over the ${LOW_LATENCY_MEDIAN_MAX_MS / 1000} s target`);
    return 1;
  }
  console.log(`OK: the low-latency player's median glass-to-glass latency is ${ms(low.stats.medianMs)}, within the ${LOW_LATENCY_MEDIAN_MAX_MS / 1000} s target`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('FAILED:', error);
    killPattern();
    if (cleanup.dir !== null) rmSync(cleanup.dir, { recursive: true, force: true });
    process.exit(1);
  },
);
