// The home page: LIVEs on air now, newest first, a page at a time.
import { VIEWER_PRESENT_MS } from '../domain/lives.js';
import type { Clock, LiveListing, LivePosition, LiveStore } from './ports.js';

export interface LivePageInput {
  /** LIVEs per page, 1–100. */
  readonly limit: number;
  /** Continue after this LIVE (the previous page's `next`). */
  readonly before?: LivePosition | undefined;
}

export interface LivePageResult {
  readonly lives: readonly LiveListing[];
  /** Where the next page starts, or null when this is the last. */
  readonly next: LivePosition | null;
}

/** Cuts one extra row off a page read with limit + 1, which tells whether another page follows. */
export function pageOf(rows: readonly LiveListing[], limit: number): LivePageResult {
  const lives = rows.slice(0, limit);
  const last = lives[lives.length - 1];
  return { lives, next: rows.length > limit && last ? { startedAtMs: last.startedAtMs, id: last.id } : null };
}

export async function listLives(input: LivePageInput, deps: { lives: LiveStore; clock: Clock }): Promise<LivePageResult> {
  const limit = Math.min(Math.max(Math.trunc(input.limit), 1), 100);
  const rows = await deps.lives.listOnAir({ limit: limit + 1, presentSinceMs: deps.clock.nowMs() - VIEWER_PRESENT_MS, ...(input.before ? { before: input.before } : {}) });
  return pageOf(rows, limit);
}
