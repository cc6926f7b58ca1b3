// Proves the small rules around gifts: when a gift can be sent, how sends fold into combos, the
// calendar keys of spend limits, and coin prices with their conversions and split.
import { describe, expect, it } from 'vitest';
import { isoDay, isoWeek, nextDayStartMs, nextWeekStartMs } from './calendar.js';
import { COMBO_WINDOW_MS, isGiftAvailable, nextCombo, type CatalogGift } from './gifts.js';
import { coinPackages, coinsForMinor, customPriceMinor, findPackage, purchaseSplit } from './pricing.js';

const T = Date.parse('2026-11-26T12:00:00Z');
const rose: CatalogGift = {
  id: 'rose', name: 'Rose', coins: 1n, art: 'rose.svg', scene: null, animation: 'sticker', comboable: true,
  availableFromMs: null, availableUntilMs: null, retiredAtMs: null, sortOrder: 1, updatedAtMs: T,
};

describe('isGiftAvailable', () => {
  it('is open-ended by default, and follows the window and retirement', () => {
    expect(isGiftAvailable(rose, T)).toBe(true);
    const scheduled = { ...rose, availableFromMs: T + 1000, availableUntilMs: T + 2000 };
    expect(isGiftAvailable(scheduled, T)).toBe(false);
    expect(isGiftAvailable(scheduled, T + 1000)).toBe(true);
    expect(isGiftAvailable(scheduled, T + 1999)).toBe(true);
    expect(isGiftAvailable(scheduled, T + 2000)).toBe(false);
    expect(isGiftAvailable({ ...rose, retiredAtMs: T }, T)).toBe(false);
    expect(isGiftAvailable({ ...rose, retiredAtMs: T + 5 }, T)).toBe(true);
  });
});

describe('nextCombo', () => {
  it('continues a combo within the window and starts a new one after it', () => {
    const a = nextCombo(undefined, 'a', 1, T);
    expect(a).toEqual({ comboId: 'a', count: 1, lastAtMs: T });
    const b = nextCombo(a, 'b', 3, T + COMBO_WINDOW_MS);
    expect(b).toEqual({ comboId: 'a', count: 4, lastAtMs: T + COMBO_WINDOW_MS });
    const c = nextCombo(b, 'c', 1, T + 2 * COMBO_WINDOW_MS + 1);
    expect(c).toEqual({ comboId: 'c', count: 1, lastAtMs: T + 2 * COMBO_WINDOW_MS + 1 });
  });
});

describe('calendar keys', () => {
  it('names UTC days and ISO weeks, including across a year boundary', () => {
    expect(isoDay(T)).toBe('2026-11-26');
    expect(isoWeek(T)).toBe('2026-W48');
    expect(isoWeek(Date.parse('2027-01-01T00:00:00Z'))).toBe('2026-W53');
    expect(isoWeek(Date.parse('2024-12-30T10:00:00Z'))).toBe('2025-W01');
    expect(new Date(nextDayStartMs(T)).toISOString()).toBe('2026-11-27T00:00:00.000Z');
    expect(new Date(nextWeekStartMs(T)).toISOString()).toBe('2026-11-30T00:00:00.000Z'); // a Monday
  });
});

describe('pricing', () => {
  it('has the PRODUCT.md packages and prices custom amounts at the base rate, rounding up', () => {
    expect(coinPackages('USD').map((p) => `${p.coins}:${p.priceMinor}`)).toEqual(['70:99', '350:499', '700:999', '1400:1999', '3500:4999', '7000:9999', '17500:24999']);
    expect(findPackage('usd-350')?.priceMinor).toBe(499n);
    expect(findPackage('usd-351')).toBeUndefined();
    expect(customPriceMinor(70n, 'USD')).toBe(99n);
    expect(customPriceMinor(71n, 'USD')).toBe(101n); // 71 × 99 / 70 = 100.41 → 101
    expect(coinsForMinor(50_000n, 'USD')).toBe(35_353n); // $500 a day
  });

  it('splits a price between creators, the processor and the platform without inventing money', () => {
    const s = purchaseSplit(4999n, 3500n, 1n, 5000n);
    expect(s.creatorsMinor).toBe(1750n);
    expect(s.creatorsMinor + s.processorMinor + s.platformMinor).toBe(4999n);
  });
});
