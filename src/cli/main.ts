// The `livegift` command: serve, migrate, seed, user create, reconcile. Exit codes: 0 ok, 1 failure
// (bad config, ledger drift, refused input), 2 usage error.
import { parseArgs } from 'node:util';
import { signUp } from '../app/sign-up.js';
import { DomainError } from '../domain/errors.js';
import { SignUpBody } from '../protocol/accounts.js';
import { nodeIds } from '../platform/node-ids.js';
import { KyselyAuditLog } from '../storage/kysely-user-store.js';
import { PAYOUTS_USAGE, payoutsCommand } from './payouts-command.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { allSystemAccounts } from '../domain/accounts.js';
import { banner, buildLivegift, startServer } from '../server.js';
import { systemClock } from '../app/ports.js';
import { ScryptPasswordHasher } from '../platform/scrypt-password-hasher.js';
import { openStorage } from '../storage/database.js';
import { KyselyUserStore } from '../storage/kysely-user-store.js';

const USAGE = `Usage: livegift <command>

Commands:
  serve       Run the server (HTTP API and web app) on PORT (default 3000)
  migrate     Create or upgrade the database schema, then exit
  seed        Book the demo accounts and transfers (idempotent), then exit
  user create --email E --handle H --name N --birth-date YYYY-MM-DD [--admin | --moderator]
              Create an account; the password is read from LIVEGIFT_PASSWORD or the first
              line of standard input
  reconcile [--provider]
              Recompute every balance from the ledger's transfers; exit 1 on any drift.
              --provider also compares the FIAT ledgers with the payment and payout
              providers' own records (Stripe's balance transactions, or the sandbox's)
              and reports every difference
${PAYOUTS_USAGE}
  help        Show this text

Configuration comes from environment variables; see README.md.`;

export async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (!['serve', 'migrate', 'seed', 'reconcile', 'user', 'payouts'].includes(command)) {
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
        const node = await buildLivegift({ ...config, demo: false }, { storage });
        try {
          const r = await node.services.seedDemo();
          console.log(`Demo seed: ${r.applied} applied, ${r.duplicates} already there${r.liveId === null ? '' : `; demo LIVE ${r.liveId} on air`}.`);
          return 0;
        } finally {
          await node.close();
        }
      });
    case 'user':
      return userCommand(config, argv.slice(1));
    case 'payouts':
      return payoutsCommand(argv.slice(1), (run) => withStorage(config, run));
    case 'reconcile': {
      const flags = argv.slice(1);
      if (flags.some((f) => f !== '--provider')) {
        console.error(`Unknown option for reconcile: ${flags.join(' ')}\n\n${USAGE}`);
        return 2;
      }
      return withStorage(config, async (storage) => {
        const report = await storage.ledger.reconcile();
        console.error(report.ok ? `Ledger is consistent: ${report.transfers} transfers, ${report.accounts} accounts.` : `LEDGER DRIFT: ${report.problems.length} problem(s).`);
        if (!flags.includes('--provider')) {
          console.log(JSON.stringify(report, null, 2));
          return report.ok ? 0 : 1;
        }
        const node = await buildLivegift({ ...config, demo: false }, { storage });
        try {
          const against = await node.services.reconcileWithProvider();
          console.log(JSON.stringify({ ledger: report, provider: against }, null, 2));
          console.error(
            against.ok
              ? `The FIAT ledgers agree with ${against.provider}: ${against.subjects} purchases and payouts, ${against.theirMovements} provider records.`
              : `PROVIDER DIFFERENCES (${against.provider}): ${against.differences.length}.`,
          );
          return report.ok && against.ok ? 0 : 1;
        } finally {
          await node.close();
        }
      });
    }
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
  console.error(banner(server.url, config, server.video));
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

async function userCommand(config: Config, argv: readonly string[]): Promise<number> {
  if (argv[0] !== 'create') {
    console.error(`Unknown: livegift user ${argv[0] ?? ''}\n\n${USAGE}`);
    return 2;
  }
  let values: { email?: string; handle?: string; name?: string; 'birth-date'?: string; admin?: boolean; moderator?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv.slice(1),
      options: { email: { type: 'string' }, handle: { type: 'string' }, name: { type: 'string' }, 'birth-date': { type: 'string' }, admin: { type: 'boolean' }, moderator: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { email, handle, name } = values;
  const birthDate = values['birth-date'];
  if (email === undefined || handle === undefined || name === undefined || birthDate === undefined) {
    console.error(`user create needs --email, --handle, --name and --birth-date.\n\n${USAGE}`);
    return 2;
  }
  const password = process.env.LIVEGIFT_PASSWORD ?? (await firstLineOfStdin());
  if (password.length < 10) {
    console.error('The password must have at least 10 characters (LIVEGIFT_PASSWORD or standard input).');
    return 1;
  }
  // The same schema as the sign-up route: the CLI accepts nothing the API would refuse.
  const parsed = SignUpBody.safeParse({ email, handle, displayName: name, birthDate, password });
  if (!parsed.success) {
    console.error(`Refused: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return 1;
  }
  return withStorage(config, async (storage) => {
    try {
      const user = await signUp(
        { ...parsed.data, role: values.admin === true ? 'admin' : values.moderator === true ? 'moderator' : 'user' },
        { users: new KyselyUserStore(storage.db), passwords: new ScryptPasswordHasher(), ids: nodeIds, clock: systemClock, audit: new KyselyAuditLog(storage.db), ledger: storage.ledger },
      );
      console.log(`Created ${user.role} @${user.handle} (${user.id}).`);
      return 0;
    } catch (error) {
      if (error instanceof DomainError) {
        console.error(`Refused: ${error.message}`);
        return 1;
      }
      throw error;
    }
  });
}

async function firstLineOfStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trim();
}
