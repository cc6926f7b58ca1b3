// Proves the maturation job moves each gift's diamonds from on hold to available exactly once, when its
// hold has passed and not before (72 h, and at once with a hold of 0), with one MATURE transfer per
// gift leg carrying the gift's ref; that rerunning it — even from a lost cursor — matures nothing
// twice; that it walks past long stretches of other transfers, stays within its limit per run, and
// skips a leg whose diamonds a reversal already took; on SQLite and PostgreSQL, reconciling after each.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';
import { bookGiftDiamonds, diamondsOf, expectPayoutsConsistent } from '../../test/support/payouts.js';
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import { matureTransferId } from '../domain/payouts.js';
import { MATURE_CURSOR } from './mature-diamonds.js';

const HOUR_MS = 3_600_000;
let handles = 0;

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`diamond maturation on ${dialect.name}`, () => {
    describe('with the default 72 h hold', () => {
      let node: TestNode;
      beforeAll(async () => {
        node = await openTestNode(dialect, { DIAMOND_HOLD_HOURS: '72' });
      });
      afterEach(async () => {
        await expectPayoutsConsistent(node);
      });
      afterAll(async () => {
        await node.drop();
      });

      async function creator(): Promise<string> {
        return (await signUpAs(node, { handle: `mh${(handles++).toString(36)}` })).userId;
      }

      async function transferCount(): Promise<number> {
        const r = await node.storage.db.selectFrom('transfers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        return Number(r.n);
      }

      it('matures nothing before 72 h, every leg once after, and nothing twice when run again', async () => {
        const alice = await creator();
        const bob = await creator();
        const legs = [
          await bookGiftDiamonds(node, alice, 5n, 'l1'),
          await bookGiftDiamonds(node, alice, 299n, 'l1'),
          await bookGiftDiamonds(node, bob, 1000n, 'l2'),
        ];
        node.clock.advance(HOUR_MS);
        const late = await bookGiftDiamonds(node, alice, 30n, 'l3');

        node.clock.advance(71 * HOUR_MS - 1); // the first three are 1 ms short of their hold
        expect(await node.services.matureDiamonds()).toMatchObject({ matured: 0 });
        expect(await diamondsOf(node.storage, alice)).toMatchObject({ onHold: 334n, available: 0n });

        node.clock.advance(1);
        expect(await node.services.matureDiamonds()).toMatchObject({ matured: 3, diamonds: 1304n, skipped: 0 });
        expect(await diamondsOf(node.storage, alice)).toMatchObject({ onHold: 30n, available: 304n });
        expect(await diamondsOf(node.storage, bob)).toMatchObject({ onHold: 0n, available: 1000n });
        for (const leg of legs) {
          const gift = await node.storage.ledger.getTransfer(leg);
          expect(await node.storage.ledger.getTransfer(matureTransferId(leg))).toMatchObject({
            code: 'MATURE',
            kind: 'single',
            amount: gift?.amount,
            ref: gift?.ref,
            debitAccountId: gift?.creditAccountId,
            metadata: JSON.stringify({ giftLegId: leg }),
          });
        }

        const transfers = await transferCount();
        expect(await node.services.matureDiamonds()).toMatchObject({ matured: 0 });
        // A lost cursor (say the meta row was restored from an old backup) re-reads every leg, and the
        // ledger answers each MATURE as a duplicate: nothing moves twice.
        await node.storage.db.deleteFrom('meta').where('key', '=', MATURE_CURSOR).execute();
        await node.services.matureDiamonds();
        expect(await transferCount()).toBe(transfers);
        expect(await diamondsOf(node.storage, alice)).toMatchObject({ onHold: 30n, available: 304n });

        node.clock.advance(HOUR_MS);
        expect(await node.services.matureDiamonds()).toMatchObject({ matured: 1, diamonds: 30n });
        expect(await node.storage.ledger.getTransfer(matureTransferId(late))).toMatchObject({ ref: 'live:l3' });
        expect(await diamondsOf(node.storage, alice)).toMatchObject({ onHold: 0n, available: 334n });
      });

      it('shows the hold through GET /v1/me/diamonds, then the diamonds as available', async () => {
        const who = await signUpAs(node, { handle: `mh${(handles++).toString(36)}` });
        await bookGiftDiamonds(node, who.userId, 2000n);
        const before = await node.call<{ onHold: number; available: number; holdHours: number }>({ method: 'GET', url: '/v1/me/diamonds', headers: { cookie: who.cookie } });
        expect(before.body).toMatchObject({ onHold: 2000, available: 0, holdHours: 72 });
        node.clock.advance(72 * HOUR_MS);
        await node.services.matureDiamonds();
        const after = await node.call<{ onHold: number; available: number }>({ method: 'GET', url: '/v1/me/diamonds', headers: { cookie: who.cookie } });
        expect(after.body).toMatchObject({ onHold: 0, available: 2000 });
      });
    });

    describe('with no hold', () => {
      let node: TestNode;
      beforeAll(async () => {
        node = await openTestNode(dialect, { DIAMOND_HOLD_HOURS: '0' });
      });
      afterEach(async () => {
        await expectPayoutsConsistent(node);
      });
      afterAll(async () => {
        await node.drop();
      });

      it('matures a gift at once', async () => {
        const { userId } = await signUpAs(node, { handle: `m0${(handles++).toString(36)}` });
        await bookGiftDiamonds(node, userId, 77n);
        expect(await node.services.matureDiamonds()).toMatchObject({ matured: 1, diamonds: 77n });
        expect(await diamondsOf(node.storage, userId)).toMatchObject({ onHold: 0n, available: 77n });
      });

      it('stays within its limit per run and finishes on the next', async () => {
        const { userId } = await signUpAs(node, { handle: `m0${(handles++).toString(36)}` });
        for (let i = 0; i < 10; i++) await bookGiftDiamonds(node, userId, 1n);
        expect(await node.services.matureDiamonds({ limit: 4 })).toMatchObject({ matured: 4 });
        expect(await diamondsOf(node.storage, userId)).toMatchObject({ onHold: 6n, available: 4n });
        expect(await node.services.matureDiamonds({ limit: 4 })).toMatchObject({ matured: 4 });
        expect(await node.services.matureDiamonds()).toMatchObject({ matured: 2 });
        expect(await diamondsOf(node.storage, userId)).toMatchObject({ onHold: 0n, available: 10n });
      });

      it('walks past thousands of other transfers to the next gift leg', async () => {
        const { userId } = await signUpAs(node, { handle: `m0${(handles++).toString(36)}` });
        const viewer = userAccounts(`v${(handles++).toString(36)}`);
        await node.storage.ledger.openAccounts([viewer.coins]);
        // More coin purchases than one page's window of seqs, then one gift.
        await Promise.all(
          Array.from({ length: 4200 }, (_, i) =>
            node.storage.ledger.submit([{ id: `buy-${viewer.coins.id}-${i}`, code: 'PURCHASE', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: viewer.coins.id, amount: 1n }]),
          ),
        );
        await bookGiftDiamonds(node, userId, 9n);
        expect(await node.services.matureDiamonds()).toMatchObject({ matured: 1, diamonds: 9n });
      });

      it('skips a leg whose diamonds a reversal already took off the hold, and moves on', async () => {
        const { userId } = await signUpAs(node, { handle: `m0${(handles++).toString(36)}` });
        const reversed = await bookGiftDiamonds(node, userId, 50n);
        const reversal = await node.storage.ledger.submit([
          { id: `reverse:${reversed}`, code: 'REVERSAL', kind: 'single', debitAccountId: userAccounts(userId).diamondsOnHold.id, creditAccountId: SystemAccounts.diamondIssuance.id, amount: 50n },
        ]);
        expect(reversal.status).toBe('applied');
        await bookGiftDiamonds(node, userId, 8n);
        expect(await node.services.matureDiamonds()).toMatchObject({ matured: 1, skipped: 1, diamonds: 8n });
        expect(await diamondsOf(node.storage, userId)).toMatchObject({ onHold: 0n, available: 8n });
        const audit = await node.storage.db.selectFrom('audit_log').select('action').where('subject', '=', `transfer:${reversed}`).execute();
        expect(audit.map((a) => a.action)).toEqual(['diamonds.maturation_skipped']);
      });
    });
  });
}
