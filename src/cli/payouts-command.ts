// `livegift payouts list [--limit N]`: the most recent payouts of every creator, newest first, as a
// table an operator reads (status, attempts, and why a payout failed or is being retried).
import { parseArgs } from 'node:util';
import type { PayoutRecord } from '../app/ports.js';
import { formatUsd } from '../domain/diamond-value.js';
import type { Storage } from '../storage/database.js';
import { KyselyPayoutStore } from '../storage/kysely-payout-store.js';

export const PAYOUTS_USAGE = `  payouts list [--limit N]
              Print the most recent payouts (default 20, at most 500), newest first`;

/** Runs `payouts <sub>`; returns the exit code (2 for a usage error). */
export async function payoutsCommand(argv: readonly string[], withStorage: (run: (storage: Storage) => Promise<number>) => Promise<number>): Promise<number> {
  if (argv[0] !== 'list') {
    console.error(`Unknown: livegift payouts ${argv[0] ?? ''}\n\nUsage:\n${PAYOUTS_USAGE}`);
    return 2;
  }
  let limit = 20;
  try {
    const { values } = parseArgs({ args: argv.slice(1), options: { limit: { type: 'string' } }, strict: true });
    if (values.limit !== undefined) {
      limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new RangeError('--limit must be a whole number from 1 to 500');
    }
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\nUsage:\n${PAYOUTS_USAGE}`);
    return 2;
  }
  return withStorage(async (storage) => {
    const payouts = await new KyselyPayoutStore(storage.db).listRecent({ limit });
    console.log(formatPayoutTable(payouts));
    return 0;
  });
}

/** A fixed-width table of payouts, one line each, with a header. */
export function formatPayoutTable(payouts: readonly PayoutRecord[]): string {
  if (payouts.length === 0) return 'No payouts yet.';
  const rows = payouts.map((p) => [
    new Date(p.createdAtMs).toISOString().replace('T', ' ').slice(0, 19),
    p.id,
    p.userId,
    p.diamonds.toString(),
    p.currency === 'USD' ? formatUsd(p.amountMinor) : `${p.amountMinor} ${p.currency}`,
    p.status,
    String(p.attempts),
    p.failureReason ?? p.lastError ?? '',
  ]);
  const header = ['created (UTC)', 'payout', 'user', 'diamonds', 'amount', 'status', 'attempts', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 3 || i === 4 || i === 6 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
