// Ends a LIVE: by its creator, by a moderator or admin (who must say why), or by the system when the
// creator has gone away (the auto-end job) or the safety rules suspended them (the gift-baiting ladder). Then writes the LIVE summary, once, from the ledger.
//
// Idempotent: ending an ended LIVE changes nothing and returns it as it is, so a retry, a second
// moderator or two auto-end jobs on two nodes are harmless. The status moves to `ended` with a
// conditional update that only one caller wins (only the winner writes the audit entry); the summary
// is written only where none exists. Ending first and summarizing second means a crash between the two
// leaves an ended LIVE without a summary, which the next call (or the auto-end job) completes.
import { Forbidden, NotFound, ValidationFailed } from '../domain/errors.js';
import { END_REASON_MAX, VIEWER_PRESENT_MS, type LiveEndedBy } from '../domain/lives.js';
import { tallyLiveGifts } from './live-leaderboard.js';
import type { AuditLog, Clock, LedgerStore, LiveListing, LiveStore, Role, UserStore } from './ports.js';

export interface EndLiveInput {
  readonly liveId: string;
  /** Who ends it: a signed-in user (the creator, or a moderator/admin), or null for the system. */
  readonly actor: { readonly userId: string; readonly role: Role } | null;
  /** Why the system ends it (actor null): the creator went away (`auto`, the default) or the safety rules (`safety`, the gift-baiting ladder). */
  readonly system?: 'auto' | 'safety' | undefined;
  /** Why: required when a moderator ends someone else's LIVE; optional for the creator and the system. */
  readonly reason?: string | undefined;
}

export interface EndLiveDeps {
  readonly lives: LiveStore;
  readonly ledger: LedgerStore;
  readonly users: UserStore;
  readonly clock: Clock;
  readonly audit: AuditLog;
}

export async function endLive(input: EndLiveInput, deps: EndLiveDeps): Promise<LiveListing> {
  const nowMs = deps.clock.nowMs();
  const live = await deps.lives.findById(input.liveId);
  if (!live) throw new NotFound('No such LIVE.');
  const reason = input.reason?.trim() === '' ? undefined : input.reason?.trim();
  if (reason !== undefined && reason.length > END_REASON_MAX) throw new ValidationFailed(`A reason is at most ${END_REASON_MAX} characters.`, { field: 'reason' });

  let endedBy: LiveEndedBy;
  if (input.actor === null) endedBy = input.system ?? 'auto';
  else if (input.actor.userId === live.creatorId) endedBy = 'creator';
  else if (input.actor.role === 'moderator' || input.actor.role === 'admin') {
    if (reason === undefined) throw new ValidationFailed("Say why you are ending someone else's LIVE.", { field: 'reason' });
    endedBy = 'moderator';
  } else throw new Forbidden('Only the creator or a moderator can end this LIVE.');

  if (live.status === 'live') {
    const won = await deps.lives.markEnded(live.id, { atMs: nowMs, by: endedBy, reason: reason ?? null });
    if (won) {
      await deps.audit.append({
        atMs: nowMs,
        actorId: input.actor?.userId ?? null,
        action: 'live.ended',
        subject: `live:${live.id}`,
        details: { creatorId: live.creatorId, endedBy, reason: reason ?? null, durationMs: nowMs - live.startedAtMs },
      });
    }
  }
  await writeSummaryIfMissing(live.id, deps);
  const ended = await deps.lives.findListing(live.id, nowMs - VIEWER_PRESENT_MS);
  if (!ended) throw new Error(`LIVE ${live.id} vanished while ending`);
  return ended;
}

/** Computes the summary of an ended LIVE from its gift transfers and stores it, unless it is there. */
async function writeSummaryIfMissing(liveId: string, deps: EndLiveDeps): Promise<void> {
  const live = await deps.lives.findById(liveId);
  if (!live || live.status !== 'ended' || live.summary !== null) return;
  const tally = await tallyLiveGifts(live.id, deps.ledger);
  const people = new Map<string, { handle: string; displayName: string }>();
  for (const g of tally.top()) {
    const user = await deps.users.findById(g.userId);
    if (user) people.set(user.id, { handle: user.handle, displayName: user.displayName });
  }
  const summary = tally.finish(
    { startedAtMs: live.startedAtMs, endedAtMs: live.endedAtMs ?? live.startedAtMs, peakViewers: live.peakViewers, uniqueViewers: await deps.lives.countUnique(live.id) },
    people,
  );
  await deps.lives.saveSummary(live.id, summary);
}
