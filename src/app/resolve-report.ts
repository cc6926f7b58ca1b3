// A moderator resolves a report from the queue: dismiss it (no violation), warn the reported user (a
// strike they see on their account; a gift-baiting warning is a rung of the ladder,
// src/app/climb-ladder.ts), suspend their going LIVE (src/app/suspend-live.ts: a LIVE in
// progress ends), or — admins only — ban the account (src/app/ban-user.ts). The decision closes the
// other open reports on the same target too (several viewers reporting one LIVE are one decision).
// The moderator may name another guideline than the reporter picked; the report keeps both.
//
// Order: every rule is checked first (who may act on whom, what the action needs), then the action
// is taken, then the report moves from open to resolved with a compare-and-set. Resolving again
// with the same action answers the report as it is (a retry); with another action it is refused
// (report_closed), naming what was decided. If two moderators race, the loser's action still ran
// and is in the audit trail, and they are told the report was closed meanwhile.
import { NotFound, ReportClosed, ValidationFailed } from '../domain/errors.js';
import { GUIDELINE_LABELS, moderationNote, requireAdminActor, requireMayActOn, requireMayBan, requireModerator, strikeKey, type GuidelineReason, type ReportAction, type SuspensionLength } from '../domain/moderation.js';
import { climbLadder, countsOnLadder, type ClimbLadderDeps } from './climb-ladder.js';
import type { Principal } from './authenticate.js';
import { banUser, type BanUserDeps } from './ban-user.js';
import { describeReports, type ListReportsDeps, type ReportView } from './list-reports.js';
import type { Ids, ModerationStore, ReportRecord } from './ports.js';
import { suspendLive } from './suspend-live.js';

export interface ResolveReportInput {
  /** A moderator or admin; never about themself, and moderators only about ordinary users. */
  readonly actor: Principal;
  readonly reportId: string;
  readonly action: ReportAction;
  /** Why. A warning or suspension shows it to the user after the guideline's name; at most 500 characters. */
  readonly note?: string | undefined;
  /** How long a suspension lasts (action 'suspend' only). */
  readonly length?: SuspensionLength | undefined;
  /**
   * The guideline the moderator found, when the reporter picked another (a "spam" report that is
   * really a scam): the warning, suspension or ban names this one, and the report keeps both.
   */
  readonly reason?: GuidelineReason | undefined;
}

export type ResolveReportDeps = ListReportsDeps & ClimbLadderDeps & BanUserDeps & { readonly ids: Ids; readonly moderation: ModerationStore };

export async function resolveReport(input: ResolveReportInput, deps: ResolveReportDeps): Promise<{ readonly report: ReportView; readonly othersClosed: number }> {
  requireModerator(input.actor);
  const report = await deps.moderation.findReport(input.reportId);
  if (!report) throw new NotFound('No such report.');
  if (report.status === 'resolved') return answerResolved(report, input.action, deps);
  const subject = await deps.users.findById(report.subjectUserId);
  if (!subject) throw new NotFound('The reported user no longer exists.');
  requireMayActOn(input.actor, subject);
  const note = moderationNote(input.note);
  if ((input.action === 'suspend') !== (input.length !== undefined)) {
    throw new ValidationFailed('A suspension needs its length (durationHours or permanent); other actions take none.', { field: 'durationHours' });
  }
  if (input.action === 'ban') {
    requireAdminActor(input.actor);
    requireMayBan(input.actor, subject);
  }

  const nowMs = deps.clock.nowMs();
  const found = input.reason ?? report.reason;
  switch (input.action) {
    case 'dismiss':
      break;
    case 'warn': {
      const strike = {
        id: deps.ids.uuid(),
        key: strikeKey({ source: 'moderator', reportId: report.id }),
        userId: subject.id,
        liveId: report.liveId,
        source: 'moderator' as const,
        rule: found,
        text: note ?? GUIDELINE_LABELS[found],
        excerpt: report.messageText,
        reportId: report.id,
        actorId: input.actor.userId,
        createdAtMs: nowMs,
      };
      if (await deps.moderation.addStrike(strike)) {
        await deps.audit.append({ atMs: nowMs, actorId: input.actor.userId, action: 'strike.recorded', subject: `user:${subject.id}`, details: { strikeId: strike.id, source: strike.source, rule: strike.rule, liveId: strike.liveId, reportId: report.id } });
        // A warning for gift-baiting is a rung of the ladder like the detector's strikes.
        if (countsOnLadder(strike)) await climbLadder(subject.id, deps);
      }
      break;
    }
    case 'suspend':
      if (input.length === undefined) throw new Error('unreachable: checked above');
      await suspendLive({ actor: input.actor, userId: subject.id, length: input.length, reason: found, note, reportId: report.id }, deps);
      break;
    case 'ban':
      await banUser({ actor: input.actor, userId: subject.id, reason: note === null ? GUIDELINE_LABELS[found] : `${GUIDELINE_LABELS[found]}: ${note}`.slice(0, 300), reportId: report.id }, deps);
      break;
  }

  const reclassified = found !== report.reason ? found : null;
  const { resolved, othersClosed } = await deps.moderation.resolveReport(report.id, { action: input.action, note, byId: input.actor.userId, atMs: nowMs, viaReportId: report.id, reason: reclassified });
  if (!resolved) {
    const now = await deps.moderation.findReport(report.id);
    if (!now) throw new Error(`report ${report.id} vanished while resolving`);
    return answerResolved(now, input.action, deps);
  }
  await deps.audit.append({
    atMs: nowMs,
    actorId: input.actor.userId,
    action: 'report.resolved',
    subject: `report:${report.id}`,
    details: { action: input.action, note, subjectUserId: subject.id, targetKind: report.targetKind, othersClosed, reportedReason: report.reason, foundReason: found },
  });
  const after = await deps.moderation.findReport(report.id);
  if (!after || after.status !== 'resolved') throw new Error(`report ${report.id} is not resolved after resolving it`);
  const [view] = await describeReports([after], deps);
  if (!view) throw new Error('a described report went missing');
  return { report: view, othersClosed };
}

/** A report already resolved: the same action answers it as it is, another is refused. */
async function answerResolved(report: ReportRecord, action: ReportAction, deps: ListReportsDeps): Promise<{ readonly report: ReportView; readonly othersClosed: number }> {
  const decided = report.resolution;
  if (!decided) throw new Error(`resolved report ${report.id} has no resolution`);
  if (decided.action !== action) {
    throw new ReportClosed(`This report was already resolved (${decided.action}).`, { action: decided.action, byId: decided.byId, atMs: decided.atMs });
  }
  const [view] = await describeReports([report], deps);
  if (!view) throw new Error('a described report went missing');
  return { report: view, othersClosed: 0 };
}
