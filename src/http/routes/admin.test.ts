// Proves the admin reads: only an admin (with the admin scope) sees the audit log and runs the
// ledger reconciliation, entries page newest first and filter by subject.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../../test/support/livegift.js';

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`admin API on ${dialect.name}`, () => {
    let node: TestNode;
    let admin: string;
    let user: { cookie: string; userId: string };
    beforeAll(async () => {
      node = await openTestNode(dialect);
      const a = await signUpAs(node, { handle: 'root' });
      await node.storage.db.updateTable('users').set({ role: 'admin' }).where('id', '=', a.userId).execute();
      admin = a.cookie;
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
    });
  });
}
