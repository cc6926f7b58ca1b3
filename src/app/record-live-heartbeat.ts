// A sign of life from someone in a LIVE, every ~30 s. From the creator it keeps the LIVE on air (the
// auto-end job ends a LIVE whose creator is silent too long); from a viewer it keeps them counted.
// A viewer who never joined (a client that skipped it, or a row lost) is joined now. The real-time
// room calls this for each socket's ping.
import { LiveNotOnAir, NotFound } from '../domain/errors.js';
import { VIEWER_PRESENT_MS } from '../domain/lives.js';
import { requireViewerKey, type LivePresence, type LiveViewerInput } from './join-live.js';
import type { Clock, LiveStore } from './ports.js';

export type RecordLiveHeartbeatInput = LiveViewerInput;

export async function recordLiveHeartbeat(input: RecordLiveHeartbeatInput, deps: { lives: LiveStore; clock: Clock }): Promise<LivePresence> {
  const nowMs = deps.clock.nowMs();
  const presentSinceMs = nowMs - VIEWER_PRESENT_MS;
  const key = requireViewerKey(input);
  const live = await deps.lives.findById(input.liveId);
  if (!live) throw new NotFound('No such LIVE.');
  // The answer tells a client still showing the LIVE that it has ended.
  if (live.status !== 'live') throw new LiveNotOnAir('This LIVE has ended.', { liveId: live.id });
  let peakViewers = live.peakViewers;
  if (input.userId === live.creatorId) {
    await deps.lives.touchCreator(live.id, nowMs);
  } else if (!(await deps.lives.touchViewer(live.id, key, nowMs))) {
    await deps.lives.joinViewer(live.id, key, nowMs, presentSinceMs);
    const viewers = await deps.lives.countPresent(live.id, presentSinceMs);
    if (viewers > peakViewers) {
      await deps.lives.raisePeak(live.id, viewers);
      peakViewers = viewers;
    }
    return { liveId: live.id, viewers, peakViewers };
  }
  return { liveId: live.id, viewers: await deps.lives.countPresent(live.id, presentSinceMs), peakViewers };
}
