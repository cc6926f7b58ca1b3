// Proves moderation end to end over HTTP and real room sockets, on every database: reports of a LIVE,
// a chat line and a user (one open report per target); the moderators' queue with its context
// (target, standing, open reports, strikes, the lines the server has, the LIVE's gifts from the
// ledger); a suspension that ends the LIVE in progress for its viewers, refuses new LIVEs with the
// reason and end date, shows in the creator's account and lifts itself when the clock passes its end;
// permanent suspensions and lifting them; strikes recorded once from the room's gift-baiting coaching
// and none for a thank-you; fraud bans that stop every money path and sign the user out; who may do
// what; and the audit trail of every step.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/databases.js';
import { useModerationKit, type ErrorBody, type Who } from '../../../test/support/moderation.js';
import { giveAvailableDiamonds } from '../../../test/support/payouts.js';
import type { TestSocket } from '../../../test/support/room-socket.js';
import { SystemAccounts, userAccounts } from '../../domain/accounts.js';
import type { RoomEvent } from '../../protocol/room.js';
import type { BanOutcome, ModerationOutcome, ModUser, Report, ReportQueue, ResolvedReport, StrikePage } from '../../protocol/moderation.js';

interface Me {
  liveSuspension: { untilMs: number | null; reason: string } | null;
  banned: boolean;
}

const HOUR_MS = 3_600_000;

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`moderation on ${dialect.name}`, () => {
    const kit = useModerationKit(dialect, { DIAMOND_HOLD_HOURS: '0' });
    const { user, call, connect, audit } = kit;

    /** A creator with LIVE Gifts on and a LIVE on air with this title. */
    async function creatorOnAir(title = 'Sunday sketching'): Promise<Who & { liveId: string }> {
      const creator = await user('creator');
      expect((await call(creator, 'PUT', '/v1/me/gifts', { enabled: true })).status).toBe(200);
      const live = await call<{ id: string }>(creator, 'POST', '/v1/lives', { title });
      expect(live.status).toBe(201);
      return { ...creator, liveId: live.body.id };
    }

    async function fund(userId: string, coins: bigint): Promise<void> {
      const outcome = await kit.node.storage.ledger.submit([{ id: randomUUID(), code: 'PURCHASE', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(userId).coins.id, amount: coins }]);
      expect(outcome.status).toBe('applied');
    }

    function report(who: Who | null, target: Record<string, unknown>, reason = 'gift_baiting', note?: string) {
      return call<Report>(who, 'POST', '/v1/reports', { target, reason, ...(note !== undefined ? { note } : {}) });
    }


    async function ack(socket: TestSocket, message: { type: string; data: Record<string, unknown> }, id: string = randomUUID()): Promise<RoomEvent<'ack'>['data']> {
      socket.send({ ...message, data: { id, ...message.data } });
      return (await socket.event('ack', (e) => e.data.id === id)).data;
    }

    async function strikesOf(userId: string): Promise<StrikePage['strikes']> {
      const page = await call<StrikePage>(kit.moderator, 'GET', `/v1/mod/users/${userId}/strikes`);
      expect(page.status).toBe(200);
      return page.body.strikes;
    }

    /** Waits for a strike count (strikes are recorded once the room has the message, after the ack). */
    async function strikesReach(userId: string, count: number): Promise<StrikePage['strikes']> {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const strikes = await strikesOf(userId);
        if (strikes.length >= count || Date.now() > deadline) return strikes;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }


    const queue = async (query = 'status=open&limit=50') => {
      const page = await call<ReportQueue>(kit.moderator, 'GET', `/v1/mod/reports?${query}`);
      expect(page.status).toBe(200);
      return page.body;
    };

    it('takes reports of a LIVE, a chat line and a user; a repeat answers the open report; nobody reports themself', async () => {
      const creator = await creatorOnAir();
      const viewer = await user('reporter');
      const live = await report(viewer, { kind: 'live', liveId: creator.liveId }, 'gift_baiting', '  Promises shoutouts for roses  ');
      expect(live.status).toBe(201);
      expect(live.body).toMatchObject({ status: 'open', reason: 'gift_baiting', note: 'Promises shoutouts for roses', target: { kind: 'live', liveId: creator.liveId, userId: creator.userId, text: null } });
      const again = await report(viewer, { kind: 'live', liveId: creator.liveId }, 'spam');
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: live.body.id, reason: 'gift_baiting' });

      const line = await report(viewer, { kind: 'message', liveId: creator.liveId, senderId: creator.userId, text: ' you are all losers ' }, 'harassment');
      expect(line.status).toBe(201);
      expect(line.body.target).toEqual({ kind: 'message', liveId: creator.liveId, userId: creator.userId, text: 'you are all losers' });
      expect((await report(viewer, { kind: 'message', liveId: creator.liveId, senderId: creator.userId, text: 'you are all losers' }, 'harassment')).body.id).toBe(line.body.id);
      expect((await report(viewer, { kind: 'message', liveId: creator.liveId, senderId: creator.userId, text: 'another line' }, 'harassment')).status).toBe(201);
      expect((await report(viewer, { kind: 'user', userId: creator.userId }, 'scam_fraud')).status).toBe(201);

      const refusals: [string, Promise<{ status: number; body: ErrorBody }>, number, string][] = [
        ['self', report(creator, { kind: 'live', liveId: creator.liveId }), 400, 'validation_failed'],
        ['own line', report(creator, { kind: 'message', liveId: creator.liveId, senderId: creator.userId, text: 'hi' }), 400, 'validation_failed'],
        ['no such LIVE', report(viewer, { kind: 'live', liveId: 'no-such-live' }), 404, 'not_found'],
        ['no such sender', report(viewer, { kind: 'message', liveId: creator.liveId, senderId: 'nobody', text: 'hi' }), 404, 'not_found'],
        ['no such user', report(viewer, { kind: 'user', userId: 'nobody' }), 404, 'not_found'],
        ['unknown reason', report(viewer, { kind: 'user', userId: creator.userId }, 'boring'), 400, 'validation_failed'],
        ['long note', report(viewer, { kind: 'user', userId: creator.userId }, 'spam', 'x'.repeat(501)), 400, 'validation_failed'],
        ['long line', report(viewer, { kind: 'message', liveId: creator.liveId, senderId: creator.userId, text: 'x'.repeat(201) }), 400, 'validation_failed'],
        ['anonymous', report(null, { kind: 'live', liveId: creator.liveId }), 401, 'unauthenticated'],
      ];
      for (const [what, pending, status, code] of refusals) {
        const res = await pending;
        expect([what, res.status, res.body.error.code]).toEqual([what, status, code]);
      }
      expect((await audit(`report:${live.body.id}`)).map((e) => [e.action, e.actorId])).toEqual([['report.created', viewer.userId]]);
    });

    it('shows moderators the queue newest first, each report with its context, a page at a time', async () => {
      const creator = await creatorOnAir('Gifts for shoutouts tonight');
      const [fan, other] = [await user('fan'), await user('other')];
      await fund(fan.userId, 100n);
      expect((await call(fan, 'POST', '/v1/gifts', { id: randomUUID(), liveId: creator.liveId, giftId: 'rose', count: 5 })).status).toBe(201);
      expect((await call(fan, 'POST', '/v1/gifts', { id: randomUUID(), liveId: creator.liveId, giftId: 'finger-heart', count: 1 })).status).toBe(201);
      const first = await report(fan, { kind: 'message', liveId: creator.liveId, senderId: creator.userId, text: 'send roses or I block you' }, 'harassment', 'threatens viewers');
      kit.node.clock.advance(1_000);
      const second = await report(other, { kind: 'live', liveId: creator.liveId }, 'gift_baiting');

      const open = await queue();
      const ids = open.reports.map((r) => r.id);
      expect(ids.indexOf(second.body.id)).toBeLessThan(ids.indexOf(first.body.id));
      const line = open.reports.find((r) => r.id === first.body.id);
      expect(line).toMatchObject({
        status: 'open',
        reason: 'harassment',
        note: 'threatens viewers',
        reporter: { id: fan.userId },
        target: { kind: 'message', text: 'send roses or I block you' },
        subject: { id: creator.userId, role: 'user', liveSuspension: null, banned: false },
        live: { id: creator.liveId, title: 'Gifts for shoutouts tonight', status: 'live', creator: { id: creator.userId }, endedBy: null },
        liveGifts: { gifters: 1, giftsCount: 6, coinsSpent: 10, diamondsEarned: 10 },
        openReports: 2,
        recentChat: [{ liveId: creator.liveId, text: 'send roses or I block you', seenIn: 'report' }],
        resolution: null,
      });

      // One at a time: the cursor continues after the last report of the page.
      const pageOne = await queue('limit=1');
      expect(pageOne.reports).toHaveLength(1);
      expect(pageOne.nextCursor).not.toBeNull();
      const pageTwo = await queue(`limit=1&cursor=${encodeURIComponent(pageOne.nextCursor ?? '')}`);
      expect(pageTwo.reports[0]?.id).not.toBe(pageOne.reports[0]?.id);
      expect(pageTwo.reports[0]?.createdAtMs).toBeLessThanOrEqual(pageOne.reports[0]?.createdAtMs ?? 0);
      expect((await call(kit.moderator, 'GET', '/v1/mod/reports?cursor=nonsense')).status).toBe(400);
    });

    it('suspends from the queue: the LIVE ends for its viewers at once, new LIVEs are refused with the reason and end date, and the suspension lifts itself when it ends', async () => {
      const creator = await creatorOnAir('Follow for follow!');
      const [one, two] = [await user('viewer'), await user('viewer')];
      const first = await report(one, { kind: 'live', liveId: creator.liveId }, 'gift_baiting');
      const second = await report(two, { kind: 'live', liveId: creator.liveId }, 'spam');
      const watcher = await connect(creator.liveId, one);
      const studio = await connect(creator.liveId, creator);

      const resolved = await call<ResolvedReport>(kit.moderator, 'POST', `/v1/mod/reports/${first.body.id}/resolve`, { action: 'suspend', durationHours: 24, note: 'Promised follows for gifts after a warning' });
      expect(resolved.status).toBe(200);
      const reason = 'Gift-baiting: Promised follows for gifts after a warning';
      // What viewers may be told: the guideline, never the moderator's note.
      const endReason = 'Ended for a Community Guidelines violation: Gift-baiting';
      const untilMs = kit.node.clock.nowMs() + 24 * HOUR_MS;
      expect(resolved.body.othersClosed).toBe(1);
      expect(resolved.body.report).toMatchObject({
        status: 'resolved',
        subject: { id: creator.userId, liveSuspension: { untilMs, reason } },
        resolution: { action: 'suspend', note: 'Promised follows for gifts after a warning', byId: kit.moderator.userId, viaReportId: first.body.id },
        live: { id: creator.liveId, status: 'ended', endedBy: 'moderator', endReason },
      });

      // Viewers and the creator's studio are told at once, with the public reason a moderator ended it.
      const ended = await watcher.event('live.ended');
      expect(ended.data).toMatchObject({ summary: { giftsCount: 0 }, endedBy: 'moderator', reason: endReason });
      await studio.event('live.ended');
      const asViewer = await call<{ status: string; endedBy: string | null; endReason: string | null }>(one, 'GET', `/v1/lives/${creator.liveId}`);
      expect(asViewer.body).toMatchObject({ status: 'ended', endedBy: 'moderator' });
      const asCreator = await call<{ endedBy: string | null; endReason: string | null }>(creator, 'GET', `/v1/lives/${creator.liveId}`);
      expect(asCreator.body).toMatchObject({ endedBy: 'moderator', endReason });

      // The other report on the same LIVE was closed by the same decision.
      const closed = (await queue('status=resolved&limit=50')).reports.find((r) => r.id === second.body.id);
      expect(closed?.resolution).toMatchObject({ action: 'suspend', viaReportId: first.body.id });
      expect((await queue()).reports.map((r) => r.id)).not.toContain(second.body.id);

      // The creator sees it in their account, and a new LIVE is refused with the reason and end date.
      expect((await call<Me>(creator, 'GET', '/v1/me')).body.liveSuspension).toEqual({ untilMs, reason });
      const refused = await call(creator, 'POST', '/v1/lives', { title: 'Back again' });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('live_suspended');
      expect(refused.body.error.message).toContain(new Date(untilMs).toISOString());
      expect(refused.body.error.message).toContain(reason);
      expect(refused.body.error.details).toEqual({ untilMs, reason });

      // Resolving again the same way is a retry; another way is refused, naming the decision.
      expect((await call(kit.moderator, 'POST', `/v1/mod/reports/${first.body.id}/resolve`, { action: 'suspend', durationHours: 24 })).status).toBe(200);
      const other = await call(kit.moderator, 'POST', `/v1/mod/reports/${first.body.id}/resolve`, { action: 'dismiss' });
      expect([other.status, other.body.error.code, other.body.error.details?.action]).toEqual([409, 'report_closed', 'suspend']);

      // An hour before the end it still holds; once the clock passes the end it lifts itself.
      kit.node.clock.advance(23 * HOUR_MS);
      expect((await call(creator, 'POST', '/v1/lives', { title: 'Back again' })).status).toBe(403);
      kit.node.clock.advance(HOUR_MS + 1);
      expect((await call<Me>(creator, 'GET', '/v1/me')).body.liveSuspension).toBeNull();
      const back = await call<{ id: string }>(creator, 'POST', '/v1/lives', { title: 'Back again' });
      expect(back.status).toBe(201);

      // Every step is in the audit trail.
      expect((await audit(`user:${creator.userId}`)).map((e) => e.action)).toContain('user.live_suspended');
      expect((await audit(`user:${creator.userId}`)).find((e) => e.action === 'user.live_suspended')).toMatchObject({ actorId: kit.moderator.userId, details: { untilMs, permanent: false, guideline: 'gift_baiting', reason, reportId: first.body.id } });
      expect((await audit(`live:${creator.liveId}`)).find((e) => e.action === 'live.ended')).toMatchObject({ actorId: kit.moderator.userId, details: { endedBy: 'moderator', reason: endReason } });
      expect((await audit(`report:${first.body.id}`)).map((e) => e.action)).toEqual(['report.resolved', 'report.created']);
    });

    it('suspends permanently: refused without an end date until a moderator lifts it', async () => {
      const creator = await creatorOnAir();
      const res = await call<ModerationOutcome>(kit.moderator, 'POST', `/v1/mod/users/${creator.userId}/suspend-live`, { permanent: true, reason: 'hate', note: 'Slurs at viewers' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ user: expect.objectContaining({ id: creator.userId, liveSuspension: { untilMs: null, reason: 'Hate speech: Slurs at viewers' } }) as unknown, endedLiveId: creator.liveId });
      expect((await call<{ status: string }>(creator, 'GET', `/v1/lives/${creator.liveId}`)).body.status).toBe('ended');
      // Sessions last 30 days, and this suite's clock only moves forward: ten days make the point.
      kit.node.clock.advance(10 * 24 * HOUR_MS);
      const refused = await call(creator, 'POST', '/v1/lives', { title: 'Years later' });
      expect([refused.status, refused.body.error.code, refused.body.error.details]).toEqual([403, 'live_suspended', { untilMs: null, reason: 'Hate speech: Slurs at viewers' }]);
      expect(refused.body.error.message).toContain('permanently');
      expect((await call<Me>(creator, 'GET', '/v1/me')).body.liveSuspension).toEqual({ untilMs: null, reason: 'Hate speech: Slurs at viewers' });

      const lifted = await call<ModUser>(kit.moderator, 'POST', `/v1/mod/users/${creator.userId}/lift-suspension`, { note: 'Appeal upheld' });
      expect([lifted.status, lifted.body.liveSuspension]).toEqual([200, null]);
      expect((await call(creator, 'POST', '/v1/lives', { title: 'Years later' })).status).toBe(201);
      expect((await audit(`user:${creator.userId}`)).map((e) => e.action).slice(0, 2)).toEqual(['user.live_suspension_lifted', 'user.live_suspended']);
      // Lifting again changes nothing and logs nothing.
      expect((await call(kit.moderator, 'POST', `/v1/mod/users/${creator.userId}/lift-suspension`)).status).toBe(200);
      expect((await audit(`user:${creator.userId}`)).filter((e) => e.action === 'user.live_suspension_lifted')).toHaveLength(1);
      // Out of range lengths and unknown reasons are refused.
      for (const body of [{ durationHours: 0, reason: 'spam' }, { durationHours: 24 * 366, reason: 'spam' }, { reason: 'spam' }, { durationHours: 1, permanent: true, reason: 'spam' }, { durationHours: 1, reason: 'rude' }]) {
        expect((await call(kit.moderator, 'POST', `/v1/mod/users/${creator.userId}/suspend-live`, body)).status).toBe(400);
      }
    });

    it('records a strike once per baiting title, chat line and thank-you from the room, and none for a thank-you phrase', async () => {
      const creator = await creatorOnAir('Send gifts and I will give you a shoutout!');
      // Struck as the LIVE starts, before any room opens (a creator streaming only from OBS).
      expect((await strikesOf(creator.userId)).map((s) => s.source)).toEqual(['title']);
      const fan = await user('fan');
      const viewer = await connect(creator.liveId, fan);
      const studio = await connect(creator.liveId, creator);
      await studio.event('coach.warning', (e) => e.data.source === 'title');
      // A second socket of the creator is coached again, but the title is struck once per LIVE.
      const phone = await connect(creator.liveId, creator);
      await phone.event('coach.warning', (e) => e.data.source === 'title');

      const lineId = randomUUID();
      expect(await ack(studio, { type: 'chat.send', data: { text: 'follow for follow, everyone!' } }, lineId)).toMatchObject({ ok: true });
      // A retry of the same message (same id and words) is not a second strike.
      expect(await ack(studio, { type: 'chat.send', data: { text: 'follow for follow, everyone!' } }, lineId)).toMatchObject({ ok: true });
      expect(await ack(studio, { type: 'chat.send', data: { text: 'Thank you so much' } })).toMatchObject({ ok: true });
      expect(await ack(studio, { type: 'thanks.send', data: { toUserId: fan.userId, phrase: 'Thank you so much' } })).toMatchObject({ ok: true });
      // Past the countdown the second strike started (src/domain/ladder.ts), so the third starts
      // another rather than ending this LIVE (ladder.test.ts proves that).
      await strikesReach(creator.userId, 2);
      kit.node.clock.advance(11 * 60_000);
      expect(await ack(studio, { type: 'thanks.send', data: { toUserId: fan.userId, text: 'Share this LIVE and I’ll follow you back' } })).toMatchObject({ ok: true });
      await viewer.until((events) => (events.filter((e) => e.type === 'thanks.sent').length === 2 ? true : undefined), 'both thank-yous');

      const strikes = await strikesReach(creator.userId, 3);
      await new Promise((resolve) => setTimeout(resolve, 100)); // nothing else trickles in
      expect((await strikesOf(creator.userId)).length).toBe(3);
      const bySource = new Map(strikes.map((s) => [s.source, s]));
      expect([...bySource.keys()].sort()).toEqual(['chat', 'thanks', 'title']);
      expect(bySource.get('title')).toMatchObject({ userId: creator.userId, liveId: creator.liveId, rule: 'gifts_for_reward', text: 'Send gifts and I will give you a shoutout!', reportId: null });
      expect(bySource.get('chat')).toMatchObject({ rule: 'follow_for_follow', text: 'follow for follow, everyone!' });
      expect('follow for follow, everyone!').toContain(bySource.get('chat')?.excerpt);
      expect(bySource.get('thanks')).toMatchObject({ text: 'Share this LIVE and I’ll follow you back' });
      // The coaching itself is unchanged: private, at once, for each baiting message.
      expect(studio.of('coach.warning').map((e) => e.data.source)).toEqual(['title', 'chat', 'chat', 'thanks']);
      expect(viewer.of('coach.warning')).toEqual([]);

      // The creator sees their own strikes; a viewer sees none of anyone else's.
      const mine = await call<StrikePage>(creator, 'GET', '/v1/me/strikes');
      expect(mine.body.strikes.map((s) => s.id).sort()).toEqual(strikes.map((s) => s.id).sort());
      expect((await call(fan, 'GET', `/v1/mod/users/${creator.userId}/strikes`)).status).toBe(403);
      expect((await audit(`user:${creator.userId}`)).filter((e) => e.action === 'strike.recorded')).toHaveLength(3);

      // The queue shows them with a report about the creator, and the struck lines as chat.
      const filed = await report(fan, { kind: 'user', userId: creator.userId }, 'gift_baiting');
      const item = (await queue()).reports.find((r) => r.id === filed.body.id);
      expect(item?.recentStrikes.map((s) => s.id).sort()).toEqual(strikes.map((s) => s.id).sort());
      expect(item?.recentChat.map((c) => c.text).sort()).toEqual(['Share this LIVE and I’ll follow you back', 'follow for follow, everyone!']);
      expect(item?.live).toMatchObject({ id: creator.liveId, status: 'live' }); // their LIVE on air now

      // A moderator's warning is a strike too, seen by the creator with the note.
      const warned = await call<ResolvedReport>(kit.moderator, 'POST', `/v1/mod/reports/${filed.body.id}/resolve`, { action: 'warn', note: 'Stop trading follows for gifts' });
      expect(warned.status).toBe(200);
      const after = await call<StrikePage>(creator, 'GET', '/v1/me/strikes');
      expect(after.body.strikes).toHaveLength(4);
      expect(after.body.strikes.find((s) => s.source === 'moderator')).toMatchObject({ rule: 'gift_baiting', text: 'Stop trading follows for gifts', reportId: filed.body.id });
      const paged = await call<StrikePage>(creator, 'GET', '/v1/me/strikes?limit=3');
      expect(paged.body.strikes).toHaveLength(3);
      const rest = await call<StrikePage>(creator, 'GET', `/v1/me/strikes?limit=3&cursor=${encodeURIComponent(paged.body.nextCursor ?? '')}`);
      expect([...paged.body.strikes, ...rest.body.strikes].map((s) => s.id).sort()).toEqual(after.body.strikes.map((s) => s.id).sort());
    });

    it('bans an account for fraud: no buying, gifting, redeeming or going LIVE, a requested payout held, its LIVE ended, every session and token revoked; unbanning restores it', async () => {
      const crook = await creatorOnAir('Totally legit giveaway');
      const victim = await creatorOnAir('My LIVE');
      await fund(crook.userId, 50n);
      await giveAvailableDiamonds(kit.node, crook.userId, 4_000n);
      const account = await call<{ id: string }>(crook, 'POST', '/v1/me/payout-accounts', { kind: 'bank', holderName: 'C Rook', accountNumber: 'GB33BUKB20201555555555' });
      expect(account.status).toBe(201);
      // Requested before the ban: the worker must not send it afterwards.
      const requested = await call<{ id: string; status: string }>(crook, 'POST', '/v1/payouts', { id: randomUUID(), payoutAccountId: account.body.id, diamonds: 2_000 });
      expect([requested.status, requested.body.status]).toEqual([201, 'requested']);
      const token = await call<{ token: string }>(crook, 'POST', '/v1/me/tokens', { name: 'bot', scopes: ['read', 'gifts:send'] });
      expect(token.status).toBe(201);
      const watcher = await connect(crook.liveId);
      const crookInRoom = await connect(victim.liveId, crook);
      expect(await ack(crookInRoom, { type: 'chat.send', data: { text: 'nice stream' } })).toMatchObject({ ok: true });

      const banned = await call<BanOutcome>(kit.admin, 'POST', `/v1/admin/users/${crook.userId}/ban`, { reason: 'Coins bought with stolen cards' });
      expect(banned.status).toBe(200);
      expect(banned.body).toMatchObject({ user: { id: crook.userId, banned: true, banReason: 'Coins bought with stolen cards' }, endedLiveId: crook.liveId, tokensRevoked: 1 });
      await watcher.event('live.ended');
      // A socket opened before the ban stays open, but its chat stops within seconds.
      kit.node.clock.advance(10_001);
      expect(await ack(crookInRoom, { type: 'chat.send', data: { text: 'still here' } })).toMatchObject({ error: { code: 'account_suspended' } });

      // Signed out everywhere: the old session and the token no longer work.
      expect((await call(crook, 'GET', '/v1/me')).status).toBe(401);
      expect((await kit.node.call({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token.body.token}` } })).status).toBe(401);
      // Signing in again shows the ban; every money path and going LIVE refuse it.
      const login = await kit.node.call<{ user: Me }>({ method: 'POST', url: '/v1/auth/login', payload: { login: crook.handle, password: 'correct horse battery' } });
      expect(login.status).toBe(200);
      expect(login.body.user.banned).toBe(true);
      const again: Who = { ...crook, cookie: String(login.headers['set-cookie']).split(';')[0] ?? '' };
      const refusals: [string, Promise<{ status: number; body: ErrorBody }>][] = [
        ['buy coins', call(again, 'POST', '/v1/purchases', { id: randomUUID(), packageId: 'usd-70' })],
        ['send a gift', call(again, 'POST', '/v1/gifts', { id: randomUUID(), liveId: victim.liveId, giftId: 'rose', count: 1 })],
        ['redeem diamonds', call(again, 'POST', '/v1/payouts', { id: randomUUID(), payoutAccountId: account.body.id, diamonds: 2_000 })],
        ['add a payout account', call(again, 'POST', '/v1/me/payout-accounts', { kind: 'paypal', email: 'crook@example.test' })],
        ['go LIVE', call(again, 'POST', '/v1/lives', { title: 'Another giveaway' })],
      ];
      for (const [what, pending] of refusals) {
        const res = await pending;
        expect([what, res.status, res.body.error.code]).toEqual([what, 403, 'account_suspended']);
      }
      // The payout requested before the ban is held by the worker, not sent.
      const run = await kit.node.services.processPayouts();
      expect(run.held).toBeGreaterThanOrEqual(1);
      // Their history stays readable: the payout is still waiting, its diamonds reserved, nothing paid.
      const listed = await call<{ payouts: { id: string; status: string }[] }>(again, 'GET', '/v1/payouts');
      expect(listed.body.payouts.find((p) => p.id === requested.body.id)?.status).toBe('requested');
      expect((await audit(`user:${crook.userId}`)).map((e) => e.action).slice(0, 2)).toEqual(['user.signed_out', 'user.banned']);

      // Banning again keeps the first ban (and signs out again: a retry finishes a ban cut short).
      expect((await call(kit.admin, 'POST', `/v1/admin/users/${crook.userId}/ban`, { reason: 'Again' })).body).toMatchObject({ user: { banReason: 'Coins bought with stolen cards' }, tokensRevoked: 0, endedLiveId: null });
      expect((await call(again, 'GET', '/v1/me')).status).toBe(401);
      expect((await audit(`user:${crook.userId}`)).filter((e) => e.action === 'user.banned')).toHaveLength(1);

      // Unbanning releases the hold the ban put on the diamonds, and the user signs in again.
      const relogin = await kit.node.call({ method: 'POST', url: '/v1/auth/login', payload: { login: crook.handle, password: 'correct horse battery' } });
      again.cookie = String(relogin.headers['set-cookie']).split(';')[0] ?? '';
      const unbanned = await call<ModUser>(kit.admin, 'POST', `/v1/admin/users/${crook.userId}/unban`, { note: 'The bank confirmed the cards were his' });
      expect([unbanned.status, unbanned.body.banned]).toEqual([200, false]);
      expect((await call<{ payoutsHeld: unknown }>(again, 'GET', '/v1/me')).body.payoutsHeld).toBeNull();
      expect((await call(again, 'POST', '/v1/gifts', { id: randomUUID(), liveId: victim.liveId, giftId: 'rose', count: 1 })).status).toBe(201);
      expect((await audit(`user:${crook.userId}`))[0]).toMatchObject({ action: 'user.unbanned', actorId: kit.admin.userId, details: { payoutsReleased: true } });
    });

    it('lets only moderators and admins moderate, only admins ban, and nobody act on themself', async () => {
      const creator = await creatorOnAir();
      const viewer = await user('bystander');
      const otherModerator = await user('moderator', 'moderator');
      const otherAdmin = await user('modadmin', 'admin');
      const filed = await report(viewer, { kind: 'live', liveId: creator.liveId }, 'spam');
      const aboutModerator = await report(viewer, { kind: 'user', userId: kit.moderator.userId }, 'harassment');
      const suspend = { durationHours: 1, reason: 'spam' };

      const cases: [string, Promise<{ status: number; body: ErrorBody }>, number][] = [
        ['anonymous reads the queue', call(null, 'GET', '/v1/mod/reports'), 401],
        ['a viewer reads the queue', call(viewer, 'GET', '/v1/mod/reports'), 403],
        ['a creator reads the queue', call(creator, 'GET', '/v1/mod/reports'), 403],
        ['a viewer resolves', call(viewer, 'POST', `/v1/mod/reports/${filed.body.id}/resolve`, { action: 'dismiss' }), 403],
        ['a viewer suspends', call(viewer, 'POST', `/v1/mod/users/${creator.userId}/suspend-live`, suspend), 403],
        ['a viewer lifts', call(viewer, 'POST', `/v1/mod/users/${creator.userId}/lift-suspension`), 403],
        ['a viewer reads strikes', call(viewer, 'GET', `/v1/mod/users/${creator.userId}/strikes`), 403],
        ['a viewer bans', call(viewer, 'POST', `/v1/admin/users/${creator.userId}/ban`, { reason: 'x' }), 403],
        ['a moderator bans', call(kit.moderator, 'POST', `/v1/admin/users/${creator.userId}/ban`, { reason: 'fraud' }), 403],
        ['a moderator unbans', call(kit.moderator, 'POST', `/v1/admin/users/${creator.userId}/unban`), 403],
        ['a moderator bans from the queue', call(kit.moderator, 'POST', `/v1/mod/reports/${filed.body.id}/resolve`, { action: 'ban' }), 403],
        ['a moderator suspends themself', call(kit.moderator, 'POST', `/v1/mod/users/${kit.moderator.userId}/suspend-live`, suspend), 403],
        ['an admin suspends themself', call(kit.admin, 'POST', `/v1/mod/users/${kit.admin.userId}/suspend-live`, suspend), 403],
        ['a moderator lifts their own', call(kit.moderator, 'POST', `/v1/mod/users/${kit.moderator.userId}/lift-suspension`), 403],
        ['a moderator suspends a moderator', call(kit.moderator, 'POST', `/v1/mod/users/${otherModerator.userId}/suspend-live`, suspend), 403],
        ['a moderator resolves a report about themself', call(kit.moderator, 'POST', `/v1/mod/reports/${aboutModerator.body.id}/resolve`, { action: 'dismiss' }), 403],
        ['an admin bans themself', call(kit.admin, 'POST', `/v1/admin/users/${kit.admin.userId}/ban`, { reason: 'x' }), 403],
        ['an admin bans an admin', call(kit.admin, 'POST', `/v1/admin/users/${otherAdmin.userId}/ban`, { reason: 'x' }), 403],
        ['no such report', call(kit.moderator, 'POST', '/v1/mod/reports/no-such-report/resolve', { action: 'dismiss' }), 404],
        ['no such user', call(kit.moderator, 'POST', '/v1/mod/users/nobody/suspend-live', suspend), 404],
        ['suspend without a length', call(kit.moderator, 'POST', `/v1/mod/reports/${filed.body.id}/resolve`, { action: 'suspend' }), 400],
        ['dismiss with a length', call(kit.moderator, 'POST', `/v1/mod/reports/${filed.body.id}/resolve`, { action: 'dismiss', durationHours: 2 }), 400],
      ];
      for (const [what, pending, status] of cases) expect([what, (await pending).status]).toEqual([what, status]);

      // A moderator's token never carries moderation powers (moderation needs a session or the admin scope).
      const made = await call<{ token: string }>(kit.moderator, 'POST', '/v1/me/tokens', { name: 'script', scopes: ['read'] });
      expect((await kit.node.call({ method: 'GET', url: '/v1/mod/reports', headers: { authorization: `Bearer ${made.body.token}` } })).status).toBe(403);

      // Nothing above changed anything; an admin may act on a kit.moderator.
      expect((await call<Me>(creator, 'GET', '/v1/me')).body).toMatchObject({ liveSuspension: null, banned: false });
      expect((await call(otherAdmin, 'POST', `/v1/mod/users/${otherModerator.userId}/suspend-live`, suspend)).status).toBe(200);
      const dismissed = await call<ResolvedReport>(otherModerator, 'POST', `/v1/mod/reports/${filed.body.id}/resolve`, { action: 'dismiss', note: 'Not spam' });
      expect([dismissed.status, dismissed.body.report.resolution?.action]).toEqual([200, 'dismiss']);
    });

    it('documents the moderation routes in the OpenAPI document', async () => {
      const doc = await kit.node.call<{ paths: Record<string, Record<string, unknown>> }>({ method: 'GET', url: '/openapi.json' });
      for (const [path, method] of [
        ['/v1/reports', 'post'],
        ['/v1/mod/reports', 'get'],
        ['/v1/mod/reports/{id}/resolve', 'post'],
        ['/v1/mod/users/{id}/suspend-live', 'post'],
        ['/v1/mod/users/{id}/lift-suspension', 'post'],
        ['/v1/mod/users/{id}/strikes', 'get'],
        ['/v1/me/strikes', 'get'],
        ['/v1/admin/users/{id}/ban', 'post'],
        ['/v1/admin/users/{id}/unban', 'post'],
      ] as const) {
        expect([path, Object.keys(doc.body.paths[path] ?? {})]).toEqual([path, expect.arrayContaining([method])]);
      }
      const reasons = await kit.node.call<{ reasons: { id: string; label: string }[] }>({ method: 'GET', url: '/v1/moderation/reasons' });
      expect(reasons.body.reasons.map((r) => r.id)).toEqual(['gift_baiting', 'harassment', 'hate', 'sexual_content', 'violence', 'minor_safety', 'scam_fraud', 'spam', 'other']);
    });
  });
}
