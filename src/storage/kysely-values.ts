// Column value helpers for Kysely rows: int8 arrives as number (SQLite), string (pg) or bigint.
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || typeof value === 'bigint') return Number(value);
  throw new TypeError(`not a numeric column value: ${typeof value}`);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export function bigOf(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || typeof value === 'string') return BigInt(value);
  throw new TypeError(`not an integer column value: ${typeof value}`);
}

/** The unique constraint a write violated (SQLite or PostgreSQL), or null for other errors. */
export function uniqueViolation(error: unknown): string | null {
  const e = error as { code?: string; message?: string; constraint?: string; detail?: string };
  if (e.code === '23505') return `${e.constraint ?? ''} ${e.detail ?? ''}`;
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return e.message ?? '';
  return null;
}
