// The crash test's driver. Each cycle starts crash-child.ts against one database that lives for the
// whole run, lets it send gifts under load, kills it with SIGKILL after a random 50-800 ms, then
// reopens the database and checks what a crash may never do: lose an acknowledged gift, keep half of
// a gift, or leave the ledger unreconciled. Later cycles resubmit earlier acknowledged gifts, which
// must answer `duplicate`.
//
//   npm run test:crash -- --cycles 1000 [--dialect sqlite|postgres] [--seed N] [--database-url URL]
//
// SQLite lives in a temp dir on real disk (os.tmpdir(), never /dev/shm), with the store's own
// synchronous=FULL: durability across the kill is what this test is about.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStorage, type StorageOptions } from '../../src/storage/database.js';
import { giftGroup, giftIdOfLeg, type ChildGo } from './crash-child.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const KILL_AFTER_MS_MIN = 50;
const KILL_AFTER_MS_MAX = 800;
/** Earlier gifts each child resubmits. */
const RESUBMIT_MAX = 32;
/** Longest a child may take to boot, or to open the database and top up wallets. */
const CHILD_STEP_TIMEOUT_MS = 30_000;
const STDERR_KEPT_CHARS = 4000;
/** Problems reported per failing cycle; the first is usually enough. */
const PROBLEMS_MAX = 5;

export const DEFAULT_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type CrashDialect = 'sqlite' | 'postgres';

export interface CrashOptions {
  readonly cycles: number;
  readonly dialect: CrashDialect;
  /** PostgreSQL server for dialect `postgres`; the run creates its own schema and drops it when it passes. */
  readonly databaseUrl?: string;
  /** Seeds the kill delays and resubmission samples (the kill still lands wherever the OS has the child). */
  readonly seed?: number;
  /** Progress and failure lines; the summary is returned, not logged. */
  readonly log?: (line: string) => void;
}

export interface CrashSummary {
  readonly ok: boolean;
  readonly dialect: CrashDialect;
  readonly cyclesPlanned: number;
  readonly cyclesPassed: number;
  readonly giftsApplied: number;
  readonly giftsRejected: number;
  readonly duplicatesConfirmed: number;
  /** Transfers in the ledger at the last reconcile. */
  readonly transfers: number;
  readonly elapsedMs: number;
  readonly seed: number;
  readonly failures: readonly string[];
  /** Where the database was kept when the run failed, for inspection. */
  readonly keptDatabase: string | null;
}

interface Target {
  readonly description: string;
  readonly childArgs: readonly string[];
  readonly storage: StorageOptions;
  /** Removes the database. */
  drop(): Promise<void>;
}

/** What the run knows about every gift a child acknowledged, across cycles. */
interface Acks {
  readonly applied: Set<string>;
  readonly appliedList: string[];
  readonly rejected: Set<string>;
  duplicatesConfirmed: number;
}

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  /** Complete stdout lines; a line cut short by the kill is never one of them. */
  readonly lines: string[];
  readonly ready: Promise<void>;
  readonly loaded: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export async function runCrashCycles(options: CrashOptions): Promise<CrashSummary> {
  if (!Number.isSafeInteger(options.cycles) || options.cycles < 1) throw new RangeError('cycles must be a positive integer');
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = mulberry32(seed);
  const log = options.log ?? ((line: string) => { console.log(line); });
  const startedMs = Date.now();
  const target = options.dialect === 'sqlite' ? sqliteTarget() : pgTarget(options.databaseUrl ?? DEFAULT_PG_URL);
  const acks: Acks = { applied: new Set(), appliedList: [], rejected: new Set(), duplicatesConfirmed: 0 };
  const failures: string[] = [];
  let cyclesPassed = 0;
  let transfers = 0;
  let next: Child | null = spawnChild(0, target);
  try {
    // Create and migrate the database once; the SQLite child opens the ledger store on it directly.
    await (await openStorage(target.storage)).close();
    for (let cycle = 0; cycle < options.cycles && next; cycle++) {
      const child: Child = next;
      next = null;
      const problems: string[] = [];
      try {
        await within(child.ready, CHILD_STEP_TIMEOUT_MS, 'the child did not boot');
        const resubmit = sample(acks.appliedList, RESUBMIT_MAX, random);
        const go: ChildGo = { resubmit };
        child.process.stdin.write(`go ${JSON.stringify(go)}\n`);
        // Boot the next child now: tsx takes about a second to load it, which this cycle's load,
        // kill and check hide. It touches the database only once it is told `go`.
        if (cycle + 1 < options.cycles) next = spawnChild(cycle + 1, target);
        await within(child.loaded, CHILD_STEP_TIMEOUT_MS, 'the child did not start its load');
        const killAfterMs = KILL_AFTER_MS_MIN + Math.floor(random() * (KILL_AFTER_MS_MAX - KILL_AFTER_MS_MIN + 1));
        await sleep(killAfterMs);
        child.process.kill('SIGKILL');
        const exit = await child.exited;
        if (exit.signal !== 'SIGKILL') {
          problems.push(`the child ended on its own (code ${exit.code ?? 'none'}) before the kill: ${child.stderr()}`);
        }
        problems.push(...readAcks(child.lines, new Set(resubmit), acks));
        const checked = await verify(target, acks);
        problems.push(...checked.problems);
        transfers = checked.transfers;
      } catch (error) {
        child.process.kill('SIGKILL');
        problems.push(error instanceof Error ? error.message : String(error));
      }
      if (problems.length > 0) {
        const more = problems.length > PROBLEMS_MAX ? `; and ${problems.length - PROBLEMS_MAX} more` : '';
        const failure = `cycle ${cycle}: ${problems.slice(0, PROBLEMS_MAX).join('; ')}${more}`;
        failures.push(failure);
        log(failure);
        break; // the database is suspect now; later cycles would only repeat the finding
      }
      cyclesPassed++;
      if (cyclesPassed % 25 === 0) log(`crash test (${options.dialect}): ${cyclesPassed}/${options.cycles} cycles ok, ${acks.applied.size} gifts applied`);
    }
  } finally {
    if (next) {
      next.process.kill('SIGKILL');
      await next.exited;
    }
  }
  const ok = failures.length === 0 && cyclesPassed === options.cycles;
  if (ok) await target.drop();
  else log(`crash test: database kept for inspection at ${target.description}`);
  return {
    ok,
    dialect: options.dialect,
    cyclesPlanned: options.cycles,
    cyclesPassed,
    giftsApplied: acks.applied.size,
    giftsRejected: acks.rejected.size,
    duplicatesConfirmed: acks.duplicatesConfirmed,
    transfers,
    elapsedMs: Date.now() - startedMs,
    seed,
    failures,
    keptDatabase: ok ? null : target.description,
  };
}

export function summaryLine(s: CrashSummary): string {
  return (
    `crash test (${s.dialect}): ${s.ok ? 'PASS' : 'FAIL'} ${s.cyclesPassed}/${s.cyclesPlanned} cycles in ${(s.elapsedMs / 1000).toFixed(1)} s; ` +
    `${s.giftsApplied} gifts applied, ${s.giftsRejected} refused, ${s.duplicatesConfirmed} resubmissions answered duplicate, ` +
    `${s.transfers} transfers reconciled; seed ${s.seed}` +
    (s.failures.length > 0 ? `; ${s.failures.join(' | ')}` : '')
  );
}

function sqliteTarget(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'livegift-crash-'));
  const sqlitePath = join(dir, 'ledger.db');
  return {
    description: sqlitePath,
    childArgs: ['--sqlite-path', sqlitePath],
    storage: { sqlitePath },
    drop() {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

function pgTarget(databaseUrl: string): Target {
  const schema = `crash_${process.pid}_${Date.now().toString(36)}`;
  return {
    description: `${databaseUrl} schema ${schema}`,
    childArgs: ['--database-url', databaseUrl, '--pg-schema', schema],
    storage: { databaseUrl, pgSchema: schema, sqlitePath: '', pgPoolMax: 2 },
    async drop() {
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

function spawnChild(cycle: number, target: Target): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/crash/crash-child.ts', '--cycle', String(cycle), ...target.childArgs], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Writing `go` to a child that already died must not crash the runner.
  proc.stdin.on('error', () => undefined);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let markReady = (): void => undefined;
  let markLoaded = (): void => undefined;
  const ready = new Promise<void>((resolve) => { markReady = resolve; });
  const loaded = new Promise<void>((resolve) => { markLoaded = resolve; });
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    partial += chunk;
    for (let end = partial.indexOf('\n'); end >= 0; end = partial.indexOf('\n')) {
      const line = partial.slice(0, end);
      partial = partial.slice(end + 1);
      if (line === 'ready') markReady();
      else if (line === 'load') markLoaded();
      else lines.push(line);
    }
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk: string) => {
    if (stderr.length < STDERR_KEPT_CHARS) stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => { resolve({ code, signal }); });
  });
  // A child that dies early must fail the step that waits for it, not hang it.
  const died = exited.then(({ code, signal }) => {
    throw new Error(`the child exited (code ${code ?? 'none'}, signal ${signal ?? 'none'}): ${stderr.slice(0, STDERR_KEPT_CHARS)}`);
  });
  const readyOrDied = Promise.race([ready, died]);
  const loadedOrDied = Promise.race([loaded, died]);
  // Nobody waits on these for a child killed before its turn (the run ended or failed): that is fine.
  for (const p of [died, readyOrDied, loadedOrDied]) p.catch(() => undefined);
  return {
    process: proc,
    lines,
    ready: readyOrDied,
    loaded: loadedOrDied,
    exited,
    stderr: () => stderr.slice(0, STDERR_KEPT_CHARS),
  };
}

/** Records what the child acknowledged; returns what it should never have said. */
function readAcks(lines: readonly string[], resubmitted: ReadonlySet<string>, acks: Acks): string[] {
  const problems: string[] = [];
  for (const line of lines) {
    const [what, giftId = '', status = '', code = ''] = line.split(' ');
    if (what === 'ack' && status === 'applied') {
      if (acks.applied.has(giftId)) problems.push(`new gift ${giftId} acknowledged as applied twice`);
      acks.applied.add(giftId);
      acks.appliedList.push(giftId);
    } else if (what === 'ack' && status === 'rejected' && code === 'insufficient_funds') {
      acks.rejected.add(giftId);
    } else if (what === 'dup' && resubmitted.has(giftId)) {
      if (status === 'duplicate') acks.duplicatesConfirmed++;
      else problems.push(`resubmitted gift ${giftId} answered ${status} ${code}, not duplicate`);
    } else {
      problems.push(`unexpected line from the child: ${line}`);
    }
  }
  return problems;
}

/** Reopens the database after the kill and checks every acknowledged gift and the whole ledger. */
async function verify(target: Target, acks: Acks): Promise<{ problems: string[]; transfers: number }> {
  const problems: string[] = [];
  const storage = await openStorage(target.storage);
  try {
    const rows = await storage.db
      .selectFrom('ledger_transfers')
      .select(['id', 'kind', 'debit_account_id', 'credit_account_id', 'amount'])
      .where('code', '=', 'GIFT')
      .execute();
    const legsOfGift = new Map<string, string[]>();
    for (const row of rows) {
      const giftId = giftIdOfLeg(row.id);
      const expected = giftId === null ? undefined : giftGroup(giftId).find((leg) => leg.id === row.id);
      if (giftId === null || !expected) {
        problems.push(`unknown gift transfer ${row.id}`);
        continue;
      }
      if (
        row.kind !== expected.kind ||
        row.debit_account_id !== expected.debitAccountId ||
        row.credit_account_id !== expected.creditAccountId ||
        BigInt(row.amount) !== expected.amount
      ) {
        problems.push(`gift leg ${row.id} was stored with other content`);
      }
      const legs = legsOfGift.get(giftId) ?? [];
      legs.push(row.id);
      legsOfGift.set(giftId, legs);
    }
    // All or nothing: a gift in the ledger has both legs, each once, acknowledged or not.
    for (const [giftId, legs] of legsOfGift) {
      if (legs.length !== 2 || new Set(legs).size !== 2) problems.push(`gift ${giftId} is stored as ${legs.length} leg(s): ${legs.join(', ')}`);
    }
    for (const giftId of acks.applied) {
      if (!legsOfGift.has(giftId)) problems.push(`acknowledged gift ${giftId} is missing after the crash`);
    }
    for (const giftId of acks.rejected) {
      if (legsOfGift.has(giftId)) problems.push(`refused gift ${giftId} is in the ledger`);
    }
    const report = await storage.ledger.reconcile();
    if (!report.ok) problems.push(`reconcile failed: ${report.problems.map((p) => `${p.kind}: ${p.detail}`).slice(0, 5).join('; ')}`);
    return { problems, transfers: report.transfers };
  } finally {
    await storage.close();
  }
}

function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  if (items.length <= count) return [...items];
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(random() * items.length));
  return [...picked].map((i) => items[i] as T);
}

/** A small seeded generator: enough to replay a run's kill delays and samples. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new Error(`${what} within ${ms} ms`)); }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cycles: { type: 'string', default: '100' },
      dialect: { type: 'string', default: 'sqlite' },
      seed: { type: 'string' },
      'database-url': { type: 'string' },
    },
    strict: true,
  });
  const cycles = Number(values.cycles);
  const dialect = values.dialect;
  if (dialect !== 'sqlite' && dialect !== 'postgres') throw new RangeError(`--dialect must be sqlite or postgres, got ${dialect}`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const summary = await runCrashCycles({
    cycles,
    dialect,
    ...(seed !== undefined ? { seed } : {}),
    ...(values['database-url'] !== undefined ? { databaseUrl: values['database-url'] } : {}),
  });
  console.log(summaryLine(summary));
  process.exitCode = summary.ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  cli().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
