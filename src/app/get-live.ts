// One LIVE, on air or ended, with its creator, viewers now and (once ended) its summary.
import { NotFound } from '../domain/errors.js';
import { VIEWER_PRESENT_MS } from '../domain/lives.js';
import type { Clock, LiveListing, LiveStore } from './ports.js';

export interface GetLiveInput {
  readonly liveId: string;
}

export async function getLive(input: GetLiveInput, deps: { lives: LiveStore; clock: Clock }): Promise<LiveListing> {
  const live = await deps.lives.findListing(input.liveId, deps.clock.nowMs() - VIEWER_PRESENT_MS);
  if (!live) throw new NotFound('No such LIVE.');
  return live;
}
