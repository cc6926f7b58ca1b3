// Moderation records → wire shapes (src/protocol/moderation.ts): what reporters, moderators and the
// struck creator see. Beside present.ts, which holds the other areas' shapes.
import type { ReportView } from '../app/list-reports.js';
import type { ReportRecord, StrikeRecord, User } from '../app/ports.js';
import { isLiveSuspended, PERMANENT_MS } from '../domain/users.js';
import type { ModReport, ModUser, Report, Strike } from '../protocol/moderation.js';
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
    recentChat: v.recentChat.map((c) => ({ liveId: c.liveId, text: c.text, atMs: c.atMs, seenIn: c.seenIn })),
    resolution: report.resolution ? { ...report.resolution } : null,
  };
}
