// The auto-end job: ends every LIVE whose creator has not been seen for a while (their app crashed,
// their phone died, they walked away), and completes the summary of any LIVE that ended without one.
// The server runs it on an interval; several nodes may run it at once (endLive is idempotent).
import { endLive, type EndLiveDeps } from './end-live.js';

/** LIVEs handled per run at most; the next run takes the rest. */
const PER_RUN_MAX = 100;

export interface EndAbandonedLivesInput {
  /** How long the creator may be unseen (no heartbeat) before their LIVE ends. */
  readonly creatorAwayMs: number;
  /** Most LIVEs to end (and, separately, to summarize) in this run; 100 by default. */
  readonly limit?: number;
}

export interface EndAbandonedLivesResult {
  readonly ended: readonly string[];
  readonly summarized: readonly string[];
  /** LIVEs this run could not finish; the next run tries again. */
  readonly failed: readonly { readonly liveId: string; readonly error: unknown }[];
}

export async function endAbandonedLives(input: EndAbandonedLivesInput, deps: EndLiveDeps): Promise<EndAbandonedLivesResult> {
  const limit = Math.min(Math.max(input.limit ?? PER_RUN_MAX, 1), PER_RUN_MAX);
  const nowMs = deps.clock.nowMs();
  const ended: string[] = [];
  const summarized: string[] = [];
  const failed: { liveId: string; error: unknown }[] = [];
  const awayMinutes = Math.round(input.creatorAwayMs / 60_000);
  // One failing LIVE must not keep the others on air: each is ended on its own.
  for (const liveId of await deps.lives.listAbandoned(nowMs - input.creatorAwayMs, limit)) {
    try {
      await endLive({ liveId, actor: null, reason: `The creator was away for more than ${awayMinutes} minutes.` }, deps);
      ended.push(liveId);
    } catch (error) {
      failed.push({ liveId, error });
    }
  }
  for (const liveId of await deps.lives.listEndedWithoutSummary(limit)) {
    if (failed.some((f) => f.liveId === liveId)) continue;
    try {
      await endLive({ liveId, actor: null }, deps);
      summarized.push(liveId);
    } catch (error) {
      failed.push({ liveId, error });
    }
  }
  return { ended, summarized, failed };
}
