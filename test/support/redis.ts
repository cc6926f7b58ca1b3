// The Redis the room-bus suites run against. Required with CI=true (an unreachable Redis fails the
// run); otherwise its suites are skipped with a warning, like PostgreSQL's in databases.ts.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export const redisAvailable: boolean = await redisAnswers();
if (!redisAvailable && process.env.CI === 'true') {
  throw new Error(`Redis is required with CI=true but does not answer at ${REDIS_URL}`);
}
if (!redisAvailable) console.warn(`Redis not reachable at ${REDIS_URL}: the room bus suites are skipped (they are required with CI=true)`);

/** A channel prefix no other test run or file shares. */
export function uniqueChannelPrefix(): string {
  return `livegift-test:${process.pid}:${randomUUID().slice(0, 8)}:room:`;
}

/** How many connections are subscribed to a channel right now (PUBSUB NUMSUB). */
export async function subscribersOf(channel: string): Promise<number> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const reply = await client.pubsub('NUMSUB', channel);
    return Number(reply[1] ?? 0);
  } finally {
    client.disconnect();
  }
}

/** Waits until `check` holds (polling every 20 ms), or fails after `ms`. */
export async function eventually(check: () => Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
