// The moderators' queue: reports newest first (open ones by default), each with what a moderator
// needs to decide without leaving the page — the target (the LIVE with its title and creator, the
// reported line, the user), the reported user's standing now (suspension, ban), the open reports
// about them, their recent strikes, the lines of theirs the server has (the room keeps no chat: the
// lines reporters copied and the ones the gift-baiting detector struck), and what the LIVE's creator
// received in that LIVE, read from the ledger as the LIVE summary counts it.
//
// Bounded: a page is at most REPORTS_PAGE_MAX reports, and the context is read once per distinct
// user and LIVE of the page.
import { requireModerator } from '../domain/moderation.js';
import type { Principal } from './authenticate.js';
import { tallyLiveGifts } from './live-leaderboard.js';
import type { LedgerStore, LiveRecord, LiveStore, ModerationPosition, ModerationStore, ReportRecord, StrikeRecord, User, UserStore } from './ports.js';

export const REPORTS_PAGE_MAX = 50;
/** Strikes and chat lines shown with each report. */
const RECENT_STRIKES = 5;
const RECENT_CHAT = 10;

export interface ListReportsInput {
  /** A moderator or admin. */
  readonly actor: Principal;
  /** 'open' (the queue) or 'resolved' (what was decided). */
  readonly status: 'open' | 'resolved';
  /** At most this many (1–50). */
  readonly limit: number;
  /** Continue after this report of the previous page. */
  readonly before?: ModerationPosition | undefined;
}

/** What the LIVE's creator received in it. */
export interface LiveGifts {
  readonly gifters: number;
  readonly giftsCount: number;
  readonly coinsSpent: bigint;
  readonly diamondsEarned: bigint;
}

export interface ChatLine {
  readonly liveId: string | null;
  readonly text: string;
  readonly atMs: number;
  /** Where the server has it from: a reporter's copy, or the detector's strike. */
  readonly seenIn: 'report' | 'strike';
}

/** A report with its context. */
export interface ReportView {
  readonly report: ReportRecord;
  readonly reporter: User | null;
  /** The reported user, as they stand now. */
  readonly subject: User | null;
  /** The reported LIVE, the LIVE of the reported line, or (user reports) the user's LIVE on air now. */
  readonly live: LiveRecord | null;
  readonly liveCreator: User | null;
  readonly liveGifts: LiveGifts | null;
  readonly openReports: number;
  readonly recentStrikes: readonly StrikeRecord[];
  /** All of the subject's strikes, ever (recentStrikes is only the newest). */
  readonly strikesTotal: number;
  readonly recentChat: readonly ChatLine[];
}

export interface ReportPage {
  readonly reports: readonly ReportView[];
  readonly next: ModerationPosition | null;
}

export interface ListReportsDeps {
  readonly moderation: ModerationStore;
  readonly users: UserStore;
  readonly lives: LiveStore;
  readonly ledger: LedgerStore;
  readonly clock: { nowMs(): number };
}

export async function listReports(input: ListReportsInput, deps: ListReportsDeps): Promise<ReportPage> {
  requireModerator(input.actor);
  const limit = Math.min(Math.max(Math.trunc(input.limit), 1), REPORTS_PAGE_MAX);
  const rows = await deps.moderation.listReports({ status: input.status, limit: limit + 1, ...(input.before ? { before: input.before } : {}) });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { reports: await describeReports(page, deps), next: rows.length > limit && last ? { createdAtMs: last.createdAtMs, id: last.id } : null };
}

/** The context of each report (shared by the queue and the answer of resolving one). */
export async function describeReports(reports: readonly ReportRecord[], deps: ListReportsDeps): Promise<ReportView[]> {
  if (reports.length === 0) return [];
  const nowMs = deps.clock.nowMs();
  const subjectIds = [...new Set(reports.map((r) => r.subjectUserId))];

  // LIVEs: the report's own, else (user reports) the subject's LIVE on air now.
  const lives = new Map<string, LiveRecord>();
  const onAirOf = new Map<string, LiveRecord>();
  for (const liveId of new Set(reports.flatMap((r) => (r.liveId !== null ? [r.liveId] : [])))) {
    const live = await deps.lives.findById(liveId);
    if (live) lives.set(live.id, live);
  }
  for (const userId of new Set(reports.filter((r) => r.liveId === null).map((r) => r.subjectUserId))) {
    const live = await deps.lives.findOnAirOf(userId);
    if (live) onAirOf.set(userId, live);
  }
  const liveOf = (r: ReportRecord): LiveRecord | null => (r.liveId !== null ? (lives.get(r.liveId) ?? null) : (onAirOf.get(r.subjectUserId) ?? null));

  const people = new Map(
    (await deps.users.findByIds([...subjectIds, ...reports.map((r) => r.reporterId), ...[...lives.values(), ...onAirOf.values()].map((l) => l.creatorId)])).map((u) => [u.id, u]),
  );
  const openCounts = await deps.moderation.countOpenAbout(subjectIds);
  const strikeTotals = await deps.moderation.countStrikes(subjectIds);
  const strikes = new Map<string, StrikeRecord[]>();
  const chat = new Map<string, ChatLine[]>();
  for (const userId of subjectIds) {
    // The chat lines come from both sources, so read enough strikes for them too.
    const theirStrikes = await deps.moderation.listStrikes(userId, { limit: RECENT_CHAT });
    strikes.set(userId, theirStrikes.slice(0, RECENT_STRIKES));
    const reported = await deps.moderation.listReportedMessagesOf(userId, RECENT_CHAT);
    chat.set(userId, recentChat(reported, theirStrikes));
  }
  const gifts = new Map<string, LiveGifts>();
  for (const live of new Set(reports.map(liveOf))) {
    if (live) gifts.set(live.id, await giftsOf(live, nowMs, deps));
  }

  return reports.map((report) => {
    const live = liveOf(report);
    return {
      report,
      reporter: people.get(report.reporterId) ?? null,
      subject: people.get(report.subjectUserId) ?? null,
      live,
      liveCreator: live ? (people.get(live.creatorId) ?? null) : null,
      liveGifts: live ? (gifts.get(live.id) ?? null) : null,
      openReports: openCounts.get(report.subjectUserId) ?? 0,
      recentStrikes: strikes.get(report.subjectUserId) ?? [],
      strikesTotal: strikeTotals.get(report.subjectUserId) ?? 0,
      recentChat: chat.get(report.subjectUserId) ?? [],
    };
  });
}

/** The user's lines the server has, newest first, each once. */
function recentChat(reported: readonly ReportRecord[], strikes: readonly StrikeRecord[]): ChatLine[] {
  const lines: ChatLine[] = [
    ...reported.flatMap((r) => (r.messageText !== null ? [{ liveId: r.liveId, text: r.messageText, atMs: r.createdAtMs, seenIn: 'report' as const }] : [])),
    ...strikes.filter((s) => s.source === 'chat' || s.source === 'thanks').map((s) => ({ liveId: s.liveId, text: s.text, atMs: s.createdAtMs, seenIn: 'strike' as const })),
  ].sort((a, b) => b.atMs - a.atMs);
  const seen = new Set<string>();
  const unique: ChatLine[] = [];
  for (const line of lines) {
    const key = `${line.liveId ?? ''}\n${line.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(line);
    if (unique.length === RECENT_CHAT) break;
  }
  return unique;
}

/** A LIVE's gifts: the summary of an ended one, else counted now from the ledger as the summary will be. */
async function giftsOf(live: LiveRecord, nowMs: number, deps: { ledger: LedgerStore }): Promise<LiveGifts> {
  const summary =
    live.summary ??
    (await tallyLiveGifts(live.id, deps.ledger)).finish(
      { startedAtMs: live.startedAtMs, endedAtMs: Math.max(live.startedAtMs, live.endedAtMs ?? nowMs), peakViewers: live.peakViewers, uniqueViewers: 0 },
      new Map(),
    );
  return { gifters: summary.gifters, giftsCount: summary.giftsCount, coinsSpent: summary.coinsSpent, diamondsEarned: summary.diamondsEarned };
}
