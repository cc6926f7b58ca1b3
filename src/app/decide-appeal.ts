// A moderator decides an appeal of a suspension: grant it (the suspension is lifted, if it is still
// the one in force, and it no longer counts as a repeat for the ladder's next length) or deny it (it
// runs its course). The creator reads the decision and the moderator's note in their studio.
//
// Like resolving a report: rules first (moderators decide about ordinary users only, nobody about
// themself), then a compare-and-set from open to decided; deciding again the same way answers the
// appeal as it is (a retry), the other way is refused (appeal_closed).
import { AppealClosed, NotFound } from '../domain/errors.js';
import { moderationNote, requireMayActOn, requireModerator } from '../domain/moderation.js';
import type { Principal } from './authenticate.js';
import { lift, type LiftSuspensionDeps } from './lift-suspension.js';
import type { AppealRecord } from './ports.js';

export interface DecideAppealInput {
  readonly actor: Principal;
  readonly appealId: string;
  readonly decision: 'grant' | 'deny';
  /** What the creator reads with the decision; at most 500 characters. */
  readonly note?: string | undefined;
}

const STATUS = { grant: 'granted', deny: 'denied' } as const;

export async function decideAppeal(input: DecideAppealInput, deps: LiftSuspensionDeps): Promise<AppealRecord> {
  requireModerator(input.actor);
  const appeal = await deps.moderation.findAppeal(input.appealId);
  if (!appeal) throw new NotFound('No such appeal.');
  const status = STATUS[input.decision];
  if (appeal.status !== 'open') return answerDecided(appeal, status);
  const user = await deps.users.findById(appeal.userId);
  if (!user) throw new NotFound('The user who appealed no longer exists.');
  requireMayActOn(input.actor, user);
  const note = moderationNote(input.note);
  const nowMs = deps.clock.nowMs();

  if (!(await deps.moderation.decideAppeal(appeal.id, status, { byId: input.actor.userId, atMs: nowMs, note }))) {
    const now = await deps.moderation.findAppeal(appeal.id);
    if (!now) throw new Error(`appeal ${appeal.id} vanished while deciding it`);
    return answerDecided(now, status);
  }
  await deps.audit.append({ atMs: nowMs, actorId: input.actor.userId, action: `appeal.${status}`, subject: `user:${user.id}`, details: { appealId: appeal.id, suspensionId: appeal.suspensionId, note } });
  if (status === 'granted') {
    // Only the suspension appealed is lifted: a newer one in force (a later decision) stands.
    const current = await deps.moderation.currentSuspension(user.id, nowMs);
    if (current?.id === appeal.suspensionId) await lift(user, { actorId: input.actor.userId, note, appealId: appeal.id }, deps);
    else await deps.moderation.overturnSuspension(appeal.suspensionId);
  }
  const decided = await deps.moderation.findAppeal(appeal.id);
  if (!decided) throw new Error(`appeal ${appeal.id} vanished after deciding it`);
  return decided;
}

function answerDecided(appeal: AppealRecord, status: 'granted' | 'denied'): AppealRecord {
  const decision = appeal.decision;
  if (appeal.status !== status) {
    throw new AppealClosed(`This appeal was already ${appeal.status}.`, { status: appeal.status, byId: decision?.byId ?? null, atMs: decision?.atMs ?? null });
  }
  return appeal;
}
