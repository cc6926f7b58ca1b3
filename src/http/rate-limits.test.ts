// Proves the rate limits on a real node through app.inject and real sockets, on the node's clock:
// password guessing locks a login name for 1, 2, 4 … minutes and never more than 15, the right
// password after the lock gets in and resets it; an address is held to 10 sign-in attempts a minute
// and locked after 20 wrong passwords without locking the names it tried; an account's email and
// handle are one budget of guesses, and a locked name of no account answers exactly like a locked
// account; the device cookie a browser gets when it signs in lets its owner in while a guesser keeps
// the account locked, is renewed at every sign-in, counts its own wrong passwords, and a forged,
// expired, replaced or other account's cookie is worth nothing (on SQLite and PostgreSQL, with the
// memory and the Redis limiter); sign-ups per address, purchases per user and per address, gift
// sends per user over HTTP and the socket together, chat per user across sockets; every refusal is
// 429 `rate_limited` with details.retryAfterMs and Retry-After in whole seconds (the socket's ack
// carries the same error) and every limited route lists 429 in the OpenAPI document; loopback is
// never limited per address; RATE_LIMITS=off and a scale; and two nodes sharing a Redis (and a
// PostgreSQL) enforce one limit.
import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDialect, type TestStorage } from '../../test/support/databases.js';
import { openTestNode, signUpAs, TestClock, type TestNode } from '../../test/support/livegift.js';
import { creatorOnAir } from '../../test/support/money.js';
import { REDIS_URL, redisAvailable } from '../../test/support/redis.js';
import { TestSocket } from '../../test/support/room-socket.js';
import type { RoomEvent } from '../protocol/room.js';
import { ConfigError, loadConfig } from '../config.js';
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import { scaledRateRules } from '../domain/rate-limits.js';
import { LOGIN_DEVICE_TTL_MS, LOGIN_DEVICES_PER_USER_MAX } from '../app/trust-login-device.js';
import { MemoryRateLimiter } from '../platform/memory-rate-limiter.js';
import { RedisRateLimiter } from '../platform/redis-rate-limiter.js';
import { ScryptPasswordHasher } from '../platform/scrypt-password-hasher.js';
import { buildLivegift, type Livegift } from '../server.js';
import { openStorage } from '../storage/database.js';
import { RULES_BY_ROUTE } from './rate-limits.js';

interface ErrorBody {
  error: { code: string; message: string; details?: { retryAfterMs?: number } };
}

const sqlite = DIALECTS.find((d) => d.name === 'sqlite');
const MINUTE = 60_000;
const PASSWORD = 'correct horse battery';

/** The refusal every limit answers: 429, rate_limited, retryAfterMs, Retry-After in whole seconds rounded up. */
function expectRefused(res: { status: number; body: unknown; headers: Record<string, unknown> }, retryAfterMs: number): void {
  expect(res.status).toBe(429);
  expect((res.body as ErrorBody).error).toMatchObject({ code: 'rate_limited', details: { retryAfterMs } });
  expect((res.body as ErrorBody).error.message).toMatch(/Try again in /);
  expect(res.headers['retry-after']).toBe(String(Math.ceil(retryAfterMs / 1000)));
}

describe.skipIf(!sqlite?.available)('rate limits on one node', () => {
  let node: TestNode;
  let wsBase: string;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    if (!sqlite) throw new Error('no SQLite dialect');
    node = await openTestNode(sqlite);
    wsBase = (await node.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await node.drop();
  });

  const logIn = (login: string, password: string, remoteAddress?: string) =>
    node.call<ErrorBody>({ method: 'POST', url: '/v1/auth/login', payload: { login, password }, ...(remoteAddress !== undefined ? { remoteAddress } : {}) });
  let signUps = 0;
  const signUpFrom = (remoteAddress: string) => {
    const handle = `new${signUps++}`;
    return node.call<ErrorBody>({
      method: 'POST', url: '/v1/auth/signup', remoteAddress,
      payload: { email: `${handle}@example.test`, password: PASSWORD, handle, displayName: handle, birthDate: '1990-05-17' },
    });
  };

  describe('password guessing', () => {
    it('locks a login name after 5 wrong passwords for 1 minute, then 2; the right password after the lock gets in and resets it', async () => {
      await signUpAs(node, { handle: 'ana', password: PASSWORD });
      for (let i = 0; i < 5; i++) expect((await logIn('ana', 'wrong password')).status).toBe(401);
      // Locked for everyone, the right password too, whatever case or @ it is typed with.
      expectRefused(await logIn('ana', PASSWORD), MINUTE);
      expectRefused(await logIn(' @ANA ', PASSWORD, '198.51.100.77'), MINUTE);
      node.clock.advance(MINUTE);
      expect((await logIn('ana', 'wrong again')).status).toBe(401);
      expectRefused(await logIn('ana', PASSWORD), 2 * MINUTE);
      node.clock.advance(2 * MINUTE);
      expect((await logIn('ana', PASSWORD)).status).toBe(200);
      // The success forgot the failures: 4 more wrong ones and the owner still gets in.
      for (let i = 0; i < 4; i++) expect((await logIn('ana', 'wrong')).status).toBe(401);
      expect((await logIn('ana', PASSWORD)).status).toBe(200);
    });

    it('never keeps the owner out more than 15 minutes after the last wrong password, however long the guessing', async () => {
      await signUpAs(node, { handle: 'bea', password: PASSWORD });
      let longestMs = 0;
      let guesses = 0;
      const until = node.clock.ms + 3 * 3_600_000;
      while (node.clock.ms < until) {
        const res = await logIn('bea', `guess ${guesses}`);
        if (res.status === 429) {
          const wait = res.body.error.details?.retryAfterMs ?? 0;
          longestMs = Math.max(longestMs, wait);
          node.clock.advance(wait);
        } else {
          expect(res.status).toBe(401);
          guesses += 1;
        }
      }
      expect(longestMs).toBe(15 * MINUTE);
      expect(guesses).toBeLessThanOrEqual(5 + 4 + 12); // 5, then locks of 1, 2, 4, 8 minutes, then one per 15
      node.clock.advance(15 * MINUTE);
      expect((await logIn('bea', PASSWORD)).status).toBe(200);
    });

    it('holds an address to 10 attempts a minute and locks it after 20 wrong passwords, without locking the names it tried', async () => {
      const guesser = '203.0.113.10';
      await signUpAs(node, { handle: 'cai', password: PASSWORD });
      for (let i = 0; i < 10; i++) expect((await logIn(`victim${i}`, 'password1', guesser)).status).toBe(401);
      expectRefused(await logIn('cai', PASSWORD, guesser), MINUTE);
      node.clock.advance(MINUTE);
      for (let i = 10; i < 20; i++) {
        node.clock.advance(6_000); // within 10 a minute
        expect((await logIn(`victim${i}`, 'password1', guesser)).status).toBe(401);
      }
      node.clock.advance(6_000);
      // 20 wrong passwords in 15 minutes: the address is locked for a minute after the last, for every name.
      const locked = await logIn('cai', PASSWORD, guesser);
      expectRefused(locked, MINUTE - 6_000);
      expect(locked.body.error.message).toContain('from your network');
      // The names it tried are not locked for anyone else, and a success elsewhere does not unlock it.
      expect((await logIn('victim3', 'password1', '203.0.113.11')).status).toBe(401);
      expect((await logIn('cai', PASSWORD, '203.0.113.11')).status).toBe(200);
      expect((await logIn('cai', PASSWORD, guesser)).status).toBe(429);
      node.clock.advance(MINUTE);
      expect((await logIn('cai', PASSWORD, guesser)).status).toBe(200);
    });

    it('never limits a loopback address per address (this machine, a reverse proxy on it)', async () => {
      // More than 10 attempts a minute and 20 wrong passwords, over several names (each below its own lock).
      for (let i = 0; i < 21; i++) expect((await logIn(`nobody${i % 7}`, 'password1', '127.0.0.1')).status).toBe(401);
      for (const ip of ['::1', '::ffff:127.0.0.1']) for (let i = 0; i < 11; i++) expect((await logIn(`noone${i % 7}`, 'password1', ip)).status).toBe(401);
    });
  });

  it('allows 10 sign-ups an hour from one address, then 429 until the hour is over; other addresses are not affected', async () => {
    for (let i = 0; i < 10; i++) expect((await signUpFrom('192.0.2.20')).status).toBe(201);
    expectRefused(await signUpFrom('192.0.2.20'), 3_600_000);
    expect((await signUpFrom('192.0.2.21')).status).toBe(201);
    node.clock.advance(59 * MINUTE);
    expectRefused(await signUpFrom('192.0.2.20'), MINUTE);
    node.clock.advance(MINUTE);
    expect((await signUpFrom('192.0.2.20')).status).toBe(201);
  });

  it('allows 10 purchases a minute per user and 30 per address', async () => {
    const buy = (cookie: string, remoteAddress = '127.0.0.1') =>
      node.call<ErrorBody>({ method: 'POST', url: '/v1/purchases', headers: { cookie }, remoteAddress, payload: { id: randomUUID(), packageId: 'usd-70' } });
    const buyer = await signUpAs(node, { handle: 'buyer' });
    for (let i = 0; i < 10; i++) expect((await buy(buyer.cookie)).status).toBe(201);
    expectRefused(await buy(buyer.cookie), MINUTE);
    expect((await buy((await signUpAs(node, { handle: 'buyer2' })).cookie)).status).toBe(201);
    node.clock.advance(MINUTE);
    expect((await buy(buyer.cookie)).status).toBe(201);

    node.clock.advance(MINUTE);
    const shop = '192.0.2.30';
    for (const handle of ['farm1', 'farm2', 'farm3']) {
      const { cookie } = await signUpAs(node, { handle });
      for (let i = 0; i < 10; i++) expect((await buy(cookie, shop)).status).toBe(201);
    }
    expectRefused(await buy((await signUpAs(node, { handle: 'farm4' })).cookie, shop), MINUTE);
  });

  it('allows 50 gift sends a second per user, HTTP and socket together, and charges nothing for a refused one', async () => {
    const { liveId } = await creatorOnAir(node, 'gifthost');
    const fan = await signUpAs(node, { handle: 'gifter' });
    await node.storage.ledger.submit([{ id: randomUUID(), code: 'PURCHASE', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(fan.userId).coins.id, amount: 1_000n }]);
    const send = () => node.call<ErrorBody & { balanceCoins: number }>({ method: 'POST', url: '/v1/gifts', headers: { cookie: fan.cookie }, payload: { id: randomUUID(), liveId, giftId: 'rose', count: 1 } } satisfies InjectOptions);
    const sent = await Promise.all(Array.from({ length: 50 }, send));
    expect(sent.every((s) => s.status === 201)).toBe(true);
    expectRefused(await send(), 1_000);
    node.clock.advance(400);
    expectRefused(await send(), 600); // Retry-After rounds 600 ms up to 1 s

    const socket = await TestSocket.open(`${wsBase}/v1/lives/${liveId}/ws`, { cookie: fan.cookie });
    sockets.push(socket);
    await socket.event('snapshot');
    const giftOverSocket = async () => {
      const id = randomUUID();
      socket.send({ type: 'gift.send', data: { id, giftId: 'rose', count: 1 } });
      return (await socket.event('gift.ack', (e) => e.data.id === id)).data;
    };
    expect(await giftOverSocket()).toMatchObject({ error: { code: 'rate_limited', details: { retryAfterMs: 600 } } });
    node.clock.advance(600);
    expect(await giftOverSocket()).toMatchObject({ result: { coins: 1, balanceCoins: 949 } });
    expect((await send()).status).toBe(201);
    expect((await node.call<{ coins: number }>({ method: 'GET', url: '/v1/me/wallet', headers: { cookie: fan.cookie } })).body.coins).toBe(948);
  });

  it('allows 5 chat lines every 10 seconds per user over the socket, across their sockets; others may still talk', async () => {
    const { liveId } = await creatorOnAir(node, 'chathost');
    const [ana, bob] = [await signUpAs(node, { handle: 'chatty' }), await signUpAs(node, { handle: 'quiet' })];
    const open = async (cookie: string) => {
      const s = await TestSocket.open(`${wsBase}/v1/lives/${liveId}/ws`, { cookie });
      sockets.push(s);
      await s.event('snapshot');
      return s;
    };
    const [one, two, other] = [await open(ana.cookie), await open(ana.cookie), await open(bob.cookie)];
    const chat = async (socket: TestSocket, text: string): Promise<RoomEvent<'ack'>['data']> => {
      const id = randomUUID();
      socket.send({ type: 'chat.send', data: { id, text } });
      return (await socket.event('ack', (e) => e.data.id === id)).data;
    };
    for (let i = 0; i < 5; i++) expect(await chat(i % 2 === 0 ? one : two, `line ${i}`)).toEqual({ id: expect.any(String) as unknown, ok: true });
    node.clock.advance(4_000);
    const refused = await chat(two, 'one more');
    expect(refused).toMatchObject({ error: { code: 'rate_limited', message: 'At most 5 messages every 10 seconds. Try again in 6 seconds.', details: { retryAfterMs: 6_000 } } });
    expect(await chat(other, 'my turn')).toMatchObject({ ok: true });
    node.clock.advance(6_000);
    expect(await chat(one, 'back again')).toMatchObject({ ok: true });
    // The refused line never reached the room.
    await other.until((events) => (events.some((e) => e.type === 'chat.message' && e.data.text === 'back again') ? true : undefined), 'the last line');
    expect(other.of('chat.message').map((e) => e.data.text)).not.toContain('one more');
  });
});

describe.skipIf(!sqlite?.available)('RATE_LIMITS', () => {
  async function signUps(env: Record<string, string>, count: number): Promise<number[]> {
    if (!sqlite) throw new Error('no SQLite dialect');
    const node = await openTestNode(sqlite, env);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) {
        const res = await node.app.inject({ method: 'POST', url: '/v1/auth/signup', remoteAddress: '192.0.2.40', payload: { email: `sig${i}@example.test`, password: PASSWORD, handle: `sig${i}`, displayName: 'S', birthDate: '1990-05-17' } });
        statuses.push(res.statusCode);
      }
      return statuses;
    } finally {
      await node.drop();
    }
  }

  it('scales every limit (2 → 20 sign-ups an hour) or turns them off', async () => {
    const scaled = await signUps({ RATE_LIMITS: '2' }, 21);
    expect(scaled.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(scaled[20]).toBe(429);
    expect((await signUps({ RATE_LIMITS: 'off' }, 15)).every((s) => s === 201)).toBe(true);
  });

  it('refuses a value that is not on, off or a scale up to 100', () => {
    expect(loadConfig({}).rateLimits).toEqual({ enabled: true, scale: 1 });
    expect(loadConfig({ RATE_LIMITS: '0.5' }).rateLimits).toEqual({ enabled: true, scale: 0.5 });
    for (const bad of ['fast', '0', '-1', '101']) expect(() => loadConfig({ RATE_LIMITS: bad })).toThrow(ConfigError);
  });
});

describe.skipIf(!sqlite?.available || !redisAvailable)('two nodes sharing a Redis', () => {
  const keyPrefix = `livegift-test:${process.pid}:${randomUUID().slice(0, 8)}:rate:`;
  const clock = new TestClock();
  const nodes: Livegift[] = [];
  const drops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    if (!sqlite) throw new Error('no SQLite dialect');
    const config = loadConfig({ LOG_LEVEL: 'silent', DEMO: 'false', REDIS_URL, LIVE_AUTO_END_INTERVAL_SECONDS: '0', DIAMOND_MATURE_INTERVAL_SECONDS: '0', PAYOUT_WORKER_INTERVAL_SECONDS: '0', VIDEO: 'off' });
    for (let i = 0; i < 2; i++) {
      const storage = await sqlite.open({ nowMs: () => clock.nowMs() });
      const node = await buildLivegift(config, {
        storage,
        clock,
        passwords: new ScryptPasswordHasher(1 << 10),
        rateLimiter: new RedisRateLimiter({ url: REDIS_URL, rules: scaledRateRules(config.rateLimits.scale), keyPrefix, timeoutMs: 5_000 }),
      });
      nodes.push(node);
      drops.push(async () => {
        await node.close();
        await storage.drop();
      });
    }
  });
  afterAll(async () => {
    await Promise.all(drops.map((drop) => drop()));
    await forgetRedisKeys(keyPrefix);
  });

  const on = (i: number) => {
    const node = nodes[i % 2];
    if (!node) throw new Error('no node');
    return node;
  };

  it('counts sign-ups from one address on both nodes against one limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await on(i).app.inject({ method: 'POST', url: '/v1/auth/signup', remoteAddress: '192.0.2.50', payload: { email: `two${i}@example.test`, password: PASSWORD, handle: `two${i}`, displayName: 'Two', birthDate: '1990-05-17' } });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(201), 429]);
  });

  it('locks a login name guessed on both nodes, on both nodes', async () => {
    const attempt = (i: number) => on(i).app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'ghost', password: `guess ${i}` } });
    for (let i = 0; i < 5; i++) expect((await attempt(i)).statusCode).toBe(401);
    for (let i = 0; i < 2; i++) {
      const refused = await attempt(i);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBe('60');
    }
  });
});

// ---- sign-in throttling per account, and device cookies ----

/** A node with the limiter under test (in memory, or in Redis under a prefix of its own). */
interface ThrottledNode {
  readonly clock: TestClock;
  readonly app: Livegift['app'];
  close(): Promise<void>;
}

async function openThrottledNode(storage: TestStorage | Awaited<ReturnType<typeof openStorage>>, clock: TestClock, limiter: 'memory' | 'redis', keyPrefix: string): Promise<ThrottledNode> {
  const config = loadConfig({ LOG_LEVEL: 'silent', DEMO: 'false', LIVE_AUTO_END_INTERVAL_SECONDS: '0', DIAMOND_MATURE_INTERVAL_SECONDS: '0', PAYOUT_WORKER_INTERVAL_SECONDS: '0', VIDEO: 'off' });
  const rules = scaledRateRules(1);
  const rateLimiter = limiter === 'redis' ? new RedisRateLimiter({ url: REDIS_URL, rules, keyPrefix, timeoutMs: 5_000 }) : new MemoryRateLimiter(rules);
  const node = await buildLivegift(config, { storage, clock, passwords: new ScryptPasswordHasher(1 << 10), rateLimiter });
  await node.app.ready();
  return { clock, app: node.app, close: () => node.close() };
}

async function forgetRedisKeys(keyPrefix: string): Promise<void> {
  const raw = new Redis(REDIS_URL);
  try {
    const keys = await raw.keys(`${keyPrefix}*`);
    if (keys.length > 0) await raw.del(...keys);
  } finally {
    raw.disconnect();
  }
}

interface LoginAnswer {
  readonly status: number;
  readonly body: ErrorBody;
  readonly retryAfter: unknown;
  /** `lg_device=…` when the answer gave the browser a device cookie. */
  readonly device: string | undefined;
  /** The whole Set-Cookie line of the device cookie. */
  readonly deviceLine: string | undefined;
  /** `lg_session=…` when the answer signed the browser in. */
  readonly session: string | undefined;
}

/** Signs in on `node`, as a browser carrying `device` (a `lg_device=…` pair) from `ip`. */
async function signIn(node: ThrottledNode, login: string, password: string, options: { device?: string | undefined; ip?: string } = {}): Promise<LoginAnswer> {
  const res = await node.app.inject({
    method: 'POST', url: '/v1/auth/login', payload: { login, password },
    ...(options.device !== undefined ? { headers: { cookie: options.device } } : {}),
    ...(options.ip !== undefined ? { remoteAddress: options.ip } : {}),
  });
  const raw = res.headers['set-cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const deviceLine = lines.find((line) => line.startsWith('lg_device='));
  const session = lines.find((line) => line.startsWith('lg_session='))?.split(';')[0];
  return { status: res.statusCode, body: JSON.parse(res.body) as ErrorBody, retryAfter: res.headers['retry-after'], device: deviceLine?.split(';')[0], deviceLine, session };
}

async function signUpOn(node: ThrottledNode, handle: string): Promise<{ email: string; handle: string }> {
  const email = `${handle}@example.test`;
  const res = await node.app.inject({ method: 'POST', url: '/v1/auth/signup', payload: { email, password: PASSWORD, handle, displayName: handle, birthDate: '1990-05-17' } });
  if (res.statusCode !== 201) throw new Error(`sign-up of ${handle} failed: ${res.statusCode} ${res.body}`);
  // Sign-ups are unchanged: they sign in, but give no device cookie.
  expect(String(res.headers['set-cookie'])).not.toContain('lg_device=');
  return { email, handle };
}

function expectLocked(answer: LoginAnswer, retryAfterMs: number, message: RegExp): void {
  expect(answer.status).toBe(429);
  expect(answer.body.error).toMatchObject({ code: 'rate_limited', details: { retryAfterMs } });
  expect(answer.body.error.message).toMatch(message);
  expect(answer.retryAfter).toBe(String(Math.ceil(retryAfterMs / 1000)));
  expect(answer.device).toBeUndefined();
}

const ACCOUNT_LOCK = /^Too many wrong passwords for this account\. Try again in /;
const DEVICE_LOCK = /^Too many wrong passwords on this device\. Try again in /;

for (const dialect of DIALECTS) {
  for (const limiter of ['memory', 'redis'] as const) {
    describe.skipIf(!dialect.available || (limiter === 'redis' && !redisAvailable))(`sign-in throttling per account, with device cookies (${dialect.name}, ${limiter} limiter)`, () => {
      const keyPrefix = `livegift-test:${process.pid}:${randomUUID().slice(0, 8)}:rate:`;
      const clock = new TestClock();
      let storage: TestStorage;
      let node: ThrottledNode;
      beforeAll(async () => {
        storage = await dialect.open({ nowMs: () => clock.nowMs() });
        node = await openThrottledNode(storage, clock, limiter, keyPrefix);
      });
      afterAll(async () => {
        await node.close();
        await storage.drop();
        if (limiter === 'redis') await forgetRedisKeys(keyPrefix);
      });

      // Each test its own people and its own guesser's address (the address rules stay as they are).
      let people = 0;
      const person = () => signUpOn(node, `acct${people++}`);
      const guesser = () => `203.0.113.${people}`;

      it('counts an account\'s email and handle as one: 5 wrong passwords in any mix lock it under either name', async () => {
        const ana = await person();
        const ip = guesser();
        for (const name of [ana.email, ana.handle, ana.email.toUpperCase(), `@${ana.handle}`, ana.email]) expect((await signIn(node, name, 'wrong password', { ip })).status).toBe(401);
        expectLocked(await signIn(node, ana.handle, PASSWORD, { ip }), MINUTE, ACCOUNT_LOCK);
        expectLocked(await signIn(node, ` ${ana.email.toUpperCase()} `, PASSWORD, { ip: '198.51.100.9' }), MINUTE, ACCOUNT_LOCK);
        clock.advance(MINUTE);
        expect((await signIn(node, ana.email, PASSWORD, { ip })).status).toBe(200);
      });

      it('answers a locked name of no account exactly as a locked account, at every step', async () => {
        const real = await person();
        const nobody = `nobody${people}@example.test`;
        for (let i = 0; i < 5; i++) {
          const [a, b] = [await signIn(node, real.email, `guess ${i}`), await signIn(node, nobody, `guess ${i}`)];
          expect([a.status, a.body]).toEqual([b.status, b.body]);
        }
        const [a, b] = [await signIn(node, real.email, PASSWORD), await signIn(node, nobody, PASSWORD)];
        expectLocked(a, MINUTE, ACCOUNT_LOCK);
        expect([b.status, b.body, b.retryAfter]).toEqual([a.status, a.body, a.retryAfter]);
      });

      it('lets the owner\'s browser in with its device cookie while a guesser keeps the account locked; every sign-in renews the cookie', async () => {
        const ana = await person();
        const first = await signIn(node, ana.handle, PASSWORD, { ip: '198.51.100.20' });
        expect(first.status).toBe(200);
        expect(first.deviceLine).toMatch(/^lg_device=[\w-]{20,}; Path=\/v1\/auth\/login; HttpOnly; SameSite=Lax; Expires=.+ GMT$/);
        expect(Date.parse(/Expires=([^;]+)/.exec(first.deviceLine ?? '')?.[1] ?? '')).toBe(Math.floor((clock.ms + LOGIN_DEVICE_TTL_MS) / 1000) * 1000);

        const ip = guesser();
        for (let i = 0; i < 5; i++) expect((await signIn(node, i % 2 === 0 ? ana.email : ana.handle, `guess ${i}`, { ip })).status).toBe(401);
        expectLocked(await signIn(node, ana.email, PASSWORD, { ip }), MINUTE, ACCOUNT_LOCK);

        const owner = await signIn(node, ana.email, PASSWORD, { device: first.device, ip: '198.51.100.20' });
        expect(owner.status).toBe(200);
        expect(owner.device).toBeDefined();
        expect(owner.device).not.toBe(first.device);
        // The owner's sign-in does not unlock the account for the guesser, nor for the replaced cookie.
        expectLocked(await signIn(node, ana.email, PASSWORD, { ip }), MINUTE, ACCOUNT_LOCK);
        expectLocked(await signIn(node, ana.handle, PASSWORD, { device: first.device, ip: '198.51.100.20' }), MINUTE, ACCOUNT_LOCK);
        // A guesser who keeps guessing keeps the account locked (up to 15 minutes at a time) …
        clock.advance(MINUTE);
        expect((await signIn(node, ana.email, 'guess again', { ip })).status).toBe(401);
        expectLocked(await signIn(node, ana.email, PASSWORD, { ip }), 2 * MINUTE, ACCOUNT_LOCK);
        // … and the owner's browser still gets in, every time.
        const again = await signIn(node, ana.handle, PASSWORD, { device: owner.device, ip: '198.51.100.20' });
        expect(again.status).toBe(200);
        expect((await signIn(node, ana.handle, PASSWORD, { device: again.device })).status).toBe(200);
      });

      it('forgets every browser of an account that logs out everywhere: a device cookie from before is a stranger\'s', async () => {
        const ana = await person();
        const phone = await signIn(node, ana.handle, PASSWORD, { ip: '198.51.100.30' });
        const laptop = await signIn(node, ana.handle, PASSWORD, { ip: '198.51.100.31' });
        const ip = guesser();
        for (let i = 0; i < 5; i++) expect((await signIn(node, ana.email, `guess ${i}`, { ip })).status).toBe(401);
        // Ana fears her phone's cookie was copied: from the laptop, she logs out everywhere.
        const out = await node.app.inject({ method: 'POST', url: '/v1/sessions/revoke-all', headers: { cookie: laptop.session ?? '' } });
        expect(out.statusCode).toBe(200);
        for (const device of [phone.device, laptop.device]) expectLocked(await signIn(node, ana.email, PASSWORD, { device }), MINUTE, ACCOUNT_LOCK);
        clock.advance(MINUTE);
        const back = await signIn(node, ana.email, PASSWORD, { device: laptop.device });
        expect([back.status, back.device !== undefined]).toEqual([200, true]);
      });

      it('gives no way past the lock to a forged cookie, another account\'s cookie, or an expired one', async () => {
        const [ana, mal] = [await person(), await person()];
        const anaBrowser = (await signIn(node, ana.handle, PASSWORD)).device;
        const malBrowser = (await signIn(node, mal.handle, PASSWORD)).device;
        const lock = async () => {
          const ip = guesser();
          for (let i = 0; i < 5; i++) expect((await signIn(node, ana.email, `guess ${i}`, { ip })).status).toBe(401);
        };
        await lock();
        for (const device of [`lg_device=${randomUUID()}`, 'lg_device=', malBrowser, `${malBrowser ?? ''}x`]) {
          expectLocked(await signIn(node, ana.email, PASSWORD, { device }), MINUTE, ACCOUNT_LOCK);
        }
        // Mallory's cookie is good for Mallory only.
        expect((await signIn(node, mal.handle, PASSWORD, { device: malBrowser })).status).toBe(200);
        // A year without signing in and the browser is a stranger again.
        clock.advance(LOGIN_DEVICE_TTL_MS);
        await lock();
        expectLocked(await signIn(node, ana.email, PASSWORD, { device: anaBrowser }), MINUTE, ACCOUNT_LOCK);
      });

      it('holds a device cookie to its own 5 wrong passwords in 15 minutes, then the usual bounded locks, without touching the account or the owner\'s other browsers', async () => {
        const ana = await person();
        const laptop = (await signIn(node, ana.email, PASSWORD)).device;
        const phone = (await signIn(node, ana.email, PASSWORD)).device;
        // Whoever holds the laptop's cookie (its owner mistyping, or a thief) gets 5 tries.
        for (let i = 0; i < 5; i++) expect((await signIn(node, ana.email, `typo ${i}`, { device: laptop })).status).toBe(401);
        expectLocked(await signIn(node, ana.email, PASSWORD, { device: laptop }), MINUTE, DEVICE_LOCK);
        // Its failures were its own: the phone, and a browser the account does not know, still get in.
        const phoneAgain = await signIn(node, ana.handle, PASSWORD, { device: phone });
        expect(phoneAgain.status).toBe(200);
        expect((await signIn(node, ana.handle, PASSWORD, { ip: guesser() })).status).toBe(200);
        clock.advance(MINUTE);
        expect((await signIn(node, ana.email, 'typo again', { device: laptop })).status).toBe(401);
        expectLocked(await signIn(node, ana.email, PASSWORD, { device: laptop }), 2 * MINUTE, DEVICE_LOCK);
        clock.advance(2 * MINUTE);
        expect((await signIn(node, ana.email, PASSWORD, { device: laptop })).status).toBe(200);
      });

      it('keeps the 20 browsers that signed in last: a 21st pushes out the one that signed in longest ago', async () => {
        const ana = await person();
        const browsers: (string | undefined)[] = [];
        for (let i = 0; i <= LOGIN_DEVICES_PER_USER_MAX; i++) {
          browsers.push((await signIn(node, ana.email, PASSWORD)).device);
          clock.advance(1_000);
        }
        const ip = guesser();
        for (let i = 0; i < 5; i++) expect((await signIn(node, ana.email, `guess ${i}`, { ip })).status).toBe(401);
        expectLocked(await signIn(node, ana.email, PASSWORD, { device: browsers[0] }), MINUTE, ACCOUNT_LOCK);
        expect((await signIn(node, ana.email, PASSWORD, { device: browsers[1] })).status).toBe(200);
      });

      it('counts racing guesses before answering any: a burst through one device cookie, or through both names, gets 5 tries', async () => {
        const ana = await person();
        const browser = (await signIn(node, ana.email, PASSWORD)).device;
        const burst = async (attempt: (i: number) => Promise<LoginAnswer>) => (await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(i)))).map((a) => a.status).sort();
        expect(await burst((i) => signIn(node, ana.email, `race ${i}`, { device: browser }))).toEqual([...Array<number>(5).fill(401), ...Array<number>(7).fill(429)]);
        expect(await burst((i) => signIn(node, i % 2 === 0 ? ana.email : ana.handle, `race ${i}`))).toEqual([...Array<number>(5).fill(401), ...Array<number>(7).fill(429)]);
      });
    });
  }
}

describe.skipIf(!sqlite?.available)('the device cookie and the OpenAPI document', () => {
  it('sets the device cookie Secure when PUBLIC_URL is https', async () => {
    if (!sqlite) throw new Error('no SQLite dialect');
    const node = await openTestNode(sqlite, { PUBLIC_URL: 'https://gifts.example' });
    try {
      const { cookie } = await signUpAs(node, { handle: 'secured', password: PASSWORD });
      const res = await node.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { cookie, 'sec-fetch-site': 'same-origin' }, payload: { login: 'secured', password: PASSWORD } });
      expect(res.statusCode).toBe(200);
      const lines = res.headers['set-cookie'];
      expect(Array.isArray(lines) ? lines : [lines]).toEqual([
        expect.stringMatching(/^lg_session=[\w-]{20,}; Path=\/; HttpOnly; SameSite=Lax; Expires=.+; Secure$/),
        expect.stringMatching(/^lg_device=[\w-]{20,}; Path=\/v1\/auth\/login; HttpOnly; SameSite=Lax; Expires=.+; Secure$/),
      ]);
    } finally {
      await node.drop();
    }
  });

  it('lists 429 with the error body for every rate-limited route, so a new limited route cannot ship without it', async () => {
    if (!sqlite) throw new Error('no SQLite dialect');
    const node = await openTestNode(sqlite);
    try {
      const doc = (await node.call<{ paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>> }>({ method: 'GET', url: '/openapi.json' })).body;
      expect(RULES_BY_ROUTE.size).toBeGreaterThanOrEqual(4);
      for (const route of RULES_BY_ROUTE.keys()) {
        const [method = '', path = ''] = route.split(' ');
        const operation = doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
        expect(operation, `${route} is not in the OpenAPI document`).toBeDefined();
        expect(operation?.responses?.['429']?.content?.['application/json']?.schema, `${route} does not list 429`).toEqual({ $ref: '#/components/schemas/Error' });
      }
    } finally {
      await node.drop();
    }
  });
});

describe.skipIf(!DIALECTS.some((d) => d.name === 'postgres' && d.available) || !redisAvailable)('two nodes sharing a PostgreSQL and a Redis', () => {
  const keyPrefix = `livegift-test:${process.pid}:${randomUUID().slice(0, 8)}:rate:`;
  const clock = new TestClock();
  let storage: TestStorage;
  const nodes: ThrottledNode[] = [];
  beforeAll(async () => {
    const postgres = DIALECTS.find((d): d is TestDialect => d.name === 'postgres');
    if (!postgres) throw new Error('no PostgreSQL dialect');
    storage = await postgres.open({ nowMs: () => clock.nowMs() });
    nodes.push(await openThrottledNode(storage, clock, 'redis', keyPrefix));
    nodes.push(await openThrottledNode(await openStorage({ ...storage.options, nowMs: () => clock.nowMs() }), clock, 'redis', keyPrefix));
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    await storage.drop();
    await forgetRedisKeys(keyPrefix);
  });
  const on = (i: number): ThrottledNode => {
    const node = nodes[i % 2];
    if (!node) throw new Error('no node');
    return node;
  };

  it('locks an account guessed by email on one node and by handle on the other; a device cookie from one node gets in on the other and is held to one budget', async () => {
    const ana = await signUpOn(on(0), 'twonodes');
    const browser = (await signIn(on(0), ana.email, PASSWORD)).device;
    for (let i = 0; i < 5; i++) expect((await signIn(on(i), i % 2 === 0 ? ana.email : ana.handle, `guess ${i}`)).status).toBe(401);
    for (let i = 0; i < 2; i++) expectLocked(await signIn(on(i), ana.handle, PASSWORD), MINUTE, ACCOUNT_LOCK);
    for (let i = 0; i < 5; i++) expect((await signIn(on(i), ana.email, `typo ${i}`, { device: browser })).status).toBe(401);
    for (let i = 0; i < 2; i++) expectLocked(await signIn(on(i), ana.email, PASSWORD, { device: browser }), MINUTE, DEVICE_LOCK);
    clock.advance(MINUTE);
    const owner = await signIn(on(1), ana.email, PASSWORD, { device: browser });
    expect(owner.status).toBe(200);
    expect((await signIn(on(0), ana.email, PASSWORD, { device: owner.device })).status).toBe(200);
  });
});
