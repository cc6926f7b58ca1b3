// Proves that killing the ledger's process with SIGKILL mid-load never loses an acknowledged gift,
// never keeps half of a gift, never breaks reconciliation, and that acknowledged gifts resubmitted
// after the restart answer `duplicate` — on SQLite on real disk, and on PostgreSQL when it answers.
import { describe, expect, it } from 'vitest';
import { PG_URL, pgAvailable } from '../support/databases.js';
import { runCrashCycles, summaryLine, type CrashSummary } from './crash-runner.js';

/** Each cycle boots a tsx child (~0.5 s, overlapped with the previous check) and loads it 50-800 ms. */
const SQLITE_CYCLES = 20;
const POSTGRES_CYCLES = 5;

function expectPassed(summary: CrashSummary): void {
  console.log(summaryLine(summary));
  expect(summary.failures).toEqual([]);
  expect(summary.ok).toBe(true);
  expect(summary.cyclesPassed).toBe(summary.cyclesPlanned);
  // The run must have had something to lose, or it proved nothing.
  expect(summary.giftsApplied).toBeGreaterThan(0);
  expect(summary.duplicatesConfirmed).toBeGreaterThan(0);
}

describe('crash test', () => {
  it(`survives ${SQLITE_CYCLES} SIGKILLs under load on SQLite`, async () => {
    expectPassed(await runCrashCycles({ cycles: SQLITE_CYCLES, dialect: 'sqlite', log: (line) => { console.log(line); } }));
  }, 120_000);

  it.skipIf(!pgAvailable)(`survives ${POSTGRES_CYCLES} SIGKILLs under load on PostgreSQL`, async () => {
    expectPassed(await runCrashCycles({ cycles: POSTGRES_CYCLES, dialect: 'postgres', databaseUrl: PG_URL, log: (line) => { console.log(line); } }));
  }, 120_000);
});
