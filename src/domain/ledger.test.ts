// Proves the pure ledger rules: request validation, content fingerprints, the hash chain, and planBatch's all-or-nothing groups, replays, two-phase resolutions and overdraft refusals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from './accounts.js';
import {
  AMOUNT_MAX,
  availableOf,
  batchAccountIds,
  batchKeys,
  chainHashOf,
  fingerprintOf,
  GENESIS_HASH,
  GROUP_LEGS_MAX,
  METADATA_BYTES_MAX,
  planBatch,
  TRANSFER_ID_MAX,
  validateRequest,
  zeroBalances,
  type AccountSpec,
  type AccountState,
  type BatchPlan,
  type BatchSnapshot,
  type CommittedTransfer,
  type MovementRequest,
  type TransferRequest,
} from './ledger.js';
import { Reconciler } from './reconcile.js';

const NOW_MS = 1_700_000_000_000n;
const alice = userAccounts('alice');
const bob = userAccounts('bob');
const carol = userAccounts('carol');
const { coinIssuance, coinGiftSink, diamondIssuance, diamondPayoutClearing } = SystemAccounts;

function state(spec: AccountSpec, creditsPosted = 0n): AccountState {
  return { ...spec, ...zeroBalances(), creditsPosted, lastSeq: null };
}

function snapshot(accounts: AccountState[], committed: { transfers?: CommittedTransfer[]; resolutions?: [string, string][]; head?: BatchSnapshot['head'] } = {}): BatchSnapshot {
  return {
    head: committed.head ?? { seq: 0n, hash: GENESIS_HASH },
    accounts: new Map(accounts.map((a) => [a.id, a])),
    transfers: new Map((committed.transfers ?? []).map((t) => [t.id, t])),
    resolutions: new Map(committed.resolutions ?? []),
  };
}

function move(id: string, debit: AccountSpec, credit: AccountSpec, amount: bigint, extra: Partial<MovementRequest> = {}): MovementRequest {
  return { id, code: 'GIFT', kind: 'single', debitAccountId: debit.id, creditAccountId: credit.id, amount, ...extra };
}

/** The state of an account after a plan: the changed copy if the plan changed it, else the snapshot's. */
function after(plan: BatchPlan, snap: BatchSnapshot, spec: AccountSpec): AccountState {
  return plan.changedAccounts.find((a) => a.id === spec.id) ?? (snap.accounts.get(spec.id) as AccountState);
}

/** A snapshot that continues from a plan, as the database would hold it after committing it. */
function afterCommit(snap: BatchSnapshot, plan: BatchPlan): BatchSnapshot {
  const accounts = new Map(snap.accounts);
  for (const a of plan.changedAccounts) accounts.set(a.id, a);
  const transfers = new Map(snap.transfers);
  const resolutions = new Map(snap.resolutions);
  for (const t of plan.newTransfers) {
    transfers.set(t.id, t);
    if (t.pendingId !== null) resolutions.set(t.pendingId, t.id);
  }
  return { head: plan.head, accounts, transfers, resolutions };
}

describe('validateRequest', () => {
  const ok = move('t1', alice.coins, coinGiftSink, 10n);

  it('accepts a well-formed movement and resolution', () => {
    expect(validateRequest(ok)).toBeNull();
    expect(validateRequest({ ...ok, amount: AMOUNT_MAX })).toBeNull();
    expect(validateRequest({ ...ok, id: 'x'.repeat(TRANSFER_ID_MAX) })).toBeNull();
    expect(validateRequest({ id: 'p1', code: 'PAYOUT', kind: 'post', pendingId: 'p0' })).toBeNull();
  });

  it.each([
    ['a zero amount', { amount: 0n }, 'amount'],
    ['a negative amount', { amount: -5n }, 'amount'],
    ['an amount above 2^52', { amount: AMOUNT_MAX + 1n }, 'amount'],
    ['an empty id', { id: '' }, 'id'],
    ['an id longer than 100 characters', { id: 'x'.repeat(TRANSFER_ID_MAX + 1) }, 'id'],
    ['the same debit and credit account', { creditAccountId: alice.coins.id }, 'differ'],
    ['an unknown code', { code: 'BRIBE' as MovementRequest['code'] }, 'code'],
    ['an unknown kind', { kind: 'maybe' as MovementRequest['kind'] }, 'kind'],
  ] as const)('refuses %s', (_name, change, reason) => {
    const request = { ...ok, ...change };
    expect(validateRequest(request)).toEqual({ code: 'invalid_transfer', transferId: request.id, reason: expect.stringContaining(reason) as string });
  });

  it('refuses a resolution without a pendingId', () => {
    expect(validateRequest({ id: 'p1', code: 'PAYOUT', kind: 'void', pendingId: '' })).toMatchObject({ code: 'invalid_transfer', reason: expect.stringContaining('pendingId') as string });
  });

  it('limits metadata to METADATA_BYTES_MAX bytes of canonical JSON, counting bytes rather than characters', () => {
    const overhead = JSON.stringify({ note: '' }).length;
    const fits = { note: 'x'.repeat(METADATA_BYTES_MAX - overhead) };
    expect(validateRequest({ ...ok, metadata: fits })).toBeNull();
    expect(validateRequest({ ...ok, metadata: { note: 'x'.repeat(METADATA_BYTES_MAX - overhead + 1) } })).toMatchObject({ reason: 'metadata too large' });
    // 700 euro signs are 700 characters but 2100 bytes of UTF-8.
    expect(validateRequest({ ...ok, metadata: { note: '€'.repeat(700) } })).toMatchObject({ reason: 'metadata too large' });
  });
});

describe('fingerprintOf', () => {
  const base = move('g1', alice.coins, coinGiftSink, 100n, { metadata: { room: 'r1', giftId: 'rose', combo: 3 } });

  it('is the same for the same content whatever the key order of metadata', () => {
    const reordered = move('g1', alice.coins, coinGiftSink, 100n, { metadata: { combo: 3, giftId: 'rose', room: 'r1' } });
    expect(fingerprintOf(reordered)).toBe(fingerprintOf(base));
    expect(fingerprintOf(move('x', alice.coins, coinGiftSink, 1n))).toBe(fingerprintOf(move('x', alice.coins, coinGiftSink, 1n, { metadata: {} })));
  });

  it.each([
    ['amount', { amount: 101n }],
    ['debit account', { debitAccountId: bob.coins.id }],
    ['credit account', { creditAccountId: coinIssuance.id }],
    ['metadata value', { metadata: { room: 'r1', giftId: 'rose', combo: 4 } }],
    ['metadata value type', { metadata: { room: 'r1', giftId: 'rose', combo: '3' } }],
    ['extra metadata key', { metadata: { room: 'r1', giftId: 'rose', combo: 3, extra: null } }],
    ['code', { code: 'PURCHASE' }],
    ['kind', { kind: 'pending' }],
    ['id', { id: 'g2' }],
  ] as const)('changes with the %s', (_name, change) => {
    expect(fingerprintOf({ ...base, ...change })).not.toBe(fingerprintOf(base));
  });

  it('tells apart a post and a void of the same pending transfer', () => {
    const post: TransferRequest = { id: 'r', code: 'PAYOUT', kind: 'post', pendingId: 'p' };
    expect(fingerprintOf({ ...post, kind: 'void' })).not.toBe(fingerprintOf(post));
    expect(fingerprintOf({ ...post, pendingId: 'q' })).not.toBe(fingerprintOf(post));
  });
});

describe('planBatch', () => {
  it('moves posted money, records available balances after, and chains the transfers from the head', () => {
    const snap = snapshot([state(alice.coins, 100n), state(coinGiftSink), state(diamondIssuance), state(bob.diamondsOnHold)]);
    const plan = planBatch(snap, [[move('g1', alice.coins, coinGiftSink, 30n), move('g1:d', diamondIssuance, bob.diamondsOnHold, 15n)]], NOW_MS);

    expect(plan.outcomes).toEqual([{ status: 'applied', transfers: plan.newTransfers }]);
    expect(availableOf(after(plan, snap, alice.coins))).toBe(70n);
    expect(after(plan, snap, coinGiftSink).creditsPosted).toBe(30n);
    // A system issuance account may go below zero: it is where diamonds come from.
    expect(availableOf(after(plan, snap, diamondIssuance))).toBe(-15n);
    expect(after(plan, snap, bob.diamondsOnHold).creditsPosted).toBe(15n);

    const [first, second] = plan.newTransfers as [CommittedTransfer, CommittedTransfer];
    expect(first).toMatchObject({ seq: 1n, id: 'g1', asset: 'COIN', amount: 30n, debitAvailableAfter: 70n, creditAvailableAfter: 30n, prevHash: GENESIS_HASH, createdAtMs: NOW_MS, pendingId: null, metadata: '{}' });
    expect(second).toMatchObject({ seq: 2n, asset: 'DIAMOND', prevHash: first.hash });
    for (const t of plan.newTransfers) {
      const { hash, ...body } = t;
      expect(chainHashOf(body)).toBe(hash);
    }
    expect(plan.head).toEqual({ seq: 2n, hash: second.hash });
    expect(plan.changedAccounts.map((a) => a.id).sort()).toEqual([alice.coins.id, coinGiftSink.id, diamondIssuance.id, bob.diamondsOnHold.id].sort());
  });

  it('leaves the snapshot it was given untouched', () => {
    const wallet = state(alice.coins, 100n);
    const snap = snapshot([wallet, state(coinGiftSink)]);
    planBatch(snap, [[move('g1', alice.coins, coinGiftSink, 30n)]], NOW_MS);
    expect(wallet.debitsPosted).toBe(0n);
    expect(snap.transfers.size).toBe(0);
  });

  it('refuses an overdraft of a non-negative account with the available and required amounts', () => {
    const snap = snapshot([state(alice.coins, 10n), state(coinGiftSink)]);
    const plan = planBatch(snap, [[move('g1', alice.coins, coinGiftSink, 11n)]], NOW_MS);
    expect(plan.outcomes).toEqual([{ status: 'rejected', rejection: { code: 'insufficient_funds', accountId: alice.coins.id, available: 10n, required: 11n } }]);
    expect(plan.newTransfers).toEqual([]);
    expect(plan.changedAccounts).toEqual([]);
    expect(plan.head).toEqual(snap.head);
  });

  it('rejects a group that overdraws only in its second leg, leaving no trace of its first, while the other groups of the batch apply', () => {
    const snap = snapshot([state(alice.coins, 100n), state(bob.coins, 5n), state(carol.coins, 50n), state(coinGiftSink)]);
    const plan = planBatch(
      snap,
      [
        [move('before', alice.coins, coinGiftSink, 10n)],
        [move('linked:1', carol.coins, coinGiftSink, 20n), move('linked:2', bob.coins, coinGiftSink, 6n)],
        [move('after', alice.coins, coinGiftSink, 10n)],
      ],
      NOW_MS,
    );

    expect(plan.outcomes.map((o) => o.status)).toEqual(['applied', 'rejected', 'applied']);
    expect(plan.outcomes[1]).toEqual({ status: 'rejected', rejection: { code: 'insufficient_funds', accountId: bob.coins.id, available: 5n, required: 6n } });
    expect(plan.newTransfers.map((t) => [t.id, t.seq])).toEqual([['before', 1n], ['after', 2n]]);
    expect((plan.newTransfers[1] as CommittedTransfer).prevHash).toBe((plan.newTransfers[0] as CommittedTransfer).hash);
    expect(availableOf(after(plan, snap, carol.coins))).toBe(50n);
    expect(plan.changedAccounts.map((a) => a.id)).not.toContain(carol.coins.id);
    expect(after(plan, snap, coinGiftSink).creditsPosted).toBe(20n);
    expect(availableOf(after(plan, snap, alice.coins))).toBe(80n);
  });

  it('lets a leg spend what an earlier leg of the same group credited', () => {
    const snap = snapshot([state(coinIssuance), state(alice.coins), state(coinGiftSink)]);
    const plan = planBatch(snap, [[move('buy', coinIssuance, alice.coins, 10n, { code: 'PURCHASE' }), move('spend', alice.coins, coinGiftSink, 10n)]], NOW_MS);
    expect(plan.outcomes[0]?.status).toBe('applied');
    expect(availableOf(after(plan, snap, alice.coins))).toBe(0n);
  });

  it('counts earlier groups of the same batch against the balance', () => {
    const snap = snapshot([state(alice.coins, 100n), state(coinGiftSink)]);
    const plan = planBatch(snap, [[move('a', alice.coins, coinGiftSink, 60n)], [move('b', alice.coins, coinGiftSink, 60n)], [move('c', alice.coins, coinGiftSink, 40n)]], NOW_MS);
    expect(plan.outcomes.map((o) => o.status)).toEqual(['applied', 'rejected', 'applied']);
    expect(availableOf(after(plan, snap, alice.coins))).toBe(0n);
  });

  it('answers a committed group replayed with the same content as a duplicate with the original transfers', () => {
    const snap0 = snapshot([state(alice.coins, 100n), state(coinGiftSink)]);
    const group = [move('g1', alice.coins, coinGiftSink, 30n, { metadata: { a: 1, b: 2 } })];
    const first = planBatch(snap0, [group], NOW_MS);
    const snap1 = afterCommit(snap0, first);

    const replay = planBatch(snap1, [[move('g1', alice.coins, coinGiftSink, 30n, { metadata: { b: 2, a: 1 } })]], NOW_MS + 5n);

    expect(replay.outcomes).toEqual([{ status: 'duplicate', transfers: first.newTransfers }]);
    expect(replay.newTransfers).toEqual([]);
    expect(replay.changedAccounts).toEqual([]);
    expect(replay.head).toEqual(first.head);
  });

  it('answers a replay inside the same batch as a duplicate of the first submission', () => {
    const snap = snapshot([state(alice.coins, 100n), state(coinGiftSink)]);
    const group = [move('g1', alice.coins, coinGiftSink, 30n)];
    const plan = planBatch(snap, [group, group, group], NOW_MS);
    const applied = plan.outcomes[0];
    expect(applied?.status).toBe('applied');
    expect(plan.outcomes.slice(1)).toEqual([
      { status: 'duplicate', transfers: plan.newTransfers },
      { status: 'duplicate', transfers: plan.newTransfers },
    ]);
    expect(plan.newTransfers).toHaveLength(1);
    expect(availableOf(after(plan, snap, alice.coins))).toBe(70n);
  });

  it.each([
    ['another amount', move('g1', alice.coins, coinGiftSink, 31n)],
    ['another account', move('g1', bob.coins, coinGiftSink, 30n)],
    ['other metadata', move('g1', alice.coins, coinGiftSink, 30n, { metadata: { note: 'x' } })],
  ])('refuses the id of a committed transfer with %s as id_conflict', (_name, conflicting) => {
    const snap0 = snapshot([state(alice.coins, 100n), state(bob.coins, 100n), state(coinGiftSink)]);
    const snap1 = afterCommit(snap0, planBatch(snap0, [[move('g1', alice.coins, coinGiftSink, 30n)]], NOW_MS));
    const plan = planBatch(snap1, [[conflicting]], NOW_MS);
    expect(plan.outcomes).toEqual([{ status: 'rejected', rejection: { code: 'id_conflict', transferId: 'g1' } }]);
    expect(plan.newTransfers).toEqual([]);
    expect(plan.changedAccounts).toEqual([]);
  });

  it('refuses a group that repeats only some committed legs as id_conflict', () => {
    const snap0 = snapshot([state(alice.coins, 100n), state(coinGiftSink)]);
    const snap1 = afterCommit(snap0, planBatch(snap0, [[move('g1', alice.coins, coinGiftSink, 30n)]], NOW_MS));
    const plan = planBatch(snap1, [[move('g1', alice.coins, coinGiftSink, 30n), move('g2', alice.coins, coinGiftSink, 1n)]], NOW_MS);
    expect(plan.outcomes).toEqual([{ status: 'rejected', rejection: { code: 'id_conflict', transferId: 'g2' } }]);
    expect(plan.newTransfers).toEqual([]);
  });

  it('refuses malformed groups: empty, too many legs, repeated ids, an invalid leg', () => {
    const snap = snapshot([state(alice.coins, 100n), state(coinGiftSink)]);
    const tooMany = Array.from({ length: GROUP_LEGS_MAX + 1 }, (_, i) => move(`l${i}`, alice.coins, coinGiftSink, 1n));
    const plan = planBatch(
      snap,
      [[], tooMany, [move('same', alice.coins, coinGiftSink, 1n), move('same', alice.coins, coinGiftSink, 2n)], [move('ok', alice.coins, coinGiftSink, 1n), move('zero', alice.coins, coinGiftSink, 0n)]],
      NOW_MS,
    );
    expect(plan.outcomes.map((o) => (o.status === 'rejected' ? o.rejection.code : o.status))).toEqual(['invalid_transfer', 'invalid_transfer', 'invalid_transfer', 'invalid_transfer']);
    expect(plan.outcomes[3]).toMatchObject({ rejection: { transferId: 'zero' } });
    expect(plan.newTransfers).toEqual([]);
    expect(planBatch(snap, [tooMany.slice(1)], NOW_MS).outcomes[0]?.status).toBe('applied');
  });

  it('refuses unknown accounts and a movement between two assets', () => {
    const snap = snapshot([state(alice.coins, 100n), state(coinGiftSink), state(bob.diamondsOnHold)]);
    const plan = planBatch(
      snap,
      [
        [move('a', alice.coins, userAccounts('ghost').coins, 1n)],
        [{ ...move('b', alice.coins, coinGiftSink, 1n), debitAccountId: 'user:nobody:coins' }],
        [move('c', alice.coins, bob.diamondsOnHold, 1n)],
      ],
      NOW_MS,
    );
    expect(plan.outcomes).toEqual([
      { status: 'rejected', rejection: { code: 'account_not_found', accountId: 'user:ghost:coins' } },
      { status: 'rejected', rejection: { code: 'account_not_found', accountId: 'user:nobody:coins' } },
      { status: 'rejected', rejection: { code: 'asset_mismatch', transferId: 'c' } },
    ]);
    expect(plan.newTransfers).toEqual([]);
  });

  describe('two-phase transfers', () => {
    const payout = (id: string, amount: bigint): MovementRequest => move(id, bob.diamondsAvailable, diamondPayoutClearing, amount, { code: 'PAYOUT', kind: 'pending' });
    const resolve = (id: string, kind: 'post' | 'void', pendingId: string): TransferRequest => ({ id, code: 'PAYOUT', kind, pendingId });
    const base = (): BatchSnapshot => snapshot([state(bob.diamondsAvailable, 100n), state(diamondPayoutClearing)]);

    it('reserves with pending, moves posted money once with post, and refuses a second resolution', () => {
      const snap0 = base();
      const reserve = planBatch(snap0, [[payout('p1', 30n)]], NOW_MS);
      const wallet = after(reserve, snap0, bob.diamondsAvailable);
      expect(wallet).toMatchObject({ creditsPosted: 100n, debitsPosted: 0n, debitsPending: 30n });
      expect(availableOf(wallet)).toBe(70n);
      expect(after(reserve, snap0, diamondPayoutClearing)).toMatchObject({ creditsPending: 30n, creditsPosted: 0n });

      const snap1 = afterCommit(snap0, reserve);
      const posted = planBatch(snap1, [[resolve('p1:post', 'post', 'p1')], [resolve('p1:post2', 'post', 'p1')], [resolve('p1:void', 'void', 'p1')]], NOW_MS);
      expect(posted.outcomes.map((o) => o.status)).toEqual(['applied', 'rejected', 'rejected']);
      expect(posted.outcomes[1]).toEqual({ status: 'rejected', rejection: { code: 'pending_already_resolved', pendingId: 'p1', resolvedBy: 'p1:post' } });
      expect(posted.newTransfers).toHaveLength(1);
      expect(posted.newTransfers[0]).toMatchObject({ kind: 'post', pendingId: 'p1', amount: 30n, debitAccountId: bob.diamondsAvailable.id, creditAccountId: diamondPayoutClearing.id });
      expect(after(posted, snap1, bob.diamondsAvailable)).toMatchObject({ debitsPosted: 30n, debitsPending: 0n });
      expect(after(posted, snap1, diamondPayoutClearing)).toMatchObject({ creditsPosted: 30n, creditsPending: 0n });

      // In a later batch the resolution comes from the snapshot.
      const snap2 = afterCommit(snap1, posted);
      expect(planBatch(snap2, [[resolve('late-void', 'void', 'p1')]], NOW_MS).outcomes[0]).toEqual({
        status: 'rejected',
        rejection: { code: 'pending_already_resolved', pendingId: 'p1', resolvedBy: 'p1:post' },
      });
    });

    it('returns reserved funds with void and refuses a post after it', () => {
      const snap0 = base();
      const snap1 = afterCommit(snap0, planBatch(snap0, [[payout('p1', 30n)]], NOW_MS));
      const voided = planBatch(snap1, [[resolve('v', 'void', 'p1')]], NOW_MS);
      expect(after(voided, snap1, bob.diamondsAvailable)).toMatchObject({ debitsPosted: 0n, debitsPending: 0n, creditsPosted: 100n });
      expect(after(voided, snap1, diamondPayoutClearing)).toMatchObject({ creditsPending: 0n, creditsPosted: 0n });
      const snap2 = afterCommit(snap1, voided);
      expect(planBatch(snap2, [[resolve('x', 'post', 'p1')]], NOW_MS).outcomes[0]).toMatchObject({ rejection: { code: 'pending_already_resolved', resolvedBy: 'v' } });
    });

    it('refuses a reservation beyond what is available, counting other reservations', () => {
      const snap0 = base();
      const plan = planBatch(snap0, [[payout('p1', 60n)], [payout('p2', 41n)], [payout('p3', 40n)]], NOW_MS);
      expect(plan.outcomes.map((o) => o.status)).toEqual(['applied', 'rejected', 'applied']);
      expect(plan.outcomes[1]).toMatchObject({ rejection: { code: 'insufficient_funds', available: 40n, required: 41n } });
    });

    it('refuses resolving an unknown transfer or one that is not pending', () => {
      const snap0 = base();
      const plan = planBatch(snap0, [[move('single', bob.diamondsAvailable, diamondPayoutClearing, 1n)], [resolve('r1', 'post', 'nope')], [resolve('r2', 'void', 'single')]], NOW_MS);
      expect(plan.outcomes.slice(1)).toEqual([
        { status: 'rejected', rejection: { code: 'pending_not_found', pendingId: 'nope' } },
        { status: 'rejected', rejection: { code: 'pending_not_found', pendingId: 'single' } },
      ]);
    });

    it('resolves a pending transfer created earlier in the same group or batch', () => {
      const snap0 = base();
      const plan = planBatch(snap0, [[payout('p1', 10n), resolve('p1:post', 'post', 'p1')], [payout('p2', 10n)], [resolve('p2:void', 'void', 'p2')]], NOW_MS);
      expect(plan.outcomes.map((o) => o.status)).toEqual(['applied', 'applied', 'applied']);
      expect(after(plan, snap0, bob.diamondsAvailable)).toMatchObject({ debitsPosted: 10n, debitsPending: 0n });
    });
  });

  it('never takes a non-negative account below zero and always conserves each asset, for any sequence of batches', () => {
    const users = [alice, bob, carol];
    const accountIds = [coinIssuance, coinGiftSink, ...users.map((u) => u.coins)];
    const specs = [...accountIds, diamondIssuance, ...users.map((u) => u.diamondsOnHold)];
    const leg = fc.record({ from: fc.nat(accountIds.length - 1), to: fc.nat(accountIds.length - 1), amount: fc.bigInt(1n, 60n), diamond: fc.boolean() });
    const batches = fc.array(fc.array(fc.array(leg, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 });

    fc.assert(
      fc.property(batches, (raw) => {
        let snap = snapshot(specs.map((s) => state(s)));
        const committed: CommittedTransfer[] = [];
        let n = 0;
        for (const batch of raw) {
          const groups = batch.map((legs) =>
            legs.map((l) => {
              const id = `t${n++}`;
              const from = accountIds[l.from] as AccountSpec;
              const to = accountIds[l.to] as AccountSpec;
              // Some legs cross assets on purpose: they must be refused, never applied.
              return move(id, from, l.diamond ? users[l.to % 3]?.diamondsOnHold ?? to : to, l.amount);
            }),
          );
          const plan = planBatch(snap, groups, NOW_MS);
          expect(plan.outcomes).toHaveLength(groups.length);
          const appliedLegs = plan.outcomes.flatMap((o) => (o.status === 'applied' ? o.transfers : []));
          expect(plan.newTransfers).toEqual(appliedLegs);
          committed.push(...plan.newTransfers);
          snap = afterCommit(snap, plan);
        }
        for (const a of snap.accounts.values()) if (a.nonNegative) expect(availableOf(a)).toBeGreaterThanOrEqual(0n);
        const reconciler = new Reconciler(snap.accounts.values());
        for (const t of committed) reconciler.add(t);
        const report = reconciler.finish(snap.accounts.values(), snap.head);
        expect(report.problems).toEqual([]);
        expect(report.transfers).toBe(committed.length);
      }),
      { numRuns: 150, seed: 20240601 },
    );
  });
});

describe('batchKeys and batchAccountIds', () => {
  it('loads every transfer id and pending id, the named accounts, and the accounts of the pending transfers, sorted', () => {
    const keys = batchKeys([[move('g1', alice.coins, coinGiftSink, 1n)], [{ id: 'r1', code: 'PAYOUT', kind: 'post', pendingId: 'p1' }]]);
    expect(keys.transferIds.sort()).toEqual(['g1', 'p1', 'r1']);
    expect(keys.accountIds.sort()).toEqual([alice.coins.id, coinGiftSink.id].sort());

    const snap0 = snapshot([state(bob.diamondsAvailable, 10n), state(diamondPayoutClearing)]);
    const pending = planBatch(snap0, [[move('p1', bob.diamondsAvailable, diamondPayoutClearing, 5n, { kind: 'pending' })]], NOW_MS).newTransfers;
    const ids = batchAccountIds(keys.accountIds, pending);
    expect(ids).toEqual([alice.coins.id, coinGiftSink.id, bob.diamondsAvailable.id, diamondPayoutClearing.id].sort());
  });
});

describe('Reconciler', () => {
  function committedLedger(): { snap: BatchSnapshot; transfers: CommittedTransfer[] } {
    const snap0 = snapshot([state(coinIssuance), state(alice.coins), state(coinGiftSink)]);
    const plan = planBatch(snap0, [[move('buy', coinIssuance, alice.coins, 100n, { code: 'PURCHASE' })], [move('g', alice.coins, coinGiftSink, 40n)]], NOW_MS);
    return { snap: afterCommit(snap0, plan), transfers: plan.newTransfers };
  }

  it('finds a clean ledger clean, and reports an altered transfer, a broken link and drifted cached balances', () => {
    const { snap, transfers } = committedLedger();
    const clean = new Reconciler(snap.accounts.values());
    for (const t of transfers) clean.add(t);
    expect(clean.finish(snap.accounts.values(), snap.head)).toMatchObject({ ok: true, transfers: 2, accounts: 3, totals: { COIN: '140' } });

    const altered = new Reconciler(snap.accounts.values());
    altered.add(transfers[0] as CommittedTransfer);
    altered.add({ ...(transfers[1] as CommittedTransfer), amount: 4n });
    const alteredReport = altered.finish(snap.accounts.values(), snap.head);
    expect(alteredReport.ok).toBe(false);
    expect(alteredReport.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['chain', 'replay', 'balance_drift']));

    const drifted = new Reconciler(snap.accounts.values());
    for (const t of transfers) drifted.add(t);
    const cached = [...snap.accounts.values()].map((a) => (a.id === alice.coins.id ? { ...a, creditsPosted: a.creditsPosted + 1n } : a));
    const driftReport = drifted.finish(cached, snap.head);
    expect(driftReport.ok).toBe(false);
    expect(driftReport.problems).toContainEqual({ kind: 'balance_drift', detail: expect.stringContaining(alice.coins.id) as string });

    const skipped = new Reconciler(snap.accounts.values());
    skipped.add(transfers[1] as CommittedTransfer);
    expect(skipped.finish(snap.accounts.values(), snap.head).problems.map((p) => p.kind)).toContain('chain');
  });
});
