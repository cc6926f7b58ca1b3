// A LIVE's picture (docs/VIDEO.md), as rules over times. Pure: no I/O.
//
// A LIVE on air is `waiting` until its creator's stream arrives (OBS over RTMP, or the studio's
// camera over a WebSocket) and the first HLS segment is written, then `live`. When the stream stops,
// the LIVE is `reconnecting` for the grace period — an encoder that reconnects (OBS does by itself)
// is `live` again — and past it the LIVE ends by itself. An ended LIVE's picture is `ended`.
import { randomBytes } from 'node:crypto';

export type VideoState = 'waiting' | 'live' | 'reconnecting' | 'ended';
export type StreamVia = 'rtmp' | 'browser';

export interface LiveVideoRecord {
  readonly state: Exclude<VideoState, 'ended'>;
  readonly sinceMs: number | null;
  readonly via: StreamVia | null;
  readonly reconnectEndsAtMs: number | null;
}

export const WAITING: LiveVideoRecord = { state: 'waiting', sinceMs: null, via: null, reconnectEndsAtMs: null };

/** The stream's first segment is ready: the picture is live. */
export function streamLive(via: StreamVia, nowMs: number): LiveVideoRecord {
  return { state: 'live', sinceMs: nowMs, via, reconnectEndsAtMs: null };
}

/**
 * The stream stopped: reconnecting until the grace period ends. A LIVE whose stream never arrived
 * stays waiting (it is a LIVE of gifts and chat; the creator-away rule covers it).
 */
export function streamStopped(before: LiveVideoRecord, nowMs: number, graceMs: number): LiveVideoRecord {
  if (before.state === 'waiting') return before;
  return { state: 'reconnecting', sinceMs: nowMs, via: before.via, reconnectEndsAtMs: nowMs + graceMs };
}

/** Stream keys carry a recognisable prefix (secret scanners, people) and 192 random bits. */
export const STREAM_KEY_PREFIX = 'lgs_';
const STREAM_KEY = /^lgs_[A-Za-z0-9_-]{32}$/;

export function newStreamKey(): string {
  return `${STREAM_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

/** Whether a publish name can be a stream key at all (checked before any database look-up). */
export function isStreamKeyShaped(name: string): boolean {
  return STREAM_KEY.test(name);
}

/** The encoder settings the studio recommends pasting into OBS: 1 s keyframes make 1 s segments. */
export const RECOMMENDED_ENCODER = {
  resolution: '1280x720',
  fps: 30,
  videoBitrateKbps: 2500,
  audioBitrateKbps: 128,
  keyframeIntervalS: 1,
  encoder: 'x264',
  rateControl: 'CBR',
  preset: 'veryfast',
  profile: 'main',
  tune: 'zerolatency',
} as const;
