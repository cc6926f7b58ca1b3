// Moderation records → wire shapes (src/protocol/moderation.ts): what reporters, moderators and the
// struck creator see. Beside present.ts, which holds the other areas' shapes.
import type { Standing as StandingView, SuspensionView } from '../app/get-standing.js';
import type { AppealView } from '../app/list-appeals.js';
import type { ReportView } from '../app/list-reports.js';
import type { AppealRecord, ReportRecord, StrikeRecord, SuspensionRecord, User } from '../app/ports.js';
import { isLiveSuspended, PERMANENT_MS } from '../domain/users.js';
import { LADDER_RULES, type Appeal, type ModAppeal, type ModReport, type ModUser, type Report, type Standing, type Strike, type Suspension } from '../protocol/moderation.js';
import { presentPublicUser } from './present.js';

export function presentReport(r: ReportRecord): Report {
  return {
    id: r.id,
    status: r.status,
    target: { kind: r.targetKind, liveId: r.liveId, userId: r.subjectUserId, text: r.messageText },
    reason: r.reason,
    note: r.note,
    createdAtMs: r.createdAtMs,
  };
}

export function presentStrike(s: StrikeRecord): Strike {
  return { id: s.id, userId: s.userId, liveId: s.liveId, source: s.source, rule: s.rule, text: s.text, excerpt: s.excerpt, reportId: s.reportId, createdAtMs: s.createdAtMs };
}

/** A user's standing as moderators see it; an expired suspension is shown as none. */
export function presentModUser(user: User, nowMs: number): ModUser {
  return {
    id: user.id,
    handle: user.handle,
    displayName: user.displayName,
    role: user.role,
    liveSuspension: isLiveSuspended(user, nowMs)
      ? { untilMs: (user.liveSuspendedUntilMs ?? PERMANENT_MS) >= PERMANENT_MS ? null : user.liveSuspendedUntilMs, reason: user.liveSuspensionReason ?? '' }
      : null,
    banned: user.bannedAtMs !== null,
    banReason: user.banReason,
  };
}

export function presentModReport(v: ReportView, nowMs: number): ModReport {
  const { report, live } = v;
  return {
    id: report.id,
    status: report.status,
    reason: report.reason,
    note: report.note,
    createdAtMs: report.createdAtMs,
    reporter: v.reporter ? presentPublicUser(v.reporter) : null,
    target: { kind: report.targetKind, text: report.messageText },
    subject: v.subject ? presentModUser(v.subject, nowMs) : null,
    live: live
      ? {
          id: live.id,
          title: live.title,
          status: live.status,
          creator: v.liveCreator ? presentPublicUser(v.liveCreator) : null,
          startedAtMs: live.startedAtMs,
          endedAtMs: live.endedAtMs,
          endedBy: live.endedBy,
          endReason: live.endReason,
        }
      : null,
    liveGifts: v.liveGifts
      ? { gifters: v.liveGifts.gifters, giftsCount: v.liveGifts.giftsCount, coinsSpent: Number(v.liveGifts.coinsSpent), diamondsEarned: Number(v.liveGifts.diamondsEarned) }
      : null,
    openReports: v.openReports,
    recentStrikes: v.recentStrikes.map(presentStrike),
    strikesTotal: v.strikesTotal,
    recentChat: v.recentChat.map((c) => ({ liveId: c.liveId, text: c.text, atMs: c.atMs, seenIn: c.seenIn })),
    resolution: report.resolution ? { ...report.resolution } : null,
  };
}

export function presentAppeal(a: AppealRecord): Appeal {
  return {
    id: a.id,
    suspensionId: a.suspensionId,
    text: a.text,
    status: a.status,
    createdAtMs: a.createdAtMs,
    decision: a.decision ? { atMs: a.decision.atMs, note: a.decision.note } : null,
  };
}

function presentSuspensionRecord(s: SuspensionRecord): Omit<Suspension, 'appeal'> {
  return {
    id: s.id,
    source: s.source,
    guideline: s.guideline,
    reason: s.reason,
    startedAtMs: s.startedAtMs,
    untilMs: s.untilMs >= PERMANENT_MS ? null : s.untilMs,
    endedAtMs: s.endedAtMs,
    overturned: s.overturned,
  };
}

function presentSuspension(v: SuspensionView): Suspension {
  return { ...presentSuspensionRecord(v.suspension), appeal: v.appeal ? presentAppeal(v.appeal) : null };
}

export function presentStanding(s: StandingView): Standing {
  return {
    ladder: { step: s.ladder.step, strikes: s.ladder.strikes, countdownEndsAtMs: s.ladder.countdownEndsAtMs, strikesToSuspend: s.ladder.strikesToSuspend },
    suspension: s.current ? presentSuspension(s.current) : null,
    recentSuspensions: s.recent.map(presentSuspension),
    strikesTotal: s.strikesTotal,
    rules: LADDER_RULES,
  };
}

export function presentModAppeal(v: AppealView, nowMs: number): ModAppeal {
  return {
    appeal: presentAppeal(v.appeal),
    user: v.user ? presentModUser(v.user, nowMs) : null,
    suspension: v.suspension ? presentSuspensionRecord(v.suspension) : null,
    strikes: v.strikes.map(presentStrike),
    strikesTotal: v.strikesTotal,
  };
}
