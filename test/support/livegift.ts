// A whole Livegift node on a fresh test database, for HTTP tests through app.inject(): real
// storage, real use cases, a controllable clock, and a cheap password hash so suites stay fast.
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Clock } from '../../src/app/ports.js';
import { loadConfig, type Config } from '../../src/config.js';
import { ScryptPasswordHasher } from '../../src/platform/scrypt-password-hasher.js';
import { buildLivegift, type Livegift } from '../../src/server.js';
import type { TestDialect, TestStorage } from './databases.js';

/** A clock tests move by hand. */
export class TestClock implements Clock {
  constructor(public ms: number = Date.parse('2026-11-26T12:00:00Z')) {}
  nowMs(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface TestNode extends Livegift {
  readonly clock: TestClock;
  readonly config: Config;
  readonly storage: TestStorage;
  /** Closes the node and deletes its database. */
  drop(): Promise<void>;
  /** app.inject with JSON parsing of the answer. */
  call<T = unknown>(options: InjectOptions): Promise<{ status: number; body: T; headers: Record<string, unknown> }>;
}

export async function openTestNode(dialect: TestDialect, env: Record<string, string> = {}): Promise<TestNode> {
  const clock = new TestClock();
  const storage = await dialect.open({ nowMs: () => clock.nowMs() });
  // Background jobs are off: tests that need them run services.endAbandonedLives, matureDiamonds
  // and processPayouts themselves. Video is off unless a test turns it on (RTMP then listens on a
  // free port).
  const config = loadConfig({ LOG_LEVEL: 'silent', DEMO: 'false', LIVE_AUTO_END_INTERVAL_SECONDS: '0', DIAMOND_MATURE_INTERVAL_SECONDS: '0', PAYOUT_WORKER_INTERVAL_SECONDS: '0', VIDEO: 'off', RTMP_PORT: '0', ...env });
  const node = await buildLivegift(config, { storage, clock, passwords: new ScryptPasswordHasher(1 << 10) });
  await node.app.ready();
  return {
    ...node,
    clock,
    config,
    storage,
    async drop() {
      await node.close();
      await storage.drop();
    },
    async call<T>(options: InjectOptions) {
      const res = await node.app.inject(options);
      const text = res.body;
      const body = (text.length > 0 && String(res.headers['content-type']).includes('json') ? JSON.parse(text) : text) as T;
      return { status: res.statusCode, body, headers: res.headers };
    },
  };
}

export type { FastifyInstance };

/** Signs up a user and returns the session cookie header value to act as them. */
export async function signUpAs(
  node: TestNode,
  who: { handle: string; birthDate?: string; password?: string; displayName?: string },
): Promise<{ cookie: string; userId: string }> {
  const res = await node.app.inject({
    method: 'POST',
    url: '/v1/auth/signup',
    payload: {
      email: `${who.handle}@example.test`,
      password: who.password ?? 'correct horse battery',
      handle: who.handle,
      displayName: who.displayName ?? who.handle.toUpperCase(),
      birthDate: who.birthDate ?? '1990-05-17',
    },
  });
  if (res.statusCode !== 201) throw new Error(`sign-up of ${who.handle} failed: ${res.statusCode} ${res.body}`);
  const setCookie = String(res.headers['set-cookie']);
  const cookie = setCookie.split(';')[0] ?? '';
  return { cookie, userId: (JSON.parse(res.body) as { user: { id: string } }).user.id };
}
