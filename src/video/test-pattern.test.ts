// Proves the test pattern with the real ffmpeg: every frame's timestamp code survives H.264 at
// 600 kbps and a rescale, reading back the very time the frame was stamped with; startTestPattern
// streams a playable video in real time whose frames carry the times they were handed over, stops
// with no ffmpeg left behind, and reports an ffmpeg that fails or dies instead of throwing.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from './ffmpeg.js';
import { readFrameTime } from './read-frame-time.js';
import { TestPatternRenderer, startTestPattern, testPatternEncoderArgs, type TestPatternExit, type TestPatternHandle, type TestPatternLog } from './test-pattern.js';
import { readTimestampCode } from './timestamp-code.js';

const W = 640;
const H = 360;
const FPS = 30;

let ffmpeg = '';
let dir = '';
const children = new Set<ChildProcess>();
const patterns = new Set<TestPatternHandle>();
const warnings: string[] = [];
const log: TestPatternLog = { info: () => undefined, warn: (_details, message) => warnings.push(message) };

beforeAll(async () => {
  const found = await locateFfmpeg();
  if (found.found === null) throw new Error(found.reason);
  ffmpeg = found.found.path;
  dir = mkdtempSync(join(tmpdir(), 'livegift-pattern-'));
});

afterEach(async () => {
  // Whatever a failed test left running.
  await Promise.all([...patterns].map((p) => p.stop()));
  patterns.clear();
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  warnings.length = 0;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs ffmpeg with `input` on stdin, handing stdout to `onData`; rejects on failure or after `deadlineMs`. */
function runFfmpeg(args: string[], options: { input?: Buffer[]; onData?: (chunk: Buffer) => void; deadlineMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, ['-hide_banner', '-nostdin', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.deadlineMs ?? 20_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.stdout.on('data', (chunk: Buffer) => options.onData?.(chunk));
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve(stderr);
      else reject(new Error(`ffmpeg ${args.join(' ')} ended with ${code ?? signal ?? '?'}: ${stderr.slice(-2000)}`));
    });
    for (const frame of options.input ?? []) child.stdin.write(frame);
    child.stdin.end();
  });
}

/** Decodes a video file to RGBA frames of width × height, reading each one's stamped time. */
async function readStampedTimes(file: string, width: number, height: number, scaleFlags = 'bilinear'): Promise<(number | null)[]> {
  const frameBytes = width * height * 4;
  const times: (number | null)[] = [];
  let pending = Buffer.alloc(0);
  await runFfmpeg(['-i', file, '-an', '-vf', `scale=${width}:${height}:flags=${scaleFlags}`, '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'], {
    onData: (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        const frame = new Uint8ClampedArray(pending.buffer, pending.byteOffset, frameBytes);
        times.push(readFrameTime(frame, width, height));
        pending = pending.subarray(frameBytes);
      }
    },
  });
  expect(pending.length).toBe(0);
  return times;
}

/** The number of video frames ffmpeg decodes from a file. */
async function countFrames(file: string): Promise<number> {
  const stderr = await runFfmpeg(['-i', file, '-map', '0:v', '-vsync', 'passthrough', '-f', 'null', '-']);
  const counts = [...stderr.matchAll(/frame=\s*(\d+)/g)].map((m) => Number(m[1]));
  const last = counts.at(-1);
  if (last === undefined) throw new Error(`no frame count in: ${stderr}`);
  return last;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`not within ${deadlineMs} ms`);
    await sleep(20);
  }
}

function started(handle: TestPatternHandle): TestPatternHandle {
  patterns.add(handle);
  return handle;
}

describe('test pattern frames', () => {
  it.each(['yuv420p', 'rgb24'] as const)('carry their time in the code, raw (%s)', (pixelFormat) => {
    const renderer = new TestPatternRenderer({ width: W, height: H, pixelFormat, title: 'Raw' });
    const frame = Buffer.alloc(renderer.frameBytes);
    const t = 1_767_225_600_123;
    renderer.render(t, frame);
    if (pixelFormat === 'rgb24') expect(readTimestampCode(frame, W, H, 3)).toBe(t);
    else {
      // The luma plane alone, as grey RGB: black and white are all in luma.
      const rgb = new Uint8Array(W * H * 3);
      for (let i = 0; i < W * H; i++) rgb.fill(frame[i] ?? 0, i * 3, i * 3 + 3);
      expect(readTimestampCode(rgb, W, H, 3)).toBe(t);
    }
  });

  it('rejects sizes it cannot draw', () => {
    expect(() => new TestPatternRenderer({ width: 641, height: 360, pixelFormat: 'yuv420p' })).toThrow(RangeError);
    expect(() => new TestPatternRenderer({ width: 32, height: 32, pixelFormat: 'yuv420p' })).toThrow(RangeError);
  });

  it('read back after H.264 at 600 kbps, full size and scaled: each frame the time it was stamped with', async () => {
    const renderer = new TestPatternRenderer({ width: W, height: H, pixelFormat: 'yuv420p', title: 'Through the codec' });
    const t0 = 1_767_225_600_000 + Math.floor(Math.random() * 1_000_000);
    const stamps = Array.from({ length: 2 * FPS }, (_, i) => t0 + Math.round((i * 1000) / FPS));
    const frames = stamps.map((t) => {
      const frame = Buffer.alloc(renderer.frameBytes);
      renderer.render(t, frame);
      return frame;
    });
    const file = join(dir, 'codec.flv');
    await runFfmpeg(['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${W}x${H}`, '-r', String(FPS), '-i', 'pipe:0', ...testPatternEncoderArgs(FPS, 600), '-f', 'flv', '-y', file], { input: frames });

    for (const [width, height, flags] of [[W, H, 'bilinear'], [320, 180, 'bilinear'], [854, 480, 'bicubic'], [400, 300, 'neighbor']] as const) {
      const times = await readStampedTimes(file, width, height, flags);
      expect(times, `${width}×${height}`).toHaveLength(stamps.length);
      const read = times.filter((t) => t !== null).length;
      expect(read / stamps.length, `${width}×${height}: ${read} of ${stamps.length} read`).toBeGreaterThanOrEqual(0.95);
      for (const [i, t] of times.entries()) if (t !== null) expect(t, `${width}×${height} frame ${i}`).toBe(stamps[i]);
    }
  });
});

describe('startTestPattern', () => {
  it('streams in real time a playable video whose frames carry the times they were handed over, and stops with no ffmpeg left', async () => {
    const file = join(dir, 'live.flv');
    const startedAtMs = Date.now();
    // The clock port records each stamp, so every frame read back can be matched to the one it was handed over as.
    const stamps: number[] = [];
    const wallMs = () => {
      const now = Date.now();
      stamps.push(now);
      return now;
    };
    const pattern = started(startTestPattern({ ffmpegPath: ffmpeg, outputUrl: file, fps: FPS, title: 'Two seconds', log, wallMs }));
    const pid = pattern.pid;
    if (pid === undefined) throw new Error('ffmpeg did not start');
    await until(() => pattern.framesWritten() >= 2 * FPS, 15_000);
    const runMs = Date.now() - startedAtMs;
    await pattern.stop();
    expect(await pattern.exited).toEqual({ code: 0, signal: null });
    expect(isAlive(pid)).toBe(false);
    expect(warnings.filter((w) => w.includes('exited'))).toEqual([]);

    const written = pattern.framesWritten();
    expect(stamps).toHaveLength(written);
    // Paced by the clock: about fps × seconds (a slow box may make it later, never faster).
    expect(written).toBeLessThanOrEqual(Math.ceil((runMs / 1000) * FPS) + 3);
    const frames = await countFrames(file);
    expect(frames).toBeGreaterThanOrEqual(written - 2);
    expect(frames).toBeLessThanOrEqual(written);

    const times = await readStampedTimes(file, 320, 180);
    expect(times).toHaveLength(frames);
    expect(times.filter((t) => t !== null).length / frames).toBeGreaterThanOrEqual(0.95);
    for (const [i, t] of times.entries()) if (t !== null) expect(t, `frame ${i}`).toBe(stamps[i]);
    // Handed over one per 1/fps s on average.
    const first = stamps[0] ?? 0;
    const last = stamps.at(-1) ?? 0;
    expect((last - first) / (written - 1)).toBeGreaterThan((1000 / FPS) * 0.8);
    expect((last - first) / (written - 1)).toBeLessThan((1000 / FPS) * 1.25);
  });

  it('reports an ffmpeg that cannot open its output, without throwing', async () => {
    const pattern = started(startTestPattern({ ffmpegPath: ffmpeg, outputUrl: join(dir, 'no-such-dir', 'x.flv'), fps: FPS, log }));
    const exit = await pattern.exited;
    expect(exit.code).not.toBe(0);
    expect(warnings).toContain('test pattern: ffmpeg exited');
    const written = pattern.framesWritten();
    await sleep(150);
    expect(pattern.framesWritten()).toBe(written);
    await pattern.stop();
  });

  it('reports an ffmpeg that was killed, and an ffmpeg that is missing', async () => {
    const pattern = started(startTestPattern({ ffmpegPath: ffmpeg, outputUrl: join(dir, 'killed.flv'), fps: FPS, log }));
    await until(() => pattern.framesWritten() >= 5, 10_000);
    process.kill(pattern.pid ?? 0, 'SIGKILL');
    expect(await pattern.exited).toEqual<TestPatternExit>({ code: null, signal: 'SIGKILL' });
    await pattern.stop();

    const missing = started(startTestPattern({ ffmpegPath: join(dir, 'no-ffmpeg-here'), outputUrl: join(dir, 'missing.flv'), log }));
    expect(await missing.exited).toEqual<TestPatternExit>({ code: null, signal: null });
    await missing.stop();
  });

  it('kills an ffmpeg that ignores the end of its input and SIGTERM', async () => {
    // A stand-in that reads nothing and ignores SIGTERM (an ignored signal stays ignored across exec).
    const stubborn = join(dir, 'stubborn-ffmpeg');
    writeFileSync(stubborn, "#!/bin/sh\ntrap '' TERM\nexec sleep 60\n");
    chmodSync(stubborn, 0o755);
    const pattern = started(startTestPattern({ ffmpegPath: stubborn, outputUrl: join(dir, 'never.flv'), fps: FPS, log }));
    const pid = pattern.pid ?? 0;
    // It reads nothing, so the frame buffers fill, and after a second behind the frames are skipped, not queued.
    await until(() => pattern.framesDropped() > 0, 10_000);
    await pattern.stop();
    expect(await pattern.exited).toEqual<TestPatternExit>({ code: null, signal: 'SIGKILL' });
    expect(isAlive(pid)).toBe(false);
  });
});
