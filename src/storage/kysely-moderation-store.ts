// ModerationStore on Kysely (SQLite and PostgreSQL alike): strikes and reports (0010-moderation),
// suspensions and appeals (0011-suspensions-appeals).
import { sql, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { AppealRecord, AppealStatus, ModerationPosition, ModerationStore, ReportRecord, ReportResolution, StrikeRecord, SuspensionRecord } from '../app/ports.js';
import { GUIDELINE_REASONS, REPORT_ACTIONS, type GuidelineReason, type ReportAction } from '../domain/moderation.js';
import { num } from './kysely-values.js';
import type { AppealsTable, Database, ReportsTable, StrikesTable, SuspensionsTable } from './schema.js';

/** Ids looked up per statement (well under both databases' parameter limits). */
const IN_CHUNK = 500;

function strikeFromRow(r: Selectable<StrikesTable>): StrikeRecord {
  return {
    id: r.id,
    key: r.key,
    userId: r.user_id,
    liveId: r.live_id,
    source: r.source,
    rule: r.rule,
    text: r.text,
    excerpt: r.excerpt,
    reportId: r.report_id,
    actorId: r.actor_id,
    createdAtMs: num(r.created_at_ms),
  };
}

function isReason(value: string): value is GuidelineReason {
  return (GUIDELINE_REASONS as readonly string[]).includes(value);
}

function isAction(value: string): value is ReportAction {
  return (REPORT_ACTIONS as readonly string[]).includes(value);
}

function reportFromRow(r: Selectable<ReportsTable>): ReportRecord {
  // Paired with the use case's validation: a value outside the lists means the table was written by
  // something else, and a moderator must not be shown a guess.
  if (!isReason(r.reason)) throw new Error(`report ${r.id} has an unknown reason ${r.reason}`);
  let resolution: ReportResolution | null = null;
  if (r.status === 'resolved') {
    if (r.resolution === null || !isAction(r.resolution) || r.resolved_by === null || r.resolved_at_ms === null) {
      throw new Error(`resolved report ${r.id} lacks its resolution`);
    }
    const found = r.resolved_reason;
    if (found !== null && !isReason(found)) throw new Error(`report ${r.id} was resolved with an unknown reason ${found}`);
    resolution = { action: r.resolution, note: r.resolution_note, byId: r.resolved_by, atMs: num(r.resolved_at_ms), viaReportId: r.resolved_via ?? r.id, reason: found };
  }
  return {
    id: r.id,
    reporterId: r.reporter_id,
    targetKind: r.target_kind,
    targetKey: r.target_key,
    subjectUserId: r.subject_user_id,
    liveId: r.live_id,
    messageText: r.message_text,
    reason: r.reason,
    note: r.note,
    status: r.status,
    createdAtMs: num(r.created_at_ms),
    resolution,
  };
}

function suspensionFromRow(r: Selectable<SuspensionsTable>): SuspensionRecord {
  if (!isReason(r.guideline)) throw new Error(`suspension ${r.id} has an unknown guideline ${r.guideline}`);
  return {
    id: r.id,
    key: r.key,
    userId: r.user_id,
    source: r.source,
    guideline: r.guideline,
    reason: r.reason,
    startedAtMs: num(r.started_at_ms),
    untilMs: num(r.until_ms),
    actorId: r.actor_id,
    reportId: r.report_id,
    endedAtMs: r.ended_at_ms === null ? null : num(r.ended_at_ms),
    overturned: r.overturned === 1,
  };
}

function appealFromRow(r: Selectable<AppealsTable>): AppealRecord {
  let decision: AppealRecord['decision'] = null;
  if (r.status !== 'open') {
    if (r.decided_by === null || r.decided_at_ms === null) throw new Error(`decided appeal ${r.id} lacks its decision`);
    decision = { byId: r.decided_by, atMs: num(r.decided_at_ms), note: r.decision_note };
  }
  return { id: r.id, suspensionId: r.suspension_id, userId: r.user_id, text: r.text, status: r.status, createdAtMs: num(r.created_at_ms), decision };
}

/**
 * A page of a newest-first list (strikes, reports, appeals: each has `created_at_ms` and `id`):
 * the rows strictly after `before` — older, or as old with a smaller id — at most `limit` of them.
 */
function newestFirst<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>, before: ModerationPosition | undefined, limit: number): SelectQueryBuilder<DB, TB, O> {
  const after = before === undefined ? q : q.where(sql<boolean>`(created_at_ms < ${before.createdAtMs} OR (created_at_ms = ${before.createdAtMs} AND id < ${before.id}))`);
  return after.orderBy(sql`created_at_ms`, 'desc').orderBy(sql`id`, 'desc').limit(limit);
}

export class KyselyModerationStore implements ModerationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async addStrike(s: StrikeRecord): Promise<boolean> {
    // ON CONFLICT DO NOTHING on the unique key: the node that struck first wins, a repeat (the same
    // message from another node, or a retried one) adds nothing.
    const written = await this.db
      .insertInto('strikes')
      .values({
        id: s.id,
        key: s.key,
        user_id: s.userId,
        live_id: s.liveId,
        source: s.source,
        rule: s.rule,
        text: s.text,
        excerpt: s.excerpt,
        report_id: s.reportId,
        actor_id: s.actorId,
        created_at_ms: s.createdAtMs,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('id')
      .execute();
    return written.length === 1;
  }

  async listStrikes(userId: string, options: { readonly limit: number; readonly before?: ModerationPosition }): Promise<StrikeRecord[]> {
    const rows = await newestFirst(this.db.selectFrom('strikes').selectAll().where('user_id', '=', userId), options.before, options.limit).execute();
    return rows.map(strikeFromRow);
  }

  async createReport(report: ReportRecord): Promise<{ readonly report: ReportRecord; readonly created: boolean }> {
    if (report.status !== 'open' || report.resolution !== null) throw new Error('a new report is open and unresolved');
    // An open report resolved between the insert and the read lets the next attempt in; a third
    // race in a row is not worth chasing.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const answer = await this.insertReport(report);
      if (answer !== null) return answer;
    }
    throw new Error(`report of ${report.reporterId} on ${report.targetKey} kept racing with its resolution`);
  }

  /** Inserts, or answers the open report already there; null when neither (it was resolved meanwhile). */
  private async insertReport(report: ReportRecord): Promise<{ readonly report: ReportRecord; readonly created: boolean } | null> {
    // The partial unique index (reporter, target) over open reports refuses a second open one; DO
    // NOTHING (no conflict target: the index is partial) turns that into "answer the open one".
    const written = await this.db
      .insertInto('reports')
      .values({
        id: report.id,
        reporter_id: report.reporterId,
        target_kind: report.targetKind,
        target_key: report.targetKey,
        subject_user_id: report.subjectUserId,
        live_id: report.liveId,
        message_text: report.messageText,
        reason: report.reason,
        note: report.note,
        status: 'open',
        created_at_ms: report.createdAtMs,
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute();
    if (written.length === 1) return { report, created: true };
    const open = await this.findOpenReport(report.reporterId, report.targetKey);
    return open ? { report: open, created: false } : null;
  }

  async findOpenReport(reporterId: string, targetKey: string): Promise<ReportRecord | null> {
    const r = await this.db.selectFrom('reports').selectAll().where('reporter_id', '=', reporterId).where('target_key', '=', targetKey).where('status', '=', 'open').executeTakeFirst();
    return r ? reportFromRow(r) : null;
  }

  async findReport(id: string): Promise<ReportRecord | null> {
    const r = await this.db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? reportFromRow(r) : null;
  }

  async listReports(options: { readonly status: 'open' | 'resolved'; readonly limit: number; readonly before?: ModerationPosition }): Promise<ReportRecord[]> {
    const rows = await newestFirst(this.db.selectFrom('reports').selectAll().where('status', '=', options.status), options.before, options.limit).execute();
    return rows.map(reportFromRow);
  }

  async countOpenAbout(userIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const ids = [...new Set(userIds)];
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const rows = await this.db
        .selectFrom('reports')
        .select(['subject_user_id', (eb) => eb.fn.countAll().as('n')])
        .where('status', '=', 'open')
        .where('subject_user_id', 'in', ids.slice(i, i + IN_CHUNK))
        .groupBy('subject_user_id')
        .execute();
      for (const r of rows) counts.set(r.subject_user_id, num(r.n));
    }
    return counts;
  }

  async countOpenBy(reporterId: string): Promise<number> {
    const r = await this.db.selectFrom('reports').select((eb) => eb.fn.countAll().as('n')).where('reporter_id', '=', reporterId).where('status', '=', 'open').executeTakeFirst();
    return r ? num(r.n) : 0;
  }

  async listReportedMessagesOf(userId: string, limit: number): Promise<ReportRecord[]> {
    const rows = await this.db
      .selectFrom('reports')
      .selectAll()
      .where('subject_user_id', '=', userId)
      .where('target_kind', '=', 'message')
      .orderBy('created_at_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(reportFromRow);
  }

  async resolveReport(id: string, resolution: ReportResolution): Promise<{ readonly resolved: boolean; readonly othersClosed: number }> {
    const values = {
      status: 'resolved' as const,
      resolution: resolution.action,
      resolution_note: resolution.note,
      resolved_by: resolution.byId,
      resolved_at_ms: resolution.atMs,
      resolved_via: resolution.viaReportId,
      resolved_reason: resolution.reason,
    };
    // Compare-and-set: only an open report moves, so two moderators cannot both resolve it.
    const moved = await this.db.updateTable('reports').set(values).where('id', '=', id).where('status', '=', 'open').returning('target_key').executeTakeFirst();
    if (!moved) return { resolved: false, othersClosed: 0 };
    // The others on the same target share the decision. Not in one transaction with the first: if
    // this fails, they simply stay open in the queue, which is safe.
    const others = await this.db.updateTable('reports').set(values).where('target_key', '=', moved.target_key).where('status', '=', 'open').executeTakeFirst();
    return { resolved: true, othersClosed: Number(others.numUpdatedRows) };
  }

  async countStrikes(userIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const ids = [...new Set(userIds)];
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const rows = await this.db
        .selectFrom('strikes')
        .select(['user_id', (eb) => eb.fn.countAll().as('n')])
        .where('user_id', 'in', ids.slice(i, i + IN_CHUNK))
        .groupBy('user_id')
        .execute();
      for (const r of rows) counts.set(r.user_id, num(r.n));
    }
    return counts;
  }

  async strikesSince(userId: string, sinceMs: number): Promise<StrikeRecord[]> {
    const rows = await this.db.selectFrom('strikes').selectAll().where('user_id', '=', userId).where('created_at_ms', '>=', sinceMs).orderBy('created_at_ms').orderBy('id').execute();
    return rows.map(strikeFromRow);
  }

  async addSuspension(s: SuspensionRecord): Promise<{ readonly suspension: SuspensionRecord; readonly created: boolean }> {
    // The unique key decides a race: the first decision stands and a repeat answers it.
    const written = await this.db
      .insertInto('suspensions')
      .values({
        id: s.id,
        key: s.key,
        user_id: s.userId,
        source: s.source,
        guideline: s.guideline,
        reason: s.reason,
        started_at_ms: s.startedAtMs,
        until_ms: s.untilMs,
        actor_id: s.actorId,
        report_id: s.reportId,
        ended_at_ms: s.endedAtMs,
        overturned: s.overturned ? 1 : 0,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('id')
      .execute();
    if (written.length === 1) return { suspension: s, created: true };
    const stored = await this.db.selectFrom('suspensions').selectAll().where('key', '=', s.key).executeTakeFirstOrThrow();
    return { suspension: suspensionFromRow(stored), created: false };
  }

  async suspensionsSince(userId: string, sinceMs: number): Promise<SuspensionRecord[]> {
    const rows = await this.db
      .selectFrom('suspensions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('started_at_ms', '>=', sinceMs)
      .orderBy('started_at_ms', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(suspensionFromRow);
  }

  async findSuspension(id: string): Promise<SuspensionRecord | null> {
    const r = await this.db.selectFrom('suspensions').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? suspensionFromRow(r) : null;
  }

  async currentSuspension(userId: string, nowMs: number): Promise<SuspensionRecord | null> {
    const r = await this.db
      .selectFrom('suspensions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('started_at_ms', '<=', nowMs)
      .where('until_ms', '>', nowMs)
      .where('ended_at_ms', 'is', null)
      .orderBy('started_at_ms', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return r ? suspensionFromRow(r) : null;
  }

  async endSuspensions(userId: string, atMs: number, options: { readonly overturned: boolean; readonly exceptId?: string }): Promise<void> {
    let q = this.db
      .updateTable('suspensions')
      .set({ ended_at_ms: atMs, overturned: options.overturned ? 1 : 0 })
      .where('user_id', '=', userId)
      .where('ended_at_ms', 'is', null)
      .where('until_ms', '>', atMs);
    if (options.exceptId !== undefined) q = q.where('id', '<>', options.exceptId);
    await q.execute();
  }

  async overturnSuspension(id: string): Promise<void> {
    await this.db.updateTable('suspensions').set({ overturned: 1 }).where('id', '=', id).execute();
  }

  async createAppeal(a: AppealRecord): Promise<{ readonly appeal: AppealRecord; readonly created: boolean }> {
    const written = await this.db
      .insertInto('appeals')
      .values({ id: a.id, suspension_id: a.suspensionId, user_id: a.userId, text: a.text, status: 'open', created_at_ms: a.createdAtMs })
      .onConflict((oc) => oc.column('suspension_id').doNothing())
      .returning('id')
      .execute();
    if (written.length === 1) return { appeal: a, created: true };
    const stored = await this.db.selectFrom('appeals').selectAll().where('suspension_id', '=', a.suspensionId).executeTakeFirstOrThrow();
    return { appeal: appealFromRow(stored), created: false };
  }

  async findAppeal(id: string): Promise<AppealRecord | null> {
    const r = await this.db.selectFrom('appeals').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? appealFromRow(r) : null;
  }

  async appealsOf(suspensionIds: readonly string[]): Promise<Map<string, AppealRecord>> {
    const found = new Map<string, AppealRecord>();
    const ids = [...new Set(suspensionIds)];
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const rows = await this.db.selectFrom('appeals').selectAll().where('suspension_id', 'in', ids.slice(i, i + IN_CHUNK)).execute();
      for (const r of rows) found.set(r.suspension_id, appealFromRow(r));
    }
    return found;
  }

  async listAppeals(options: { readonly status: AppealStatus; readonly limit: number; readonly before?: ModerationPosition }): Promise<AppealRecord[]> {
    const rows = await newestFirst(this.db.selectFrom('appeals').selectAll().where('status', '=', options.status), options.before, options.limit).execute();
    return rows.map(appealFromRow);
  }

  async decideAppeal(id: string, status: 'granted' | 'denied', decision: { readonly byId: string; readonly atMs: number; readonly note: string | null }): Promise<boolean> {
    // Compare-and-set: only an open appeal is decided, so two moderators cannot both decide it.
    const moved = await this.db
      .updateTable('appeals')
      .set({ status, decided_by: decision.byId, decided_at_ms: decision.atMs, decision_note: decision.note })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    return Number(moved.numUpdatedRows) === 1;
  }
}
