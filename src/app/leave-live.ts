// A viewer closes a LIVE (one tab of it): one connection fewer; with none left they no longer count
// as watching. Leaving is always allowed, also after the LIVE ended, and leaving twice is harmless.
import { NotFound } from '../domain/errors.js';
import { VIEWER_PRESENT_MS } from '../domain/lives.js';
import { requireViewerKey, type LivePresence, type LiveViewerInput } from './join-live.js';
import type { Clock, LiveStore } from './ports.js';

export type LeaveLiveInput = LiveViewerInput;

export async function leaveLive(input: LeaveLiveInput, deps: { lives: LiveStore; clock: Clock }): Promise<LivePresence> {
  const nowMs = deps.clock.nowMs();
  const key = requireViewerKey(input);
  const live = await deps.lives.findById(input.liveId);
  if (!live) throw new NotFound('No such LIVE.');
  if (live.status !== 'live') return { liveId: live.id, viewers: 0, peakViewers: live.peakViewers };
  if (input.userId !== live.creatorId) await deps.lives.leaveViewer(live.id, key, nowMs);
  return { liveId: live.id, viewers: await deps.lives.countPresent(live.id, nowMs - VIEWER_PRESENT_MS), peakViewers: live.peakViewers };
}
