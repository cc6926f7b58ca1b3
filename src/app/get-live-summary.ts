// The summary of an ended LIVE: duration, audience, gifters, gifts, coins, diamonds, top gifters.
// A LIVE on air has none yet (it is computed once, when the LIVE ends).
import { NotFound } from '../domain/errors.js';
import type { LiveSummary } from '../domain/live-summary.js';
import type { LiveStore } from './ports.js';

export interface GetLiveSummaryInput {
  readonly liveId: string;
}

export async function getLiveSummary(input: GetLiveSummaryInput, deps: { lives: LiveStore }): Promise<LiveSummary> {
  const live = await deps.lives.findById(input.liveId);
  if (!live) throw new NotFound('No such LIVE.');
  if (live.status === 'live') throw new NotFound('This LIVE is still on air; its summary is written when it ends.', { status: live.status });
  if (live.summary === null) throw new NotFound('The summary of this LIVE is being prepared; try again in a minute.', { status: live.status });
  return live.summary;
}
