// A creator appeals their suspension of going LIVE (the last rung of the ladder, PRODUCT.md): once
// per suspension, in their own words; the appeal waits in the moderators' queue
// (src/app/decide-appeal.ts). Appealing again answers the appeal already made, whatever its words:
// the first one stands, so a retried request is harmless and nobody can rewrite an appeal a
// moderator may be reading.
import { NotSuspended, ValidationFailed } from '../domain/errors.js';
import { APPEAL_TEXT_MAX } from '../domain/ladder.js';
import type { Principal } from './authenticate.js';
import type { AppealRecord, AuditLog, Clock, Ids, ModerationStore } from './ports.js';

export interface AppealSuspensionInput {
  /** The suspended user themself. */
  readonly viewer: Principal;
  /** Why the decision was wrong: 1 to 1,000 characters. */
  readonly text: string;
}

export async function appealSuspension(
  input: AppealSuspensionInput,
  deps: { moderation: ModerationStore; ids: Ids; clock: Clock; audit: AuditLog },
): Promise<{ readonly appeal: AppealRecord; readonly created: boolean }> {
  const text = input.text.trim();
  if (text.length === 0 || text.length > APPEAL_TEXT_MAX) throw new ValidationFailed(`An appeal is 1 to ${APPEAL_TEXT_MAX} characters.`, { field: 'text' });
  const nowMs = deps.clock.nowMs();
  const suspension = await deps.moderation.currentSuspension(input.viewer.userId, nowMs);
  if (!suspension) throw new NotSuspended('Going LIVE is not suspended, so there is nothing to appeal.');
  const result = await deps.moderation.createAppeal({ id: deps.ids.uuid(), suspensionId: suspension.id, userId: input.viewer.userId, text, status: 'open', createdAtMs: nowMs, decision: null });
  if (result.created) {
    await deps.audit.append({ atMs: nowMs, actorId: input.viewer.userId, action: 'appeal.made', subject: `user:${input.viewer.userId}`, details: { appealId: result.appeal.id, suspensionId: suspension.id } });
  }
  return result;
}
