// ModerationStore on Kysely (SQLite and PostgreSQL alike): strikes and reports (0010-moderation).
import type { Kysely, Selectable } from 'kysely';
import type { ModerationPosition, ModerationStore, ReportRecord, ReportResolution, StrikeRecord } from '../app/ports.js';
import { GUIDELINE_REASONS, REPORT_ACTIONS, type GuidelineReason, type ReportAction } from '../domain/moderation.js';
import { num } from './kysely-values.js';
import type { Database, ReportsTable, StrikesTable } from './schema.js';

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
    resolution = { action: r.resolution, note: r.resolution_note, byId: r.resolved_by, atMs: num(r.resolved_at_ms), viaReportId: r.resolved_via ?? r.id };
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
    let q = this.db.selectFrom('strikes').selectAll().where('user_id', '=', userId);
    const before = options.before;
    if (before !== undefined) {
      q = q.where((eb) => eb.or([eb('created_at_ms', '<', before.createdAtMs), eb.and([eb('created_at_ms', '=', before.createdAtMs), eb('id', '<', before.id)])]));
    }
    const rows = await q.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
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
    let q = this.db.selectFrom('reports').selectAll().where('status', '=', options.status);
    const before = options.before;
    if (before !== undefined) {
      q = q.where((eb) => eb.or([eb('created_at_ms', '<', before.createdAtMs), eb.and([eb('created_at_ms', '=', before.createdAtMs), eb('id', '<', before.id)])]));
    }
    const rows = await q.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
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
    };
    // Compare-and-set: only an open report moves, so two moderators cannot both resolve it.
    const moved = await this.db.updateTable('reports').set(values).where('id', '=', id).where('status', '=', 'open').returning('target_key').executeTakeFirst();
    if (!moved) return { resolved: false, othersClosed: 0 };
    // The others on the same target share the decision. Not in one transaction with the first: if
    // this fails, they simply stay open in the queue, which is safe.
    const others = await this.db.updateTable('reports').set(values).where('target_key', '=', moved.target_key).where('status', '=', 'open').executeTakeFirst();
    return { resolved: true, othersClosed: Number(others.numUpdatedRows) };
  }
}
