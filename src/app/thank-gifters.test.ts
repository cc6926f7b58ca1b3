// Proves that thank-yous sent in the room during a LIVE are kept in the same record as those sent
// after it, on real databases: recordRoomThanks stores a thank-you to a gifter of the LIVE (the
// creator's list and the gifter's /thanks/me show it, on air and after), not one to someone who gave
// nothing there, keeps the first of two, is the creator's only; and Thank all after the end answers
// that gifter in alreadyThanked, with their in-LIVE thank-you unchanged.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';

interface PublicUserBody {
  id: string;
  handle: string;
  displayName: string;
}
interface ThanksBody {
  liveId: string;
  from: PublicUserBody;
  to: PublicUserBody;
  text: string;
  phrase: string | null;
  createdAtMs: number;
}
interface ErrorBody {
  error: { code: string; message: string };
}

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`thank-yous sent in the room on ${dialect.name}`, () => {
    let node: TestNode;
    beforeAll(async () => {
      node = await openTestNode(dialect);
    });
    afterAll(async () => {
      await node.drop();
    });

    const listed = (cookie: string, id: string) =>
      node.call<{ thanks: ThanksBody[]; total: number } & ErrorBody>({ method: 'GET', url: `/v1/lives/${id}/thanks`, headers: { cookie } });
    const mine = (cookie: string, id: string) => node.call<{ thanks: ThanksBody | null } & ErrorBody>({ method: 'GET', url: `/v1/lives/${id}/thanks/me`, headers: { cookie } });
    const rowsOf = (id: string) => node.storage.db.selectFrom('live_thanks').selectAll().where('live_id', '=', id).orderBy('gifter_id').execute();

    /** A creator on air with LIVE Gifts on, two gifters (Ana, Bob) and a viewer who only chatted (Cat). */
    async function giftedLive(prefix: string) {
      const creator = await signUpAs(node, { handle: `${prefix}_host`, displayName: 'Mira' });
      await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
      const started = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Room thanks' } });
      expect(started.status).toBe(201);
      const id = started.body.id;
      const gifter = async (handle: string, giftId: string) => {
        const v = await signUpAs(node, { handle: `${prefix}_${handle}` });
        const funded = await node.storage.ledger.submit([
          { id: `fund:${v.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(v.userId).coins.id, amount: 100_000n },
        ]);
        expect(funded.status).toBe('applied');
        const sent = await node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: v.cookie }, payload: { id: randomUUID(), liveId: id, giftId, count: 1 } });
        expect(sent.status).toBe(201);
        return v;
      };
      const ana = await gifter('ana', 'rose');
      const bob = await gifter('bob', 'doughnut');
      const cat = await signUpAs(node, { handle: `${prefix}_cat` });
      return { creator, id, ana, bob, cat };
    }

    it('stores a room thank-you to a gifter, not to someone who gave nothing; the first stands; Thank all after the end finds it', async () => {
      const { creator, id, ana, bob, cat } = await giftedLive('rt');
      const room = (toUserId: string, message: { phrase: string } | { text: string }) =>
        node.services.recordRoomThanks({ liveId: id, creatorId: creator.userId, toUserId, text: 'phrase' in message ? message.phrase : message.text, phrase: 'phrase' in message ? message.phrase : null });

      const inLiveAtMs = node.clock.nowMs();
      const stored = await room(ana.userId, { phrase: 'Great job' });
      expect(stored).toEqual({
        status: 'stored',
        thanks: { liveId: id, from: { id: creator.userId, handle: 'rt_host', displayName: 'Mira' }, to: { id: ana.userId, handle: 'rt_ana', displayName: 'RT_ANA' }, text: 'Great job', phrase: 'Great job', createdAtMs: inLiveAtMs },
      });
      // Cat only chatted: the room showed it, nothing is kept.
      expect(await room(cat.userId, { text: 'thanks for hanging out' })).toEqual({ status: 'not_a_gifter' });
      expect((await mine(cat.cookie, id)).body).toEqual({ thanks: null });
      // A second thank-you to Ana changes nothing.
      node.clock.advance(MINUTE);
      expect(await room(ana.userId, { text: '  you are the best  ' })).toEqual({ status: 'already_thanked' });
      expect((await rowsOf(id)).map((r) => [r.gifter_id, r.text, r.phrase, Number(r.created_at_ms)])).toEqual([[ana.userId, 'Great job', 'Great job', inLiveAtMs]]);

      // The creator's list and Ana's own read it, on air already.
      const onAir = await listed(creator.cookie, id);
      expect(onAir.status).toBe(200);
      expect(onAir.body.total).toBe(1);
      expect(onAir.body.thanks).toEqual([stored.status === 'stored' ? stored.thanks : null]);
      expect((await mine(ana.cookie, id)).body.thanks).toMatchObject({ to: { id: ana.userId }, text: 'Great job', createdAtMs: inLiveAtMs });
      expect((await mine(bob.cookie, id)).body).toEqual({ thanks: null });

      // Own words are kept trimmed (Bob, thanked in the room too).
      expect(await room(bob.userId, { text: '  You made my night  ' })).toMatchObject({ status: 'stored', thanks: { text: 'You made my night', phrase: null } });

      // After the end, Thank all thanks nobody new: both were thanked in the LIVE, before its end.
      node.clock.advance(MINUTE);
      const ended = await node.call<{ endedAtMs: number }>({ method: 'POST', url: `/v1/lives/${id}/end`, headers: { cookie: creator.cookie } });
      expect(ended.status).toBe(200);
      node.clock.advance(MINUTE);
      const all = await node.call<{ thanked: ThanksBody[]; alreadyThanked: ThanksBody[]; remaining: number }>({
        method: 'POST',
        url: `/v1/lives/${id}/thanks`,
        headers: { cookie: creator.cookie },
        payload: { phrase: 'Thank you so much' },
      });
      expect(all.status).toBe(200);
      expect(all.body.thanked).toEqual([]);
      expect(all.body.alreadyThanked.map((t) => [t.to.id, t.text]).sort()).toEqual([[ana.userId, 'Great job'], [bob.userId, 'You made my night']].sort());
      for (const t of all.body.alreadyThanked) expect(t.createdAtMs).toBeLessThan(ended.body.endedAtMs);
      expect((await mine(ana.cookie, id)).body.thanks?.text).toBe('Great job');
      expect((await listed(creator.cookie, id)).body.total).toBe(2);
    });

    it('keeps the room thank-you when the gifter is the one left for Thank all: the others are thanked after the end', async () => {
      const { creator, id, ana, bob } = await giftedLive('rs');
      expect(await node.services.recordRoomThanks({ liveId: id, creatorId: creator.userId, toUserId: ana.userId, text: 'Great job', phrase: 'Great job' })).toMatchObject({ status: 'stored' });
      node.clock.advance(MINUTE);
      expect((await node.call({ method: 'POST', url: `/v1/lives/${id}/end`, headers: { cookie: creator.cookie } })).status).toBe(200);
      node.clock.advance(MINUTE);
      const all = await node.call<{ thanked: ThanksBody[]; alreadyThanked: ThanksBody[] }>({ method: 'POST', url: `/v1/lives/${id}/thanks`, headers: { cookie: creator.cookie }, payload: { phrase: 'Thank you so much' } });
      expect(all.body.thanked.map((t) => [t.to.id, t.text])).toEqual([[bob.userId, 'Thank you so much']]);
      expect(all.body.alreadyThanked.map((t) => [t.to.id, t.text])).toEqual([[ana.userId, 'Great job']]);
      // One at a time, too.
      const one = await node.call<{ thanked: ThanksBody[]; alreadyThanked: ThanksBody[] }>({ method: 'POST', url: `/v1/lives/${id}/thanks`, headers: { cookie: creator.cookie }, payload: { text: 'Again!', gifterIds: [ana.userId] } });
      expect(one.body).toMatchObject({ thanked: [], alreadyThanked: [{ to: { id: ana.userId }, text: 'Great job' }] });
    });

    it('stores only the creator\'s, of a LIVE that exists, with a known phrase or 1–200 characters', async () => {
      const { creator, id, ana, bob } = await giftedLive('rn');
      const input = { liveId: id, creatorId: creator.userId, toUserId: ana.userId, text: 'Great job', phrase: 'Great job' };
      await expect(node.services.recordRoomThanks({ ...input, creatorId: bob.userId })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(node.services.recordRoomThanks({ ...input, liveId: randomUUID() })).rejects.toMatchObject({ code: 'not_found' });
      await expect(node.services.recordRoomThanks({ ...input, text: 'Thanks I guess', phrase: 'Thanks I guess' })).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(node.services.recordRoomThanks({ ...input, text: 'x'.repeat(201), phrase: null })).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(node.services.recordRoomThanks({ ...input, text: '   ', phrase: null })).rejects.toMatchObject({ code: 'validation_failed' });
      expect(await rowsOf(id)).toHaveLength(0);
    });
  });
}
