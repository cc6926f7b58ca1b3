// Small helpers for the few server-rendered pages (the purchase return page): escaping, and money
// for display — the one place minor units become text.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** 499n USD → "$4.99"; uses the currency's own number of decimals. */
export function formatMoney(minor: bigint, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const scale = 10n ** BigInt(digits);
  const whole = minor / scale;
  const fraction = minor % scale;
  return format.format(Number(whole) + Number(fraction) / Number(scale));
}
