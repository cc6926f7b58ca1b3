// Proves the admin API: only an admin (with the admin scope) sees the audit log, runs the ledger
// reconciliation, lists and searches users with their standing, changes roles (never their own;
// every change audited), lists every creator's payouts and the whole catalog; pages never skip or
// repeat a row, and bad input gets stable error codes.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../../test/support/livegift.js';
import { giveAvailableDiamonds } from '../../../test/support/payouts.js';
import type { AdminCatalog, AdminPayoutPage, AdminUser, AdminUserPage } from '../../protocol/admin.js';
import type { ErrorBody } from '../../protocol/common.js';

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`admin API on ${dialect.name}`, () => {
    let node: TestNode;
    let admin: string;
    let adminId: string;
    let user: { cookie: string; userId: string };
    beforeAll(async () => {
      node = await openTestNode(dialect, { DIAMOND_HOLD_HOURS: '0' });
      const a = await signUpAs(node, { handle: 'root' });
      await node.storage.db.updateTable('users').set({ role: 'admin' }).where('id', '=', a.userId).execute();
      admin = a.cookie;
      adminId = a.userId;
      user = await signUpAs(node, { handle: 'plain' });
    });
    afterAll(async () => {
      await node.drop();
    });

    it('shows the audit log to admins only, newest first, filtered by subject, paged', async () => {
      expect((await node.call({ method: 'GET', url: '/v1/admin/audit', headers: { cookie: user.cookie } })).status).toBe(403);
      expect((await node.call({ method: 'GET', url: '/v1/admin/audit' })).status).toBe(401);
      const all = await node.call<{ entries: { seq: number; action: string; subject: string }[]; nextBeforeSeq: number | null }>({ method: 'GET', url: '/v1/admin/audit?limit=1', headers: { cookie: admin } });
      expect(all.status).toBe(200);
      expect(all.body.entries).toHaveLength(1);
      expect(all.body.entries[0]?.subject).toBe(`user:${user.userId}`);
      const older = await node.call<{ entries: { action: string }[] }>({ method: 'GET', url: `/v1/admin/audit?beforeSeq=${all.body.nextBeforeSeq ?? 0}`, headers: { cookie: admin } });
      expect(older.body.entries.map((e) => e.action)).toContain('user.signed_up');
      const mine = await node.call<{ entries: { subject: string }[] }>({ method: 'GET', url: `/v1/admin/audit?subject=user:${user.userId}`, headers: { cookie: admin } });
      expect(mine.body.entries.every((e) => e.subject === `user:${user.userId}`)).toBe(true);
    });

    it('reconciles the ledger for an admin and records that it did', async () => {
      expect((await node.call({ method: 'POST', url: '/v1/admin/reconcile', headers: { cookie: user.cookie } })).status).toBe(403);
      const r = await node.call<{ ok: boolean; problems: unknown[] }>({ method: 'POST', url: '/v1/admin/reconcile', headers: { cookie: admin } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: true, problems: [] });
      const audit = await node.call<{ entries: { action: string }[] }>({ method: 'GET', url: '/v1/admin/audit?subject=ledger', headers: { cookie: admin } });
      expect(audit.body.entries.map((e) => e.action)).toEqual(['ledger.reconciled']);
    });

    it('keeps the audit log append-only in the database itself', async () => {
      await expect(sql`UPDATE audit_log SET action = 'rewritten'`.execute(node.storage.db)).rejects.toThrow(/append-only/);
      await expect(sql`DELETE FROM audit_log`.execute(node.storage.db)).rejects.toThrow(/append-only/);
    });

    it('refuses an admin token without the admin scope', async () => {
      const made = await node.call<{ token: string }>({ method: 'POST', url: '/v1/me/tokens', headers: { cookie: admin }, payload: { name: 'read only', scopes: ['read'] } });
      const res = await node.call({ method: 'GET', url: '/v1/admin/audit', headers: { authorization: `Bearer ${made.body.token}` } });
      expect(res.status).toBe(403);
      for (const url of ['/v1/admin/users', '/v1/admin/payouts', '/v1/admin/catalog']) {
        expect((await node.call({ method: 'GET', url, headers: { authorization: `Bearer ${made.body.token}` } })).status).toBe(403);
      }
    });

    const get = <T>(url: string, cookie = admin) => node.call<T>({ method: 'GET', url, headers: { cookie } });

    it('lists users newest first with their standing, to admins only', async () => {
      expect((await node.call({ method: 'GET', url: '/v1/admin/users' })).status).toBe(401);
      expect((await get('/v1/admin/users', user.cookie)).status).toBe(403);
      const teen = await signUpAs(node, { handle: 'teen_list', displayName: 'Teen Lister', birthDate: '2012-01-01' });
      const star = await signUpAs(node, { handle: 'star_list', displayName: 'Star Lister' });
      await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: star.cookie }, payload: { enabled: true } });
      await node.storage.db
        .updateTable('users')
        .set({ live_suspended_until_ms: node.clock.nowMs() + 86_400_000, live_suspension_reason: 'gift-baiting', banned_at_ms: node.clock.nowMs(), ban_reason: 'card fraud' })
        .where('id', '=', star.userId)
        .execute();

      const res = await get<AdminUserPage>('/v1/admin/users?limit=100');
      expect(res.status).toBe(200);
      const ids = res.body.users.map((u) => u.id);
      // Ids are UUIDv7, so id order is sign-up order (two sign-ups in one millisecond may tie).
      expect(ids).toEqual([...ids].sort().reverse());
      expect(new Set(ids.slice(0, 2))).toEqual(new Set([star.userId, teen.userId]));
      expect(ids.indexOf(adminId)).toBeGreaterThan(1);
      expect(res.body.nextCursor).toBeNull();
      const byId = new Map(res.body.users.map((u) => [u.id, u]));
      expect(byId.get(teen.userId)).toMatchObject({ handle: 'teen_list', role: 'user', adult: false, giftsEnabled: false, liveSuspension: null, banned: false, banReason: null });
      expect(byId.get(star.userId)).toMatchObject({
        adult: true,
        giftsEnabled: true,
        liveSuspension: { untilMs: node.clock.nowMs() + 86_400_000, reason: 'gift-baiting' },
        banned: true,
        banReason: 'card fraud',
      });
      expect(byId.get(adminId)).toMatchObject({ role: 'admin', email: 'root@example.test' });
      expect(Object.keys(byId.get(adminId) ?? {})).not.toContain('birthDate');
    });

    it('searches users by handle, display name or email in any case, and by role', async () => {
      await signUpAs(node, { handle: 'quinn_find', displayName: 'Quinn Finder' });
      await signUpAs(node, { handle: 'other_one', displayName: 'Mx QUINNELL' });
      await signUpAs(node, { handle: 'pct_100', displayName: 'Percent' });
      const names = async (query: string) => (await get<AdminUserPage>(`/v1/admin/users?${query}`)).body.users.map((u) => u.handle).sort();
      expect(await names('q=QUINN')).toEqual(['other_one', 'quinn_find']);
      expect(await names('q=finder')).toEqual(['quinn_find']);
      expect(await names(`q=${encodeURIComponent('other_one@example')}`)).toEqual(['other_one']);
      // % and _ are matched as themselves, not as LIKE wildcards.
      expect(await names(`q=${encodeURIComponent('%')}`)).toEqual([]);
      expect(await names(`q=${encodeURIComponent('t_1')}`)).toEqual(['pct_100']);
      expect(await names('q=nobody-like-this')).toEqual([]);
      expect(await names('role=admin')).toEqual(['root']);
      expect(await names('role=moderator&q=quinn')).toEqual([]);
    });

    it('pages users without skipping or repeating, and refuses a bad query with validation_failed', async () => {
      const all = (await get<AdminUserPage>('/v1/admin/users?limit=100')).body.users.map((u) => u.id);
      expect(all.length).toBeGreaterThan(4);
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const page: AdminUserPage = (await get<AdminUserPage>(`/v1/admin/users?limit=2${cursor !== null ? `&cursor=${cursor}` : ''}`)).body;
        expect(page.users.length).toBeLessThanOrEqual(2);
        seen.push(...page.users.map((u) => u.id));
        cursor = page.nextCursor;
        if (cursor === null) break;
      }
      expect(seen).toEqual(all);
      for (const bad of ['limit=0', 'limit=101', 'role=owner', 'cursor=a%20b', `q=${'x'.repeat(101)}`]) {
        const res = await get<ErrorBody>(`/v1/admin/users?${bad}`);
        expect(res.status, bad).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
      }
    });

    it("changes a user's role, audited with before and after; never the admin's own; stable codes", async () => {
      const target = await signUpAs(node, { handle: 'promote_me' });
      const patch = (id: string, payload: Record<string, unknown>, cookie = admin) => node.call<AdminUser & ErrorBody>({ method: 'PATCH', url: `/v1/admin/users/${id}`, headers: { cookie }, payload });

      expect((await node.call({ method: 'PATCH', url: `/v1/admin/users/${target.userId}`, payload: { role: 'moderator' } })).status).toBe(401);
      const refused = await patch(target.userId, { role: 'admin' }, user.cookie);
      expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
      const own = await patch(adminId, { role: 'user' });
      expect([own.status, own.body.error.code, own.body.error.details]).toEqual([403, 'forbidden', { reason: 'own_role' }]);
      const missing = await patch('no-such-user', { role: 'moderator' });
      expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
      for (const payload of [{ role: 'owner' }, {}, { role: null }]) {
        const bad = await patch(target.userId, payload);
        expect([bad.status, bad.body.error.code]).toEqual([400, 'validation_failed']);
      }

      const made = await patch(target.userId, { role: 'moderator' });
      expect(made.status).toBe(200);
      expect(made.body).toMatchObject({ id: target.userId, role: 'moderator' });
      expect((await node.call<{ role: string }>({ method: 'GET', url: '/v1/me', headers: { cookie: target.cookie } })).body.role).toBe('moderator');
      // The same role again changes nothing and logs nothing.
      expect((await patch(target.userId, { role: 'moderator' })).status).toBe(200);
      const audit = await get<{ entries: { action: string; actorId: string | null; details: unknown }[] }>(`/v1/admin/audit?subject=user:${target.userId}`);
      expect(audit.body.entries.filter((e) => e.action === 'user.role_changed')).toEqual([
        expect.objectContaining({ actorId: adminId, details: { from: 'user', to: 'moderator' } }),
      ]);
      expect((await get<AdminUserPage>('/v1/admin/users?role=moderator')).body.users.map((u) => u.id)).toEqual([target.userId]);
      // A moderator is not an admin: the admin API stays closed to them.
      expect((await get('/v1/admin/users', target.cookie)).status).toBe(403);
    });

    it("lists every creator's payouts with creator and account, by status, paging within one millisecond", async () => {
      expect((await get('/v1/admin/payouts', user.cookie)).status).toBe(403);
      const creators = [await signUpAs(node, { handle: 'payee_one', displayName: 'Payee One' }), await signUpAs(node, { handle: 'payee_two', displayName: 'Payee Two' })];
      const made: string[] = [];
      for (const c of creators) {
        await giveAvailableDiamonds(node, c.userId, 20_000n);
        const account = await node.services.addPayoutAccount({ userId: c.userId, details: { kind: 'bank', holderName: 'P. Ayee', accountNumber: 'NL91ABNA0417164300' } });
        for (let i = 0; i < 3; i++) {
          const { payout } = await node.services.requestPayout({ userId: c.userId, id: randomUUID(), payoutAccountId: account.id, diamonds: 2000n });
          made.push(payout.id);
        }
      }
      const page = await get<AdminPayoutPage>('/v1/admin/payouts?limit=100');
      expect(page.status).toBe(200);
      const mine = page.body.payouts.filter((p) => made.includes(p.id));
      expect(mine).toHaveLength(6);
      expect(mine[0]).toMatchObject({ status: 'requested', diamonds: 2000, amountMinor: 1000, currency: 'USD', accountLabel: 'Bank •••• 4300' });
      expect(new Set(mine.map((p) => p.creator?.handle))).toEqual(new Set(['payee_one', 'payee_two']));

      // Every payout here was made in the same test-clock millisecond: the cursor still neither
      // skips nor repeats one.
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const next: AdminPayoutPage = (await get<AdminPayoutPage>(`/v1/admin/payouts?limit=4${cursor !== null ? `&cursor=${cursor}` : ''}`)).body;
        seen.push(...next.payouts.map((p) => p.id));
        cursor = next.nextCursor;
        if (cursor === null) break;
      }
      expect(seen).toEqual(page.body.payouts.map((p) => p.id));

      await node.services.processPayouts();
      const paid = await get<AdminPayoutPage>('/v1/admin/payouts?status=paid&limit=100');
      expect(paid.body.payouts.filter((p) => made.includes(p.id)).map((p) => p.status)).toEqual(Array(6).fill('paid'));
      expect((await get<AdminPayoutPage>('/v1/admin/payouts?status=requested')).body.payouts).toEqual([]);
      const bad = await get<ErrorBody>('/v1/admin/payouts?status=lost');
      expect([bad.status, bad.body.error.code]).toEqual([400, 'validation_failed']);
      expect((await get<ErrorBody>('/v1/admin/payouts?cursor=yesterday')).status).toBe(400);
    });

    it('lists the whole catalog with retired gifts and the art files, to admins only', async () => {
      expect((await get('/v1/admin/catalog', user.cookie)).status).toBe(403);
      const retired = await node.call({ method: 'PATCH', url: '/v1/admin/catalog/rose', headers: { cookie: admin }, payload: { retired: true } });
      expect(retired.status).toBe(200);
      const catalog = await get<AdminCatalog>('/v1/admin/catalog');
      expect(catalog.status).toBe(200);
      expect(catalog.body.gifts.find((g) => g.id === 'rose')).toMatchObject({ available: false, retiredAtMs: node.clock.nowMs() });
      expect(catalog.body.artFiles).toContain('rose.svg');
      const publicIds = (await node.call<{ gifts: { id: string }[] }>({ method: 'GET', url: '/v1/catalog' })).body.gifts.map((g) => g.id);
      expect(publicIds).not.toContain('rose');
      expect(catalog.body.gifts.length).toBe(publicIds.length + 1);
      await node.call({ method: 'PATCH', url: '/v1/admin/catalog/rose', headers: { cookie: admin }, payload: { retired: false } });
    });

    it('documents the admin routes in the OpenAPI document', async () => {
      const doc = await node.call<{ paths: Record<string, Record<string, unknown>> }>({ method: 'GET', url: '/openapi.json' });
      expect(Object.keys(doc.body.paths['/v1/admin/users'] ?? {})).toContain('get');
      expect(Object.keys(doc.body.paths['/v1/admin/users/{id}'] ?? {})).toContain('patch');
      expect(Object.keys(doc.body.paths['/v1/admin/payouts'] ?? {})).toContain('get');
      expect(Object.keys(doc.body.paths['/v1/admin/catalog'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    });
  });
}
