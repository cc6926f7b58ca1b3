// Home: the creators whose LIVEs the signed-in user watched, most recently watched first, each with
// their LIVE on air now or, when off air, their latest ended one — who to follow up on.
import { VIEWER_PRESENT_MS, viewerKeyOf } from '../domain/lives.js';
import type { Clock, LiveStore, WatchedCreator } from './ports.js';

export const MY_CREATORS_MAX = 50;

export interface ListMyCreatorsInput {
  /** The signed-in viewer: their user id is the key their presence was counted under. */
  readonly userId: string;
  /** Creators to answer, 1–50. */
  readonly limit: number;
}

export async function listMyCreators(input: ListMyCreatorsInput, deps: { lives: LiveStore; clock: Clock }): Promise<WatchedCreator[]> {
  const limit = Math.min(Math.max(Math.trunc(input.limit), 1), MY_CREATORS_MAX);
  const viewerKey = viewerKeyOf({ userId: input.userId, anonymousKey: null });
  if (viewerKey === null) throw new Error('a signed-in viewer always has a viewer key');
  const creators = await deps.lives.listWatchedCreators(viewerKey, {
    limit,
    presentSinceMs: deps.clock.nowMs() - VIEWER_PRESENT_MS,
    excludeCreatorId: input.userId,
  });
  // Asserted after reading: one entry per creator, never the viewer, newest sign first.
  const seen = new Set<string>();
  let previousMs = Number.POSITIVE_INFINITY;
  for (const c of creators) {
    if (c.creator.id === input.userId) throw new Error('the viewer was listed among the creators they watched');
    if (seen.has(c.creator.id)) throw new Error(`creator ${c.creator.id} was listed twice`);
    if (c.lastWatchedAtMs > previousMs) throw new Error('watched creators are not most recent first');
    seen.add(c.creator.id);
    previousMs = c.lastWatchedAtMs;
  }
  return creators;
}
