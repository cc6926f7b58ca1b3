// Publishing a generated stream the way an encoder does, for the video tests: ffmpeg's test source
// and a tone, H.264 with a keyframe a second and AAC, to an RTMP URL (or WebM to a pipe, for the
// studio camera's path). The process is killed by stop(), and tests stop every one they start.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { locateFfmpeg } from '../../src/video/ffmpeg.js';

const lookup = await locateFfmpeg();
/** The ffmpeg the tests publish with (the one the server would use), or null: the video suites skip. */
export const FFMPEG = lookup.found?.path ?? null;
if (FFMPEG === null && process.env.CI === 'true') throw new Error(`ffmpeg is required with CI=true: ${lookup.found === null ? lookup.reason : ''}`);

export interface Publisher {
  /** Settles when ffmpeg exits: its code (non-zero when the server refused or cut it). */
  readonly exited: Promise<number | null>;
  readonly stderr: () => string;
  stop(): Promise<void>;
}

function run(args: string[], stdout: 'ignore' | 'pipe'): { child: ChildProcess; publisher: Publisher } {
  if (FFMPEG === null) throw new Error('no ffmpeg');
  const child = spawn(FFMPEG, args, { stdio: ['ignore', stdout, 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => { resolve(code); }));
  return {
    child,
    publisher: {
      exited,
      stderr: () => stderr,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    },
  };
}

const SOURCE = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'];

/** Publishes to `rtmpUrl` (…/live/<key>) for `seconds` (default: until stopped). */
export function publishRtmp(rtmpUrl: string, seconds?: number): Publisher {
  const duration = seconds === undefined ? [] : ['-t', String(seconds)];
  return run([...SOURCE, ...duration, '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', rtmpUrl], 'ignore').publisher;
}

/** WebM (VP8 + Opus, as a browser's MediaRecorder makes) in real time on stdout, for the studio camera's socket. */
export function recordWebm(seconds: number): { readonly stdout: Readable; readonly publisher: Publisher } {
  const { child, publisher } = run([...SOURCE, '-t', String(seconds), '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-g', '30', '-c:a', 'libopus', '-f', 'webm', 'pipe:1'], 'pipe');
  if (child.stdout === null) throw new Error('no stdout');
  return { stdout: child.stdout, publisher };
}
