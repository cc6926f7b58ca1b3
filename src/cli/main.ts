// The `livegift` command: serve, migrate, seed, reconcile. Exit codes: 0 ok, 1 failure (bad config,
// ledger drift), 2 usage error.
import { seedDemo } from '../app/seed-demo.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { allSystemAccounts } from '../domain/accounts.js';
import { banner, startServer } from '../server.js';
import { systemClock } from '../app/ports.js';
import { ScryptPasswordHasher } from '../platform/scrypt-password-hasher.js';
import { openStorage } from '../storage/database.js';
import { KyselyUserStore } from '../storage/kysely-user-store.js';

const USAGE = `Usage: livegift <command>

Commands:
  serve       Run the server (HTTP API and web app) on PORT (default 3000)
  migrate     Create or upgrade the database schema, then exit
  seed        Book the demo accounts and transfers (idempotent), then exit
  reconcile   Recompute every balance from the ledger's transfers; exit 1 on any drift
  help        Show this text

Configuration comes from environment variables; see README.md.`;

export async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (!['serve', 'migrate', 'seed', 'reconcile'].includes(command)) {
    console.error(`Unknown command: ${command}\n\n${USAGE}`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  switch (command) {
    case 'serve':
      return serve(config);
    case 'migrate':
      return withStorage(config, async (storage) => {
        await storage.ledger.openAccounts(allSystemAccounts(config.money.currencies));
        console.log(`Database is up to date (${storage.dialect}).`);
        return 0;
      });
    case 'seed':
      return withStorage(config, async (storage) => {
        const r = await seedDemo({ currencies: config.money.currencies, diamondsPerCoin: config.money.diamondsPerCoin }, { ledger: storage.ledger, users: new KyselyUserStore(storage.db), passwords: new ScryptPasswordHasher(), clock: systemClock });
        console.log(`Demo seed: ${r.applied} applied, ${r.duplicates} already there.`);
        return 0;
      });
    case 'reconcile':
      return withStorage(config, async (storage) => {
        const report = await storage.ledger.reconcile();
        console.log(JSON.stringify(report, null, 2));
        console.error(report.ok ? `Ledger is consistent: ${report.transfers} transfers, ${report.accounts} accounts.` : `LEDGER DRIFT: ${report.problems.length} problem(s).`);
        return report.ok ? 0 : 1;
      });
    default:
      return 2;
  }
}

async function withStorage(config: Config, run: (storage: Awaited<ReturnType<typeof openStorage>>) => Promise<number>): Promise<number> {
  const storage = await openStorage({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, groupCommit: config.ledger });
  try {
    return await run(storage);
  } finally {
    await storage.close();
  }
}

async function serve(config: Config): Promise<number> {
  const server = await startServer(config);
  console.error(banner(server.url, config));
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      server.app.log.info({ signal }, 'shutting down: draining requests, flushing the ledger');
      server.close().then(
        () => {
          server.app.log.info('stopped cleanly');
          resolve(0);
        },
        (error: unknown) => {
          server.app.log.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => { stop('SIGTERM'); });
    process.once('SIGINT', () => { stop('SIGINT'); });
  });
}
