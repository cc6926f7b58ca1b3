// What diamonds are worth in money: the one module that converts between diamonds and US cents, and
// formats cents for a person. Pure bigint arithmetic; every conversion rounds toward the platform
// (value down, diamonds needed up), so a creator is never shown or paid more than the diamonds are worth.

/** Diamonds are valued, and paid out, in US dollars. */
export const DIAMOND_VALUE_CURRENCY = 'USD';

/** One cent is 10 000 micro-USD. */
const MICRO_USD_PER_CENT = 10_000n;

function checkValue(valueMicroUsd: bigint): void {
  if (valueMicroUsd <= 0n) throw new RangeError(`a diamond's value must be positive, got ${valueMicroUsd} micro-USD`);
}

function checkNonNegative(name: string, amount: bigint): void {
  if (amount < 0n) throw new RangeError(`${name} must not be negative, got ${amount}`);
}

/**
 * The value of `diamonds` in cents, rounded down: at the default 5000 micro-USD (half a cent) per
 * diamond, 3 diamonds are worth 1 cent, not 1.5.
 */
export function diamondsToMinor(diamonds: bigint, valueMicroUsd: bigint): bigint {
  checkValue(valueMicroUsd);
  checkNonNegative('diamonds', diamonds);
  return (diamonds * valueMicroUsd) / MICRO_USD_PER_CENT;
}

/** The fewest diamonds worth at least `minor` cents (e.g. the payout minimum in diamonds). */
export function diamondsWorthAtLeast(minor: bigint, valueMicroUsd: bigint): bigint {
  checkValue(valueMicroUsd);
  checkNonNegative('minor', minor);
  const micro = minor * MICRO_USD_PER_CENT;
  return (micro + valueMicroUsd - 1n) / valueMicroUsd;
}

/** The most diamonds worth at most `minor` cents (e.g. the daily payout maximum in diamonds). */
export function diamondsWorthAtMost(minor: bigint, valueMicroUsd: bigint): bigint {
  checkValue(valueMicroUsd);
  checkNonNegative('minor', minor);
  return (minor * MICRO_USD_PER_CENT) / valueMicroUsd;
}

/** Cents as a person reads them: 123456n → "$1,234.56". */
export function formatUsd(minor: bigint): string {
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  const dollars = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${sign}$${dollars}.${cents}`;
}
