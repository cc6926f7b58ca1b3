// A sign of life from someone in a LIVE, every ~30 s. From the creator it keeps the LIVE on air (the
// auto-end job ends a LIVE whose creator is silent too long); from a viewer it keeps them counted.
// A viewer who never joined (a client that skipped it, or a row lost) is joined now. The real-time
// room calls this for each socket's ping.
import { ValidationFailed } from '../domain/errors.js';
import { VIEWER_PRESENT_MS } from '../domain/lives.js';
import { joinLive, liveOnAir, presenceContext, requireViewerKey, type LivePresence, type LiveViewerInput } from './join-live.js';
import type { Clock, LiveStore } from './ports.js';

export type RecordLiveHeartbeatInput = LiveViewerInput;

export async function recordLiveHeartbeat(input: RecordLiveHeartbeatInput, deps: { lives: LiveStore; clock: Clock }): Promise<LivePresence> {
  const { live, key, nowMs, presentSinceMs } = await presenceContext(input, deps);
  if (input.userId === live.creatorId) await deps.lives.touchCreator(live.id, nowMs);
  // A viewer with no presence row yet joins now (counted, and the peak raised if need be).
  else if (!(await deps.lives.touchViewer(live.id, key, nowMs))) return joinLive(input, deps);
  return { liveId: live.id, viewers: await deps.lives.countPresent(live.id, presentSinceMs), peakViewers: live.peakViewers };
}

/**
 * The heartbeats of every socket of one LIVE on this node, in one call: one read of the LIVE, one
 * batched refresh, one count. A room of tens of thousands of viewers would otherwise run a count
 * over all its viewers once per socket per heartbeat. Viewers with no presence row yet join.
 */
export async function recordLiveHeartbeats(
  input: { readonly liveId: string; readonly viewers: readonly LiveViewerInput[] },
  deps: { lives: LiveStore; clock: Clock },
): Promise<LivePresence> {
  const nowMs = deps.clock.nowMs();
  const live = await liveOnAir(input.liveId, deps);
  const keys = new Map<string, LiveViewerInput>();
  let creatorSeen = false;
  for (const viewer of input.viewers) {
    if (viewer.liveId !== live.id) throw new ValidationFailed('Every heartbeat of a batch must be for the same LIVE.', { field: 'liveId' });
    if (viewer.userId === live.creatorId) creatorSeen = true;
    else keys.set(requireViewerKey(viewer), viewer);
  }
  if (creatorSeen) await deps.lives.touchCreator(live.id, nowMs);
  const touched = await deps.lives.touchViewers(live.id, [...keys.keys()], nowMs);
  for (const [key, viewer] of keys) if (!touched.has(key)) await joinLive(viewer, deps);
  const viewers = await deps.lives.countPresent(live.id, nowMs - VIEWER_PRESENT_MS);
  if (viewers > live.peakViewers) await deps.lives.raisePeak(live.id, viewers);
  return { liveId: live.id, viewers, peakViewers: Math.max(live.peakViewers, viewers) };
}
