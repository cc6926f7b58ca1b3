// Ledger benchmark: gifts per second and ack latency through the real LedgerStore, durable on both
// dialects (SQLite WAL + synchronous=FULL on the real disk under .bench/, PostgreSQL with
// synchronous_commit=on in a fresh schema), next to a baseline of plain batched SQLite inserts on the
// same disk so that numbers from a noisy shared machine can be compared as ratios.
// Every phase is followed by reconcile() (not timed): a run whose ledger does not reconcile, or that
// committed fewer transfers than it acknowledged, fails instead of reporting a number.
// Run: npm run bench:ledger. The last line is `RESULT {json}`; docs/BENCHMARKS.md explains it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { SystemAccounts, userAccounts } from '../src/domain/accounts.js';
import type { AccountSpec, GroupOutcome, TransferRequest } from '../src/domain/ledger.js';
import { openStorage, type Storage } from '../src/storage/database.js';

const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Which ledgers to measure, e.g. `BENCH_DIALECTS=sqlite` while working on one (default: both). */
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',');
const VIEWERS = 10_000;
const CREATORS = 1_000;
/** Coins each viewer buys before the timed phases: far more than any run can spend. */
const WALLET_COINS = 1_000_000n;
/** Closed loop: gifts in flight at once, enough for the writer to fill 256-gift batches many times over. */
const IN_FLIGHT = 4_096;
/** Each closed-loop phase stops at this many gifts or this many milliseconds, whichever comes first. */
const PHASE_GIFTS_MAX = 150_000;
const PHASE_MS_MAX = 5_000;
/** Open loop: offered load, how long it is offered, and the start-up part left out of the percentiles. */
const OFFERED_PER_S = 10_000;
const OPEN_LOOP_MS = 4_000;
const OPEN_LOOP_WARMUP_MS = 500;
/** Baseline: plain rows inserted, and rows per transaction. */
const BASELINE_ROWS = PHASE_GIFTS_MAX;
const BASELINE_ROWS_PER_TX = 1_000;
/** The whole run is abandoned past this, whatever hangs. */
const RUN_MS_MAX = 180_000;

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

interface ClosedLoopResult {
  readonly gifts: number;
  readonly seconds: number;
  readonly giftsPerS: number;
  readonly avgBatch: number;
  /** CPU time of this process (user + system) per gift: steadier than wall time on a shared machine. */
  readonly cpuUsPerGift: number;
}

interface OpenLoopResult {
  readonly offered: number;
  readonly measured: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly ackedPerS: number;
  readonly avgBatch: number;
  /**
   * Where a tail comes from: the longest time (after warm-up) with no acknowledgement at all, and
   * the longest this process's event loop was blocked. A long ack gap with a short loop delay is a
   * commit that waited on the database or the disk, not on this process.
   */
  readonly maxAckGapMs: number;
  readonly maxLoopDelayMs: number;
}

interface DialectResult {
  readonly spread: ClosedLoopResult;
  readonly hot: ClosedLoopResult;
  readonly open: OpenLoopResult;
}

// Account ids built once, so the submitting side costs as little as it can: it shares the process
// (and the event loop) with the writer it measures.
const viewerWallets = Array.from({ length: VIEWERS }, (_, v) => userAccounts(`v${v}`).coins.id);
const creatorHolds = Array.from({ length: CREATORS }, (_, c) => userAccounts(`c${c}`).diamondsOnHold.id);

function viewerWallet(n: number): string {
  return viewerWallets[n % VIEWERS] ?? '';
}

function creatorHold(n: number): string {
  return creatorHolds[n % CREATORS] ?? '';
}

/** A gift as sendGift builds it: the viewer's coins go to the sink, the creator receives as many diamonds. */
function gift(viewerAccountId: string, creatorAccountId: string, amount: bigint): TransferRequest[] {
  const id = uuidv7();
  return [
    { id, code: 'GIFT', kind: 'single', debitAccountId: viewerAccountId, creditAccountId: SystemAccounts.coinGiftSink.id, amount },
    { id: `${id}:d`, code: 'GIFT', kind: 'single', debitAccountId: SystemAccounts.diamondIssuance.id, creditAccountId: creatorAccountId, amount },
  ];
}

let uuidLastMs = 0;
let uuidCounter = 0;
let uuidRandom = randomBytes(16 * 4096);
let uuidRandomAt = 0;
/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then a 12-bit counter for order within one
 * millisecond, then random bits. Clients send gift ids like this, so ids arrive in time order and
 * the transfers' id index grows at its right edge; random v4 ids would scatter every batch across it.
 */
function uuidv7(): string {
  let ms = Date.now();
  if (ms <= uuidLastMs) {
    ms = uuidLastMs;
    uuidCounter++;
    if (uuidCounter > 0xfff) {
      ms++;
      uuidCounter = 0;
    }
  } else {
    uuidCounter = 0;
  }
  uuidLastMs = ms;
  if (uuidRandomAt + 16 > uuidRandom.length) {
    uuidRandom = randomBytes(16 * 4096);
    uuidRandomAt = 0;
  }
  const b = uuidRandom.subarray(uuidRandomAt, uuidRandomAt + 16);
  uuidRandomAt += 16;
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (uuidCounter >> 8);
  b[7] = uuidCounter & 0xff;
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

type GiftMaker = (n: number) => TransferRequest[];

/** Gift n: viewer n mod 10,000, creator n mod 1,000, 1–10 coins. */
const spreadGift: GiftMaker = (n) => gift(viewerWallet(n), creatorHold(n), BigInt(1 + (n % 10)));
/** Every gift goes to creator 0. */
const hotGift: GiftMaker = (n) => gift(viewerWallet(n), creatorHold(0), BigInt(1 + (n % 10)));

function expectApplied(outcome: GroupOutcome): void {
  if (outcome.status !== 'applied') throw new Error(`a benchmark gift was not applied: ${JSON.stringify(outcome, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
}

function batchesOf(storage: Storage): { batches: number; committed: number } {
  const { batches, committed } = storage.ledger.stats;
  return { batches, committed };
}

function avgBatchSince(storage: Storage, before: { batches: number; committed: number }): number {
  const now = storage.ledger.stats;
  const batches = now.batches - before.batches;
  return batches === 0 ? 0 : (now.committed - before.committed) / batches;
}

/** Opens the accounts and fills every wallet with a PURCHASE (untimed). */
async function prepare(storage: Storage): Promise<void> {
  const specs: AccountSpec[] = [...Object.values(SystemAccounts)];
  for (let v = 0; v < VIEWERS; v++) specs.push(userAccounts(`v${v}`).coins);
  for (let c = 0; c < CREATORS; c++) specs.push(userAccounts(`c${c}`).diamondsOnHold);
  for (let i = 0; i < specs.length; i += 1_000) await storage.ledger.openAccounts(specs.slice(i, i + 1_000));
  const purchases: Promise<GroupOutcome>[] = [];
  for (let v = 0; v < VIEWERS; v++) {
    purchases.push(
      storage.ledger.submit([
        { id: uuidv7(), code: 'PURCHASE', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: viewerWallet(v), amount: WALLET_COINS },
      ]),
    );
  }
  for (const outcome of await Promise.all(purchases)) expectApplied(outcome);
}

/** Closed loop: IN_FLIGHT submitters, each sending its next gift as soon as the previous one is acknowledged. */
async function closedLoop(storage: Storage, makeGift: GiftMaker): Promise<ClosedLoopResult> {
  const before = batchesOf(storage);
  let next = 0;
  let acked = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = start + PHASE_MS_MAX;
  const submitter = async (): Promise<void> => {
    while (next < PHASE_GIFTS_MAX && performance.now() < deadline) {
      const n = next++;
      expectApplied(await storage.ledger.submit(makeGift(n)));
      acked++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, submitter));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { gifts: acked, seconds, giftsPerS: acked / seconds, avgBatch: avgBatchSince(storage, before), cpuUsPerGift: (cpu.user + cpu.system) / acked };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Open loop: gift k is due at start + k / rate, and is submitted on the first timer tick at or after
 * that, whether or not earlier gifts were acknowledged. Latency is ack time minus due time, so a late
 * timer or a blocked event loop counts against the ledger, as a client would see it.
 */
async function openLoop(storage: Storage, makeGift: GiftMaker): Promise<OpenLoopResult> {
  const before = batchesOf(storage);
  const total = Math.round((OFFERED_PER_S * OPEN_LOOP_MS) / 1000);
  const latencies: number[] = [];
  const acks: Promise<void>[] = [];
  let scheduled = 0;
  let lastAck = 0;
  let maxAckGapMs = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const start = performance.now();
  loopDelay.enable();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * OFFERED_PER_S) / 1000) + 1);
      while (scheduled < due) {
        const n = scheduled++;
        const dueAt = start + (n * 1000) / OFFERED_PER_S;
        acks.push(
          storage.ledger.submit(makeGift(n)).then((outcome) => {
            const now = performance.now();
            if (lastAck - start >= OPEN_LOOP_WARMUP_MS) maxAckGapMs = Math.max(maxAckGapMs, now - lastAck);
            lastAck = now;
            expectApplied(outcome);
            if (dueAt - start >= OPEN_LOOP_WARMUP_MS) latencies.push(lastAck - dueAt);
          }),
        );
      }
      if (scheduled >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(acks);
  loopDelay.disable();
  latencies.sort((a, b) => a - b);
  return {
    offered: total,
    measured: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    ackedPerS: total / ((lastAck - start) / 1000),
    avgBatch: avgBatchSince(storage, before),
    maxAckGapMs,
    maxLoopDelayMs: loopDelay.max / 1e6,
  };
}

/** Untimed: the ledger must reconcile and hold exactly the transfers acknowledged so far. */
async function verify(storage: Storage, phase: string, expectedTransfers: number): Promise<void> {
  const t0 = performance.now();
  const report = await storage.ledger.reconcile();
  if (!report.ok || report.transfers !== expectedTransfers) {
    throw new Error(
      `${phase}: reconcile failed (ok=${report.ok}, ${report.transfers} transfers, expected ${expectedTransfers}): ${JSON.stringify(report.problems.slice(0, 5))}`,
    );
  }
  console.log(`  ${phase}: reconcile ok, ${report.transfers} transfers (${Math.round(performance.now() - t0)} ms, untimed)`);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function printClosed(label: string, r: ClosedLoopResult): void {
  console.log(
    `  ${label}: ${fmt(r.gifts)} gifts in ${r.seconds.toFixed(2)} s = ${fmt(r.giftsPerS)} gifts/s, ` +
      `avg batch ${r.avgBatch.toFixed(1)} gifts, ${r.cpuUsPerGift.toFixed(1)} µs CPU per gift in this process`,
  );
}

/** Runs every phase on one opened, migrated, empty ledger. */
async function runDialect(name: string, storage: Storage): Promise<DialectResult> {
  const t0 = performance.now();
  await prepare(storage);
  let transfers = VIEWERS;
  console.log(`  setup: ${VIEWERS + CREATORS} accounts opened, ${VIEWERS} wallets funded (${Math.round(performance.now() - t0)} ms, untimed)`);
  await verify(storage, 'setup', transfers);

  const spread = await closedLoop(storage, spreadGift);
  printClosed(`${name} spread over ${CREATORS} creators`, spread);
  transfers += 2 * spread.gifts;
  await verify(storage, 'spread', transfers);

  const hot = await closedLoop(storage, hotGift);
  printClosed(`${name} one hot creator`, hot);
  transfers += 2 * hot.gifts;
  await verify(storage, 'hot', transfers);

  const open = await openLoop(storage, spreadGift);
  console.log(
    `  ${name} open loop at ${fmt(OFFERED_PER_S)} gifts/s offered: ack p50 ${open.p50Ms.toFixed(2)} ms, p99 ${open.p99Ms.toFixed(2)} ms, ` +
      `max ${open.maxMs.toFixed(2)} ms over ${fmt(open.measured)} gifts (first ${OPEN_LOOP_WARMUP_MS} ms excluded); ` +
      `acked ${fmt(open.ackedPerS)} gifts/s, avg batch ${open.avgBatch.toFixed(1)} gifts; ` +
      `longest wait with no ack ${open.maxAckGapMs.toFixed(1)} ms, longest event-loop block ${open.maxLoopDelayMs.toFixed(1)} ms`,
  );
  if (open.ackedPerS < 0.95 * OFFERED_PER_S) {
    console.log(`  note: the ${name} ledger could not keep up with the offered load here, so its queue (and this latency) grew for the whole phase`);
  }
  transfers += 2 * open.offered;
  await verify(storage, 'open loop', transfers);
  return { spread, hot, open };
}

interface BaselineResult {
  readonly rowsPerS: number;
  readonly cpuUsPerRow: number;
}

/** Plain rows into a plain table: what this disk and SQLite do with no ledger logic at all. */
function baseline(dir: string, name: string): BaselineResult {
  const db = new Database(join(dir, `baseline-${name}.db`));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE rows (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, account_id TEXT NOT NULL, amount INTEGER NOT NULL)`);
    const insert = db.prepare('INSERT INTO rows (seq, id, account_id, amount) VALUES (?, ?, ?, ?)');
    const insertMany = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) insert.run(i + 1, uuidv7(), viewerWallet(i), 1 + (i % 10));
    });
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < BASELINE_ROWS; i += BASELINE_ROWS_PER_TX) insertMany.immediate(i, Math.min(BASELINE_ROWS, i + BASELINE_ROWS_PER_TX));
    const rowsPerS = BASELINE_ROWS / ((performance.now() - start) / 1000);
    const cpu = process.cpuUsage(cpuBefore);
    const count = db.prepare('SELECT count(*) FROM rows').pluck().get() as number;
    if (count !== BASELINE_ROWS) throw new Error(`baseline wrote ${count} rows, expected ${BASELINE_ROWS}`);
    const result = { rowsPerS, cpuUsPerRow: (cpu.user + cpu.system) / BASELINE_ROWS };
    console.log(
      `baseline (${name}): ${fmt(BASELINE_ROWS)} plain rows, ${BASELINE_ROWS_PER_TX} per transaction (SQLite WAL, synchronous=FULL): ` +
        `${fmt(result.rowsPerS)} rows/s, ${result.cpuUsPerRow.toFixed(2)} µs CPU per row`,
    );
    return result;
  } finally {
    db.close();
  }
}

async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function round2(n: number | undefined): number | null {
  return n === undefined || Number.isNaN(n) ? null : Math.round(n * 100) / 100;
}

function round0(n: number | undefined): number | null {
  return n === undefined ? null : Math.round(n);
}

function ratio(n: number | undefined, base: number): number | null {
  return n === undefined ? null : Math.round((n / base) * 1000) / 1000;
}

async function runPostgres(): Promise<DialectResult | null> {
  if (!DIALECTS.includes('postgres')) {
    console.log('postgres: skipped (BENCH_DIALECTS); its results are null');
    return null;
  }
  const problem = await postgresProblem();
  if (problem !== null) {
    console.log(`postgres: not reachable at ${PG_URL} (${problem}); its results are null`);
    return null;
  }
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  try {
    // sqlitePath is required by the options type and unused with a databaseUrl.
    const pgStorage = await openStorage({ databaseUrl: PG_URL, sqlitePath: join(projectRoot, '.bench', 'unused.db'), pgSchema: schema });
    try {
      const settings = await pgSettings(pgStorage);
      console.log(`postgres (schema ${schema}, synchronous_commit=${settings.synchronousCommit}, fsync=${settings.fsync}):`);
      if (settings.synchronousCommit !== 'on' || settings.fsync !== 'on') throw new Error('PostgreSQL is not durable here; refusing to measure it');
      return await runDialect('postgres', pgStorage);
    } finally {
      await pgStorage.close();
    }
  } finally {
    await dropSchema(schema);
  }
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`benchmark exceeded ${RUN_MS_MAX / 1000} s; abandoned`);
    process.exit(1);
  }, RUN_MS_MAX);
  watchdog.unref();

  const benchRoot = join(projectRoot, '.bench');
  mkdirSync(benchRoot, { recursive: true });
  const dir = mkdtempSync(join(benchRoot, 'ledger-'));
  let sqlite: DialectResult | null;
  let postgres: DialectResult | null;
  const baselines: BaselineResult[] = [];
  try {
    console.log(
      `ledger benchmark: ${VIEWERS} viewers, ${CREATORS} creators, closed loop ${IN_FLIGHT} in flight, ` +
        `≤ ${fmt(PHASE_GIFTS_MAX)} gifts or ${PHASE_MS_MAX / 1000} s per phase; SQLite files under ${dir}`,
    );
    // The baseline runs first and last; its mean is the yardstick, so a machine that got busier
    // (or quieter) during the run moves both sides of each ratio.
    baselines.push(baseline(dir, 'first'));

    if (DIALECTS.includes('sqlite')) {
      console.log('sqlite (WAL, synchronous=FULL):');
      const sqliteStorage = await openStorage({ sqlitePath: join(dir, 'ledger.db') });
      try {
        sqlite = await runDialect('sqlite', sqliteStorage);
      } finally {
        await sqliteStorage.close();
      }
    } else {
      console.log('sqlite: skipped (BENCH_DIALECTS); its results are null');
      sqlite = null;
    }

    postgres = await runPostgres();
    baselines.push(baseline(dir, 'last'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const baselineRowsPerS = baselines.reduce((sum, b) => sum + b.rowsPerS, 0) / baselines.length;
  const baselineCpuUsPerRow = baselines.reduce((sum, b) => sum + b.cpuUsPerRow, 0) / baselines.length;
  console.log(`summary (baseline ${fmt(baselineRowsPerS)} rows/s, mean of first and last):`);
  const rows: [string, ClosedLoopResult | undefined][] = [
    ['sqlite spread', sqlite?.spread],
    ['sqlite hot', sqlite?.hot],
    ['postgres spread', postgres?.spread],
    ['postgres hot', postgres?.hot],
  ];
  for (const [label, r] of rows) {
    if (r === undefined) continue;
    console.log(
      `  ${label.padEnd(16)} ${fmt(r.giftsPerS).padStart(7)} gifts/s = ${(r.giftsPerS / baselineRowsPerS).toFixed(3)} × baseline; ` +
        `${r.cpuUsPerGift.toFixed(1)} µs CPU per gift = ${(r.cpuUsPerGift / baselineCpuUsPerRow).toFixed(1)} baseline rows`,
    );
  }

  const result = {
    sqlite_gifts_per_s: round0(sqlite?.spread.giftsPerS),
    sqlite_hot_gifts_per_s: round0(sqlite?.hot.giftsPerS),
    pg_gifts_per_s: round0(postgres?.spread.giftsPerS),
    pg_hot_gifts_per_s: round0(postgres?.hot.giftsPerS),
    baseline_rows_per_s: round0(baselineRowsPerS),
    sqlite_p99_ack_ms_at_10k: round2(sqlite?.open.p99Ms),
    pg_p99_ack_ms_at_10k: round2(postgres?.open.p99Ms),
    sqlite_ratio: ratio(sqlite?.spread.giftsPerS, baselineRowsPerS),
    sqlite_hot_ratio: ratio(sqlite?.hot.giftsPerS, baselineRowsPerS),
    pg_ratio: ratio(postgres?.spread.giftsPerS, baselineRowsPerS),
    pg_hot_ratio: ratio(postgres?.hot.giftsPerS, baselineRowsPerS),
    sqlite_p50_ack_ms_at_10k: round2(sqlite?.open.p50Ms),
    pg_p50_ack_ms_at_10k: round2(postgres?.open.p50Ms),
    sqlite_acked_per_s_at_10k: round0(sqlite?.open.ackedPerS),
    pg_acked_per_s_at_10k: round0(postgres?.open.ackedPerS),
    sqlite_max_ack_gap_ms_at_10k: round2(sqlite?.open.maxAckGapMs),
    pg_max_ack_gap_ms_at_10k: round2(postgres?.open.maxAckGapMs),
    sqlite_avg_batch: round2(sqlite?.spread.avgBatch),
    sqlite_hot_avg_batch: round2(sqlite?.hot.avgBatch),
    pg_avg_batch: round2(postgres?.spread.avgBatch),
    pg_hot_avg_batch: round2(postgres?.hot.avgBatch),
    sqlite_cpu_us_per_gift: round2(sqlite?.spread.cpuUsPerGift),
    sqlite_hot_cpu_us_per_gift: round2(sqlite?.hot.cpuUsPerGift),
    pg_node_cpu_us_per_gift: round2(postgres?.spread.cpuUsPerGift),
    pg_hot_node_cpu_us_per_gift: round2(postgres?.hot.cpuUsPerGift),
    baseline_cpu_us_per_row: round2(baselineCpuUsPerRow),
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
}

/** What the ledger's PostgreSQL sessions actually run with: a benchmark of a non-durable server would be a lie. */
async function pgSettings(storage: Storage): Promise<{ synchronousCommit: string; fsync: string }> {
  const sc = await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(storage.db);
  const fs = await sql<{ fsync: string }>`SHOW fsync`.execute(storage.db);
  return { synchronousCommit: sc.rows[0]?.synchronous_commit ?? 'unknown', fsync: fs.rows[0]?.fsync ?? 'unknown' };
}

await main();
