// A viewer opens a LIVE: they count among its viewers while connected (each tab is a connection)
// and seen in the last two minutes. Signed-in viewers are counted once per account, anonymous ones
// once per key their browser keeps. The creator opening their own LIVE is not a viewer: it only
// shows they are still there.
import { LiveNotOnAir, NotFound, ValidationFailed } from '../domain/errors.js';
import { VIEWER_PRESENT_MS, viewerKeyOf } from '../domain/lives.js';
import type { Clock, LiveRecord, LiveStore } from './ports.js';

export interface LiveViewerInput {
  readonly liveId: string;
  /** The signed-in viewer, or null when anonymous. */
  readonly userId: string | null;
  /** An anonymous viewer's UUID, kept by their browser; ignored when signed in. */
  readonly anonymousKey: string | null;
}

export interface LivePresence {
  readonly liveId: string;
  /** Watching now. */
  readonly viewers: number;
  readonly peakViewers: number;
}

/** The viewer's key, or a clear 400 for an anonymous caller without one. */
export function requireViewerKey(input: LiveViewerInput): string {
  const key = viewerKeyOf(input);
  if (key === null) throw new ValidationFailed('Sign in, or send a viewerKey to be counted as an anonymous viewer.', { field: 'viewerKey' });
  return key;
}

/** The LIVE a presence call is about, which must be on air. */
export async function liveOnAir(liveId: string, deps: { lives: LiveStore }): Promise<LiveRecord> {
  const live = await deps.lives.findById(liveId);
  if (!live) throw new NotFound('No such LIVE.');
  // The answer tells a client still showing the LIVE that it has ended.
  if (live.status !== 'live') throw new LiveNotOnAir('This LIVE has ended.', { liveId: live.id });
  return live;
}

/** The LIVE a presence call is about, on air; the viewer's key; and the presence window. */
export async function presenceContext(input: LiveViewerInput, deps: { lives: LiveStore; clock: Clock }): Promise<{ live: LiveRecord; key: string; nowMs: number; presentSinceMs: number }> {
  const nowMs = deps.clock.nowMs();
  const key = requireViewerKey(input);
  const live = await liveOnAir(input.liveId, deps);
  return { live, key, nowMs, presentSinceMs: nowMs - VIEWER_PRESENT_MS };
}

export async function joinLive(input: LiveViewerInput, deps: { lives: LiveStore; clock: Clock }): Promise<LivePresence> {
  const { live, key, nowMs, presentSinceMs } = await presenceContext(input, deps);
  if (input.userId === live.creatorId) {
    await deps.lives.touchCreator(live.id, nowMs);
    return { liveId: live.id, viewers: await deps.lives.countPresent(live.id, presentSinceMs), peakViewers: live.peakViewers };
  }
  await deps.lives.joinViewer(live.id, key, nowMs, presentSinceMs);
  const viewers = await deps.lives.countPresent(live.id, presentSinceMs);
  if (viewers > live.peakViewers) await deps.lives.raisePeak(live.id, viewers);
  return { liveId: live.id, viewers, peakViewers: Math.max(live.peakViewers, viewers) };
}
