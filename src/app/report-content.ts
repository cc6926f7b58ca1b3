// A signed-in user reports a LIVE, a chat message or a user for a Community Guidelines reason
// (PRODUCT.md: "Viewers report a LIVE or message; moderators review"). The report goes to the
// moderators' queue (src/app/list-reports.ts).
//
// One open report per reporter per target: reporting the same thing again while the first is open
// answers the first (created: false), so a double tap or a retry files nothing twice; a partial unique
// index decides races. A chat line is reported with its words as the reporter saw them — the room
// keeps no chat — together with the LIVE and the sender's id, which must exist.
import { NotFound, RateLimited, ValidationFailed } from '../domain/errors.js';
import { moderationNote, OPEN_REPORTS_PER_REPORTER_MAX, REPORTED_TEXT_MAX, reportTargetKey, type GuidelineReason } from '../domain/moderation.js';
import type { Principal } from './authenticate.js';
import type { AuditLog, Clock, Ids, LiveStore, ModerationStore, ReportRecord, UserStore } from './ports.js';

export type ReportTargetInput =
  | { readonly kind: 'live'; readonly liveId: string }
  /** A chat line: the LIVE, who said it (their user id), and the words as the reporter saw them (1–200 characters). */
  | { readonly kind: 'message'; readonly liveId: string; readonly senderId: string; readonly text: string }
  | { readonly kind: 'user'; readonly userId: string };

export interface ReportContentInput {
  /** Who reports: any signed-in user. */
  readonly reporter: Principal;
  /** What is reported. Reporting yourself (your LIVE, your line, your account) is refused. */
  readonly target: ReportTargetInput;
  /** Which Community Guidelines rule it breaks. */
  readonly reason: GuidelineReason;
  /** What a moderator should know; at most 500 characters. */
  readonly note?: string | undefined;
}

export interface ReportContentDeps {
  readonly moderation: ModerationStore;
  readonly users: UserStore;
  readonly lives: LiveStore;
  readonly ids: Ids;
  readonly clock: Clock;
  readonly audit: AuditLog;
}

export async function reportContent(input: ReportContentInput, deps: ReportContentDeps): Promise<{ readonly report: ReportRecord; readonly created: boolean }> {
  const note = moderationNote(input.note);
  const { subjectUserId, liveId, messageText, targetKey } = await resolveTarget(input.target, deps);
  if (subjectUserId === input.reporter.userId) throw new ValidationFailed('You cannot report yourself.', { field: 'target' });

  const nowMs = deps.clock.nowMs();
  const report: ReportRecord = {
    id: deps.ids.uuid(),
    reporterId: input.reporter.userId,
    targetKind: input.target.kind,
    targetKey,
    subjectUserId,
    liveId,
    messageText,
    reason: input.reason,
    note,
    status: 'open',
    createdAtMs: nowMs,
    resolution: null,
  };
  // A repeat of an open report answers it, whatever the limit below.
  const open = await deps.moderation.findOpenReport(report.reporterId, targetKey);
  if (open) return { report: open, created: false };
  // A limit on what one person can pile on the queue. Two reports racing past it both go in: one
  // over is harmless.
  if ((await deps.moderation.countOpenBy(report.reporterId)) >= OPEN_REPORTS_PER_REPORTER_MAX) {
    throw new RateLimited(`You have ${OPEN_REPORTS_PER_REPORTER_MAX} reports waiting for a moderator; wait for them to be reviewed.`, { openReports: OPEN_REPORTS_PER_REPORTER_MAX });
  }
  const stored = await deps.moderation.createReport(report);
  if (stored.created) await auditCreated(stored.report, deps);
  return stored;
}

async function auditCreated(report: ReportRecord, deps: { audit: AuditLog }): Promise<void> {
  await deps.audit.append({
    atMs: report.createdAtMs,
    actorId: report.reporterId,
    action: 'report.created',
    subject: `report:${report.id}`,
    details: { targetKind: report.targetKind, subjectUserId: report.subjectUserId, liveId: report.liveId, reason: report.reason },
  });
}

/** The reported user, the LIVE, the line and the key of a target; NotFound when they do not exist. */
async function resolveTarget(
  target: ReportTargetInput,
  deps: { users: UserStore; lives: LiveStore },
): Promise<{ subjectUserId: string; liveId: string | null; messageText: string | null; targetKey: string }> {
  switch (target.kind) {
    case 'live': {
      const live = await deps.lives.findById(target.liveId);
      if (!live) throw new NotFound('No such LIVE.');
      return { subjectUserId: live.creatorId, liveId: live.id, messageText: null, targetKey: reportTargetKey({ kind: 'live', liveId: live.id }) };
    }
    case 'message': {
      const text = target.text.trim();
      if (text.length === 0 || text.length > REPORTED_TEXT_MAX) throw new ValidationFailed(`A reported message is 1 to ${REPORTED_TEXT_MAX} characters.`, { field: 'target.text' });
      const [live, sender] = await Promise.all([deps.lives.findById(target.liveId), deps.users.findById(target.senderId)]);
      if (!live) throw new NotFound('No such LIVE.');
      if (!sender) throw new NotFound('No such user.');
      return { subjectUserId: sender.id, liveId: live.id, messageText: text, targetKey: reportTargetKey({ kind: 'message', liveId: live.id, senderId: sender.id, text }) };
    }
    case 'user': {
      const user = await deps.users.findById(target.userId);
      if (!user) throw new NotFound('No such user.');
      return { subjectUserId: user.id, liveId: null, messageText: null, targetKey: reportTargetKey({ kind: 'user', userId: user.id }) };
    }
  }
}
