// The crash test's victim process. It opens the ledger, opens the accounts, tops up every viewer's
// wallet, then sends gifts (two-leg linked groups) from many concurrent callers and prints one line
// per acknowledged gift on stdout, strictly after the ledger's promise resolved, until the parent
// kills it with SIGKILL. It also resubmits earlier acknowledged gifts the parent names, which must
// come back `duplicate`.
//
// Protocol (one line each, on stdout):
//   ready                              modules loaded; waiting for `go <json>` on stdin
//   load                               accounts open, wallets topped up, gifts start now
//   ack <giftId> applied|rejected <code>   a new gift was acknowledged
//   dup <giftId> <status>              a resubmitted gift was acknowledged
//
// The gift of an id is a pure function of the id (`giftGroup`), so the parent can check what was
// stored and the child of a later cycle can resubmit a gift byte for byte.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SystemAccounts, userAccounts } from '../../src/domain/accounts.js';
import type { LedgerStore } from '../../src/app/ports.js';
import type { AccountSpec, GroupOutcome, MovementRequest } from '../../src/domain/ledger.js';

export const VIEWERS = 40;
export const CREATORS = 12;
/** Coins each viewer receives per cycle: less than a long cycle spends, so some gifts overdraw. */
const TOPUP_COINS = 100n;
/** Concurrent callers, released together on every tick so commits carry many groups at once. */
const CALLERS = 16;
const TICK_MS = 25;
/** Callers spread over this much after a tick, so batch sizes vary. */
const JITTER_MS = 4;
/** A limit on the load loop; the parent kills the child long before a caller gets here. */
const GIFTS_PER_CALLER_MAX = 5000;
/** If the parent never kills us (it died), leave on our own. */
const SELF_EXIT_MS = 60_000;

export function viewerId(i: number): string {
  return `crash-viewer-${i}`;
}

export function creatorId(i: number): string {
  return `crash-creator-${i}`;
}

/** Every account the crash test uses: the system accounts and each viewer's and creator's own. */
export function crashAccountSpecs(): AccountSpec[] {
  const users = [
    ...Array.from({ length: VIEWERS }, (_, i) => viewerId(i)),
    ...Array.from({ length: CREATORS }, (_, i) => creatorId(i)),
  ];
  return [...Object.values(SystemAccounts), ...users.flatMap((u) => Object.values(userAccounts(u)))];
}

/** The ids of a gift's two legs. */
export function giftLegIds(giftId: string): { coins: string; diamonds: string } {
  return { coins: `${giftId}/coins`, diamonds: `${giftId}/diamonds` };
}

/** The gift id a leg belongs to, or null when the id is not a gift leg of this test. */
export function giftIdOfLeg(legId: string): string | null {
  const match = /^(g\d+\.\d+\.\d+)\/(coins|diamonds)$/.exec(legId);
  return match?.[1] ?? null;
}

/** A gift: the viewer's coins go to the gift sink and the creator receives diamonds on hold. */
export function giftGroup(giftId: string): [MovementRequest, MovementRequest] {
  const h = fnv1a(giftId);
  const viewer = userAccounts(viewerId(h % VIEWERS));
  const creator = userAccounts(creatorId((h >>> 8) % CREATORS));
  const coins = BigInt(1 + ((h >>> 16) % 40));
  const legs = giftLegIds(giftId);
  const metadata = { giftId };
  return [
    { id: legs.coins, code: 'GIFT', kind: 'single', debitAccountId: viewer.coins.id, creditAccountId: SystemAccounts.coinGiftSink.id, amount: coins, metadata },
    { id: legs.diamonds, code: 'GIFT', kind: 'single', debitAccountId: SystemAccounts.diamondIssuance.id, creditAccountId: creator.diamondsOnHold.id, amount: coins, metadata },
  ];
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** What the parent sends on stdin once it has verified the previous cycle. */
export interface ChildGo {
  /** Gift ids acknowledged as applied in earlier cycles, to submit again. */
  readonly resubmit: readonly string[];
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function describe(outcome: GroupOutcome): string {
  return outcome.status === 'rejected' ? `rejected ${outcome.rejection.code}` : outcome.status;
}

function nextTick(): { reached: Promise<void>; release: () => void } {
  let release = (): void => undefined;
  const reached = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { reached, release };
}

async function waitForGo(): Promise<ChildGo> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.startsWith('go ')) {
      lines.close();
      return JSON.parse(line.slice(3)) as ChildGo;
    }
  }
  throw new Error('stdin closed before the parent said go');
}

/**
 * SQLite: the production store class on the file the runner migrated before the first cycle; it
 * sets WAL and synchronous=FULL itself. Importing it alone (not openStorage, which pulls in Kysely)
 * halves the child's boot, and boot is most of a cycle. PostgreSQL needs openStorage's pool settings
 * (schema, synchronous_commit), so it goes through openStorage.
 */
async function openLedger(values: { 'sqlite-path'?: string; 'database-url'?: string; 'pg-schema'?: string }): Promise<LedgerStore> {
  const databaseUrl = values['database-url'];
  if (databaseUrl !== undefined) {
    const { openStorage } = await import('../../src/storage/database.js');
    const storage = await openStorage({ databaseUrl, pgSchema: values['pg-schema'], sqlitePath: '', pgPoolMax: 4 });
    return storage.ledger;
  }
  const sqlitePath = values['sqlite-path'];
  if (sqlitePath === undefined) throw new RangeError('--sqlite-path or --database-url is required');
  const { SqliteLedgerStore } = await import('../../src/storage/sqlite-ledger-store.js');
  return new SqliteLedgerStore(sqlitePath);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cycle: { type: 'string' },
      'sqlite-path': { type: 'string' },
      'database-url': { type: 'string' },
      'pg-schema': { type: 'string' },
    },
    strict: true,
  });
  const cycle = Number(values.cycle);
  if (!Number.isSafeInteger(cycle) || cycle < 0) throw new RangeError('--cycle must be a non-negative integer');
  setTimeout(() => {
    console.error('never killed: leaving on my own');
    process.exit(3);
  }, SELF_EXIT_MS).unref();

  // The runner starts us while the previous child is still loading, so our boot (tsx, modules)
  // hides behind its load, kill and check; we touch the database only once told `go`.
  say('ready');
  const go = await waitForGo();

  const ledger = await openLedger(values);
  await ledger.openAccounts(crashAccountSpecs());
  await Promise.all(
    Array.from({ length: VIEWERS }, (_, i) =>
      ledger.submit([
        {
          id: `topup.${cycle}.${i}`,
          code: 'PURCHASE',
          kind: 'single',
          debitAccountId: SystemAccounts.coinIssuance.id,
          creditAccountId: userAccounts(viewerId(i)).coins.id,
          amount: TOPUP_COINS,
        },
      ]),
    ),
  );
  say('load');

  // A tick releases every waiting caller at once: a burst like a popular moment in a live room.
  let tick = nextTick();
  const ticker = setInterval(() => {
    const t = tick;
    tick = nextTick();
    t.release();
  }, TICK_MS);

  const resubmitOf = (caller: number): string[] => go.resubmit.filter((_, i) => i % CALLERS === caller);
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      const again = resubmitOf(caller);
      for (let n = 0; n < GIFTS_PER_CALLER_MAX; n++) {
        await tick.reached;
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * JITTER_MS)));
        const giftId = `g${cycle}.${caller}.${n}`;
        const replayId = again.shift();
        await Promise.all([
          ledger.submit(giftGroup(giftId)).then((o) => { say(`ack ${giftId} ${describe(o)}`); }),
          replayId === undefined ? null : ledger.submit(giftGroup(replayId)).then((o) => { say(`dup ${replayId} ${describe(o)}`); }),
        ]);
      }
    }),
  );
  clearInterval(ticker);
  // Out of load before the kill came: stay up so the parent still kills a live process.
  await new Promise((resolve) => setTimeout(resolve, SELF_EXIT_MS));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(2);
  });
}
