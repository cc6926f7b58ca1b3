// Numbers and money for display on the balance and admin pages: the one place the web app turns
// minor units into "$4.99". Minor units stay integers until here; Intl formats the exact decimal
// string, so no float ever touches an amount.

/** How many decimals a currency has (2 for USD, 0 for JPY). */
function fractionDigits(currency: string): number {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** 499, 'USD' → "$4.99". */
export function formatMoney(amountMinor: number, currency: string): string {
  const digits = fractionDigits(currency);
  const minor = BigInt(Math.trunc(amountMinor));
  const scale = 10n ** BigInt(digits);
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  const whole = (abs / scale).toString();
  const exact = digits === 0 ? whole : `${whole}.${(abs % scale).toString().padStart(digits, '0')}`;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(`${sign}${exact}` as `${number}`);
}

/** 12345 → "12,345". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

const WHEN = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

/** A moment as "Nov 26, 1:05 PM" (the reader's time zone). */
export function formatWhen(ms: number): string {
  return WHEN.format(new Date(ms));
}

/**
 * The price of a custom amount at the base rate (the smallest package), rounded up to the next minor
 * unit as the server prices it; the checkout page always shows the final amount before paying.
 */
export function customPriceMinor(coins: number, base: { coins: number; priceMinor: number }): number {
  const c = BigInt(Math.trunc(coins));
  return Number((c * BigInt(base.priceMinor) + BigInt(base.coins) - 1n) / BigInt(base.coins));
}

/** A value in micro-USD, with as many decimals as it needs: 5000 → "$0.005". */
export function formatMicroUsd(micro: number): string {
  const m = BigInt(Math.trunc(micro));
  const whole = m / 1_000_000n;
  const fraction = (m % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `$${whole.toLocaleString('en-US')}.${fraction}`;
}
