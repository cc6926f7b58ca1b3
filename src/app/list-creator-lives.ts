// A creator's past LIVEs with their summaries, newest first, a page at a time (their profile page).
import { NotFound } from '../domain/errors.js';
import { pageOf, type LivePageInput, type LivePageResult } from './list-lives.js';
import type { LiveStore, UserStore } from './ports.js';

export interface ListCreatorLivesInput extends LivePageInput {
  /** The creator's handle, lower-cased, without @. */
  readonly handle: string;
}

export async function listCreatorLives(input: ListCreatorLivesInput, deps: { users: UserStore; lives: LiveStore }): Promise<LivePageResult> {
  const creator = await deps.users.findByHandle(input.handle);
  if (!creator) throw new NotFound(`No creator @${input.handle}.`);
  const limit = Math.min(Math.max(Math.trunc(input.limit), 1), 100);
  const rows = await deps.lives.listEndedOf(creator.id, { limit: limit + 1, ...(input.before ? { before: input.before } : {}) });
  return pageOf(rows, limit);
}
