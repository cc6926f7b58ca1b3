// Proves the LIVE lifecycle over real HTTP and real databases: going LIVE (18+, not suspended, one at a
// time even when five starts race), the on-air list, one LIVE, a creator's paged history, ending by
// the creator, by a moderator with a reason (and not by anyone else), and automatically when the
// creator is away; viewer presence (anonymous and signed-in, tabs, peak, unique, leave, staleness);
// the summary computed from ledger gifts; 400s that write nothing; and thank-yous after the LIVE
// (Thank all once it ended, each gifter reading theirs, repeats that change nothing, creator only,
// real gifters only, coaching on baiting own words, bad bodies); and the creators a signed-in user
// watched (most recent first, on air with viewers or their last LIVE, never themself).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from '../../domain/accounts.js';
import type { TransferRequest } from '../../domain/ledger.js';
import { DIALECTS } from '../../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../../test/support/livegift.js';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface PublicUserBody {
  id: string;
  handle: string;
  displayName: string;
}
interface SummaryBody {
  durationMs: number;
  peakViewers: number;
  uniqueViewers: number;
  gifters: number;
  giftsCount: number;
  coinsSpent: number;
  diamondsEarned: number;
  topGifters: { user: PublicUserBody; coins: number; gifts: number }[];
}
interface LiveBody {
  id: string;
  title: string;
  status: 'live' | 'ended';
  creator: PublicUserBody;
  giftsEnabled: boolean;
  startedAtMs: number;
  endedAtMs: number | null;
  endedBy: 'creator' | 'moderator' | 'auto' | null;
  endReason: string | null;
  viewers: number;
  peakViewers: number;
  summary: SummaryBody | null;
}
interface PageBody {
  lives: LiveBody[];
  nextCursor: string | null;
}
interface PresenceBody {
  liveId: string;
  viewers: number;
  peakViewers: number;
}
interface ThanksBody {
  liveId: string;
  from: PublicUserBody;
  to: PublicUserBody;
  text: string;
  phrase: string | null;
  createdAtMs: number;
}
interface ThankGiftersBody {
  thanked: ThanksBody[];
  alreadyThanked: ThanksBody[];
  remaining: number;
  coaching: { kind: string; excerpt: string; why: string; suggestions: string[] } | null;
}
interface ThanksPageBody {
  thanks: ThanksBody[];
  total: number;
  nextCursor: string | null;
}
interface MyCreatorsBody {
  creators: {
    creator: PublicUserBody;
    lastWatchedAtMs: number;
    onAir: { liveId: string; title: string; viewers: number } | null;
    lastLive: { liveId: string; title: string; endedAtMs: number } | null;
  }[];
}

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`LIVEs API on ${dialect.name}`, () => {
    let node: TestNode;
    beforeAll(async () => {
      node = await openTestNode(dialect);
    });
    afterAll(async () => {
      await node.drop();
    });

    const start = (cookie: string, title: unknown = 'Evening jam') =>
      node.call<LiveBody & ErrorBody>({ method: 'POST', url: '/v1/lives', headers: { cookie }, payload: { title } });
    const end = (cookie: string | null, id: string, payload?: object) =>
      node.call<LiveBody & ErrorBody>({ method: 'POST', url: `/v1/lives/${id}/end`, headers: cookie !== null ? { cookie } : {}, ...(payload ? { payload } : {}) });
    const presence = (action: 'join' | 'leave' | 'heartbeat', id: string, who: { cookie?: string; viewerKey?: string }) =>
      node.call<PresenceBody & ErrorBody>({
        method: 'POST',
        url: `/v1/lives/${id}/${action}`,
        headers: who.cookie !== undefined ? { cookie: who.cookie } : {},
        ...(who.viewerKey !== undefined ? { payload: { viewerKey: who.viewerKey } } : {}),
      });
    const getLive = (id: string, cookie?: string) =>
      node.call<LiveBody & ErrorBody>({ method: 'GET', url: `/v1/lives/${id}`, headers: cookie !== undefined ? { cookie } : {} });
    const livesOf = async (creatorId: string) => node.storage.db.selectFrom('lives').selectAll().where('creator_id', '=', creatorId).execute();
    const auditOf = async (liveId: string) =>
      node.storage.db.selectFrom('audit_log').select(['action', 'actor_id', 'details']).where('subject', '=', `live:${liveId}`).orderBy('seq').execute();

    it('starts a LIVE, lists it on air, shows it, ends it by its creator (once), and keeps it in the history', async () => {
      const mira = await signUpAs(node, { handle: 'mira' });
      await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: mira.cookie }, payload: { enabled: true } });

      const started = await start(mira.cookie, '  Sunday sketching  ');
      expect(started.status).toBe(201);
      expect(started.body).toMatchObject({
        title: 'Sunday sketching',
        status: 'live',
        creator: { id: mira.userId, handle: 'mira', displayName: 'MIRA' },
        giftsEnabled: true,
        startedAtMs: node.clock.nowMs(),
        endedAtMs: null,
        endedBy: null,
        viewers: 0,
        summary: null,
      });
      const id = started.body.id;

      const onAir = await node.call<PageBody>({ method: 'GET', url: '/v1/lives?limit=100' });
      expect(onAir.status).toBe(200);
      expect(onAir.body.lives.find((l) => l.id === id)).toMatchObject({ title: 'Sunday sketching', creator: { handle: 'mira' }, giftsEnabled: true });
      expect((await getLive(id)).body).toMatchObject({ id, status: 'live' });

      node.clock.advance(42 * MINUTE);
      const ended = await end(mira.cookie, id);
      expect(ended.status).toBe(200);
      expect(ended.body).toMatchObject({ status: 'ended', endedBy: 'creator', endedAtMs: node.clock.nowMs(), viewers: 0 });
      expect(ended.body.summary).toMatchObject({ durationMs: 42 * MINUTE, gifters: 0, coinsSpent: 0 });

      // Ending again changes nothing, whenever it happens.
      node.clock.advance(MINUTE);
      const again = await end(mira.cookie, id);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(ended.body);

      const after = await node.call<PageBody>({ method: 'GET', url: '/v1/lives?limit=100' });
      expect(after.body.lives.some((l) => l.id === id)).toBe(false);
      const history = await node.call<PageBody>({ method: 'GET', url: '/v1/creators/@Mira/lives' });
      expect(history.status).toBe(200);
      expect(history.body.lives.map((l) => l.id)).toEqual([id]);
      expect(history.body.lives[0]?.summary?.durationMs).toBe(42 * MINUTE);

      expect((await auditOf(id)).map((a) => [a.action, a.actor_id])).toEqual([
        ['live.started', mira.userId],
        ['live.ended', mira.userId],
      ]);
    });

    it('refuses to start a LIVE for an under-18, a suspended creator (naming the reason and end date) and a banned one', async () => {
      const teen = await signUpAs(node, { handle: 'teen_kit', birthDate: '2010-06-01' });
      const young = await start(teen.cookie);
      expect(young.status).toBe(403);
      expect(young.body.error.code).toBe('age_restricted');
      expect(young.body.error.message).toContain('18 or older to go LIVE');

      const sam = await signUpAs(node, { handle: 'sam' });
      const untilMs = node.clock.nowMs() + 7 * 24 * 60 * MINUTE;
      await node.storage.db.updateTable('users').set({ live_suspended_until_ms: untilMs, live_suspension_reason: 'gift-baiting' }).where('id', '=', sam.userId).execute();
      const suspended = await start(sam.cookie);
      expect(suspended.status).toBe(403);
      expect(suspended.body.error.code).toBe('live_suspended');
      expect(suspended.body.error.details).toEqual({ untilMs, reason: 'gift-baiting' });
      expect(suspended.body.error.message).toContain(new Date(untilMs).toISOString());
      expect(suspended.body.error.message).toContain('gift-baiting');

      const bo = await signUpAs(node, { handle: 'bobo' });
      await node.storage.db.updateTable('users').set({ banned_at_ms: node.clock.nowMs(), ban_reason: 'fraud' }).where('id', '=', bo.userId).execute();
      const banned = await start(bo.cookie);
      expect(banned.status).toBe(403);
      expect(banned.body.error.code).toBe('account_suspended');

      const anonymous = await node.call<ErrorBody>({ method: 'POST', url: '/v1/lives', payload: { title: 'x' } });
      expect(anonymous.status).toBe(401);
      for (const who of [teen, sam, bo]) expect(await livesOf(who.userId)).toHaveLength(0);
    });

    it('keeps one LIVE on air per creator, even when five starts race, and the database index refuses a second', async () => {
      const leo = await signUpAs(node, { handle: 'leo' });
      const first = await start(leo.cookie);
      const second = await start(leo.cookie, 'Another one');
      expect(second.status).toBe(409);
      expect(second.body.error).toMatchObject({ code: 'already_live', details: { liveId: first.body.id } });

      const zoe = await signUpAs(node, { handle: 'zoe' });
      const raced = await Promise.all(Array.from({ length: 5 }, (_, i) => start(zoe.cookie, `Race ${i}`)));
      expect(raced.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      for (const r of raced.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('already_live');
      expect((await livesOf(zoe.userId)).filter((l) => l.status === 'live')).toHaveLength(1);

      // Whatever code writes the row, the database keeps a second LIVE of the creator off the air.
      const nowMs = node.clock.nowMs();
      await expect(
        node.storage.db
          .insertInto('lives')
          .values({ id: randomUUID(), creator_id: leo.userId, title: 'x', status: 'live', started_at_ms: nowMs, creator_seen_at_ms: nowMs, peak_viewers: 0 })
          .execute(),
      ).rejects.toThrow();

      // Once ended, the creator may go LIVE again.
      expect((await end(leo.cookie, first.body.id)).status).toBe(200);
      expect((await start(leo.cookie, 'Back again')).status).toBe(201);
    });

    it("lets a moderator end someone's LIVE with a reason, shown only to them and the creator; others get 403", async () => {
      const nia = await signUpAs(node, { handle: 'nia' });
      const mod = await signUpAs(node, { handle: 'modest' });
      await node.storage.db.updateTable('users').set({ role: 'moderator' }).where('id', '=', mod.userId).execute();
      const viewer = await signUpAs(node, { handle: 'pat' });
      const { id } = (await start(nia.cookie)).body;

      const stranger = await end(viewer.cookie, id, { reason: 'I do not like it' });
      expect(stranger.status).toBe(403);
      expect(stranger.body.error.code).toBe('forbidden');
      expect((await end(null, id)).status).toBe(401);
      const noReason = await end(mod.cookie, id);
      expect(noReason.status).toBe(400);
      expect(noReason.body.error).toMatchObject({ code: 'validation_failed', details: { field: 'reason' } });
      expect((await getLive(id)).body.status).toBe('live');

      const ended = await end(mod.cookie, id, { reason: 'Community Guidelines: dangerous acts' });
      expect(ended.status).toBe(200);
      expect(ended.body).toMatchObject({ status: 'ended', endedBy: 'moderator', endReason: 'Community Guidelines: dangerous acts' });
      expect((await getLive(id, nia.cookie)).body.endReason).toBe('Community Guidelines: dangerous acts');
      // A moderator's reason is public: the LIVE's viewers are told why it ended.
      expect((await getLive(id, viewer.cookie)).body.endReason).toBe('Community Guidelines: dangerous acts');
      expect((await getLive(id)).body).toMatchObject({ endedBy: 'moderator', endReason: 'Community Guidelines: dangerous acts' });

      const audit = await auditOf(id);
      expect(audit.map((a) => [a.action, a.actor_id])).toEqual([
        ['live.started', nia.userId],
        ['live.ended', mod.userId],
      ]);
      expect(JSON.parse(audit[1]?.details ?? '{}')).toMatchObject({ endedBy: 'moderator', reason: 'Community Guidelines: dangerous acts', creatorId: nia.userId });
    });

    it('ends a LIVE automatically once its creator has been away past LIVE_CREATOR_AWAY_MINUTES, and completes missing summaries', async () => {
      expect(node.config.lives.creatorAwayMs).toBe(5 * MINUTE);
      const ivy = await signUpAs(node, { handle: 'ivy' });
      const { id } = (await start(ivy.cookie)).body;
      const job = () => node.services.endAbandonedLives({ creatorAwayMs: node.config.lives.creatorAwayMs });

      node.clock.advance(4 * MINUTE);
      expect((await presence('heartbeat', id, { cookie: ivy.cookie })).status).toBe(200);
      node.clock.advance(4 * MINUTE); // 8 min since start, 4 since the heartbeat
      expect((await job()).ended).not.toContain(id);
      expect((await getLive(id)).body.status).toBe('live');

      node.clock.advance(2 * MINUTE); // 6 min since the heartbeat
      const run = await job();
      expect(run.ended).toContain(id);
      expect(run.failed).toEqual([]);
      const ended = (await getLive(id, ivy.cookie)).body;
      expect(ended).toMatchObject({ status: 'ended', endedBy: 'auto', endedAtMs: node.clock.nowMs() });
      expect(ended.endReason).toMatch(/away/);
      expect(ended.summary?.durationMs).toBe(10 * MINUTE);
      expect((await auditOf(id)).map((a) => [a.action, a.actor_id])).toEqual([
        ['live.started', ivy.userId],
        ['live.ended', null],
      ]);
      expect((await job()).ended).not.toContain(id);

      // A process that stopped between ending and summarizing: the next run writes the summary.
      await node.storage.db.updateTable('lives').set({ summary: null }).where('id', '=', id).execute();
      expect((await node.call({ method: 'GET', url: `/v1/lives/${id}/summary` })).status).toBe(404);
      expect((await job()).summarized).toContain(id);
      expect((await node.call<SummaryBody>({ method: 'GET', url: `/v1/lives/${id}/summary` })).body.durationMs).toBe(10 * MINUTE);
    });

    it('counts viewers: anonymous and signed-in, tabs, the creator not at all, peak, leave, staleness and unique', async () => {
      const host = await signUpAs(node, { handle: 'host' });
      const ben = await signUpAs(node, { handle: 'ben' });
      const { id } = (await start(host.cookie)).body;
      const anon = randomUUID();
      const anon2 = randomUUID();

      expect((await presence('join', id, { viewerKey: anon })).body).toEqual({ liveId: id, viewers: 1, peakViewers: 1 });
      expect((await presence('join', id, { cookie: ben.cookie })).body).toMatchObject({ viewers: 2, peakViewers: 2 });
      expect((await presence('join', id, { cookie: ben.cookie })).body).toMatchObject({ viewers: 2 }); // a second tab
      expect((await presence('join', id, { cookie: host.cookie })).body).toMatchObject({ viewers: 2 }); // the creator
      expect((await getLive(id)).body).toMatchObject({ viewers: 2, peakViewers: 2 });
      const onAir = await node.call<PageBody>({ method: 'GET', url: '/v1/lives?limit=100' });
      expect(onAir.body.lives.find((l) => l.id === id)?.viewers).toBe(2);

      const nobody = await presence('join', id, {});
      expect(nobody.status).toBe(400);
      expect(nobody.body.error.details).toEqual({ field: 'viewerKey' });

      expect((await presence('leave', id, { cookie: ben.cookie })).body).toMatchObject({ viewers: 2 }); // one tab left
      expect((await presence('leave', id, { cookie: ben.cookie })).body).toMatchObject({ viewers: 1, peakViewers: 2 });
      expect((await presence('leave', id, { cookie: ben.cookie })).body).toMatchObject({ viewers: 1 }); // harmless

      // Two minutes without a sign: the anonymous viewer no longer counts, until their next heartbeat.
      node.clock.advance(3 * MINUTE);
      expect((await getLive(id)).body.viewers).toBe(0);
      expect((await presence('heartbeat', id, { viewerKey: anon })).body).toMatchObject({ viewers: 1 });
      // A heartbeat from someone who never joined joins them.
      expect((await presence('heartbeat', id, { viewerKey: anon2 })).body).toMatchObject({ viewers: 2, peakViewers: 2 });
      expect((await presence('join', id, { cookie: ben.cookie })).body).toMatchObject({ viewers: 3, peakViewers: 3 });

      const ended = await end(host.cookie, id);
      expect(ended.body.summary).toMatchObject({ peakViewers: 3, uniqueViewers: 3 });
      const late = await presence('join', id, { viewerKey: randomUUID() });
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('live_not_on_air');
      expect((await presence('heartbeat', id, { viewerKey: anon })).status).toBe(409);
      expect((await presence('leave', id, { viewerKey: anon })).status).toBe(200);
    });

    it('summarizes the gifts booked in the ledger: two gifters, gifts by count, coins, diamonds, top gifters', async () => {
      const star = await signUpAs(node, { handle: 'star' });
      const ana = await signUpAs(node, { handle: 'ana' });
      const bob = await signUpAs(node, { handle: 'bob' });
      const { id } = (await start(star.cookie)).body;
      const other = (await start((await signUpAs(node, { handle: 'other' })).cookie)).body.id;
      const notYet = await node.call<ErrorBody>({ method: 'GET', url: `/v1/lives/${id}/summary` });
      expect(notYet.status).toBe(404);

      const ledger = node.storage.ledger;
      await ledger.openAccounts([ana, bob, star].flatMap((u) => Object.values(userAccounts(u.userId))));
      for (const u of [ana, bob]) {
        const funded = await ledger.submit([
          { id: `fund:${u.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(u.userId).coins.id, amount: 50_000n },
        ]);
        expect(funded.status).toBe('applied');
      }
      // Exactly as sendGift books a gift: a COIN leg and a DIAMOND leg, same ref and metadata.
      const sendGift = async (liveId: string, sender: string, giftId: string, coinsEach: number, count: number) => {
        const giftTransferId = randomUUID();
        const metadata = { liveId, giftId, count, senderId: sender, creatorId: star.userId, comboId: giftTransferId, comboCount: count };
        const coins = BigInt(coinsEach * count);
        const group: TransferRequest[] = [
          { id: giftTransferId, code: 'GIFT', kind: 'single', debitAccountId: userAccounts(sender).coins.id, creditAccountId: SystemAccounts.coinGiftSink.id, amount: coins, ref: `live:${liveId}`, metadata },
          { id: `${giftTransferId}:diamonds`, code: 'GIFT', kind: 'single', debitAccountId: SystemAccounts.diamondIssuance.id, creditAccountId: userAccounts(star.userId).diamondsOnHold.id, amount: coins * 2n, ref: `live:${liveId}`, metadata },
        ];
        const outcome = await ledger.submit(group);
        expect(outcome.status === 'rejected' ? outcome.rejection : outcome.status).toBe('applied');
      };
      await sendGift(id, ana.userId, 'rose', 1, 5);
      await sendGift(id, bob.userId, 'corgi', 299, 1);
      await sendGift(id, ana.userId, 'galaxy', 1000, 1);
      await sendGift(id, bob.userId, 'doughnut', 30, 2);
      await sendGift(other, ana.userId, 'lion', 29_999, 1); // another LIVE: not in this summary

      node.clock.advance(30 * MINUTE);
      const ended = await end(star.cookie, id);
      const expected: SummaryBody = {
        durationMs: 30 * MINUTE,
        peakViewers: 0,
        uniqueViewers: 0,
        gifters: 2,
        giftsCount: 9,
        coinsSpent: 1364,
        diamondsEarned: 2728,
        topGifters: [
          { user: { id: ana.userId, handle: 'ana', displayName: 'ANA' }, coins: 1005, gifts: 6 },
          { user: { id: bob.userId, handle: 'bob', displayName: 'BOB' }, coins: 359, gifts: 3 },
        ],
      };
      expect(ended.body.summary).toEqual(expected);
      expect((await node.call<SummaryBody>({ method: 'GET', url: `/v1/lives/${id}/summary` })).body).toEqual(expected);
      expect((await getLive(id)).body.summary).toEqual(expected);
      const stored = await node.storage.db.selectFrom('lives').select('summary').where('id', '=', id).executeTakeFirstOrThrow();
      expect(JSON.parse(stored.summary ?? 'null')).toMatchObject({ coinsSpent: '1364', gifters: 2 });
    });

    it('pages the on-air list and a creator history newest first with an opaque cursor', async () => {
      const pax = await signUpAs(node, { handle: 'pax' });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        node.clock.advance(MINUTE);
        const { id } = (await start(pax.cookie, `Episode ${i}`)).body;
        ids.push(id);
        node.clock.advance(MINUTE);
        await end(pax.cookie, id);
      }
      const first = await node.call<PageBody>({ method: 'GET', url: '/v1/creators/pax/lives?limit=2' });
      expect(first.body.lives.map((l) => l.title)).toEqual(['Episode 2', 'Episode 1']);
      expect(first.body.nextCursor).not.toBeNull();
      const second = await node.call<PageBody>({ method: 'GET', url: `/v1/creators/pax/lives?limit=2&cursor=${first.body.nextCursor ?? ''}` });
      expect(second.body.lives.map((l) => l.id)).toEqual([ids[0]]);
      expect(second.body.nextCursor).toBeNull();

      const onAir = await node.call<PageBody>({ method: 'GET', url: '/v1/lives?limit=1' });
      expect(onAir.body.lives).toHaveLength(1);
      if (onAir.body.nextCursor !== null) {
        const next = await node.call<PageBody>({ method: 'GET', url: `/v1/lives?limit=100&cursor=${onAir.body.nextCursor}` });
        expect(next.body.lives.map((l) => l.id)).not.toContain(onAir.body.lives[0]?.id);
        expect(next.body.lives.every((l) => l.startedAtMs <= (onAir.body.lives[0]?.startedAtMs ?? 0))).toBe(true);
      }

      expect((await node.call<ErrorBody>({ method: 'GET', url: '/v1/creators/pax/lives?cursor=bogus' })).status).toBe(400);
      expect((await node.call<ErrorBody>({ method: 'GET', url: '/v1/lives?limit=0' })).status).toBe(400);
      expect((await node.call<ErrorBody>({ method: 'GET', url: '/v1/creators/nobody_here/lives' })).status).toBe(404);
      expect((await node.call<ErrorBody>({ method: 'GET', url: `/v1/lives/${randomUUID()}` })).status).toBe(404);
      expect((await node.call<ErrorBody>({ method: 'GET', url: `/v1/lives/${randomUUID()}/summary` })).status).toBe(404);
      expect((await presence('join', randomUUID(), { viewerKey: randomUUID() })).status).toBe(404);
    });

    it.each([
      ['malformed JSON', '{"title": ', 'application/json'],
      ['no title', '{}', 'application/json'],
      ['an empty title', JSON.stringify({ title: '   ' }), 'application/json'],
      ['a 101-character title', JSON.stringify({ title: 'x'.repeat(101) }), 'application/json'],
      ['a title that is a number', JSON.stringify({ title: 42 }), 'application/json'],
    ])('answers a start with %s with a clear 400 and starts nothing', async (_name, payload, contentType) => {
      const who = await signUpAs(node, { handle: `bad_${randomUUID().slice(0, 8)}` });
      const res = await node.call<ErrorBody>({ method: 'POST', url: '/v1/lives', payload, headers: { cookie: who.cookie, 'content-type': contentType } });
      expect(res.status).toBe(400);
      expect(res.body.error.message.length).toBeGreaterThan(5);
      expect(await livesOf(who.userId)).toHaveLength(0);
    });

    describe('thank-yous after the LIVE', () => {
      const thank = (cookie: string | null, id: string, payload: unknown) =>
        node.call<ThankGiftersBody & ErrorBody>({ method: 'POST', url: `/v1/lives/${id}/thanks`, headers: cookie !== null ? { cookie } : {}, payload: payload as object });
      const mine = (cookie: string, id: string) => node.call<{ thanks: ThanksBody | null } & ErrorBody>({ method: 'GET', url: `/v1/lives/${id}/thanks/me`, headers: { cookie } });
      const listed = (cookie: string, id: string, query = '') =>
        node.call<ThanksPageBody & ErrorBody>({ method: 'GET', url: `/v1/lives/${id}/thanks${query}`, headers: { cookie } });
      const rowsOf = (id: string) => node.storage.db.selectFrom('live_thanks').selectAll().where('live_id', '=', id).orderBy('gifter_id').execute();

      /** A creator on air with LIVE Gifts on, and viewers who each sent `coins` worth of gifts over HTTP. */
      async function giftedLive(prefix: string, gifts: readonly { handle: string; giftId: string; count: number }[]) {
        const creator = await signUpAs(node, { handle: `${prefix}_host`, displayName: 'Mira' });
        await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
        const { id } = (await start(creator.cookie, 'Thank-you night')).body;
        const viewers = new Map<string, { cookie: string; userId: string }>();
        for (const g of gifts) {
          let v = viewers.get(g.handle);
          if (!v) {
            v = await signUpAs(node, { handle: `${prefix}_${g.handle}` });
            const funded = await node.storage.ledger.submit([
              { id: `fund:${v.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(v.userId).coins.id, amount: 100_000n },
            ]);
            expect(funded.status).toBe('applied');
            viewers.set(g.handle, v);
          }
          const sent = await node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: v.cookie }, payload: { id: randomUUID(), liveId: id, giftId: g.giftId, count: g.count } });
          expect(sent.status).toBe(201);
        }
        const viewer = (handle: string) => {
          const v = viewers.get(handle);
          if (!v) throw new Error(`no viewer ${handle}`);
          return v;
        };
        return { creator, id, viewer };
      }

      it('thanks every gifter once the LIVE has ended; each reads theirs; a repeat changes nothing; the creator lists them', async () => {
        const { creator, id, viewer } = await giftedLive('ty', [
          { handle: 'ana', giftId: 'rose', count: 3 },
          { handle: 'bob', giftId: 'galaxy', count: 1 },
          { handle: 'ana', giftId: 'doughnut', count: 1 },
        ]);
        const ana = viewer('ana');
        const bob = viewer('bob');
        const stranger = await signUpAs(node, { handle: 'ty_cat' });

        // On air, thank-yous go over the room socket: 409 with a stable code, nothing stored.
        const onAir = await thank(creator.cookie, id, { phrase: 'Great job' });
        expect(onAir.status).toBe(409);
        expect(onAir.body.error.code).toBe('live_on_air');
        expect(await rowsOf(id)).toHaveLength(0);
        expect((await mine(ana.cookie, id)).body).toEqual({ thanks: null });

        await end(creator.cookie, id);
        node.clock.advance(MINUTE);
        const all = await thank(creator.cookie, id, { phrase: 'Thank you so much' });
        expect(all.status).toBe(200);
        const mira = { id: creator.userId, handle: 'ty_host', displayName: 'Mira' };
        const thankedAtMs = node.clock.nowMs();
        // Biggest gifter first: Bob's Galaxy (1,000) before Ana's Roses and Doughnut (33).
        expect(all.body).toEqual({
          thanked: [
            { liveId: id, from: mira, to: { id: bob.userId, handle: 'ty_bob', displayName: 'TY_BOB' }, text: 'Thank you so much', phrase: 'Thank you so much', createdAtMs: thankedAtMs },
            { liveId: id, from: mira, to: { id: ana.userId, handle: 'ty_ana', displayName: 'TY_ANA' }, text: 'Thank you so much', phrase: 'Thank you so much', createdAtMs: thankedAtMs },
          ],
          alreadyThanked: [],
          remaining: 0,
          coaching: null,
        });

        // Each gifter reads theirs; someone who sent nothing reads null, not a 404.
        expect((await mine(ana.cookie, id)).body.thanks).toMatchObject({ from: mira, to: { id: ana.userId }, text: 'Thank you so much' });
        expect((await mine(bob.cookie, id)).body.thanks?.to.id).toBe(bob.userId);
        const none = await mine(stranger.cookie, id);
        expect(none.status).toBe(200);
        expect(none.body).toEqual({ thanks: null });

        // A repeat (other words, later, one gifter or all) is a no-op that answers the first thank-you.
        node.clock.advance(MINUTE);
        const again = await thank(creator.cookie, id, { text: 'Thanks again!' });
        expect(again.status).toBe(200);
        expect(again.body.thanked).toEqual([]);
        expect(again.body.alreadyThanked).toEqual(all.body.thanked);
        const one = await thank(creator.cookie, id, { phrase: 'Great job', gifterIds: [ana.userId, ana.userId] });
        expect(one.body).toMatchObject({ thanked: [], alreadyThanked: [{ to: { id: ana.userId }, text: 'Thank you so much', createdAtMs: thankedAtMs }] });
        expect(await rowsOf(id)).toHaveLength(2);
        const raced = await Promise.all([0, 1, 2].map(() => thank(creator.cookie, id, { phrase: 'Great job' })));
        for (const r of raced) expect(r.body.thanked).toEqual([]);
        expect((await mine(ana.cookie, id)).body.thanks?.text).toBe('Thank you so much');

        // The creator's list (what the summary marks Thanked ✓ from), paged; nobody else's.
        const page = await listed(creator.cookie, id);
        expect(page.status).toBe(200);
        expect(page.body.total).toBe(2);
        expect(page.body.thanks.map((t) => t.to.id).sort()).toEqual([ana.userId, bob.userId].sort());
        expect(page.body.nextCursor).toBeNull();
        const first = await listed(creator.cookie, id, '?limit=1');
        expect(first.body.thanks).toHaveLength(1);
        const second = await listed(creator.cookie, id, `?limit=1&cursor=${first.body.nextCursor ?? ''}`);
        expect(second.body.thanks.map((t) => t.to.id)).not.toContain(first.body.thanks[0]?.to.id);
        expect(second.body.thanks).toHaveLength(1);
        expect((await listed(ana.cookie, id)).status).toBe(403);
        expect((await listed(creator.cookie, id, '?cursor=bogus')).status).toBe(400);
        expect((await node.call<ErrorBody>({ method: 'GET', url: `/v1/lives/${id}/thanks/me` })).status).toBe(401);
        expect((await mine(ana.cookie, randomUUID())).status).toBe(404);
      });

      it('lets only the creator thank, only real gifters of that LIVE, and coaches own words that bait for gifts', async () => {
        const { creator, id, viewer } = await giftedLive('tz', [
          { handle: 'ana', giftId: 'rose', count: 1 },
          { handle: 'bob', giftId: 'rose', count: 2 },
        ]);
        const ana = viewer('ana');
        const bob = viewer('bob');
        const other = await giftedLive('tx', [{ handle: 'dan', giftId: 'rose', count: 1 }]);
        await end(creator.cookie, id);
        await end(other.creator.cookie, other.id);

        const notCreator = await thank(ana.cookie, id, { phrase: 'Great job' });
        expect(notCreator.status).toBe(403);
        expect(notCreator.body.error.code).toBe('forbidden');
        expect((await thank(null, id, { phrase: 'Great job' })).status).toBe(401);
        expect((await thank(creator.cookie, randomUUID(), { phrase: 'Great job' })).status).toBe(404);

        // A viewer who gave nothing here (Dan gave in another LIVE), or no user at all: 400, naming them.
        const dan = other.viewer('dan');
        const nobody = randomUUID();
        const notGifters = await thank(creator.cookie, id, { phrase: 'Great job', gifterIds: [ana.userId, dan.userId, nobody] });
        expect(notGifters.status).toBe(400);
        expect(notGifters.body.error).toMatchObject({ code: 'validation_failed', details: { field: 'gifterIds', notGifters: [dan.userId, nobody] } });
        const self = await thank(creator.cookie, id, { phrase: 'Great job', gifterIds: [creator.userId] });
        expect(self.status).toBe(400);
        expect(await rowsOf(id)).toHaveLength(0);

        // Own words that promise something for gifts go out all the same, with the coaching in the answer.
        const baiting = await thank(creator.cookie, id, { text: "  Send more gifts and I'll give you a shoutout  ", gifterIds: [bob.userId] });
        expect(baiting.status).toBe(200);
        expect(baiting.body.thanked.map((t) => [t.to.id, t.text, t.phrase])).toEqual([[bob.userId, "Send more gifts and I'll give you a shoutout", null]]);
        expect(baiting.body.coaching).toMatchObject({ kind: 'gifts_for_reward', suggestions: ['Great job', 'Thank you so much', 'This helps me so much, thank you!'] });
        expect(baiting.body.coaching?.excerpt).toContain('gifts');
        expect(baiting.body.coaching?.why).toMatch(/not allowed/);
        expect((await mine(bob.cookie, id)).body.thanks?.text).toBe("Send more gifts and I'll give you a shoutout");

        // Kind own words: no coaching; Bob keeps his first thank-you.
        const kind = await thank(creator.cookie, id, { text: 'You two made my night 💛' });
        expect(kind.body).toMatchObject({ thanked: [{ to: { id: ana.userId }, text: 'You two made my night 💛', phrase: null }], alreadyThanked: [{ to: { id: bob.userId } }], coaching: null });
      });

      it('documents the thank-you routes in the OpenAPI document: phrase or own words, and the answers', async () => {
        const doc = await node.call<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>> }>({ method: 'GET', url: '/openapi.json' });
        expect(doc.status).toBe(200);
        expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/lives/{id}/thanks', '/v1/lives/{id}/thanks/me']));
        const thanksPath = doc.body.paths['/v1/lives/{id}/thanks'] ?? {};
        expect(Object.keys(thanksPath).sort()).toEqual(['get', 'post']);
        const body = JSON.stringify(thanksPath.post?.requestBody?.content['application/json']?.schema);
        for (const word of ['phrase', 'text', 'gifterIds', 'This helps me so much, thank you!']) expect(body).toContain(word);
      });

      it.each([
        ['no message', {}],
        ['an unknown phrase', { phrase: 'Thanks I guess' }],
        ['empty own words', { text: '   ' }],
        ['201 characters of own words', { text: 'x'.repeat(201) }],
        ['a phrase and own words at once', { phrase: 'Great job', text: 'hi' }],
        ['an empty list of gifters', { phrase: 'Great job', gifterIds: [] }],
        ['a gifter id that is not a string', { phrase: 'Great job', gifterIds: [7] }],
        ['1,001 gifters', { phrase: 'Great job', gifterIds: Array.from({ length: 1001 }, (_, i) => `u${i}`) }],
        ['an unknown field', { phrase: 'Great job', to: 'everyone' }],
        ['text that is a number', { text: 42 }],
      ])('answers a thank-you with %s with 400 validation_failed and stores nothing', async (_name, payload) => {
        const { creator, id } = await giftedLive(`tb${randomUUID().slice(0, 6)}`, [{ handle: 'ana', giftId: 'rose', count: 1 }]);
        await end(creator.cookie, id);
        const res = await thank(creator.cookie, id, payload);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
        expect(await rowsOf(id)).toHaveLength(0);
      });
    });

    describe('the creators you watched', () => {
      const myCreators = (cookie: string | null, query = '') =>
        node.call<MyCreatorsBody & ErrorBody>({ method: 'GET', url: `/v1/me/creators${query}`, headers: cookie !== null ? { cookie } : {} });

      it('lists the creators a viewer watched, most recent first, on air with viewers or with their last LIVE', async () => {
        const viewer = await signUpAs(node, { handle: 'wren' });
        const cora = await signUpAs(node, { handle: 'cora' });
        const dev = await signUpAs(node, { handle: 'dev' });
        expect((await myCreators(viewer.cookie)).body).toEqual({ creators: [] });

        const coraLive = (await start(cora.cookie, 'Cora paints')).body.id;
        expect((await presence('join', coraLive, { cookie: viewer.cookie })).status).toBe(200);
        const coraWatchedAtMs = node.clock.nowMs();
        node.clock.advance(MINUTE / 2);
        const devLive = (await start(dev.cookie, 'Dev codes')).body.id;
        expect((await presence('join', devLive, { cookie: viewer.cookie })).status).toBe(200);
        expect((await presence('join', devLive, { viewerKey: randomUUID() })).status).toBe(200);
        const devWatchedAtMs = node.clock.nowMs();

        const both = await myCreators(viewer.cookie);
        expect(both.status).toBe(200);
        expect(both.body.creators).toEqual([
          { creator: { id: dev.userId, handle: 'dev', displayName: 'DEV' }, lastWatchedAtMs: devWatchedAtMs, onAir: { liveId: devLive, title: 'Dev codes', viewers: 2 }, lastLive: null },
          { creator: { id: cora.userId, handle: 'cora', displayName: 'CORA' }, lastWatchedAtMs: coraWatchedAtMs, onAir: { liveId: coraLive, title: 'Cora paints', viewers: 1 }, lastLive: null },
        ]);

        node.clock.advance(MINUTE / 2);
        const ended = await end(dev.cookie, devLive);
        expect(ended.status).toBe(200);
        const after = await myCreators(viewer.cookie);
        expect(after.body.creators.map((c) => c.creator.handle)).toEqual(['dev', 'cora']);
        expect(after.body.creators[0]).toMatchObject({ onAir: null, lastLive: { liveId: devLive, title: 'Dev codes', endedAtMs: node.clock.nowMs() } });
        expect(after.body.creators[1]).toMatchObject({ onAir: { liveId: coraLive, viewers: 1 }, lastLive: null });

        // Going LIVE again puts the creator back on air, still one entry however many LIVEs were watched.
        const devAgain = (await start(dev.cookie, 'Dev codes again')).body.id;
        expect((await presence('join', devAgain, { cookie: viewer.cookie })).status).toBe(200);
        const again = await myCreators(viewer.cookie, '?limit=1');
        expect(again.body.creators).toEqual([
          { creator: { id: dev.userId, handle: 'dev', displayName: 'DEV' }, lastWatchedAtMs: node.clock.nowMs(), onAir: { liveId: devAgain, title: 'Dev codes again', viewers: 1 }, lastLive: null },
        ]);
        expect((await myCreators(viewer.cookie)).body.creators).toHaveLength(2);
      });

      it('never lists the user themself, answers anonymous callers 401, and validates the limit', async () => {
        const self = await signUpAs(node, { handle: 'selma' });
        const other = await signUpAs(node, { handle: 'otto' });
        const own = (await start(self.cookie, 'My own LIVE')).body.id;
        const theirs = (await start(other.cookie, 'Their LIVE')).body.id;
        expect((await presence('join', own, { cookie: self.cookie })).status).toBe(200);
        // Even a presence row under her own key on her own LIVE (join never writes one) is not listed.
        await node.storage.db
          .insertInto('live_viewers')
          .values({ live_id: own, viewer_key: self.userId, joined_at_ms: node.clock.nowMs(), last_seen_at_ms: node.clock.nowMs(), connections: 1 })
          .execute();
        expect((await presence('join', theirs, { cookie: self.cookie })).status).toBe(200);
        const mine = await myCreators(self.cookie);
        expect(mine.body.creators.map((c) => c.creator.handle)).toEqual(['otto']);

        const anonymous = await myCreators(null);
        expect(anonymous.status).toBe(401);
        for (const limit of ['0', '51', 'many', '2.5']) {
          const res = await myCreators(self.cookie, `?limit=${limit}`);
          expect(res.status).toBe(400);
          expect(res.body.error.code).toBe('validation_failed');
        }
        expect((await myCreators(self.cookie, '?limit=50')).status).toBe(200);
      });
    });

    it('answers bad end and presence bodies with 400 and writes nothing', async () => {
      const kai = await signUpAs(node, { handle: 'kai' });
      const { id } = (await start(kai.cookie)).body;
      const longReason = await end(kai.cookie, id, { reason: 'x'.repeat(501) });
      expect(longReason.status).toBe(400);
      expect((await getLive(id)).body.status).toBe('live');
      for (const payload of [{ viewerKey: 'not-a-uuid' }, { viewerKey: 7 }]) {
        const res = await node.call<ErrorBody>({ method: 'POST', url: `/v1/lives/${id}/join`, payload });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
      }
      const rows = await node.storage.db.selectFrom('live_viewers').selectAll().where('live_id', '=', id).execute();
      expect(rows).toHaveLength(0);
    });
  });
}
