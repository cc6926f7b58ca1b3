// Viewers coming and going in one LIVE, many at once: the real-time room gathers the sockets that
// opened and closed on this node while the previous batch was being written, and records them in
// one call — one read of the LIVE, a few multi-row writes, one count — instead of a read, a write
// and a count over every viewer per socket. A burst of 10,000 viewers opening a LIVE would
// otherwise count the room 10,000 times. The changes keep their order where it matters: a viewer
// who appears twice in a batch (closed a tab and opened another) is split into a later step.
import { NotFound, ValidationFailed } from '../domain/errors.js';
import { VIEWER_PRESENT_MS } from '../domain/lives.js';
import { requireViewerKey, type LivePresence, type LiveViewerInput } from './join-live.js';
import type { Clock, LiveStore } from './ports.js';

export interface PresenceChange {
  readonly viewer: LiveViewerInput;
  readonly action: 'join' | 'leave';
}

export async function recordPresence(input: { readonly liveId: string; readonly changes: readonly PresenceChange[] }, deps: { lives: LiveStore; clock: Clock }): Promise<LivePresence> {
  const nowMs = deps.clock.nowMs();
  const presentSinceMs = nowMs - VIEWER_PRESENT_MS;
  const live = await deps.lives.findById(input.liveId);
  if (!live) throw new NotFound('No such LIVE.');
  // Leaving is always allowed and harmless after the end; nobody joins an ended LIVE.
  if (live.status !== 'live') return { liveId: live.id, viewers: 0, peakViewers: live.peakViewers };
  let creatorSeen = false;
  let joins: string[] = [];
  let leaves: string[] = [];
  const inStep = new Set<string>();
  const writeStep = async () => {
    if (joins.length > 0) await deps.lives.joinViewers(live.id, joins, nowMs, presentSinceMs);
    if (leaves.length > 0) await deps.lives.leaveViewers(live.id, leaves, nowMs);
    joins = [];
    leaves = [];
    inStep.clear();
  };
  for (const { viewer, action } of input.changes) {
    if (viewer.liveId !== live.id) throw new ValidationFailed('Every change of a batch must be for the same LIVE.', { field: 'liveId' });
    // The creator opening their own LIVE is not a viewer: it only shows they are still there.
    if (viewer.userId === live.creatorId) {
      if (action === 'join') creatorSeen = true;
      continue;
    }
    const key = requireViewerKey(viewer);
    if (inStep.has(key)) await writeStep();
    inStep.add(key);
    (action === 'join' ? joins : leaves).push(key);
  }
  await writeStep();
  if (creatorSeen) await deps.lives.touchCreator(live.id, nowMs);
  const viewers = await deps.lives.countPresent(live.id, presentSinceMs);
  if (viewers > live.peakViewers) await deps.lives.raisePeak(live.id, viewers);
  return { liveId: live.id, viewers, peakViewers: Math.max(live.peakViewers, viewers) };
}
