// LIVE video on the wire: a creator's stream settings (the RTMP server URL and stream key to paste into
// OBS, the recommended encoder settings, whether this server can make video at all), and a LIVE's
// video as viewers see it (whether the picture is coming, on air, reconnecting, and where its HLS
// playlist is).
import { z } from 'zod';
import { TimeMs } from './common.js';

/**
 * A LIVE's picture: `waiting` (on air, no stream yet — the creator has not started OBS or the
 * camera), `live` (the stream arrives; play `playlistUrl`), `reconnecting` (the stream dropped; the
 * LIVE ends by itself if it does not come back within the grace period), `ended`.
 */
export const VideoState = z.enum(['waiting', 'live', 'reconnecting', 'ended']);
export type VideoState = z.infer<typeof VideoState>;

export const LiveVideo = z
  .object({
    state: VideoState,
    playlistUrl: z.string().nullable().describe('The HLS playlist while state is live (same origin: /v1/lives/:id/video/index.m3u8)'),
    sinceMs: TimeMs.nullable().describe('When the state began'),
    via: z.enum(['rtmp', 'browser']).nullable().describe('Where the stream comes from: an RTMP encoder (OBS) or the studio page'),
    reconnectEndsAtMs: TimeMs.nullable().describe('While reconnecting: when the LIVE ends if the stream is not back'),
  })
  .meta({ id: 'LiveVideo' });
export type LiveVideo = z.infer<typeof LiveVideo>;

export const RecommendedEncoder = z.object({
  resolution: z.string().describe('e.g. 1280x720'),
  fps: z.number().int(),
  videoBitrateKbps: z.number().int(),
  audioBitrateKbps: z.number().int(),
  keyframeIntervalS: z.number().int().describe('Keyframe interval: short keyframes make short segments, and a LIVE with less delay'),
  encoder: z.string(),
  rateControl: z.string(),
  preset: z.string(),
  profile: z.string(),
  tune: z.string(),
});

export const StreamSettings = z
  .object({
    video: z.object({
      available: z.boolean().describe('Whether this server can make video (it has ffmpeg)'),
      reason: z.string().nullable().describe('Why not, when unavailable'),
      ffmpeg: z.string().nullable().describe('The ffmpeg in use, e.g. "ffmpeg version 7.1"'),
      transcode: z.boolean().describe('Whether the server re-encodes into a ladder of qualities (otherwise it passes the stream through)'),
    }),
    ingest: z.object({
      rtmpUrl: z.string().nullable().describe('The server URL to paste into OBS (Settings → Stream → Custom); null when RTMP ingest is off'),
      streamKey: z.string().describe('Your stream key: paste it into OBS and keep it secret; rotate it if it leaked'),
      keyCreatedAtMs: TimeMs,
      browser: z.boolean().describe('Whether going LIVE from the studio page (camera and microphone) is available'),
    }),
    recommended: RecommendedEncoder,
    publishing: z.object({ via: z.enum(['rtmp', 'browser']), sinceMs: TimeMs }).nullable().describe('Your stream arriving now, if any'),
  })
  .meta({ id: 'StreamSettings' });
export type StreamSettings = z.infer<typeof StreamSettings>;
