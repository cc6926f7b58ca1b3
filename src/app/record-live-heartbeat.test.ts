// Proves the batched heartbeat of a room: one call refreshes every viewer of a LIVE, joins those
// who never joined, keeps the creator's LIVE on air, counts the viewers once and raises the peak;
// a batch for an ended LIVE or mixing LIVEs is refused. On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';

let handles = 0;

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`batched LIVE heartbeats on ${dialect.name}`, () => {
    let node: TestNode;
    beforeAll(async () => {
      node = await openTestNode(dialect);
    });
    afterAll(async () => {
      await node.drop();
    });

    async function liveOfNewCreator(): Promise<{ liveId: string; creatorId: string; cookie: string }> {
      const creator = await signUpAs(node, { handle: `beat${handles++}` });
      const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Beats' } });
      expect(live.status).toBe(201);
      return { liveId: live.body.id, creatorId: creator.userId, cookie: creator.cookie };
    }

    it('refreshes, joins and counts a whole room in one call, and keeps the creator on air', async () => {
      const { liveId, creatorId } = await liveOfNewCreator();
      const viewer = (n: number) => ({ liveId, userId: null, anonymousKey: `anon-key-${n}-${liveId.slice(0, 8)}` });
      await node.services.joinLive(viewer(1));
      await node.services.joinLive(viewer(2));
      node.clock.advance(60_000);
      const presence = await node.services.recordLiveHeartbeats({
        liveId,
        // 1 and 2 joined; 3 never did (it joins now); 2 twice (two tabs); the creator is not a viewer.
        viewers: [viewer(1), viewer(2), viewer(2), viewer(3), { liveId, userId: creatorId, anonymousKey: null }],
      });
      expect(presence).toEqual({ liveId, viewers: 3, peakViewers: 3 });
      expect((await node.services.getLive({ liveId })).peakViewers).toBe(3);

      // Two minutes later only the viewers refreshed meanwhile still count.
      node.clock.advance(100_000);
      await node.services.recordLiveHeartbeats({ liveId, viewers: [viewer(1)] });
      node.clock.advance(30_000);
      expect((await node.services.recordLiveHeartbeats({ liveId, viewers: [viewer(1)] })).viewers).toBe(1);
    });

    it('refuses a batch for an ended LIVE, or one that mixes LIVEs', async () => {
      const a = await liveOfNewCreator();
      const b = await liveOfNewCreator();
      const anon = (liveId: string) => ({ liveId, userId: null, anonymousKey: `anon-mixed-${liveId.slice(0, 8)}` });
      await expect(node.services.recordLiveHeartbeats({ liveId: a.liveId, viewers: [anon(a.liveId), anon(b.liveId)] })).rejects.toMatchObject({ code: 'validation_failed' });
      expect((await node.call({ method: 'POST', url: `/v1/lives/${b.liveId}/end`, headers: { cookie: b.cookie }, payload: {} })).status).toBe(200);
      await expect(node.services.recordLiveHeartbeats({ liveId: b.liveId, viewers: [anon(b.liveId)] })).rejects.toMatchObject({ code: 'live_not_on_air' });
    });
  });
}
