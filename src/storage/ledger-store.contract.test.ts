// Proves every LedgerStore dialect keeps the ledger's promises: exactly-once transfers, all-or-nothing linked groups, pending transfers resolved once, no overdraft under concurrency, an append-only database that refuses tampering, a reconciler that detects it, and a close() that loses nothing.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestStorage } from '../../test/support/databases.js';
import type { LedgerStore } from '../app/ports.js';
import { allSystemAccounts, SystemAccounts, userAccounts } from '../domain/accounts.js';
import { availableOf, type AccountSpec, type AccountState, type CommittedTransfer, type GroupOutcome, type TransferRequest } from '../domain/ledger.js';
import { openStorage } from './database.js';

const { coinIssuance, coinGiftSink, diamondIssuance, diamondPayoutClearing } = SystemAccounts;
const GIFT_PRICE = 10n;
/** Small batches, so concurrent submissions and their replays spread over several transactions. */
const SMALL_BATCHES = { maxBatch: 8, maxWaitMs: 2, queueMax: 10_000 };

type User = ReturnType<typeof userAccounts>;

let sequence = 0;
/** Ids unique across tests and dialects, so every test works on its own users and transfers. */
function unique(prefix: string): string {
  return `${prefix}-${(sequence++).toString(36)}`;
}

/** A gift is one linked group: coins leave the viewer's wallet, diamonds reach the creator's hold. */
function gift(id: string, viewer: User, creator: User, price = GIFT_PRICE): TransferRequest[] {
  return [
    { id, code: 'GIFT', kind: 'single', debitAccountId: viewer.coins.id, creditAccountId: coinGiftSink.id, amount: price, metadata: { giftId: 'rose' } },
    { id: `${id}:diamonds`, code: 'GIFT', kind: 'single', debitAccountId: diamondIssuance.id, creditAccountId: creator.diamondsOnHold.id, amount: price / 2n },
  ];
}

function rejectionOf(outcome: GroupOutcome): string {
  return outcome.status === 'rejected' ? outcome.rejection.code : outcome.status;
}

function transfersOf(outcome: GroupOutcome): readonly CommittedTransfer[] {
  if (outcome.status === 'rejected') throw new Error(`expected transfers, got rejection ${outcome.rejection.code}`);
  return outcome.transfers;
}

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`LedgerStore contract on ${dialect.name}`, () => {
    let storage: TestStorage;
    let ledger: LedgerStore & { readonly stats: { batches: number; overlapped: number } };

    beforeAll(async () => {
      storage = await dialect.open({ groupCommit: SMALL_BATCHES });
      ledger = storage.ledger;
      await ledger.openAccounts(allSystemAccounts(['USD']));
    });

    afterAll(async () => {
      await storage.drop();
    });

    async function account(spec: AccountSpec): Promise<AccountState> {
      const a = await ledger.getAccount(spec.id);
      if (a === null) throw new Error(`account ${spec.id} is missing`);
      return a;
    }

    async function available(spec: AccountSpec): Promise<bigint> {
      return availableOf(await account(spec));
    }

    async function transferRows(): Promise<number> {
      const row = await storage.db.selectFrom('transfers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    }

    /** A user with every account open and `coins` bought. */
    async function user(coins: bigint): Promise<User> {
      const u = userAccounts(unique('u'));
      await ledger.openAccounts(Object.values(u));
      if (coins > 0n) {
        const bought = await ledger.submit([
          { id: unique('buy'), code: 'PURCHASE', kind: 'single', debitAccountId: coinIssuance.id, creditAccountId: u.coins.id, amount: coins },
        ]);
        expect(bought.status).toBe('applied');
      }
      return u;
    }

    /** A creator with `diamonds` ready to pay out. */
    async function creatorWith(diamonds: bigint): Promise<User> {
      const u = await user(0n);
      const matured = await ledger.submit([
        { id: unique('mature'), code: 'MATURE', kind: 'single', debitAccountId: diamondIssuance.id, creditAccountId: u.diamondsAvailable.id, amount: diamonds },
      ]);
      expect(matured.status).toBe('applied');
      return u;
    }

    it('answers a replay of a committed group as a duplicate with the original transfers and moves nothing again', async () => {
      const viewer = await user(100n);
      const creator = await user(0n);
      const id = unique('gift');

      const first = await ledger.submit(gift(id, viewer, creator));
      expect(first.status).toBe('applied');
      const original = transfersOf(first);
      expect(original.map((t) => t.id)).toEqual([id, `${id}:diamonds`]);
      const rows = await transferRows();

      const replay = await ledger.submit(gift(id, viewer, creator));
      expect(replay).toEqual({ status: 'duplicate', transfers: original });
      expect(await available(viewer.coins)).toBe(90n);
      expect((await account(creator.diamondsOnHold)).creditsPosted).toBe(5n);
      expect(await transferRows()).toBe(rows);
      expect(await ledger.getTransfer(id)).toEqual(original[0]);
    });

    it.each([
      ['amount', (g: TransferRequest[]) => [{ ...g[0], amount: 11n }, g[1]]],
      ['account', (g: TransferRequest[]) => [g[0], { ...g[1], creditAccountId: diamondPayoutClearing.id }]],
      ['metadata', (g: TransferRequest[]) => [{ ...g[0], metadata: { giftId: 'lion' } }, g[1]]],
    ])('refuses the same id with another %s as id_conflict and writes nothing', async (_name, change) => {
      const viewer = await user(100n);
      const creator = await user(0n);
      const id = unique('gift');
      const original = transfersOf(await ledger.submit(gift(id, viewer, creator)));
      const rows = await transferRows();
      const sink = await account(coinGiftSink);

      const conflicting = change(gift(id, viewer, creator)) as TransferRequest[];
      const outcome = await ledger.submit(conflicting);

      expect(outcome).toEqual({ status: 'rejected', rejection: { code: 'id_conflict', transferId: expect.stringContaining(id) as string } });
      expect(await transferRows()).toBe(rows);
      expect(await available(viewer.coins)).toBe(90n);
      expect(await account(coinGiftSink)).toEqual(sink);
      expect(await ledger.getTransfer(id)).toEqual(original[0]);
      expect(await ledger.getTransfer(`${id}:diamonds`)).toEqual(original[1]);
    });

    it('applies a linked group all or nothing: an overdraft in the second leg leaves the first unapplied', async () => {
      const rich = await user(100n);
      const poor = await user(20n);
      const rows = await transferRows();
      const sink = await account(coinGiftSink);
      const first = unique('leg');
      const second = unique('leg');

      const outcome = await ledger.submit([
        { id: first, code: 'GIFT', kind: 'single', debitAccountId: rich.coins.id, creditAccountId: coinGiftSink.id, amount: 10n },
        { id: second, code: 'GIFT', kind: 'single', debitAccountId: poor.coins.id, creditAccountId: coinGiftSink.id, amount: 50n },
      ]);

      expect(outcome).toEqual({ status: 'rejected', rejection: { code: 'insufficient_funds', accountId: poor.coins.id, available: 20n, required: 50n } });
      expect(await ledger.getTransfer(first)).toBeNull();
      expect(await ledger.getTransfer(second)).toBeNull();
      expect(await transferRows()).toBe(rows);
      expect(await available(rich.coins)).toBe(100n);
      expect(await available(poor.coins)).toBe(20n);
      expect(await account(coinGiftSink)).toEqual(sink);
      // The same ids were never committed, so they remain free for a group that can pay.
      expect((await ledger.submit([{ id: first, code: 'GIFT', kind: 'single', debitAccountId: rich.coins.id, creditAccountId: coinGiftSink.id, amount: 10n }])).status).toBe('applied');
    });

    describe('pending transfers', () => {
      const reserve = (id: string, creator: User, amount: bigint): TransferRequest[] => [
        { id, code: 'PAYOUT', kind: 'pending', debitAccountId: creator.diamondsAvailable.id, creditAccountId: diamondPayoutClearing.id, amount },
      ];
      const resolve = (id: string, kind: 'post' | 'void', pendingId: string): TransferRequest[] => [{ id, code: 'PAYOUT', kind, pendingId }];

      it('reserves on pending, posts once, and refuses a second post and a void after the post', async () => {
        const creator = await creatorWith(100n);
        const clearing = await account(diamondPayoutClearing);
        const pendingId = unique('payout');

        expect((await ledger.submit(reserve(pendingId, creator, 30n))).status).toBe('applied');
        const reserved = await account(creator.diamondsAvailable);
        expect(reserved).toMatchObject({ creditsPosted: 100n, debitsPosted: 0n, debitsPending: 30n });
        expect(availableOf(reserved)).toBe(70n);
        expect((await account(diamondPayoutClearing)).creditsPending).toBe(clearing.creditsPending + 30n);
        // What is reserved cannot be reserved again.
        expect(rejectionOf(await ledger.submit(reserve(unique('payout'), creator, 71n)))).toBe('insufficient_funds');

        const postId = unique('post');
        const posted = await ledger.submit(resolve(postId, 'post', pendingId));
        expect(transfersOf(posted)[0]).toMatchObject({ kind: 'post', pendingId, amount: 30n, debitAccountId: creator.diamondsAvailable.id, creditAccountId: diamondPayoutClearing.id });
        expect(await account(creator.diamondsAvailable)).toMatchObject({ debitsPosted: 30n, debitsPending: 0n });
        expect(await available(creator.diamondsAvailable)).toBe(70n);
        expect(await account(diamondPayoutClearing)).toMatchObject({ creditsPosted: clearing.creditsPosted + 30n, creditsPending: clearing.creditsPending });

        const rows = await transferRows();
        expect(await ledger.submit(resolve(unique('post'), 'post', pendingId))).toEqual({
          status: 'rejected',
          rejection: { code: 'pending_already_resolved', pendingId, resolvedBy: postId },
        });
        expect(await ledger.submit(resolve(unique('void'), 'void', pendingId))).toEqual({
          status: 'rejected',
          rejection: { code: 'pending_already_resolved', pendingId, resolvedBy: postId },
        });
        expect(await transferRows()).toBe(rows);
        expect(await ledger.submit(resolve(postId, 'post', pendingId))).toEqual({ status: 'duplicate', transfers: transfersOf(posted) });
        expect(await account(creator.diamondsAvailable)).toMatchObject({ debitsPosted: 30n, debitsPending: 0n });
      });

      it('returns the funds on void and refuses a post after it', async () => {
        const creator = await creatorWith(50n);
        const pendingId = unique('payout');
        expect((await ledger.submit(reserve(pendingId, creator, 50n))).status).toBe('applied');
        expect(await available(creator.diamondsAvailable)).toBe(0n);

        const voidId = unique('void');
        expect((await ledger.submit(resolve(voidId, 'void', pendingId))).status).toBe('applied');
        expect(await account(creator.diamondsAvailable)).toMatchObject({ debitsPosted: 0n, debitsPending: 0n, creditsPosted: 50n });

        expect(await ledger.submit(resolve(unique('post'), 'post', pendingId))).toEqual({
          status: 'rejected',
          rejection: { code: 'pending_already_resolved', pendingId, resolvedBy: voidId },
        });
        expect(await available(creator.diamondsAvailable)).toBe(50n);
      });

      it('resolves a pending transfer exactly once when a post and a void race', async () => {
        const creator = await creatorWith(40n);
        const pendingId = unique('payout');
        expect((await ledger.submit(reserve(pendingId, creator, 40n))).status).toBe('applied');

        const outcomes = await Promise.all([
          ledger.submit(resolve(unique('post'), 'post', pendingId)),
          ledger.submit(resolve(unique('void'), 'void', pendingId)),
          ledger.submit(resolve(unique('post'), 'post', pendingId)),
        ]);

        expect(outcomes.filter((o) => o.status === 'applied')).toHaveLength(1);
        expect(outcomes.filter((o) => rejectionOf(o) === 'pending_already_resolved')).toHaveLength(2);
        expect(await account(creator.diamondsAvailable)).toMatchObject({ debitsPending: 0n });
      });

      it('refuses to resolve a pending transfer that does not exist', async () => {
        expect(await ledger.submit(resolve(unique('post'), 'post', 'no-such-payout'))).toEqual({
          status: 'rejected',
          rejection: { code: 'pending_not_found', pendingId: 'no-such-payout' },
        });
      });
    });

    it('refuses unknown accounts, a movement between assets, and amounts that are not positive, writing nothing', async () => {
      const viewer = await user(100n);
      const creator = await user(0n);
      const rows = await transferRows();
      const movement = (amount: bigint, creditAccountId: string): TransferRequest[] => [
        { id: unique('bad'), code: 'GIFT', kind: 'single', debitAccountId: viewer.coins.id, creditAccountId, amount },
      ];

      expect(await ledger.submit(movement(1n, 'user:ghost:coins'))).toEqual({
        status: 'rejected',
        rejection: { code: 'account_not_found', accountId: 'user:ghost:coins' },
      });
      expect(rejectionOf(await ledger.submit(movement(1n, creator.diamondsOnHold.id)))).toBe('asset_mismatch');
      for (const amount of [0n, -5n]) {
        expect(await ledger.submit(movement(amount, coinGiftSink.id))).toMatchObject({ status: 'rejected', rejection: { code: 'invalid_transfer' } });
      }

      expect(await transferRows()).toBe(rows);
      expect(await available(viewer.coins)).toBe(100n);
    });

    it('refuses ids no database can store as sent, alone, while the rest of the batch commits; odd text round-trips', async () => {
      const viewer = await user(100n);
      const creator = await user(0n);
      // Same batch: hostile keys next to a good gift whose metadata and ref hold tabs, newlines and backslashes.
      const hostile: TransferRequest[][] = [
        gift(`nul\u0000${unique('x')}`, viewer, creator),
        gift(`lone\ud800${unique('x')}`, viewer, creator),
        [{ id: unique('acct'), code: 'GIFT', kind: 'single', debitAccountId: 'user:x\u0000:coins', creditAccountId: coinGiftSink.id, amount: 1n }],
      ];
      const id = unique('odd\\text');
      const [coins, diamonds] = gift(id, viewer, creator);
      const odd: TransferRequest[] = [
        { ...(coins as TransferRequest), metadata: { note: 'tab\there\nnew line \\N back\\slash \r' }, ref: 'live:a\\b' },
        diamonds as TransferRequest,
      ];
      const outcomes = await Promise.all([...hostile, odd].map((g) => ledger.submit(g)));
      expect(outcomes.slice(0, 3).map(rejectionOf)).toEqual(['invalid_transfer', 'invalid_transfer', 'invalid_transfer']);
      expect(outcomes[3]?.status).toBe('applied');
      const stored = await ledger.getTransfer(id);
      expect(stored).toEqual(transfersOf(outcomes[3] as GroupOutcome)[0]);
      expect(JSON.parse(stored?.metadata ?? '{}')).toEqual({ note: 'tab\there\nnew line \\N back\\slash \r' });
      expect(stored?.ref).toBe('live:a\\b');
      expect((await ledger.reconcile()).problems).toEqual([]);
    });

    it('never overdraws a wallet when three devices send 50 gifts at once that it can pay only 10% of', async () => {
      const gifts = 50;
      const initial = (BigInt(gifts) * GIFT_PRICE) / 10n;
      const viewer = await user(initial);
      const creator = await user(0n);
      const devices = [0, 1, 2].map((d) => Array.from({ length: gifts }, (_, i) => i).filter((i) => i % 3 === d).map((i) => gift(unique(`dev${d}-gift${i}`), viewer, creator)));
      expect(devices.flat()).toHaveLength(gifts);
      const batchesBefore = ledger.stats.batches;

      const outcomes = (await Promise.all(devices.map((groups) => Promise.all(groups.map((g) => ledger.submit(g)))))).flat();

      const accepted = outcomes.filter((o) => o.status === 'applied').length;
      const rejected = outcomes.filter((o) => o.status === 'rejected').length;
      expect(accepted + rejected).toBe(gifts);
      expect(BigInt(accepted) * GIFT_PRICE).toBeLessThanOrEqual(initial);
      // Every refusal is an honest one: there was nothing left to pay with.
      expect(new Set(outcomes.filter((o) => o.status === 'rejected').map(rejectionOf))).toEqual(new Set(['insufficient_funds']));
      // Gifts are all the same price and the wallet covers exactly five: five must get through.
      expect(accepted).toBe(5);
      const balance = await available(viewer.coins);
      expect(balance).toBeGreaterThanOrEqual(0n);
      expect(balance).toBe(initial - BigInt(accepted) * GIFT_PRICE);
      expect((await account(creator.diamondsOnHold)).creditsPosted).toBe((BigInt(accepted) * GIFT_PRICE) / 2n);
      expect(ledger.stats.batches - batchesBefore).toBeGreaterThanOrEqual(gifts / SMALL_BATCHES.maxBatch);
    });

    it('sees what another writer on the same database committed, whatever it remembers of an account', async () => {
      const other = await openStorage(storage.options);
      try {
        const viewer = await user(3n * GIFT_PRICE);
        const creator = await user(0n);
        // This writer reads (and may keep) the wallet; the other one then spends all of it.
        expect((await ledger.submit(gift(unique('seen'), viewer, creator))).status).toBe('applied');
        expect((await other.ledger.submit(gift(unique('elsewhere'), viewer, creator))).status).toBe('applied');
        expect((await other.ledger.submit(gift(unique('elsewhere'), viewer, creator))).status).toBe('applied');
        const late = await ledger.submit(gift(unique('late'), viewer, creator));
        expect(rejectionOf(late)).toBe('insufficient_funds');
        expect(late.status === 'rejected' && late.rejection.code === 'insufficient_funds' ? late.rejection.available : -1n).toBe(0n);
      } finally {
        await other.close();
      }
    });

    it('never overdraws and applies each id once when three writers on the same database (three nodes) race', async () => {
      const others = await Promise.all([openStorage(storage.options), openStorage(storage.options)]);
      const nodes: LedgerStore[] = [ledger, ...others.map((o) => o.ledger)];
      try {
        const gifts = 60;
        const initial = 10n * GIFT_PRICE;
        const viewer = await user(initial);
        const creator = await user(0n);
        const ids = Array.from({ length: gifts }, (_, i) => unique(`node-gift${i}`));
        // Every id goes to two different nodes, as a client retrying through another server would.
        const sends = ids.flatMap((id, i) => [
          { id, node: nodes[i % 3] as LedgerStore },
          { id, node: nodes[(i + 1) % 3] as LedgerStore },
        ]);

        const outcomes = await Promise.all(sends.map(async ({ id, node }) => ({ id, outcome: await node.submit(gift(id, viewer, creator)) })));

        let appliedIds = 0;
        for (const id of ids) {
          const answers = outcomes.filter((o) => o.id === id).map((o) => o.outcome);
          const statuses = answers.map((a) => a.status).sort();
          // The wallet only ever shrinks, so an id is refused everywhere or applied once and replayed.
          if (statuses.includes('rejected')) expect(statuses).toEqual(['rejected', 'rejected']);
          else {
            expect(statuses).toEqual(['applied', 'duplicate']);
            expect(transfersOf(answers[0] as GroupOutcome)).toEqual(transfersOf(answers[1] as GroupOutcome));
            appliedIds++;
          }
        }
        expect(appliedIds).toBe(10);
        expect(await available(viewer.coins)).toBe(0n);
        expect(await ledger.listTransfers(viewer.coins.id, { limit: 100 })).toHaveLength(1 + appliedIds);
      } finally {
        await Promise.all(others.map((o) => o.close()));
      }
    });

    it('applies each transfer exactly once when every id is resubmitted 1-5 times concurrently', async () => {
      const gifts = 30;
      const viewer = await user(BigInt(gifts) * GIFT_PRICE);
      const creator = await user(0n);
      const ids = Array.from({ length: gifts }, (_, i) => unique(`retry${i}`));
      // Deterministic spread of 1-5 copies per id, interleaved so copies of one id land in different batches.
      const submissions = ids.flatMap((id, i) => Array.from({ length: 1 + ((i * 7) % 5) }, (_, copy) => ({ id, order: copy * gifts + i })));
      submissions.sort((a, b) => a.order - b.order);
      const rows = await transferRows();
      const batchesBefore = ledger.stats.batches;
      const overlappedBefore = ledger.stats.overlapped;

      const outcomes = await Promise.all(submissions.map(async ({ id }) => ({ id, outcome: await ledger.submit(gift(id, viewer, creator)) })));
      // Both ledgers keep two batches in flight: copies of one id met in overlapping batches too.
      expect(ledger.stats.overlapped - overlappedBefore).toBeGreaterThan(0);

      for (const id of ids) {
        const answers = outcomes.filter((o) => o.id === id).map((o) => o.outcome);
        expect(answers.filter((a) => a.status === 'applied')).toHaveLength(1);
        expect(answers.every((a) => a.status === 'applied' || a.status === 'duplicate')).toBe(true);
        const first = transfersOf(answers[0] as GroupOutcome);
        for (const a of answers) expect(transfersOf(a)).toEqual(first);
        expect(await ledger.getTransfer(id)).toEqual(first[0]);
      }
      expect(await transferRows()).toBe(rows + gifts * 2);
      expect(ledger.stats.batches - batchesBefore).toBeGreaterThanOrEqual(submissions.length / SMALL_BATCHES.maxBatch);
      expect(await available(viewer.coins)).toBe(0n);
      expect((await account(creator.diamondsOnHold)).creditsPosted).toBe((BigInt(gifts) * GIFT_PRICE) / 2n);
    });

    it('enforces a spend cap inside the transaction: 20 concurrent gifts under a cap of 5 apply exactly 5', async () => {
      const viewer = await user(1000n);
      const creator = await user(0n);
      const key = unique('cap:spend:day');
      const capped = (id: string) => {
        const [coins, diamonds] = gift(id, viewer, creator);
        return [{ ...(coins as TransferRequest & { kind: 'single' }), caps: [{ key, limit: GIFT_PRICE * 5n + 5n }] }, diamonds as TransferRequest];
      };
      const ids = Array.from({ length: 20 }, () => unique('capped'));
      const outcomes = await Promise.all(ids.map((id) => ledger.submit(capped(id))));
      expect(outcomes.filter((o) => o.status === 'applied')).toHaveLength(5);
      const refused = outcomes.filter((o) => o.status === 'rejected');
      expect(refused.map(rejectionOf)).toEqual(Array<string>(15).fill('cap_exceeded'));
      expect(await ledger.capUsed(key)).toBe(GIFT_PRICE * 5n);
      expect(await available(viewer.coins)).toBe(1000n - GIFT_PRICE * 5n);
      // A replay of an applied gift is a duplicate and counts nothing again.
      const appliedId = ids[outcomes.findIndex((o) => o.status === 'applied')] as string;
      expect((await ledger.submit(capped(appliedId))).status).toBe('duplicate');
      expect(await ledger.capUsed(key)).toBe(GIFT_PRICE * 5n);
    });

    it('lists the transfers of a ref in commit order, paging with afterSeq', async () => {
      const viewer = await user(100n);
      const creator = await user(0n);
      const ref = unique('live');
      const ids = [unique('g'), unique('g'), unique('g')];
      for (const id of ids) {
        const [coins, diamonds] = gift(id, viewer, creator);
        expect((await ledger.submit([{ ...(coins as TransferRequest), ref }, diamonds as TransferRequest])).status).toBe('applied');
      }
      const all = await ledger.listByRef(ref, { limit: 10 });
      expect(all.map((t) => t.id)).toEqual(ids);
      expect(all.every((t) => t.ref === ref)).toBe(true);
      const rest = await ledger.listByRef(ref, { limit: 10, afterSeq: all[0]?.seq ?? 0n });
      expect(rest.map((t) => t.id)).toEqual(ids.slice(1));
      // The ref is content: the same id with another ref is a conflict.
      const [coins, diamonds] = gift(ids[0] as string, viewer, creator);
      expect(rejectionOf(await ledger.submit([{ ...(coins as TransferRequest), ref: 'live:other' }, diamonds as TransferRequest]))).toBe('id_conflict');
    });

    it('lets the database itself refuse changing or deleting a transfer and taking a wallet below zero', async () => {
      const viewer = await user(30n);
      const creator = await user(0n);
      const id = unique('gift');
      const original = transfersOf(await ledger.submit(gift(id, viewer, creator)));

      await expect(sql`UPDATE transfers SET amount = amount + 1 WHERE id = ${id}`.execute(storage.db)).rejects.toThrow(/append-only/);
      await expect(sql`DELETE FROM transfers WHERE id = ${id}`.execute(storage.db)).rejects.toThrow(/append-only/);
      await expect(sql`UPDATE accounts SET debits_posted = debits_posted + 21 WHERE id = ${viewer.coins.id}`.execute(storage.db)).rejects.toThrow(/accounts_non_negative/);
      await expect(sql`UPDATE accounts SET debits_pending = debits_pending + 21 WHERE id = ${viewer.coins.id}`.execute(storage.db)).rejects.toThrow(/accounts_non_negative/);

      expect(await ledger.getTransfer(id)).toEqual(original[0]);
      expect(await available(viewer.coins)).toBe(20n);
      // The CHECK holds wallets only: the issuance account a gift's diamonds come from is below zero by design.
      expect(await available(diamondIssuance)).toBeLessThan(0n);
    });

    it('lists an account\'s transfers newest first, paging with beforeSeq', async () => {
      const viewer = await user(100n);
      const creator = await user(0n);
      const other = await user(100n);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = unique('gift');
        ids.push(id);
        expect((await ledger.submit(gift(id, viewer, creator))).status).toBe('applied');
        // Another wallet's gift between them must not appear in this wallet's statement.
        expect((await ledger.submit(gift(unique('other'), other, creator))).status).toBe('applied');
      }

      const page1 = await ledger.listTransfers(viewer.coins.id, { limit: 4 });
      expect(page1.map((t) => t.id)).toEqual([ids[4], ids[3], ids[2], ids[1]]);
      const page2 = await ledger.listTransfers(viewer.coins.id, { limit: 4, beforeSeq: (page1.at(-1) as CommittedTransfer).seq });
      expect(page2).toHaveLength(2);
      expect(page2[0]?.id).toBe(ids[0]);
      // The oldest is the purchase, where the wallet is the credit side.
      expect(page2[1]).toMatchObject({ code: 'PURCHASE', creditAccountId: viewer.coins.id });
      expect(await ledger.listTransfers(viewer.coins.id, { limit: 4, beforeSeq: (page2[1] as CommittedTransfer).seq })).toEqual([]);
      // A cursor that is not one of this wallet's transfers (another wallet's gift) still pages correctly.
      const between = (await ledger.listTransfers(other.coins.id, { limit: 3 })).at(-1) as CommittedTransfer;
      expect((await ledger.listTransfers(viewer.coins.id, { limit: 10, beforeSeq: between.seq })).map((t) => t.id)).toEqual([ids[2], ids[1], ids[0], page2[1]?.id]);

      const all = [...page1, ...page2];
      for (let i = 1; i < all.length; i++) expect((all[i] as CommittedTransfer).seq).toBeLessThan((all[i - 1] as CommittedTransfer).seq);
      for (const t of all) expect([t.debitAccountId, t.creditAccountId]).toContain(viewer.coins.id);
      expect(await ledger.listTransfers(creator.diamondsOnHold.id, { limit: 100 })).toHaveLength(10);
      expect(await ledger.listTransfers('user:ghost:coins', { limit: 10 })).toEqual([]);
    });

    it('opens accounts idempotently and refuses an existing id with another spec, opening none of the batch', async () => {
      const viewer = await user(40n);
      await ledger.openAccounts(Object.values(viewer));
      await ledger.openAccounts([viewer.coins, viewer.coins]);
      expect(await account(viewer.coins)).toMatchObject({ ...viewer.coins, creditsPosted: 40n });

      const fresh = userAccounts(unique('u')).coins;
      await expect(ledger.openAccounts([fresh, { ...viewer.coins, nonNegative: false }])).rejects.toThrow(/another spec/);
      await expect(ledger.openAccounts([{ ...viewer.coins, purpose: 'savings' }])).rejects.toThrow(/another spec/);
      expect(await ledger.getAccount(fresh.id)).toBeNull();
      expect(await account(viewer.coins)).toMatchObject({ nonNegative: true, purpose: 'wallet', creditsPosted: 40n });
    });

    it('reconciles clean after everything above', async () => {
      const report = await ledger.reconcile();
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.transfers).toBe(await transferRows());
      expect(report.transfers).toBeGreaterThan(100);
      expect(Object.keys(report.totals).sort()).toEqual(['COIN', 'DIAMOND', 'FIAT:USD']);
    });

    it('detects a drifted cached balance and an altered transfer once the database guard is removed', async () => {
      const own = await dialect.open();
      try {
        const l = own.ledger;
        await l.openAccounts(allSystemAccounts([]));
        const viewer = userAccounts('tampered');
        await l.openAccounts(Object.values(viewer));
        await l.submit([{ id: 'buy', code: 'PURCHASE', kind: 'single', debitAccountId: coinIssuance.id, creditAccountId: viewer.coins.id, amount: 100n }]);
        await l.submit([{ id: 'gift', code: 'GIFT', kind: 'single', debitAccountId: viewer.coins.id, creditAccountId: coinGiftSink.id, amount: 30n }]);
        expect((await l.reconcile()).ok).toBe(true);

        await sql`UPDATE accounts SET credits_posted = credits_posted + 500 WHERE id = ${viewer.coins.id}`.execute(own.db);
        const drift = await l.reconcile();
        expect(drift.ok).toBe(false);
        expect(drift.problems).toContainEqual({ kind: 'balance_drift', detail: expect.stringContaining(viewer.coins.id) as string });
        await sql`UPDATE accounts SET credits_posted = credits_posted - 500 WHERE id = ${viewer.coins.id}`.execute(own.db);
        expect((await l.reconcile()).ok).toBe(true);

        if (own.dialect === 'sqlite') await sql`DROP TRIGGER transfers_no_update`.execute(own.db);
        else await sql`ALTER TABLE transfers DISABLE TRIGGER USER`.execute(own.db);
        await sql`UPDATE transfers SET amount = 3 WHERE id = 'gift'`.execute(own.db);
        // A broken statement link: the gift no longer points back at the purchase of the wallet.
        await sql`UPDATE transfers SET debit_prev_seq = NULL WHERE id = 'gift'`.execute(own.db);
        const altered = await l.reconcile();
        expect(altered.ok).toBe(false);
        expect(altered.problems).toContainEqual({ kind: 'chain', detail: expect.stringMatching(/\(gift\).*hash mismatch/) as string });
        expect(altered.problems).toContainEqual({ kind: 'statement', detail: expect.stringContaining(viewer.coins.id) as string });
      } finally {
        await own.drop();
      }
    });

    it('fails only the batch the database refuses; batches planned after it are planned again and commit', async () => {
      const own = await dialect.open({ groupCommit: SMALL_BATCHES });
      try {
        await own.ledger.openAccounts(allSystemAccounts([]));
        const viewer = userAccounts('refused');
        const creator = userAccounts('refusee');
        await own.ledger.openAccounts([...Object.values(viewer), ...Object.values(creator)]);
        await own.ledger.submit([{ id: 'buy', code: 'PURCHASE', kind: 'single', debitAccountId: coinIssuance.id, creditAccountId: viewer.coins.id, amount: 1000n }]);
        // The database refuses one transfer the planner accepts: its batch fails as a whole, as it
        // would on a full disk; whatever was planned on top of it must not be lost or applied twice.
        if (own.dialect === 'sqlite') {
          await sql`CREATE TRIGGER refuse_boom BEFORE INSERT ON transfers WHEN NEW.id = 'boom' BEGIN SELECT RAISE(ABORT, 'refused by test'); END`.execute(own.db);
        } else {
          await sql`CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 'boom' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$`.execute(own.db);
          await sql`CREATE TRIGGER refuse_boom BEFORE INSERT ON transfers FOR EACH ROW EXECUTE FUNCTION refuse_boom()`.execute(own.db);
        }
        const ids = Array.from({ length: 40 }, (_, i) => (i === 12 ? 'boom' : `ok-${i}`));
        const settled = await Promise.allSettled(ids.map((id) => own.ledger.submit(gift(id, viewer, creator))));

        const applied = ids.filter((_, i) => settled[i]?.status === 'fulfilled' && settled[i].value.status === 'applied');
        const failed = ids.filter((_, i) => settled[i]?.status === 'rejected');
        expect(failed).toContain('boom');
        expect(failed.length).toBeLessThanOrEqual(SMALL_BATCHES.maxBatch);
        expect(applied.length + failed.length).toBe(ids.length);
        expect(applied.length).toBeGreaterThanOrEqual(ids.length - SMALL_BATCHES.maxBatch);
        for (const id of applied) expect(await own.ledger.getTransfer(id)).not.toBeNull();
        for (const id of failed) expect(await own.ledger.getTransfer(id)).toBeNull();
        expect(availableOf((await own.ledger.getAccount(viewer.coins.id)) as AccountState)).toBe(1000n - BigInt(applied.length) * GIFT_PRICE);
        // The callers of the failed batch may retry: the same ids apply once the database accepts them.
        const retried = await Promise.all(failed.filter((id) => id !== 'boom').map((id) => own.ledger.submit(gift(id, viewer, creator))));
        for (const outcome of retried) expect(outcome.status).toBe('applied');
        const report = await own.ledger.reconcile();
        expect(report.problems).toEqual([]);
        expect(report.transfers).toBe(1 + 2 * (ids.length - 1));
      } finally {
        await own.drop();
      }
    });

    it.runIf(dialect.name === 'sqlite')('answers with an error, never hangs, once the SQLite writer thread has stopped', async () => {
      const own = await dialect.open();
      try {
        await own.ledger.openAccounts(allSystemAccounts([]));
        const viewer = userAccounts('orphan');
        await own.ledger.openAccounts(Object.values(viewer));
        const buy = (id: string): TransferRequest[] => [{ id, code: 'PURCHASE', kind: 'single', debitAccountId: coinIssuance.id, creditAccountId: viewer.coins.id, amount: 5n }];
        expect((await own.ledger.submit(buy('before'))).status).toBe('applied');
        await (own.ledger as unknown as { writerThread: { terminate(): Promise<number> } }).writerThread.terminate();
        await expect(own.ledger.submit(buy('after'))).rejects.toThrow(/writer thread stopped/);
        expect(await own.ledger.getTransfer('after')).toBeNull();
      } finally {
        await own.drop();
      }
    });

    it('close() acknowledges every submission queued before it, and all of them are there after a restart', async () => {
      const own = await dialect.open();
      try {
        const count = 500;
        await own.ledger.openAccounts(allSystemAccounts([]));
        const viewer = userAccounts('closer');
        const creator = userAccounts('closee');
        await own.ledger.openAccounts([...Object.values(viewer), ...Object.values(creator)]);
        await own.ledger.submit([{ id: 'buy', code: 'PURCHASE', kind: 'single', debitAccountId: coinIssuance.id, creditAccountId: viewer.coins.id, amount: BigInt(count) * GIFT_PRICE }]);

        const ids = Array.from({ length: count }, (_, i) => `closing-${i}`);
        const settled = Promise.allSettled(ids.map((id) => own.ledger.submit(gift(id, viewer, creator))));
        await own.close();
        const outcomes = await settled;

        expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value.status === 'applied')).toHaveLength(count);
        await expect(own.ledger.submit(gift('after-close', viewer, creator))).rejects.toMatchObject({ code: 'ledger_closed' });

        const reopened = await openStorage(own.options);
        try {
          for (const id of [ids[0], ids[count / 2], ids[count - 1]] as string[]) expect(await reopened.ledger.getTransfer(id)).not.toBeNull();
          expect(await reopened.ledger.getTransfer('after-close')).toBeNull();
          expect(availableOf((await reopened.ledger.getAccount(viewer.coins.id)) as AccountState)).toBe(0n);
          const report = await reopened.ledger.reconcile();
          expect(report.problems).toEqual([]);
          expect(report.transfers).toBe(1 + count * 2);
        } finally {
          await reopened.close();
        }
      } finally {
        await own.drop();
      }
    });
  });
}
