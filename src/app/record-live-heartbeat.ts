// A sign of life from someone in a LIVE, every ~30 s. From the creator it keeps the LIVE on air (the
// auto-end job ends a LIVE whose creator is silent too long); from a viewer it keeps them counted.
// A viewer who never joined (a client that skipped it, or a row lost) is joined now. The real-time
// room calls this for each socket's ping.
import { joinLive, presenceContext, type LivePresence, type LiveViewerInput } from './join-live.js';
import type { Clock, LiveStore } from './ports.js';

export type RecordLiveHeartbeatInput = LiveViewerInput;

export async function recordLiveHeartbeat(input: RecordLiveHeartbeatInput, deps: { lives: LiveStore; clock: Clock }): Promise<LivePresence> {
  const { live, key, nowMs, presentSinceMs } = await presenceContext(input, deps);
  if (input.userId === live.creatorId) await deps.lives.touchCreator(live.id, nowMs);
  // A viewer with no presence row yet joins now (counted, and the peak raised if need be).
  else if (!(await deps.lives.touchViewer(live.id, key, nowMs))) return joinLive(input, deps);
  return { liveId: live.id, viewers: await deps.lives.countPresent(live.id, presentSinceMs), peakViewers: live.peakViewers };
}
