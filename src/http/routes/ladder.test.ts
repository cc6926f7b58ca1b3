// Proves the gift-baiting ladder and appeals end to end over HTTP and real room sockets, on every
// database: a first strike warns, a second starts a 10-minute countdown the studio is told of at
// once, a strike while it runs ends the LIVE for its viewers (ended by the safety rules, the
// guideline said) and suspends going LIVE for 24 hours, audited with no moderator; a strike after the
// countdown ran out starts another; strikes racing each other impose one suspension; the creator
// appeals once, moderators see the appeal with the strikes behind it and grant (lifted, not a repeat)
// or deny it (the next suspension is longer); a moderator may resolve a report under another
// guideline than reported; the queue tells a subject's strikes in all.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/databases.js';
import { useModerationKit, type Who } from '../../../test/support/moderation.js';
import type { TestSocket } from '../../../test/support/room-socket.js';
import type { Appeal, AppealQueue, ModAppeal, Report, ReportQueue, ResolvedReport, Standing } from '../../protocol/moderation.js';
import type { RoomEvent } from '../../protocol/room.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const BAIT = ['follow for follow, everyone!', 'Send gifts and I will give you a shoutout', 'share this LIVE and I’ll follow you', 'f0ll0w 4 f0ll0w guys'];

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`the gift-baiting ladder and appeals on ${dialect.name}`, () => {
    const kit = useModerationKit(dialect);
    const { user, call, connect, audit } = kit;

    async function goLive(creator: Who, title = 'Painting a sunset'): Promise<{ id: string; status: string; endedBy: string | null }> {
      const live = await call<{ id: string; status: string; endedBy: string | null }>(creator, 'POST', '/v1/lives', { title });
      expect(live.status).toBe(201);
      return live.body;
    }

    /** A creator on air with their studio socket and a viewer's socket in the room. */
    async function onAir(): Promise<{ creator: Who; liveId: string; studio: TestSocket; viewer: TestSocket }> {
      const creator = await user('baiter');
      expect((await call(creator, 'PUT', '/v1/me/gifts', { enabled: true })).status).toBe(200);
      const liveId = (await goLive(creator)).id;
      const studio = await connect(liveId, creator);
      const viewer = await connect(liveId, await user('fan'));
      return { creator, liveId, studio, viewer };
    }


    /** The creator says a baiting line; answers the ladder's rung their studio is told of. */
    async function bait(studio: TestSocket, text: string): Promise<RoomEvent<'coach.ladder'>['data']> {
      const before = studio.of('coach.ladder').length;
      const id = randomUUID();
      studio.send({ type: 'chat.send', data: { id, text } });
      expect((await studio.event('ack', (e) => e.data.id === id)).data).toMatchObject({ ok: true });
      await studio.until((events) => (events.filter((e) => e.type === 'coach.ladder').length > before ? true : undefined), 'the ladder’s rung');
      const rung = studio.of('coach.ladder')[before];
      if (!rung) throw new Error('no rung');
      return rung.data;
    }

    async function standing(who: Who): Promise<Standing> {
      const answer = await call<Standing>(who, 'GET', '/v1/me/standing');
      expect(answer.status).toBe(200);
      return answer.body;
    }


    it('warns, counts down, and ends the LIVE with a 24-hour suspension for a strike while the countdown runs', async () => {
      const { creator, liveId, studio, viewer } = await onAir();
      expect((await standing(creator)).ladder).toMatchObject({ step: 'clear', strikes: 0 });

      expect(await bait(studio, BAIT[0] ?? '')).toMatchObject({ step: 'warning', strikes: 1, countdownEndsAtMs: null, suspension: null });
      kit.node.clock.advance(2 * MINUTE_MS);
      const countdown = await bait(studio, BAIT[1] ?? '');
      expect(countdown).toMatchObject({ step: 'countdown', strikes: 2, countdownEndsAtMs: kit.node.clock.nowMs() + 10 * MINUTE_MS, strikesToSuspend: 4 });
      // The studio can read the same at any time, and the rules in numbers.
      const during = await standing(creator);
      expect(during.ladder).toEqual({ step: 'countdown', strikes: 2, countdownEndsAtMs: countdown.countdownEndsAtMs, strikesToSuspend: 4 });
      expect(during.rules).toEqual({ windowHours: 24, countdownMinutes: 10, strikesToSuspend: 4, suspensionHours: [24, 72, 168, 720] });
      expect(viewer.of('coach.ladder')).toEqual([]); // private to the creator

      kit.node.clock.advance(9 * MINUTE_MS); // still inside the countdown
      const suspendedAtMs = kit.node.clock.nowMs();
      const rung = await bait(studio, BAIT[2] ?? '');
      expect(rung).toMatchObject({ step: 'suspended', strikes: 3, suspension: { untilMs: suspendedAtMs + 24 * HOUR_MS } });
      expect(rung.suspension?.reason).toMatch(/Gift-baiting/);

      // Viewers see the LIVE end, by the safety rules, and why.
      const ended = await viewer.event('live.ended');
      expect(ended.data).toMatchObject({ endedBy: 'safety', reason: 'Ended for a Community Guidelines violation: Gift-baiting' });
      expect((await call<{ status: string; endedBy: string }>(creator, 'GET', `/v1/lives/${liveId}`)).body).toMatchObject({ status: 'ended', endedBy: 'safety' });

      // New LIVEs are refused with the reason and the end date; the account and the standing say so.
      const refused = await call(creator, 'POST', '/v1/lives', { title: 'Trying again' });
      expect([refused.status, refused.body.error.code, refused.body.error.details?.untilMs]).toEqual([403, 'live_suspended', suspendedAtMs + 24 * HOUR_MS]);
      const after = await standing(creator);
      expect(after.ladder.step).toBe('suspended');
      expect(after.suspension).toMatchObject({ source: 'ladder', guideline: 'gift_baiting', startedAtMs: suspendedAtMs, untilMs: suspendedAtMs + 24 * HOUR_MS, endedAtMs: null, overturned: false, appeal: null });
      expect(after.strikesTotal).toBe(3);

      // In the audit trail with no moderator: the strikes, the suspension, the LIVE ended.
      const trail = await audit(`user:${creator.userId}`);
      expect(trail.filter((e) => e.action === 'strike.recorded')).toHaveLength(3);
      expect(trail.find((e) => e.action === 'user.live_suspended')).toMatchObject({ actorId: null, details: { source: 'ladder', guideline: 'gift_baiting', untilMs: suspendedAtMs + 24 * HOUR_MS } });
      expect((await audit(`live:${liveId}`)).find((e) => e.action === 'live.ended')).toMatchObject({ actorId: null, details: { endedBy: 'safety' } });

      // It lifts itself when the 24 hours are over, and the strikes before it no longer count.
      kit.node.clock.advance(24 * HOUR_MS);
      expect((await standing(creator)).ladder).toMatchObject({ step: 'clear', strikes: 0 });
      const again = await goLive(creator);
      expect(again.status).toBe('live');
    });

    it('starts another countdown for a strike after the first ran out; the fourth strike in 24 hours suspends', async () => {
      const { creator, studio, viewer } = await onAir();
      await bait(studio, BAIT[0] ?? '');
      expect((await bait(studio, BAIT[1] ?? '')).step).toBe('countdown');
      kit.node.clock.advance(10 * MINUTE_MS + 1);
      expect((await standing(creator)).ladder).toMatchObject({ step: 'warning', strikes: 2, countdownEndsAtMs: null });
      expect(await bait(studio, BAIT[2] ?? '')).toMatchObject({ step: 'countdown', strikes: 3 });
      kit.node.clock.advance(11 * MINUTE_MS);
      expect(await bait(studio, BAIT[3] ?? '')).toMatchObject({ step: 'suspended', strikes: 4 });
      expect((await viewer.event('live.ended')).data.endedBy).toBe('safety');
      // Thank-yous and ordinary words are never strikes.
      expect((await standing(creator)).strikesTotal).toBe(4);
    });

    it('a baiting title while a countdown runs ends the new LIVE as it starts', async () => {
      const { creator, liveId, studio } = await onAir();
      await bait(studio, BAIT[0] ?? '');
      await bait(studio, BAIT[1] ?? '');
      expect((await call(creator, 'POST', `/v1/lives/${liveId}/end`, {})).status).toBe(200);
      kit.node.clock.advance(MINUTE_MS);
      const live = await goLive(creator, 'Gifts = shoutouts tonight, send gifts and I will shout you out');
      expect(live).toMatchObject({ status: 'ended', endedBy: 'safety' });
      expect((await standing(creator)).suspension).toMatchObject({ source: 'ladder' });
    });

    it('strikes racing each other impose one suspension', async () => {
      const { creator, studio } = await onAir();
      const ids = BAIT.map(() => randomUUID());
      for (const [i, text] of BAIT.entries()) studio.send({ type: 'chat.send', data: { id: ids[i], text } });
      for (const id of ids) await studio.event('ack', (e) => e.data.id === id);
      await studio.until((events) => (events.filter((e) => e.type === 'coach.ladder').length === BAIT.length ? true : undefined), 'every rung');
      const trail = await audit(`user:${creator.userId}`);
      expect(trail.filter((e) => e.action === 'strike.recorded')).toHaveLength(4);
      expect(trail.filter((e) => e.action === 'user.live_suspended')).toHaveLength(1);
      const rows = await kit.node.storage.db.selectFrom('suspensions').select('id').where('user_id', '=', creator.userId).execute();
      expect(rows).toHaveLength(1);
    });

    it('takes one appeal per suspension; moderators see it with the strikes behind it and grant it: lifted, and no repeat', async () => {
      const { creator, studio } = await onAir();
      const noSuspension = await call(creator, 'POST', '/v1/me/appeals', { text: 'Why?' });
      expect([noSuspension.status, noSuspension.body.error.code]).toEqual([409, 'not_suspended']);
      for (const text of BAIT.slice(0, 3)) await bait(studio, text);
      expect((await standing(creator)).ladder.step).toBe('suspended');

      expect((await call(creator, 'POST', '/v1/me/appeals', { text: '   ' })).status).toBe(400);
      expect((await call(creator, 'POST', '/v1/me/appeals', { text: 'x'.repeat(1_001) })).status).toBe(400);
      const made = await call<Appeal>(creator, 'POST', '/v1/me/appeals', { text: 'I was quoting a viewer, not asking for gifts.' });
      expect([made.status, made.body.status]).toEqual([201, 'open']);
      const repeat = await call<Appeal>(creator, 'POST', '/v1/me/appeals', { text: 'Other words' });
      expect([repeat.status, repeat.body.id, repeat.body.text]).toEqual([200, made.body.id, 'I was quoting a viewer, not asking for gifts.']);
      expect((await standing(creator)).suspension?.appeal).toMatchObject({ id: made.body.id, status: 'open', decision: null });

      // Only moderators read the queue and decide.
      expect((await call(creator, 'GET', '/v1/mod/appeals')).status).toBe(403);
      expect((await call(creator, 'POST', `/v1/mod/appeals/${made.body.id}/decide`, { decision: 'grant' })).status).toBe(403);
      const queue = await call<AppealQueue>(kit.moderator, 'GET', '/v1/mod/appeals?status=open&limit=50');
      const item = queue.body.appeals.find((a) => a.appeal.id === made.body.id);
      expect(item).toMatchObject({ user: { id: creator.userId }, suspension: { source: 'ladder' }, strikesTotal: 3 });
      expect(item?.user?.liveSuspension?.reason).toMatch(/Gift-baiting/);
      expect(item?.strikes.map((s) => s.text)).toEqual(BAIT.slice(0, 3).reverse());

      const granted = await call<ModAppeal>(kit.moderator, 'POST', `/v1/mod/appeals/${made.body.id}/decide`, { decision: 'grant', note: 'Quoting is fine; sorry.' });
      expect([granted.status, granted.body.appeal.status, granted.body.user?.liveSuspension]).toEqual([200, 'granted', null]);
      // A retry answers it as it is; the other decision is refused.
      expect((await call(kit.moderator, 'POST', `/v1/mod/appeals/${made.body.id}/decide`, { decision: 'grant' })).status).toBe(200);
      const other = await call(kit.moderator, 'POST', `/v1/mod/appeals/${made.body.id}/decide`, { decision: 'deny' });
      expect([other.status, other.body.error.code]).toEqual([409, 'appeal_closed']);

      const lifted = await standing(creator);
      expect(lifted.suspension).toBeNull();
      expect(lifted.recentSuspensions[0]).toMatchObject({ overturned: true, appeal: { status: 'granted', decision: { note: 'Quoting is fine; sorry.' } } });
      expect(lifted.recentSuspensions[0]?.endedAtMs).toBe(kit.node.clock.nowMs());
      expect((await goLive(creator)).status).toBe('live');
      const trail = await audit(`user:${creator.userId}`);
      expect(trail.map((e) => e.action).slice(0, 3)).toEqual(['user.live_suspension_lifted', 'appeal.granted', 'appeal.made']);

      // Overturned is no repeat: the next ladder suspension is 24 hours again.
      kit.node.clock.advance(HOUR_MS);
      const { studio: next } = await reopen(creator);
      for (const text of BAIT.slice(0, 2)) await bait(next, text);
      expect((await bait(next, BAIT[2] ?? '')).suspension?.untilMs).toBe(kit.node.clock.nowMs() + 24 * HOUR_MS);
    });

    it('a denied appeal stands: the suspension runs its course and the next one is 72 hours', async () => {
      const { creator, studio } = await onAir();
      for (const text of BAIT.slice(0, 3)) await bait(studio, text);
      const made = await call<Appeal>(creator, 'POST', '/v1/me/appeals', { text: 'Please reconsider' });
      const denied = await call<ModAppeal>(kit.moderator, 'POST', `/v1/mod/appeals/${made.body.id}/decide`, { decision: 'deny', note: 'Three promises in ten minutes.' });
      expect([denied.status, denied.body.appeal.status, typeof denied.body.user?.liveSuspension?.untilMs]).toEqual([200, 'denied', 'number']);
      expect((await standing(creator)).suspension?.appeal).toMatchObject({ status: 'denied', decision: { note: 'Three promises in ten minutes.' } });
      expect((await call(creator, 'POST', '/v1/lives', { title: 'x' })).status).toBe(403);

      kit.node.clock.advance(25 * HOUR_MS);
      const { studio: next } = await reopen(creator);
      for (const text of BAIT.slice(0, 2)) await bait(next, text);
      expect((await bait(next, BAIT[2] ?? '')).suspension?.untilMs).toBe(kit.node.clock.nowMs() + 72 * HOUR_MS);
      expect((await standing(creator)).recentSuspensions.map((s) => s.untilMs !== null && s.untilMs - s.startedAtMs)).toEqual([72 * HOUR_MS, 24 * HOUR_MS]);
    });

    it('a moderator’s suspension can be appealed too; a moderator’s warning for gift-baiting is a rung of the ladder', async () => {
      const creator = await user('warned');
      const fan = await user('reporter');
      const filed = await call<Report>(fan, 'POST', '/v1/reports', { target: { kind: 'user', userId: creator.userId }, reason: 'gift_baiting' });
      const warned = await call<ResolvedReport>(kit.moderator, 'POST', `/v1/mod/reports/${filed.body.id}/resolve`, { action: 'warn', note: 'No trading follows for gifts' });
      expect(warned.status).toBe(200);
      expect((await standing(creator)).ladder).toMatchObject({ step: 'warning', strikes: 1 });

      const suspended = await call(kit.moderator, 'POST', `/v1/mod/users/${creator.userId}/suspend-live`, { durationHours: 48, reason: 'harassment', note: 'Insulting viewers' });
      expect(suspended.status).toBe(200);
      const now = await standing(creator);
      expect(now.suspension).toMatchObject({ source: 'moderator', guideline: 'harassment', reason: 'Harassment or bullying: Insulting viewers', untilMs: kit.node.clock.nowMs() + 48 * HOUR_MS });
      // A suspension settles the strikes before it.
      expect(now.ladder).toMatchObject({ step: 'suspended', strikes: 0 });
      const made = await call<Appeal>(creator, 'POST', '/v1/me/appeals', { text: 'It was a joke between friends.' });
      expect(made.status).toBe(201);
      // A newer decision replaces the one in force: the appeal of the old one no longer lifts anything.
      expect((await call(kit.moderator, 'POST', `/v1/mod/users/${creator.userId}/suspend-live`, { durationHours: 72, reason: 'harassment' })).status).toBe(200);
      const granted = await call<ModAppeal>(kit.admin, 'POST', `/v1/mod/appeals/${made.body.id}/decide`, { decision: 'grant' });
      expect([granted.status, granted.body.user?.liveSuspension?.untilMs]).toEqual([200, kit.node.clock.nowMs() + 72 * HOUR_MS]);
      const after = await standing(creator);
      expect(after.suspension).toMatchObject({ untilMs: kit.node.clock.nowMs() + 72 * HOUR_MS, appeal: null });
      expect(after.recentSuspensions.map((s) => [s.untilMs !== null && s.untilMs - s.startedAtMs, s.overturned])).toEqual([[72 * HOUR_MS, false], [48 * HOUR_MS, true]]);
    });

    it('resolves a report under the guideline the moderator found, and tells the subject’s strikes in all', async () => {
      const subject = await user('scammer');
      const fan = await user('reporter');
      for (let i = 0; i < 12; i++) {
        await kit.node.storage.db
          .insertInto('strikes')
          .values({ id: randomUUID(), key: `test:${randomUUID()}`, user_id: subject.userId, live_id: null, source: 'moderator', rule: 'spam', text: `old warning ${i}`, excerpt: null, report_id: null, actor_id: kit.moderator.userId, created_at_ms: kit.node.clock.nowMs() - (i + 1) * HOUR_MS * 48 })
          .execute();
      }
      const filed = await call<Report>(fan, 'POST', '/v1/reports', { target: { kind: 'user', userId: subject.userId }, reason: 'spam', note: 'DMs links to “free coins”' });
      const queued = (await call<ReportQueue>(kit.moderator, 'GET', '/v1/mod/reports?status=open&limit=50')).body.reports.find((r) => r.id === filed.body.id);
      expect([queued?.recentStrikes.length, queued?.strikesTotal]).toEqual([5, 12]);

      const resolved = await call<ResolvedReport>(kit.moderator, 'POST', `/v1/mod/reports/${filed.body.id}/resolve`, { action: 'warn', reason: 'scam_fraud', note: 'Fake coin offers' });
      expect(resolved.status).toBe(200);
      expect(resolved.body.report).toMatchObject({ reason: 'spam', resolution: { action: 'warn', reason: 'scam_fraud' }, strikesTotal: 13 });
      const strike = (await call<{ strikes: { rule: string; text: string }[] }>(kit.moderator, 'GET', `/v1/mod/users/${subject.userId}/strikes?limit=1`)).body.strikes[0];
      expect(strike).toMatchObject({ rule: 'scam_fraud', text: 'Fake coin offers' });
      expect((await audit(`report:${filed.body.id}`))[0]).toMatchObject({ action: 'report.resolved', details: { reportedReason: 'spam', foundReason: 'scam_fraud' } });
      // A reason outside the list is refused, nothing written.
      const other = await call<Report>(fan, 'POST', '/v1/reports', { target: { kind: 'user', userId: subject.userId }, reason: 'spam' });
      expect((await call(kit.moderator, 'POST', `/v1/mod/reports/${other.body.id}/resolve`, { action: 'dismiss', reason: 'rudeness' })).status).toBe(400);
      expect((await call<ReportQueue>(kit.moderator, 'GET', '/v1/mod/reports?status=open&limit=50')).body.reports.some((r) => r.id === other.body.id)).toBe(true);
    });

    it('lets only the user themself read their standing and appeal; a read-only token cannot appeal', async () => {
      expect((await call(null, 'GET', '/v1/me/standing')).status).toBe(401);
      expect((await call(null, 'POST', '/v1/me/appeals', { text: 'hi' })).status).toBe(401);
      const someone = await user('token');
      const token = await call<{ token: string }>(someone, 'POST', '/v1/me/tokens', { name: 'read', scopes: ['read'] });
      expect(token.status).toBe(201);
      const bearer = { authorization: `Bearer ${token.body.token}` };
      expect((await call(null, 'GET', '/v1/me/standing', undefined, bearer)).status).toBe(200);
      const refused = await call(null, 'POST', '/v1/me/appeals', { text: 'hi' }, bearer);
      expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
    });

    it('documents the ladder and appeal routes in the OpenAPI document', async () => {
      const doc = await kit.node.call<{ paths: Record<string, Record<string, unknown>> }>({ method: 'GET', url: '/openapi.json' });
      for (const [path, method] of [
        ['/v1/me/standing', 'get'],
        ['/v1/me/appeals', 'post'],
        ['/v1/mod/appeals', 'get'],
        ['/v1/mod/appeals/{id}/decide', 'post'],
      ] as const) {
        expect([path, Object.keys(doc.body.paths[path] ?? {})]).toEqual([path, expect.arrayContaining([method])]);
      }
    });

    /** The creator goes LIVE again (after a suspension ended or was lifted) with a studio socket. */
    async function reopen(creator: Who): Promise<{ liveId: string; studio: TestSocket }> {
      const onAirNow = await call<{ lives: { id: string; status: string; creator: { id: string } }[] }>(creator, 'GET', '/v1/lives');
      const open = onAirNow.body.lives.find((l) => l.creator.id === creator.userId && l.status === 'live');
      const liveId = open?.id ?? (await goLive(creator)).id;
      return { liveId, studio: await connect(liveId, creator) };
    }
  });
}
