// Proves the LIVE summary arithmetic over ledger gift transfers: gifters are counted once each, gifts
// by their count, coins and diamonds from their own legs, top gifters ranked by coins (ties to whoever
// gave first, at most ten), the same result however the transfers are paged, and a loud failure on
// transfers that break the gift format.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommittedTransfer } from './ledger.js';
import { LiveGiftTally, LiveSummaryInvariantError, summarizeLive, type LiveFacts } from './live-summary.js';

const LIVE = 'live-1';
const FACTS: LiveFacts = { startedAtMs: 1_000_000, endedAtMs: 1_000_000 + 3_600_000, peakViewers: 7, uniqueViewers: 12 };

function canonical(m: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]])));
}

function leg(seq: number, fields: Partial<CommittedTransfer> & { metadata?: string }): CommittedTransfer {
  return {
    seq: BigInt(seq),
    id: `t${seq}`,
    code: 'GIFT',
    kind: 'single',
    pendingId: null,
    debitAccountId: 'a',
    creditAccountId: 'b',
    asset: 'COIN',
    amount: 1n,
    metadata: '{}',
    ref: `live:${LIVE}`,
    createdAtMs: 0n,
    debitAvailableAfter: 0n,
    creditAvailableAfter: 0n,
    debitPrevSeq: null,
    creditPrevSeq: null,
    fingerprint: '',
    prevHash: '',
    hash: '',
    ...fields,
  };
}

/** The two legs of one gift as sendGift books them; diamonds at `diamondsPerCoin`. */
function gift(seq: number, senderId: string, coinsEach: number, count: number, diamondsPerCoin = 1): CommittedTransfer[] {
  const metadata = canonical({ liveId: LIVE, giftId: 'rose', count, senderId, creatorId: 'creator', comboId: `c${seq}`, comboCount: count });
  const coins = BigInt(coinsEach * count);
  return [
    leg(seq, { id: `g${seq}`, asset: 'COIN', amount: coins, metadata }),
    leg(seq + 1, { id: `g${seq}:diamonds`, asset: 'DIAMOND', amount: coins * BigInt(diamondsPerCoin), metadata }),
  ];
}

const PEOPLE = new Map([
  ['ana', { handle: 'ana', displayName: 'Ana' }],
  ['ben', { handle: 'ben', displayName: 'Ben' }],
]);

describe('summarizeLive', () => {
  it('summarizes a LIVE without gifts: its duration and audience, and zeros', () => {
    expect(summarizeLive(LIVE, FACTS, [])).toEqual({
      durationMs: 3_600_000,
      peakViewers: 7,
      uniqueViewers: 12,
      gifters: 0,
      giftsCount: 0,
      coinsSpent: 0n,
      diamondsEarned: 0n,
      topGifters: [],
    });
  });

  it('counts two gifters once each, gifts by count, coins and diamonds from their legs, and ranks by coins', () => {
    const transfers = [
      ...gift(1, 'ana', 1, 5, 2), // 5 Roses: 5 coins, 10 diamonds
      ...gift(3, 'ben', 299, 1, 2), // a Corgi: 299 coins
      ...gift(5, 'ana', 30, 2, 2), // 2 Doughnuts: 60 coins
      ...gift(7, 'ana', 1, 1, 2),
    ];
    const s = summarizeLive(LIVE, FACTS, transfers, PEOPLE);
    expect(s).toMatchObject({ gifters: 2, giftsCount: 9, coinsSpent: 365n, diamondsEarned: 730n });
    expect(s.topGifters).toEqual([
      { user: { id: 'ben', handle: 'ben', displayName: 'Ben' }, coins: 299n, gifts: 1 },
      { user: { id: 'ana', handle: 'ana', displayName: 'Ana' }, coins: 66n, gifts: 8 },
    ]);
  });

  it('breaks a tie in coins in favour of whoever gave first, and keeps only the top ten', () => {
    // 'zed' gives first but reaches 10 coins last: the tie still goes to zed, not to the smaller id.
    const transfers = [...gift(1, 'zed', 5, 1), ...gift(3, 'amy', 10, 1), ...gift(5, 'zed', 5, 1)];
    expect(summarizeLive(LIVE, FACTS, transfers).topGifters.map((g) => [g.user.id, g.coins])).toEqual([['zed', 10n], ['amy', 10n]]);

    const many = Array.from({ length: 12 }, (_, i) => gift(1 + 2 * i, `u${i}`, i + 1, 1)).flat();
    const s = summarizeLive(LIVE, FACTS, many);
    expect(s.gifters).toBe(12);
    expect(s.topGifters).toHaveLength(10);
    expect(s.topGifters.map((g) => g.user.id)).toEqual(['u11', 'u10', 'u9', 'u8', 'u7', 'u6', 'u5', 'u4', 'u3', 'u2']);
    // A gifter whose account is gone still counts, shown as Unknown.
    expect(s.topGifters[0]?.user).toEqual({ id: 'u11', handle: '', displayName: 'Unknown' });
  });

  it('ignores transfers under the LIVE that are not gifts', () => {
    const transfers = [...gift(1, 'ana', 5, 1), leg(3, { code: 'ADJUSTMENT', amount: 1000n })];
    expect(summarizeLive(LIVE, FACTS, transfers)).toMatchObject({ gifters: 1, coinsSpent: 5n });
  });

  it.each([
    ['a transfer of another LIVE', [leg(1, { ref: 'live:other' })]],
    ['metadata naming another LIVE', [leg(1, { metadata: canonical({ liveId: 'other', senderId: 'a', count: 1 }) })]],
    ['metadata that is not JSON', [leg(1, { metadata: '{' })]],
    ['a gift without a sender', [leg(1, { metadata: canonical({ liveId: LIVE, count: 1 }) })]],
    ['a count that is not a positive integer', [leg(1, { metadata: canonical({ liveId: LIVE, senderId: 'a', count: 0.5 }) })]],
    ['a gift leg in a fiat currency', [leg(1, { asset: 'FIAT:USD', metadata: canonical({ liveId: LIVE, senderId: 'a', count: 1 }) })]],
    ['a coin leg without its diamond leg', [gift(1, 'ana', 1, 1)[0] as CommittedTransfer]],
    ['a transfer seen twice', [...gift(1, 'ana', 1, 1), ...gift(1, 'ana', 1, 1)]],
  ])('refuses %s', (_name, transfers) => {
    expect(() => summarizeLive(LIVE, FACTS, transfers)).toThrow(LiveSummaryInvariantError);
  });

  it('gives the same summary however the transfers are split into pages, with totals that add up', () => {
    const gifts = fc.array(fc.record({ sender: fc.constantFrom('a', 'b', 'c', 'd'), coins: fc.integer({ min: 1, max: 1000 }), count: fc.integer({ min: 1, max: 99 }) }), { maxLength: 40 });
    fc.assert(
      fc.property(gifts, fc.integer({ min: 1, max: 7 }), (list, pageSize) => {
        const transfers = list.flatMap((g, i) => gift(1 + 2 * i, g.sender, g.coins, g.count, 3));
        const whole = summarizeLive(LIVE, FACTS, transfers);
        const tally = new LiveGiftTally(LIVE);
        for (let i = 0; i < transfers.length; i += pageSize) tally.add(transfers.slice(i, i + pageSize));
        expect(tally.finish(FACTS, new Map())).toEqual(whole);

        const coins = list.reduce((sum, g) => sum + BigInt(g.coins * g.count), 0n);
        expect(whole.coinsSpent).toBe(coins);
        expect(whole.diamondsEarned).toBe(coins * 3n);
        expect(whole.giftsCount).toBe(list.reduce((sum, g) => sum + g.count, 0));
        expect(whole.gifters).toBe(new Set(list.map((g) => g.sender)).size);
        expect(whole.topGifters.reduce((sum, g) => sum + g.coins, 0n)).toBe(coins); // four senders: all in the top ten
        for (let i = 1; i < whole.topGifters.length; i++) {
          expect((whole.topGifters[i - 1]?.coins ?? 0n) >= (whole.topGifters[i]?.coins ?? 0n)).toBe(true);
        }
      }),
    );
  });
});
