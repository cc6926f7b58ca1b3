// A creator goes LIVE. Only an adult in good standing who is not suspended from going LIVE may, and
// only one LIVE per creator is on air at a time: checked here for a clear answer, and by the
// database's unique index (lives_one_on_air) for two starts that race.
import { AlreadyLive, NotFound } from '../domain/errors.js';
import { normalizeLiveTitle } from '../domain/lives.js';
import { requireAdult, requireNotBanned, requireNotLiveSuspended } from '../domain/users.js';
import type { AuditLog, Clock, Ids, LiveListing, LiveStore, UserStore } from './ports.js';

export interface StartLiveInput {
  /** The signed-in user going LIVE. */
  readonly creatorId: string;
  /** Shown on the home page; trimmed, 1–100 characters. */
  readonly title: string;
}

export async function startLive(
  input: StartLiveInput,
  deps: { users: UserStore; lives: LiveStore; ids: Ids; clock: Clock; audit: AuditLog },
): Promise<LiveListing> {
  const nowMs = deps.clock.nowMs();
  const title = normalizeLiveTitle(input.title);
  const creator = await deps.users.findById(input.creatorId);
  if (!creator) throw new NotFound('No such user.');
  requireAdult(creator, nowMs, 'go LIVE');
  requireNotBanned(creator);
  requireNotLiveSuspended(creator, nowMs);

  const alreadyLive = async (): Promise<AlreadyLive> => {
    const onAir = await deps.lives.findOnAirOf(creator.id);
    return new AlreadyLive('You are already LIVE; end that LIVE before starting another.', onAir ? { liveId: onAir.id } : undefined);
  };
  if (await deps.lives.findOnAirOf(creator.id)) throw await alreadyLive();
  const id = deps.ids.uuid();
  try {
    await deps.lives.create({ id, creatorId: creator.id, title, startedAtMs: nowMs });
  } catch (error) {
    // Another start of the same creator won the race between the check above and this insert.
    if (error instanceof AlreadyLive) throw await alreadyLive();
    throw error;
  }
  await deps.audit.append({ atMs: nowMs, actorId: creator.id, action: 'live.started', subject: `live:${id}`, details: { title } });
  const live = await deps.lives.findListing(id, nowMs);
  if (!live) throw new Error(`LIVE ${id} vanished after creation`);
  return live;
}
