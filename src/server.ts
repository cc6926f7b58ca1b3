// Composition root: reads the config, opens the database and the ledger, seeds the demo on first
// run, wires the HTTP app, and shuts all of it down in order on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { DEMO_USERS, seedDemo } from './app/seed-demo.js';
import type { Config } from './config.js';
import { allSystemAccounts } from './domain/accounts.js';
import { buildApp } from './http/app.js';
import { openStorage, type Storage } from './storage/database.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly storage: Storage;
  /** The address the server listens on, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** Stops accepting, drains in-flight requests, flushes the ledger writer, closes the database. */
  stop(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const storage = await openStorage({
    databaseUrl: config.databaseUrl,
    sqlitePath: config.sqlitePath,
    groupCommit: config.ledger,
  });
  let app: FastifyInstance | undefined;
  try {
    await storage.ledger.openAccounts(allSystemAccounts(config.money.currencies));
    const seeded = config.demo ? await seedDemoOnce(storage, config) : false;

    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics, prefix: 'livegift_' });
    new Gauge({
      name: 'livegift_ledger_batches_total',
      help: 'Ledger write batches committed since start',
      registers: [metrics],
      collect() {
        this.set(storage.ledger.stats.batches);
      },
    });
    new Gauge({
      name: 'livegift_ledger_groups_committed_total',
      help: 'Transfer groups acknowledged by the ledger writer since start',
      registers: [metrics],
      collect() {
        this.set(storage.ledger.stats.committed);
      },
    });

    let stopping = false;
    app = buildApp({
      logLevel: config.logLevel,
      metrics,
      version: VERSION,
      async health() {
        const checks: Record<string, string> = {};
        try {
          await sql`SELECT 1`.execute(storage.db);
          checks.database = 'ok';
        } catch (error) {
          checks.database = error instanceof Error ? error.message : 'unreachable';
        }
        checks.ledger = stopping ? 'shutting down' : 'ok';
        return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
      },
    });
    const address = await app.listen({ port: config.port, host: config.host });
    // Bound to every interface: show the address a person on this machine opens.
    const url = ['0.0.0.0', '::'].includes(config.host) ? `http://localhost:${new URL(address).port}` : address;
    app.log.info({ url, database: storage.dialect, demoSeeded: seeded }, 'Livegift is listening');

    const running = app;
    return {
      app: running,
      storage,
      url,
      async stop() {
        stopping = true;
        const grace = setTimeout(() => {
          running.server.closeAllConnections();
        }, config.shutdownGraceMs);
        try {
          await running.close(); // stops accepting, waits for in-flight requests
        } finally {
          clearTimeout(grace);
          await storage.close(); // answers every queued ledger submission, then closes
        }
      },
    };
  } catch (error) {
    await app?.close();
    await storage.close();
    throw error;
  }
}

/** Seeds the demo economy once per database; the marker row makes later starts skip it. */
async function seedDemoOnce(storage: Storage, config: Config): Promise<boolean> {
  const marker = await storage.db.selectFrom('meta').select('value').where('key', '=', 'demo_seeded_at').executeTakeFirst();
  if (marker) return false;
  await seedDemo({ currencies: config.money.currencies, diamondsPerCoin: config.money.diamondsPerCoin }, { ledger: storage.ledger });
  await storage.db
    .insertInto('meta')
    .values({ key: 'demo_seeded_at', value: new Date().toISOString(), updated_at_ms: Date.now() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return true;
}

/** The lines printed for a person starting the server: where it is and who to sign in as. */
export function banner(url: string, config: Config): string {
  const lines = [
    '',
    `  Livegift ${VERSION} is running at ${url}`,
    `  Database: ${config.databaseUrl !== undefined ? 'PostgreSQL' : `SQLite ${config.sqlitePath}`}`,
    `  Health: ${url}/healthz   Metrics: ${url}/metrics`,
  ];
  if (config.demo) {
    lines.push('  Demo accounts (password "livegift-demo"; sign-in arrives with the accounts API):');
    for (const u of DEMO_USERS) lines.push(`    ${u.handle.padEnd(6)} ${u.role.padEnd(8)} ${u.displayName}${u.adult ? '' : ' — under 18: watch and chat only'}`);
  }
  lines.push('  Stop with Ctrl+C (SIGINT) or SIGTERM: requests drain and the ledger flushes first.', '');
  return lines.join('\n');
}
