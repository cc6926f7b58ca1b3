// Our server under test: a whole Livegift node (HTTP API, ledger on a durable SQLite file, LIVE
// rooms) as `npm start` builds it, listening on 127.0.0.1. Started by bench/fanout.ts pinned to one
// core; talks to it over IPC (server-channel.ts).
// Usage: node --expose-gc --import tsx bench/fanout/livegift-server.ts <sqlite file> <big gift coins>
import { loadConfig } from '../../src/config.js';
import { buildLivegift } from '../../src/server.js';
import { reportStartFailure, serveBenchChannel } from './server-channel.js';

async function main(): Promise<void> {
  const [sqlitePath, bigGiftMinCoins] = process.argv.slice(2);
  if (sqlitePath === undefined || bigGiftMinCoins === undefined) throw new Error('usage: livegift-server.ts <sqlite file> <big gift coins>');
  const config = loadConfig({
    SQLITE_PATH: sqlitePath,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    DEMO: 'false',
    BIG_GIFT_MIN_COINS: bigGiftMinCoins,
    // Whales in a whale war spend far past a person's daily cap; the caps are still checked per gift.
    SPEND_DAILY_MAX_CENTS: '1000000000',
    SPEND_WEEKLY_MAX_CENTS: '1000000000',
    // Background jobs that have nothing to do with rooms stay off, so they cannot land in a measurement.
    LIVE_AUTO_END_INTERVAL_SECONDS: '0',
    DIAMOND_MATURE_INTERVAL_SECONDS: '0',
    PAYOUT_WORKER_INTERVAL_SECONDS: '0',
  });
  const node = await buildLivegift(config);
  await node.app.listen({ port: 0, host: '127.0.0.1' });
  const address = node.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server is not listening on a TCP port');
  serveBenchChannel(address.port, () => node.close());
}

main().catch(reportStartFailure);
