// Proves diamonds convert to cents in one direction only — down — and that the limit conversions are
// the exact inverses the payout rules need (the fewest diamonds worth at least, the most worth at
// most), for every value of a diamond, with bigint arithmetic that never loses a digit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diamondsToMinor, diamondsWorthAtLeast, diamondsWorthAtMost, formatUsd } from './diamond-value.js';

const HALF_CENT = 5000n; // the default: 1 diamond = $0.005

describe('diamond value', () => {
  it('values diamonds in cents, rounding down', () => {
    expect(diamondsToMinor(0n, HALF_CENT)).toBe(0n);
    expect(diamondsToMinor(1n, HALF_CENT)).toBe(0n);
    expect(diamondsToMinor(2n, HALF_CENT)).toBe(1n);
    expect(diamondsToMinor(3n, HALF_CENT)).toBe(1n);
    expect(diamondsToMinor(2000n, HALF_CENT)).toBe(1000n); // $10
    expect(diamondsToMinor(200_000n, HALF_CENT)).toBe(100_000n); // $1,000
    expect(diamondsToMinor(7n, 3333n)).toBe(2n); // 23 331 micro-USD = 2.3331 cents
    // Far past 2^53: bigint all the way.
    expect(diamondsToMinor(2n ** 60n, 10_000n)).toBe(2n ** 60n);
  });

  it('turns the payout limits into diamonds: the minimum up, the maximum down', () => {
    expect(diamondsWorthAtLeast(1000n, HALF_CENT)).toBe(2000n);
    expect(diamondsWorthAtMost(100_000n, HALF_CENT)).toBe(200_000n);
    expect(diamondsWorthAtLeast(1n, 3000n)).toBe(4n); // 3 diamonds are 0.9 cents, 4 are 1.2
    expect(diamondsWorthAtMost(1n, 3000n)).toBe(3n);
  });

  it('refuses a non-positive value and negative amounts', () => {
    expect(() => diamondsToMinor(1n, 0n)).toThrow(RangeError);
    expect(() => diamondsToMinor(-1n, HALF_CENT)).toThrow(RangeError);
    expect(() => diamondsWorthAtLeast(-1n, HALF_CENT)).toThrow(RangeError);
    expect(() => diamondsWorthAtMost(5n, -1n)).toThrow(RangeError);
  });

  it('never values diamonds above their worth, and only by less than a cent below it', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 60n }), fc.bigInt({ min: 1n, max: 1_000_000n }), (diamonds, value) => {
        const minor = diamondsToMinor(diamonds, value);
        const micro = diamonds * value;
        expect(minor * 10_000n <= micro).toBe(true);
        expect(micro - minor * 10_000n < 10_000n).toBe(true);
      }),
    );
  });

  it('finds the exact boundaries: one diamond less is below the minimum, one more is above the maximum', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 1_000_000n }), (minor, value) => {
        const least = diamondsWorthAtLeast(minor, value);
        expect(diamondsToMinor(least, value) >= minor).toBe(true);
        if (least > 0n) expect(diamondsToMinor(least - 1n, value) < minor).toBe(true);
        const most = diamondsWorthAtMost(minor, value);
        expect(most * value <= minor * 10_000n).toBe(true);
        expect((most + 1n) * value > minor * 10_000n).toBe(true);
      }),
    );
  });

  it('formats cents for a person', () => {
    expect(formatUsd(0n)).toBe('$0.00');
    expect(formatUsd(5n)).toBe('$0.05');
    expect(formatUsd(1000n)).toBe('$10.00');
    expect(formatUsd(123_456_789n)).toBe('$1,234,567.89');
    expect(formatUsd(-150n)).toBe('-$1.50');
  });
});
