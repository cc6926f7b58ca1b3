// Age from a date of birth, in whole years on a given day (UTC), and the 18+ rule of PRODUCT.md.

export const ADULT_AGE = 18;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses YYYY-MM-DD into its parts; null when it is not a real calendar date. */
export function parseBirthDate(text: string): { y: number; m: number; d: number } | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return { y, m, d };
}

/** Whole years between the birth date and the UTC day of `nowMs`; a birthday counts from its day. */
export function ageInYears(birthDate: string, nowMs: number): number {
  const b = parseBirthDate(birthDate);
  if (!b) throw new RangeError(`not a date: ${birthDate}`);
  const now = new Date(nowMs);
  const [y, m, d] = [now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate()];
  return y - b.y - (m < b.m || (m === b.m && d < b.d) ? 1 : 0);
}

export function isAdult(birthDate: string, nowMs: number): boolean {
  return ageInYears(birthDate, nowMs) >= ADULT_AGE;
}
