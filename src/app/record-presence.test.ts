// Proves batched presence, as the real-time room records it: one call joins and leaves many viewers
// of a LIVE, counts them once and raises the peak; a viewer who appears twice in one batch is
// applied in order (closed a tab, opened another: still watching); the creator is not a viewer;
// a batch for an ended LIVE counts nobody; mixing LIVEs is refused. On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';

let handles = 0;

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`batched presence on ${dialect.name}`, () => {
    let node: TestNode;
    beforeAll(async () => {
      node = await openTestNode(dialect);
    });
    afterAll(async () => {
      await node.drop();
    });

    async function liveOfNewCreator(): Promise<{ liveId: string; creatorId: string; cookie: string }> {
      const creator = await signUpAs(node, { handle: `pres${String(handles++)}` });
      const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Crowd' } });
      expect(live.status).toBe(201);
      return { liveId: live.body.id, creatorId: creator.userId, cookie: creator.cookie };
    }

    it('joins and leaves a burst of viewers in one call, in order, and counts them once', async () => {
      const { liveId, creatorId } = await liveOfNewCreator();
      const viewer = (n: number) => ({ liveId, userId: null, anonymousKey: `anon-key-${String(n)}-${liveId.slice(0, 8)}` });
      const joins = Array.from({ length: 1_500 }, (_, n) => ({ viewer: viewer(n), action: 'join' as const }));
      const creator = { viewer: { liveId, userId: creatorId, anonymousKey: null }, action: 'join' as const };
      expect(await node.services.recordPresence({ liveId, changes: [...joins, creator] })).toEqual({ liveId, viewers: 1_500, peakViewers: 1_500 });
      expect((await node.services.getLive({ liveId })).peakViewers).toBe(1_500);

      // Viewer 0 closes a tab and opens another in the same batch: still watching. Viewer 1 opens a
      // second tab and closes it: still watching. Viewer 2 leaves. Viewer 9,999 joins and leaves.
      const presence = await node.services.recordPresence({
        liveId,
        changes: [
          { viewer: viewer(0), action: 'leave' },
          { viewer: viewer(0), action: 'join' },
          { viewer: viewer(1), action: 'join' },
          { viewer: viewer(2), action: 'leave' },
          { viewer: viewer(1), action: 'leave' },
          { viewer: viewer(9_999), action: 'join' },
          { viewer: viewer(9_999), action: 'leave' },
        ],
      });
      expect(presence).toEqual({ liveId, viewers: 1_499, peakViewers: 1_500 });
    });

    it('counts nobody once the LIVE ended, and refuses a batch that mixes LIVEs', async () => {
      const a = await liveOfNewCreator();
      const b = await liveOfNewCreator();
      const mixed = [
        { viewer: { liveId: a.liveId, userId: null, anonymousKey: 'anon-key-mixed-a' }, action: 'join' as const },
        { viewer: { liveId: b.liveId, userId: null, anonymousKey: 'anon-key-mixed-b' }, action: 'join' as const },
      ];
      await expect(node.services.recordPresence({ liveId: a.liveId, changes: mixed })).rejects.toMatchObject({ code: 'validation_failed' });
      await node.call({ method: 'POST', url: `/v1/lives/${a.liveId}/end`, headers: { cookie: a.cookie }, payload: {} });
      expect(await node.services.recordPresence({ liveId: a.liveId, changes: mixed.slice(0, 1) })).toMatchObject({ liveId: a.liveId, viewers: 0 });
    });
  });
}
