// Proves the gift catalog and the money path of sending gifts over real HTTP and real databases:
// prices come from the server, every refusal of PRODUCT.md has its own code and writes nothing,
// retries never charge twice, concurrent sends never overdraw, combos count, and spend caps hold.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../../test/support/livegift.js';
import { SystemAccounts, userAccounts } from '../../domain/accounts.js';
import { availableOf } from '../../domain/ledger.js';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface Sent {
  status: string;
  transferId: string;
  coins: number;
  balanceCoins: number;
  diamonds: number;
  comboId: string;
  comboCount: number;
}
interface CatalogBody {
  gifts: { id: string; coins: number; artUrl: string; animation: string; comboable: boolean; available: boolean }[];
}

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`gifts API on ${dialect.name}`, () => {
    let node: TestNode;
    let admin: string;
    let creator: { cookie: string; userId: string };
    let liveId: string;

    beforeAll(async () => {
      node = await openTestNode(dialect);
      admin = (await signUpAs(node, { handle: 'boss' })).cookie;
      await node.services.getUser('x'); // warm
      const bossId = (await node.storage.db.selectFrom('users').select('id').where('handle', '=', 'boss').executeTakeFirstOrThrow()).id;
      await node.storage.db.updateTable('users').set({ role: 'admin' }).where('id', '=', bossId).execute();
      creator = await signUpAs(node, { handle: 'mira' });
      await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
      liveId = await startLive(creator.userId);
    });
    afterAll(async () => {
      await node.drop();
    });

    /** A LIVE on air (inserted directly: the LIVE API has its own suite). */
    async function startLive(creatorId: string): Promise<string> {
      const id = randomUUID();
      const now = node.clock.nowMs();
      await node.storage.db.insertInto('lives').values({ id, creator_id: creatorId, title: 'Test LIVE', status: 'live', started_at_ms: now, creator_seen_at_ms: now, peak_viewers: 0 }).execute();
      return id;
    }

    /** A viewer with `coins` bought (credited directly: purchases have their own suite). */
    async function viewer(handle: string, coins: bigint, birthDate?: string): Promise<{ cookie: string; userId: string }> {
      const v = await signUpAs(node, { handle, ...(birthDate !== undefined ? { birthDate } : {}) });
      if (coins > 0n) {
        const r = await node.storage.ledger.submit([{ id: randomUUID(), code: 'PURCHASE', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(v.userId).coins.id, amount: coins }]);
        expect(r.status).toBe('applied');
      }
      return v;
    }

    async function coinsOf(userId: string): Promise<bigint> {
      const a = await node.storage.ledger.getAccount(userAccounts(userId).coins.id);
      return a ? availableOf(a) : -1n;
    }

    function send(cookie: string, body: Record<string, unknown>) {
      return node.call<Sent & ErrorBody>({ method: 'POST', url: '/v1/gifts', headers: { cookie }, payload: { id: randomUUID(), liveId, giftId: 'rose', count: 1, ...body } });
    }

    it('serves the default catalog publicly with art, prices and an ETag', async () => {
      const res = await node.call<CatalogBody>({ method: 'GET', url: '/v1/catalog' });
      expect(res.status).toBe(200);
      const byId = new Map(res.body.gifts.map((g) => [g.id, g]));
      expect(byId.get('rose')).toMatchObject({ coins: 1, animation: 'sticker', comboable: true, available: true });
      expect(byId.get('universe')).toMatchObject({ coins: 34_999, animation: 'fullscreen', comboable: false });
      expect(res.body.gifts).toHaveLength(10);
      const etag = String(res.headers.etag);
      const again = await node.app.inject({ method: 'GET', url: '/v1/catalog', headers: { 'if-none-match': etag } });
      expect(again.statusCode).toBe(304);
      const art = await node.app.inject({ method: 'GET', url: byId.get('rose')?.artUrl ?? '' });
      expect(art.statusCode).toBe(200);
      expect(art.headers['content-type']).toContain('image/svg+xml');
      expect((await node.app.inject({ method: 'GET', url: '/assets/gifts/..%2Fpackage.json' })).statusCode).toBe(404);
    });

    it('sends a gift as one linked unit: coins to the sink, diamonds to the creator on hold, price from the server', async () => {
      const v = await viewer('ana', 500n);
      const before = await node.storage.ledger.getAccount(userAccounts(creator.userId).diamondsOnHold.id);
      const res = await send(v.cookie, { giftId: 'doughnut', count: 3, coins: 1 });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'applied', coins: 90, balanceCoins: 410, diamonds: 90 });
      expect(await coinsOf(v.userId)).toBe(410n);
      const after = await node.storage.ledger.getAccount(userAccounts(creator.userId).diamondsOnHold.id);
      expect(availableOf(after ?? before ?? { creditsPosted: 0n, debitsPosted: 0n, debitsPending: 0n, creditsPending: 0n }) - availableOf(before ?? { creditsPosted: 0n, debitsPosted: 0n, debitsPending: 0n, creditsPending: 0n })).toBe(90n);
      const legs = await node.storage.ledger.listByRef(`live:${liveId}`, { limit: 10 });
      expect(legs.map((t) => t.asset)).toEqual(['COIN', 'DIAMOND']);
    });

    it('answers a retry with the original result and charges once; the same id with other content is 409', async () => {
      const v = await viewer('ben', 100n);
      const id = randomUUID();
      const first = await send(v.cookie, { id, giftId: 'finger-heart', count: 2 });
      const again = await send(v.cookie, { id, giftId: 'finger-heart', count: 2 });
      expect(first.status).toBe(201);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'duplicate', transferId: first.body.transferId, balanceCoins: 90, coins: 10 });
      expect(await coinsOf(v.userId)).toBe(90n);
      const other = await send(v.cookie, { id, giftId: 'finger-heart', count: 3 });
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('idempotency_conflict');
      expect(await coinsOf(v.userId)).toBe(90n);
    });

    it('never overdraws when three devices send 30 gifts at once that the wallet covers 10 of', async () => {
      const v = await viewer('cleo', 300n);
      const results = await Promise.all(Array.from({ length: 30 }, () => send(v.cookie, { giftId: 'doughnut' })));
      const applied = results.filter((r) => r.status === 201);
      const refused = results.filter((r) => r.status === 402);
      expect(applied).toHaveLength(10);
      expect(refused).toHaveLength(20);
      expect(refused.every((r) => r.body.error.code === 'insufficient_coins')).toBe(true);
      expect(await coinsOf(v.userId)).toBe(0n);
    });

    it('says how many coins are missing so a client can offer recharge', async () => {
      const v = await viewer('dana', 20n);
      const res = await send(v.cookie, { giftId: 'doughnut' });
      expect(res.status).toBe(402);
      expect(res.body.error).toMatchObject({ code: 'insufficient_coins', details: { balanceCoins: '20', requiredCoins: '30', shortfallCoins: '10' } });
      expect(await coinsOf(v.userId)).toBe(20n);
    });

    it('folds consecutive sends of a combo-able gift into one combo with a running count', async () => {
      const v = await viewer('eli', 100n);
      const a = await send(v.cookie, { giftId: 'rose', count: 1 });
      node.clock.advance(1_000);
      const b = await send(v.cookie, { giftId: 'rose', count: 5 });
      node.clock.advance(1_000);
      const c = await send(v.cookie, { giftId: 'rose', count: 1 });
      expect([b.body.comboId, c.body.comboId]).toEqual([a.body.comboId, a.body.comboId]);
      expect([a.body.comboCount, b.body.comboCount, c.body.comboCount]).toEqual([1, 6, 7]);
      node.clock.advance(10_000);
      const d = await send(v.cookie, { giftId: 'rose', count: 1 });
      expect(d.body.comboId).not.toBe(a.body.comboId);
      expect(d.body.comboCount).toBe(1);
      // A full-screen gift never joins a combo.
      const big = await viewer('fay', 3000n);
      const g1 = await send(big.cookie, { giftId: 'galaxy' });
      const g2 = await send(big.cookie, { giftId: 'galaxy' });
      expect(g1.body.comboId).not.toBe(g2.body.comboId);
    });

    it('refuses every rule of PRODUCT.md with its own code, and writes nothing', async () => {
      const v = await viewer('gus', 1000n);
      const teen = await viewer('hal', 0n, '2010-01-01');
      const cases: [string, Promise<{ status: number; body: ErrorBody }>, number, string][] = [
        ['under 18', send(teen.cookie, {}), 403, 'age_restricted'],
        ['to oneself', send(creator.cookie, {}), 422, 'cannot_gift_self'],
        ['unknown gift', send(v.cookie, { giftId: 'unicorn' }), 409, 'gift_unavailable'],
        ['unknown LIVE', send(v.cookie, { liveId: randomUUID() }), 404, 'not_found'],
        ['zero count', send(v.cookie, { count: 0 }), 400, 'validation_failed'],
        ['negative count', send(v.cookie, { count: -3 }), 400, 'validation_failed'],
        ['huge count', send(v.cookie, { count: 1e9 }), 400, 'validation_failed'],
        ['fractional count', send(v.cookie, { count: 1.5 }), 400, 'validation_failed'],
        ['string count', send(v.cookie, { count: '2' }), 400, 'validation_failed'],
        ['not a uuid', send(v.cookie, { id: 'abc' }), 400, 'validation_failed'],
        ['anonymous', node.call<ErrorBody>({ method: 'POST', url: '/v1/gifts', payload: { id: randomUUID(), liveId, giftId: 'rose' } }), 401, 'unauthenticated'],
        ['malformed JSON', node.call<ErrorBody>({ method: 'POST', url: '/v1/gifts', headers: { cookie: v.cookie, 'content-type': 'application/json' }, payload: '{"id":' }), 400, ''],
      ];
      for (const [name, pending, status, code] of cases) {
        const res = await pending;
        expect(res.status, name).toBe(status);
        if (code !== '') expect(res.body.error.code, name).toBe(code);
      }
      expect(await coinsOf(v.userId)).toBe(1000n);
      expect(await coinsOf(teen.userId)).toBe(0n);
    });

    it('refuses gifts while LIVE Gifts is off, to a suspended creator, and to a LIVE that ended', async () => {
      const v = await viewer('ida', 100n);
      const quiet = await signUpAs(node, { handle: 'quiet' });
      const quietLive = await startLive(quiet.userId);
      const off = await send(v.cookie, { liveId: quietLive });
      expect(off.status).toBe(403);
      expect(off.body.error.code).toBe('gifts_disabled');

      const sus = await signUpAs(node, { handle: 'sus' });
      await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: sus.cookie }, payload: { enabled: true } });
      const susLive = await startLive(sus.userId);
      await node.storage.db.updateTable('users').set({ live_suspended_until_ms: node.clock.nowMs() + 86_400_000, live_suspension_reason: 'gift-baiting' }).where('id', '=', sus.userId).execute();
      const suspended = await send(v.cookie, { liveId: susLive });
      expect(suspended.status).toBe(403);
      expect(suspended.body.error.code).toBe('live_suspended');

      const ended = await startLive(creator.userId === '' ? '' : (await signUpAs(node, { handle: 'gone' })).userId);
      await node.storage.db.updateTable('users').set({ gifts_enabled: 1 }).where('handle', '=', 'gone').execute();
      await node.storage.db.updateTable('lives').set({ status: 'ended', ended_at_ms: node.clock.nowMs() }).where('id', '=', ended).execute();
      const late = await send(v.cookie, { liveId: ended });
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('live_not_on_air');

      const banned = await viewer('jon', 100n);
      await node.storage.db.updateTable('users').set({ banned_at_ms: node.clock.nowMs(), ban_reason: 'card fraud' }).where('id', '=', banned.userId).execute();
      const ban = await send(banned.cookie, {});
      expect(ban.status).toBe(403);
      expect(ban.body.error.code).toBe('account_suspended');
      expect(await coinsOf(v.userId)).toBe(100n);
      expect(await coinsOf(banned.userId)).toBe(100n);
    });

    it('stops a viewer at the daily spend limit inside the ledger, even with concurrent sends', async () => {
      const tight = await openTestNode(dialect, { SPEND_DAILY_MAX_CENTS: '1000' }); // $10 ≈ 707 coins
      try {
        const c = await signUpAs(tight, { handle: 'crea' });
        await tight.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: c.cookie }, payload: { enabled: true } });
        const id = randomUUID();
        const now = tight.clock.nowMs();
        await tight.storage.db.insertInto('lives').values({ id, creator_id: c.userId, title: 't', status: 'live', started_at_ms: now, creator_seen_at_ms: now, peak_viewers: 0 }).execute();
        const v = await signUpAs(tight, { handle: 'vivi' });
        await tight.storage.ledger.submit([{ id: randomUUID(), code: 'PURCHASE', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(v.userId).coins.id, amount: 5000n }]);
        const sends = await Promise.all(
          Array.from({ length: 12 }, () => tight.call<Sent & ErrorBody>({ method: 'POST', url: '/v1/gifts', headers: { cookie: v.cookie }, payload: { id: randomUUID(), liveId: id, giftId: 'hand-hearts', count: 1 } })),
        );
        expect(sends.filter((s) => s.status === 201)).toHaveLength(7);
        const refused = sends.filter((s) => s.status !== 201);
        expect(refused.every((s) => s.body.error.code === 'spend_limit_reached')).toBe(true);
        expect(refused[0]?.body.error.details).toMatchObject({ period: 'day', remainingCoins: 7 });
        // The next day the limit starts again.
        tight.clock.advance(86_400_000);
        const tomorrow = await tight.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: v.cookie }, payload: { id: randomUUID(), liveId: id, giftId: 'hand-hearts' } });
        expect(tomorrow.status).toBe(201);
      } finally {
        await tight.drop();
      }
    });

    it('lets an admin add, re-price and retire gifts; others cannot; sends use the new price', async () => {
      const made = await node.call<{ id: string; coins: number }>({
        method: 'POST', url: '/v1/admin/catalog', headers: { cookie: admin },
        payload: { id: 'comet', name: 'Comet', coins: 42, art: 'galaxy.svg', animation: 'sticker', comboable: true },
      });
      expect(made.status).toBe(201);
      const notAdmin = await node.call<ErrorBody>({ method: 'POST', url: '/v1/admin/catalog', headers: { cookie: creator.cookie }, payload: { id: 'x', name: 'X', coins: 1, art: 'rose.svg', animation: 'sticker', comboable: true } });
      expect(notAdmin.status).toBe(403);
      const badArt = await node.call<ErrorBody>({ method: 'POST', url: '/v1/admin/catalog', headers: { cookie: admin }, payload: { id: 'y', name: 'Y', coins: 1, art: 'missing.svg', animation: 'sticker', comboable: true } });
      expect(badArt.status).toBe(400);

      const v = await viewer('kai', 1000n);
      expect((await send(v.cookie, { giftId: 'comet' })).body.coins).toBe(42);
      const repriced = await node.call<{ coins: number }>({ method: 'PATCH', url: '/v1/admin/catalog/comet', headers: { cookie: admin }, payload: { coins: 50 } });
      expect(repriced.body.coins).toBe(50);
      expect((await send(v.cookie, { giftId: 'comet' })).body.coins).toBe(50);
      await node.call({ method: 'PATCH', url: '/v1/admin/catalog/comet', headers: { cookie: admin }, payload: { retired: true } });
      const retired = await send(v.cookie, { giftId: 'comet' });
      expect(retired.status).toBe(409);
      expect(retired.body.error.code).toBe('gift_unavailable');
      const catalog = await node.call<CatalogBody>({ method: 'GET', url: '/v1/catalog' });
      expect(catalog.body.gifts.map((g) => g.id)).not.toContain('comet');
      const audit = await node.storage.db.selectFrom('audit_log').select('action').where('subject', '=', 'gift:comet').execute();
      expect(audit.map((a) => a.action)).toEqual(['gift.created', 'gift.updated', 'gift.retired']);
    });

    it('leaves a ledger that reconciles clean', async () => {
      const report = await node.storage.ledger.reconcile();
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    });
  });
}
