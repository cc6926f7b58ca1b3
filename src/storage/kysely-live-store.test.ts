// Proves the LiveStore adapter behaves the same on SQLite and PostgreSQL: one LIVE on air per creator
// (the unique index mapped to AlreadyLive), ending and summarizing each happen once, the summary
// keeps its bigints, and viewer connections, staleness, peak and unique counts add up.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyLive } from '../domain/errors.js';
import type { LiveSummary } from '../domain/live-summary.js';
import { DIALECTS, type TestStorage } from '../../test/support/databases.js';
import { KyselyUserStore } from './kysely-user-store.js';
import { KyselyLiveStore } from './kysely-live-store.js';

const T0 = 1_800_000_000_000;

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`KyselyLiveStore on ${dialect.name}`, () => {
    let storage: TestStorage;
    let lives: KyselyLiveStore;
    let users: KyselyUserStore;
    beforeAll(async () => {
      storage = await dialect.open();
      lives = new KyselyLiveStore(storage.db);
      users = new KyselyUserStore(storage.db);
    });
    afterAll(async () => {
      await storage.drop();
    });

    async function creator(): Promise<string> {
      const id = randomUUID();
      const handle = `c_${id.slice(0, 8)}`;
      await users.create({ id, email: `${handle}@example.test`, handle, displayName: handle, birthDate: '1990-01-01', passwordHash: 'x', role: 'user', createdAtMs: T0 });
      return id;
    }

    it('keeps one LIVE on air per creator and allows the next once it ended; ending and summarizing happen once', async () => {
      const c = await creator();
      const id = randomUUID();
      await lives.create({ id, creatorId: c, title: 'One', startedAtMs: T0 });
      await expect(lives.create({ id: randomUUID(), creatorId: c, title: 'Two', startedAtMs: T0 })).rejects.toBeInstanceOf(AlreadyLive);
      expect((await lives.findOnAirOf(c))?.id).toBe(id);
      expect(await lives.findLive(id)).toMatchObject({ id, creatorId: c, status: 'live' });

      const results = await Promise.all([lives.markEnded(id, { atMs: T0 + 5, by: 'creator', reason: null }), lives.markEnded(id, { atMs: T0 + 6, by: 'auto', reason: 'away' })]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const summary: LiveSummary = {
        durationMs: 5,
        peakViewers: 2,
        uniqueViewers: 3,
        gifters: 1,
        giftsCount: 4,
        coinsSpent: 2n ** 52n + 1n,
        diamondsEarned: 9n,
        topGifters: [{ user: { id: 'u', handle: 'h', displayName: 'H' }, coins: 2n ** 52n + 1n, gifts: 4 }],
      };
      expect(await lives.saveSummary(id, summary)).toBe(true);
      expect(await lives.saveSummary(id, { ...summary, gifters: 99 })).toBe(false);
      expect((await lives.findById(id))?.summary).toEqual(summary);

      await lives.create({ id: randomUUID(), creatorId: c, title: 'Three', startedAtMs: T0 + 10 });
    });

    it('counts connections per viewer, forgets stale ones, raises the peak, and counts everyone who joined', async () => {
      const c = await creator();
      const id = randomUUID();
      await lives.create({ id, creatorId: c, title: 'Presence', startedAtMs: T0 });
      const window = 120_000;
      await lives.joinViewer(id, 'a', T0, T0 - window);
      await lives.joinViewer(id, 'a', T0, T0 - window);
      await lives.joinViewer(id, 'anon:b', T0, T0 - window);
      expect(await lives.countPresent(id, T0 - window)).toBe(2);
      await lives.leaveViewer(id, 'a', T0 + 1);
      expect(await lives.countPresent(id, T0 - window)).toBe(2);
      await lives.leaveViewer(id, 'a', T0 + 2);
      await lives.leaveViewer(id, 'a', T0 + 3);
      expect(await lives.countPresent(id, T0 - window)).toBe(1);

      // 'anon:b' vanished without leaving; rejoining later starts again from one connection.
      const later = T0 + 10 * window;
      expect(await lives.countPresent(id, later - window)).toBe(0);
      await lives.joinViewer(id, 'anon:b', later, later - window);
      await lives.leaveViewer(id, 'anon:b', later);
      expect(await lives.countPresent(id, later - window)).toBe(0);
      expect(await lives.touchViewer(id, 'never', later)).toBe(false);

      await lives.raisePeak(id, 2);
      await lives.raisePeak(id, 1);
      expect((await lives.findById(id))?.peakViewers).toBe(2);
      await lives.joinViewer(id, 'c', later, later - window);
      expect(await lives.countUnique(id)).toBe(3);
      expect((await lives.findListing(id, later - window))?.viewers).toBe(1);
      expect((await lives.listOnAir({ limit: 100, presentSinceMs: later - window })).find((l) => l.id === id)?.viewers).toBe(1);
    });

    it('joins and leaves many viewers at once (in chunks), with the same rules as one at a time', async () => {
      const c = await creator();
      const id = randomUUID();
      await lives.create({ id, creatorId: c, title: 'Crowd', startedAtMs: T0 });
      const window = 120_000;
      await lives.joinViewer(id, 'k0', T0, T0 - window); // already there: a second connection
      await lives.joinViewer(id, 'k1', T0 - 10 * window, T0 - 11 * window); // stale: starts again from one
      await lives.joinViewer(id, 'k1', T0 - 10 * window, T0 - 11 * window);
      const keys = Array.from({ length: 1_201 }, (_, i) => `k${String(i)}`);
      await lives.joinViewers(id, keys, T0, T0 - window);
      expect(await lives.countPresent(id, T0 - window)).toBe(1_201);
      expect(await lives.countUnique(id)).toBe(1_201);
      // k0 had two connections: one leave keeps it; k1 had its stale two reset to one: one leave ends it.
      await lives.leaveViewers(id, keys.slice(0, 700), T0 + 1);
      expect(await lives.countPresent(id, T0 - window)).toBe(1_201 - 699);
      await lives.leaveViewers(id, ['k0', 'never'], T0 + 2);
      expect(await lives.countPresent(id, T0 - window)).toBe(1_201 - 700);
    });

    it('finds LIVEs whose creator is away, and never moves the creator’s last sign backwards', async () => {
      const c = await creator();
      const id = randomUUID();
      await lives.create({ id, creatorId: c, title: 'Away', startedAtMs: T0 });
      await lives.touchCreator(id, T0 + 1000);
      await lives.touchCreator(id, T0 + 500);
      expect((await lives.findById(id))?.creatorSeenAtMs).toBe(T0 + 1000);
      expect(await lives.listAbandoned(T0 + 1000, 100)).not.toContain(id);
      expect(await lives.listAbandoned(T0 + 1001, 100)).toContain(id);
    });

    it('refreshes many viewers in one call (in chunks) and answers exactly the keys that had joined', async () => {
      const c = await creator();
      const id = randomUUID();
      await lives.create({ id, creatorId: c, title: 'Busy', startedAtMs: T0 });
      const joined = Array.from({ length: 1200 }, (_, i) => `anon:${i}`);
      for (const key of joined) await lives.joinViewer(id, key, T0, T0 - 1);
      const touched = await lives.touchViewers(id, [...joined, 'anon:never-joined'], T0 + 200_000);
      expect(touched.size).toBe(joined.length);
      expect(touched.has('anon:never-joined')).toBe(false);
      // Seen again at T0 + 200 s: present in a window that starts after their join.
      expect(await lives.countPresent(id, T0 + 100_000)).toBe(joined.length);
      expect(await lives.touchViewers(id, [], T0)).toEqual(new Set());
    });
  });
}
