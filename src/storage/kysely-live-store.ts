// LiveStore on Kysely (SQLite and PostgreSQL alike): LIVEs, their viewers, and the summary written
// when one ends. Every write is one statement, so each is atomic on its own without a transaction.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { LiveListing, LivePosition, LiveRecord, LiveStore, LiveThanksPosition, LiveThanksRecord, WatchedCreator } from '../app/ports.js';
import { AlreadyLive } from '../domain/errors.js';
import type { LiveSummary } from '../domain/live-summary.js';
import { VIEWER_CONNECTIONS_MAX, type LiveEndedBy } from '../domain/lives.js';
import type { LiveVideoRecord, StreamVia } from '../domain/video.js';
import { num, numOrNull, uniqueViolation } from './kysely-values.js';
import type { Database, LiveThanksTable, LivesTable } from './schema.js';

/** The summary as stored in lives.summary: JSON, amounts as decimal strings (they are bigints). */
interface StoredSummary {
  v: 1;
  durationMs: number;
  peakViewers: number;
  uniqueViewers: number;
  gifters: number;
  giftsCount: number;
  coinsSpent: string;
  diamondsEarned: string;
  topGifters: { user: { id: string; handle: string; displayName: string }; coins: string; gifts: number }[];
}

function encodeSummary(s: LiveSummary): string {
  const stored: StoredSummary = {
    v: 1,
    durationMs: s.durationMs,
    peakViewers: s.peakViewers,
    uniqueViewers: s.uniqueViewers,
    gifters: s.gifters,
    giftsCount: s.giftsCount,
    coinsSpent: s.coinsSpent.toString(),
    diamondsEarned: s.diamondsEarned.toString(),
    topGifters: s.topGifters.map((g) => ({ user: { ...g.user }, coins: g.coins.toString(), gifts: g.gifts })),
  };
  return JSON.stringify(stored);
}

function decodeSummary(text: string): LiveSummary {
  const s = JSON.parse(text) as StoredSummary;
  const version: unknown = s.v;
  if (version !== 1) throw new Error(`unknown LIVE summary version ${String(version)}`);
  return {
    durationMs: s.durationMs,
    peakViewers: s.peakViewers,
    uniqueViewers: s.uniqueViewers,
    gifters: s.gifters,
    giftsCount: s.giftsCount,
    coinsSpent: BigInt(s.coinsSpent),
    diamondsEarned: BigInt(s.diamondsEarned),
    topGifters: s.topGifters.map((g) => ({ user: g.user, coins: BigInt(g.coins), gifts: g.gifts })),
  };
}

const ENDED_BY: readonly string[] = ['creator', 'moderator', 'auto', 'safety'] satisfies LiveEndedBy[];

function liveFromRow(r: Selectable<LivesTable>): LiveRecord {
  if (r.ended_by !== null && !ENDED_BY.includes(r.ended_by)) throw new Error(`LIVE ${r.id} has an unknown ended_by ${r.ended_by}`);
  return {
    id: r.id,
    creatorId: r.creator_id,
    title: r.title,
    status: r.status,
    startedAtMs: num(r.started_at_ms),
    endedAtMs: numOrNull(r.ended_at_ms),
    endedBy: r.ended_by as LiveEndedBy | null,
    endReason: r.end_reason,
    creatorSeenAtMs: num(r.creator_seen_at_ms),
    peakViewers: num(r.peak_viewers),
    summary: r.summary === null ? null : decodeSummary(r.summary),
    video: videoFromRow(r),
  };
}

const VIDEO_STATES: readonly string[] = ['waiting', 'live', 'reconnecting'] satisfies LiveVideoRecord['state'][];
const VIAS: readonly string[] = ['rtmp', 'browser'] satisfies StreamVia[];

function videoFromRow(r: Selectable<LivesTable>): LiveVideoRecord {
  if (!VIDEO_STATES.includes(r.video_state)) throw new Error(`LIVE ${r.id} has an unknown video_state ${r.video_state}`);
  if (r.video_via !== null && !VIAS.includes(r.video_via)) throw new Error(`LIVE ${r.id} has an unknown video_via ${r.video_via}`);
  return {
    state: r.video_state as LiveVideoRecord['state'],
    sinceMs: numOrNull(r.video_since_ms),
    via: r.video_via as StreamVia | null,
    reconnectEndsAtMs: numOrNull(r.video_reconnect_ends_at_ms),
  };
}

/** Viewer keys per heartbeat statement. */
const TOUCH_CHUNK = 500;

function thanksFromRow(r: Selectable<LiveThanksTable>): LiveThanksRecord {
  return { liveId: r.live_id, gifterId: r.gifter_id, text: r.text, phrase: r.phrase, createdAtMs: num(r.created_at_ms) };
}

export class KyselyLiveStore implements LiveStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(live: Parameters<LiveStore['create']>[0]): Promise<void> {
    try {
      await this.db
        .insertInto('lives')
        .values({
          id: live.id,
          creator_id: live.creatorId,
          title: live.title,
          status: 'live',
          started_at_ms: live.startedAtMs,
          creator_seen_at_ms: live.startedAtMs,
          peak_viewers: 0,
        })
        .execute();
    } catch (error) {
      const which = uniqueViolation(error);
      // lives_one_on_air: PostgreSQL names the index, SQLite the column (lives.creator_id).
      if (which !== null && (which.includes('lives_one_on_air') || which.includes('creator_id'))) throw new AlreadyLive('You are already LIVE.');
      throw error;
    }
  }

  async setVideo(id: string, video: LiveVideoRecord): Promise<boolean> {
    const moved = await this.db
      .updateTable('lives')
      .set({ video_state: video.state, video_since_ms: video.sinceMs, video_via: video.via, video_reconnect_ends_at_ms: video.reconnectEndsAtMs })
      .where('id', '=', id)
      .where('status', '=', 'live')
      .executeTakeFirst();
    return Number(moved.numUpdatedRows) === 1;
  }

  async listVideoGone(nowMs: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('lives')
      .select('id')
      .where('video_state', '=', 'reconnecting')
      .where('video_reconnect_ends_at_ms', '<=', nowMs)
      .where('status', '=', 'live')
      .orderBy('video_reconnect_ends_at_ms')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  findLive(id: string): Promise<LiveRecord | null> {
    return this.findById(id);
  }

  async findById(id: string): Promise<LiveRecord | null> {
    const r = await this.db.selectFrom('lives').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? liveFromRow(r) : null;
  }

  async findOnAirOf(creatorId: string): Promise<LiveRecord | null> {
    const r = await this.db.selectFrom('lives').selectAll().where('creator_id', '=', creatorId).where('status', '=', 'live').executeTakeFirst();
    return r ? liveFromRow(r) : null;
  }

  /** LIVEs with their creator and the viewers present since the time (counted only while on air). */
  private listings(presentSinceMs: number) {
    return this.db
      .selectFrom('lives')
      .innerJoin('users', 'users.id', 'lives.creator_id')
      .selectAll('lives')
      .select(['users.handle as creator_handle', 'users.display_name as creator_display_name', 'users.gifts_enabled as creator_gifts_enabled'])
      .select((eb) =>
        eb
          .selectFrom('live_viewers')
          .select(eb.fn.countAll().as('n'))
          .whereRef('live_viewers.live_id', '=', 'lives.id')
          .where('live_viewers.connections', '>', 0)
          .where('live_viewers.last_seen_at_ms', '>=', presentSinceMs)
          .as('viewers'),
      );
  }

  private static listingFromRow(
    r: Selectable<LivesTable> & { creator_handle: string; creator_display_name: string; creator_gifts_enabled: number; viewers: unknown },
  ): LiveListing {
    const live = liveFromRow(r);
    return {
      ...live,
      creator: { id: live.creatorId, handle: r.creator_handle, displayName: r.creator_display_name, giftsEnabled: r.creator_gifts_enabled === 1 },
      viewers: live.status === 'live' ? num(r.viewers ?? 0) : 0,
    };
  }

  async findListing(id: string, presentSinceMs: number): Promise<LiveListing | null> {
    const r = await this.listings(presentSinceMs).where('lives.id', '=', id).executeTakeFirst();
    return r ? KyselyLiveStore.listingFromRow(r) : null;
  }

  async listOnAir(options: { limit: number; before?: LivePosition; presentSinceMs: number }): Promise<LiveListing[]> {
    let q = this.listings(options.presentSinceMs).where('lives.status', '=', 'live');
    if (options.before) q = q.where((eb) => KyselyLiveStore.beforeCondition(eb, options.before));
    const rows = await q.orderBy('lives.started_at_ms', 'desc').orderBy('lives.id', 'desc').limit(options.limit).execute();
    return rows.map((r) => KyselyLiveStore.listingFromRow(r));
  }

  async listEndedOf(creatorId: string, options: { limit: number; before?: LivePosition }): Promise<LiveListing[]> {
    // Ended LIVEs have no viewers; the count's time bound only needs to be a number.
    let q = this.listings(0).where('lives.creator_id', '=', creatorId).where('lives.status', '=', 'ended');
    if (options.before) q = q.where((eb) => KyselyLiveStore.beforeCondition(eb, options.before));
    const rows = await q.orderBy('lives.started_at_ms', 'desc').orderBy('lives.id', 'desc').limit(options.limit).execute();
    return rows.map((r) => KyselyLiveStore.listingFromRow(r));
  }

  async listWatchedCreators(viewerKey: string, options: { limit: number; presentSinceMs: number; excludeCreatorId: string }): Promise<WatchedCreator[]> {
    // Two queries whatever the limit: the creators (grouped, most recent sign first), then for all of
    // them at once their LIVE on air and their latest ended one.
    const watched = await this.db
      .selectFrom('live_viewers')
      .innerJoin('lives', 'lives.id', 'live_viewers.live_id')
      .innerJoin('users', 'users.id', 'lives.creator_id')
      .select(['lives.creator_id', 'users.handle', 'users.display_name'])
      .select((eb) => eb.fn.max('live_viewers.last_seen_at_ms').as('last_watched_at_ms'))
      .where('live_viewers.viewer_key', '=', viewerKey)
      .where('lives.creator_id', '<>', options.excludeCreatorId)
      .groupBy(['lives.creator_id', 'users.handle', 'users.display_name'])
      .orderBy('last_watched_at_ms', 'desc')
      .orderBy('lives.creator_id')
      .limit(options.limit)
      .execute();
    if (watched.length === 0) return [];
    const lives = await this.listings(options.presentSinceMs)
      .where('lives.creator_id', 'in', watched.map((w) => w.creator_id))
      .where((eb) =>
        eb.or([
          eb('lives.status', '=', 'live'),
          eb(
            'lives.id',
            '=',
            eb
              .selectFrom('lives as latest')
              .select('latest.id')
              .whereRef('latest.creator_id', '=', 'lives.creator_id')
              .where('latest.status', '=', 'ended')
              .orderBy('latest.ended_at_ms', 'desc')
              .orderBy('latest.id', 'desc')
              .limit(1),
          ),
        ]),
      )
      .execute();
    const onAir = new Map<string, LiveListing>();
    const lastEnded = new Map<string, LiveListing>();
    for (const r of lives) {
      const listing = KyselyLiveStore.listingFromRow(r);
      // The unique index lives_one_on_air allows one on-air LIVE per creator, and the subquery picks one ended.
      const into = listing.status === 'live' ? onAir : lastEnded;
      if (into.has(listing.creatorId)) throw new Error(`creator ${listing.creatorId} has two ${listing.status} LIVEs in one listing`);
      into.set(listing.creatorId, listing);
    }
    return watched.map((w) => ({
      creator: { id: w.creator_id, handle: w.handle, displayName: w.display_name },
      lastWatchedAtMs: num(w.last_watched_at_ms),
      onAir: onAir.get(w.creator_id) ?? null,
      lastEnded: lastEnded.get(w.creator_id) ?? null,
    }));
  }

  /** Newest-first keyset paging: strictly after `before` in (started_at_ms desc, id desc) order. */
  private static beforeCondition(
    eb: ExpressionBuilder<Database, 'lives' | 'users'>,
    before: LivePosition | undefined,
  ): Expression<SqlBool> {
    if (!before) return sql<SqlBool>`1 = 1`;
    return eb.or([
      eb('lives.started_at_ms', '<', before.startedAtMs),
      eb.and([eb('lives.started_at_ms', '=', before.startedAtMs), eb('lives.id', '<', before.id)]),
    ]);
  }

  async markEnded(id: string, end: { atMs: number; by: LiveEndedBy; reason: string | null }): Promise<boolean> {
    const r = await this.db
      .updateTable('lives')
      .set({ status: 'ended', ended_at_ms: end.atMs, ended_by: end.by, end_reason: end.reason })
      .where('id', '=', id)
      .where('status', '=', 'live')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async saveSummary(id: string, summary: LiveSummary): Promise<boolean> {
    const r = await this.db
      .updateTable('lives')
      .set({ summary: encodeSummary(summary) })
      .where('id', '=', id)
      .where('status', '=', 'ended')
      .where('summary', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async listAbandoned(creatorSeenBeforeMs: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('lives')
      .select('id')
      .where('status', '=', 'live')
      .where('creator_seen_at_ms', '<', creatorSeenBeforeMs)
      .orderBy('creator_seen_at_ms')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async listEndedWithoutSummary(limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('lives').select('id').where('status', '=', 'ended').where('summary', 'is', null).orderBy('id').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  async touchCreator(id: string, atMs: number): Promise<void> {
    // Never backwards: a late heartbeat must not make the creator look longer away than they are.
    await this.db.updateTable('lives').set({ creator_seen_at_ms: atMs }).where('id', '=', id).where('status', '=', 'live').where('creator_seen_at_ms', '<', atMs).execute();
  }

  async joinViewer(liveId: string, viewerKey: string, atMs: number, presentSinceMs: number): Promise<void> {
    await this.joinViewers(liveId, [viewerKey], atMs, presentSinceMs);
  }

  async joinViewers(liveId: string, viewerKeys: readonly string[], atMs: number, presentSinceMs: number): Promise<void> {
    // Chunks keep every statement's parameter list well under both databases' limits; the keys are
    // distinct (the caller's contract), so no row is affected twice by one statement.
    await this.inOneCommit(viewerKeys.length, async (db) => {
      for (let i = 0; i < viewerKeys.length; i += TOUCH_CHUNK) {
        const chunk = viewerKeys.slice(i, i + TOUCH_CHUNK);
        await db
          .insertInto('live_viewers')
          .values(chunk.map((key) => ({ live_id: liveId, viewer_key: key, joined_at_ms: atMs, last_seen_at_ms: atMs, connections: 1 })))
          .onConflict((oc) =>
            oc.columns(['live_id', 'viewer_key']).doUpdateSet({
              connections: sql<number>`CASE
                WHEN live_viewers.last_seen_at_ms < ${presentSinceMs} THEN 1
                WHEN live_viewers.connections >= ${sql.lit(VIEWER_CONNECTIONS_MAX)} THEN ${sql.lit(VIEWER_CONNECTIONS_MAX)}
                ELSE live_viewers.connections + 1 END`,
              last_seen_at_ms: atMs,
            }),
          )
          .execute();
      }
    });
  }

  async leaveViewers(liveId: string, viewerKeys: readonly string[], atMs: number): Promise<void> {
    await this.inOneCommit(viewerKeys.length, async (db) => {
      for (let i = 0; i < viewerKeys.length; i += TOUCH_CHUNK) {
        await db
          .updateTable('live_viewers')
          .set({ connections: sql<number>`CASE WHEN connections > 0 THEN connections - 1 ELSE 0 END`, last_seen_at_ms: atMs })
          .where('live_id', '=', liveId)
          .where('viewer_key', 'in', viewerKeys.slice(i, i + TOUCH_CHUNK))
          .execute();
      }
    });
  }

  /** Runs `work` in one transaction when it writes more than one chunk, else as it is. */
  private async inOneCommit(keys: number, work: (db: Kysely<Database>) => Promise<void>): Promise<void> {
    if (keys <= TOUCH_CHUNK) await work(this.db);
    else await this.db.transaction().execute(work);
  }

  async leaveViewer(liveId: string, viewerKey: string, atMs: number): Promise<void> {
    await this.leaveViewers(liveId, [viewerKey], atMs);
  }

  async touchViewer(liveId: string, viewerKey: string, atMs: number): Promise<boolean> {
    const r = await this.db.updateTable('live_viewers').set({ last_seen_at_ms: atMs }).where('live_id', '=', liveId).where('viewer_key', '=', viewerKey).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async touchViewers(liveId: string, viewerKeys: readonly string[], atMs: number): Promise<Set<string>> {
    const touched = new Set<string>();
    // Chunks keep every statement's parameter list well under both databases' limits; one
    // transaction makes them one commit (one fsync on SQLite, whose synchronous=FULL it shares).
    await this.inOneCommit(viewerKeys.length, async (db) => {
      for (let i = 0; i < viewerKeys.length; i += TOUCH_CHUNK) {
        const chunk = viewerKeys.slice(i, i + TOUCH_CHUNK);
        const rows = await db
          .updateTable('live_viewers')
          .set({ last_seen_at_ms: atMs })
          .where('live_id', '=', liveId)
          .where('viewer_key', 'in', chunk)
          .returning('viewer_key')
          .execute();
        for (const r of rows) touched.add(r.viewer_key);
      }
    });
    return touched;
  }

  async countPresent(liveId: string, presentSinceMs: number): Promise<number> {
    const r = await this.db
      .selectFrom('live_viewers')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('live_id', '=', liveId)
      .where('connections', '>', 0)
      .where('last_seen_at_ms', '>=', presentSinceMs)
      .executeTakeFirstOrThrow();
    return num(r.n);
  }

  async countUnique(liveId: string): Promise<number> {
    const r = await this.db.selectFrom('live_viewers').select((eb) => eb.fn.countAll().as('n')).where('live_id', '=', liveId).executeTakeFirstOrThrow();
    return num(r.n);
  }

  async raisePeak(liveId: string, viewers: number): Promise<void> {
    await this.db.updateTable('lives').set({ peak_viewers: viewers }).where('id', '=', liveId).where('status', '=', 'live').where('peak_viewers', '<', viewers).execute();
  }

  async addThanks(liveId: string, rows: readonly LiveThanksRecord[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    // ON CONFLICT DO NOTHING: the primary key (live, gifter) keeps the first thank-you, so a repeat
    // or a concurrent Thank all changes nothing; RETURNING names only the rows this statement wrote.
    for (let i = 0; i < rows.length; i += TOUCH_CHUNK) {
      const chunk = rows.slice(i, i + TOUCH_CHUNK);
      for (const r of chunk) if (r.liveId !== liveId) throw new Error(`a thank-you of LIVE ${r.liveId} was added to LIVE ${liveId}`);
      const written = await this.db
        .insertInto('live_thanks')
        .values(chunk.map((r) => ({ live_id: liveId, gifter_id: r.gifterId, text: r.text, phrase: r.phrase, created_at_ms: r.createdAtMs })))
        .onConflict((oc) => oc.columns(['live_id', 'gifter_id']).doNothing())
        .returning('gifter_id')
        .execute();
      for (const w of written) inserted.add(w.gifter_id);
    }
    return inserted;
  }

  async findThanks(liveId: string, gifterIds: readonly string[]): Promise<LiveThanksRecord[]> {
    const found: LiveThanksRecord[] = [];
    const ids = [...new Set(gifterIds)];
    for (let i = 0; i < ids.length; i += TOUCH_CHUNK) {
      const rows = await this.db.selectFrom('live_thanks').selectAll().where('live_id', '=', liveId).where('gifter_id', 'in', ids.slice(i, i + TOUCH_CHUNK)).execute();
      for (const r of rows) found.push(thanksFromRow(r));
    }
    return found;
  }

  async listThanks(liveId: string, options: { limit: number; after?: LiveThanksPosition }): Promise<LiveThanksRecord[]> {
    let q = this.db.selectFrom('live_thanks').selectAll().where('live_id', '=', liveId);
    const after = options.after;
    if (after) {
      q = q.where((eb) =>
        eb.or([eb('created_at_ms', '>', after.createdAtMs), eb.and([eb('created_at_ms', '=', after.createdAtMs), eb('gifter_id', '>', after.gifterId)])]),
      );
    }
    const rows = await q.orderBy('created_at_ms').orderBy('gifter_id').limit(options.limit).execute();
    return rows.map(thanksFromRow);
  }

  async countThanks(liveId: string): Promise<number> {
    const r = await this.db.selectFrom('live_thanks').select((eb) => eb.fn.countAll().as('n')).where('live_id', '=', liveId).executeTakeFirstOrThrow();
    return num(r.n);
  }
}
