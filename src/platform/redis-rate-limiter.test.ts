// Proves both RateLimiter adapters against one contract — the memory one and the Redis one, whose
// Lua scripts must answer exactly what the domain's algorithms answer, call for call, on random
// sequences of takes, peeks, failures and resets — and, on a real Redis: two nodes' limiters
// enforce one limit together, racing takes never let more than the limit through, every key
// expires, and a Redis that refuses or never answers lets actions through (fails open) with one
// warning, and limits come back when it does.
import { randomUUID } from 'node:crypto';
import { createServer, Socket, type Server } from 'node:net';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../app/rate-limiter.js';
import {
  DEFAULT_RATE_RULES,
  failPenalty,
  peekPenalty,
  peekWindow,
  takePenalty,
  takeWindow,
  type PenaltyState,
  type RateDecision,
  type RateRuleName,
  type RateRules,
  type WindowLog,
} from '../domain/rate-limits.js';
import { eventually, REDIS_URL, redisAvailable } from '../../test/support/redis.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

const T0 = Date.parse('2026-11-26T12:00:00Z');

/** Small rules, so tests reach every limit in a few calls and Redis forgets their keys quickly. */
const RULES: RateRules = {
  ...DEFAULT_RATE_RULES,
  'chat:user': { kind: 'window', limit: 3, windowMs: 1_000 },
  'gift.send:user': { kind: 'window', limit: 1, windowMs: 200 },
  'login.failures:name': { kind: 'penalty', threshold: 3, windowMs: 1_000, baseLockMs: 100, maxLockMs: 400, forgetMs: 2_000 },
  'login.failures:ip': { kind: 'penalty', threshold: 1, windowMs: 500, baseLockMs: 50, maxLockMs: 1_000, forgetMs: 1_500 },
};

const prefixes: string[] = [];
const open: RateLimiter[] = [];
function redisLimiter(options: { keyPrefix?: string; url?: string; log?: { warn(details: object, message: string): void }; timeoutMs?: number; pauseAfterFailureMs?: number } = {}): RedisRateLimiter {
  const keyPrefix = options.keyPrefix ?? `livegift-test:${process.pid}:${randomUUID().slice(0, 8)}:rate:`;
  prefixes.push(keyPrefix);
  // A generous timeout: a test file's first connection may be slow when files run in parallel.
  const limiter = new RedisRateLimiter({ url: REDIS_URL, rules: RULES, timeoutMs: 5_000, ...options, keyPrefix });
  open.push(limiter);
  return limiter;
}

afterAll(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
  if (!redisAvailable) return;
  const raw = new Redis(REDIS_URL);
  try {
    for (const prefix of prefixes) {
      const keys = await raw.keys(`${prefix}*`);
      if (keys.length > 0) await raw.del(...keys);
    }
  } finally {
    raw.disconnect();
  }
});

const ADAPTERS: { name: string; available: boolean; make(): RateLimiter }[] = [
  { name: 'memory', available: true, make: () => new MemoryRateLimiter(RULES) },
  { name: 'redis', available: redisAvailable, make: () => redisLimiter() },
];

for (const adapter of ADAPTERS) {
  describe.skipIf(!adapter.available)(`RateLimiter contract: ${adapter.name}`, () => {
    it('allows a window rule `limit` times, then refuses with the exact retry-after, per key', async () => {
      const limiter = adapter.make();
      const takes = [];
      for (let i = 0; i < 4; i++) takes.push(await limiter.take('chat:user', 'ana', T0 + i * 10));
      expect(takes).toEqual([
        { allowed: true, retryAfterMs: 0, remaining: 2 },
        { allowed: true, retryAfterMs: 0, remaining: 1 },
        { allowed: true, retryAfterMs: 0, remaining: 0 },
        { allowed: false, retryAfterMs: 970, remaining: 0 },
      ]);
      expect(await limiter.take('chat:user', 'bob', T0 + 30)).toMatchObject({ allowed: true });
      expect(await limiter.take('gift.send:user', 'ana', T0 + 30)).toMatchObject({ allowed: true });
      expect(await limiter.peek('chat:user', 'ana', T0 + 999)).toEqual({ allowed: false, retryAfterMs: 1, remaining: 0 });
      expect(await limiter.take('chat:user', 'ana', T0 + 1_000)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 0 });
    });

    it('locks a penalty rule at its threshold, doubles the lock, and forgets it on reset', async () => {
      const limiter = adapter.make();
      const name = 'login.failures:name';
      expect(await limiter.take(name, 'k', T0)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 2 });
      expect(await limiter.peek(name, 'k', T0)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 2 });
      expect(await limiter.take(name, 'k', T0 + 1)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 1 });
      expect(await limiter.take(name, 'k', T0 + 2)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 0 });
      expect(await limiter.take(name, 'k', T0 + 3)).toEqual({ allowed: false, retryAfterMs: 99, remaining: 0 });
      expect(await limiter.take(name, 'k', T0 + 102)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 0 });
      expect(await limiter.peek(name, 'k', T0 + 102)).toEqual({ allowed: false, retryAfterMs: 200, remaining: 0 });
      await limiter.reset(name, 'k');
      expect(await limiter.peek(name, 'k', T0 + 103)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 3 });
      // fail() counts without asking, and says whether the key is locked after it.
      expect(await limiter.fail('login.failures:ip', 'ip', T0)).toEqual({ allowed: false, retryAfterMs: 50, remaining: 0 });
      expect(await limiter.fail('login.failures:ip', 'ip', T0 + 10)).toEqual({ allowed: false, retryAfterMs: 100, remaining: 0 });
    });

    it('answers exactly what the domain algorithms answer, on random sequences of calls', async () => {
      type Op = { kind: 'take' | 'peek' | 'fail' | 'reset'; rule: RateRuleName; key: string; gapMs: number };
      const op = fc.record({
        kind: fc.constantFrom('take' as const, 'take' as const, 'peek' as const, 'fail' as const, 'reset' as const),
        rule: fc.constantFrom<RateRuleName>('chat:user', 'gift.send:user', 'login.failures:name', 'login.failures:ip'),
        key: fc.constantFrom('a', 'b'),
        gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 2_500 })),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60 }), async (ops: Op[]) => {
          const limiter = adapter.make();
          const model = new Map<string, WindowLog | PenaltyState | null>();
          let nowMs = T0;
          for (const o of ops) {
            nowMs += o.gapMs;
            const id = `${o.rule}|${o.key}`;
            const rule = RULES[o.rule];
            if (o.kind === 'reset') {
              model.delete(id);
              await limiter.reset(o.rule, o.key);
              continue;
            }
            let expected: RateDecision;
            if (rule.kind === 'window') {
              const log = (model.get(id) as WindowLog | undefined) ?? [];
              if (o.kind === 'peek') expected = peekWindow(rule, log, nowMs);
              else if (o.kind === 'take') {
                const r = takeWindow(rule, log, nowMs);
                if (r.decision.allowed) model.set(id, r.log);
                expected = r.decision;
              } else continue; // fail() is for penalty rules only
              const got = await (o.kind === 'peek' ? limiter.peek(o.rule, o.key, nowMs) : limiter.take(o.rule, o.key, nowMs));
              expect(got).toEqual(expected);
              continue;
            }
            const state = (model.get(id) as PenaltyState | null | undefined) ?? null;
            let got: RateDecision;
            if (o.kind === 'peek') {
              expected = peekPenalty(rule, state, nowMs);
              got = await limiter.peek(o.rule, o.key, nowMs);
            } else if (o.kind === 'take') {
              const r = takePenalty(rule, state, nowMs);
              model.set(id, r.state);
              expected = r.decision;
              got = await limiter.take(o.rule, o.key, nowMs);
            } else {
              const r = failPenalty(rule, state, nowMs);
              model.set(id, r.state);
              expected = r.decision;
              got = await limiter.fail(o.rule as 'login.failures:name' | 'login.failures:ip', o.key, nowMs);
            }
            expect(got).toEqual(expected);
          }
          await limiter.close();
        }),
        { numRuns: adapter.name === 'redis' ? 40 : 200 },
      );
    });
  });
}

/** A TCP stand-in for Redis: forwards to the real one, refuses connections, or swallows everything. */
class FlakyProxy {
  mode: 'forward' | 'refuse' | 'swallow' = 'forward';
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private constructor(server: Server) {
    this.server = server;
  }
  static async start(): Promise<FlakyProxy> {
    const target = new URL(REDIS_URL);
    const proxy: FlakyProxy = new FlakyProxy(
      createServer((client) => {
        proxy.sockets.add(client);
        client.on('close', () => proxy.sockets.delete(client));
        client.on('error', () => undefined);
        if (proxy.mode === 'refuse') {
          client.destroy();
          return;
        }
        if (proxy.mode === 'swallow') return; // reads, never answers
        const upstream = new Socket();
        proxy.sockets.add(upstream);
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        upstream.connect(Number(target.port || 6379), target.hostname, () => {
          client.pipe(upstream);
          upstream.pipe(client);
        });
      }),
    );
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }
  get url(): string {
    const address = this.server.address();
    return `redis://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }
  /** Drops every open connection (ioredis reconnects, and meets the current mode). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => { resolve(); }));
  }
}

describe.skipIf(!redisAvailable)('RedisRateLimiter on a real Redis', () => {
  it('lets two nodes enforce one limit together', async () => {
    const keyPrefix = `livegift-test:${process.pid}:${randomUUID().slice(0, 8)}:rate:`;
    const [a, b] = [redisLimiter({ keyPrefix }), redisLimiter({ keyPrefix })];
    expect(await a.take('chat:user', 'ana', T0)).toMatchObject({ allowed: true, remaining: 2 });
    expect(await b.take('chat:user', 'ana', T0 + 1)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await a.take('chat:user', 'ana', T0 + 2)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await b.take('chat:user', 'ana', T0 + 3)).toEqual({ allowed: false, retryAfterMs: 997, remaining: 0 });
    // A lock made through one node holds on the other, and a success on either resets it.
    for (let i = 0; i < 3; i++) await (i % 2 === 0 ? a : b).take('login.failures:name', 'ana', T0 + i);
    expect(await b.peek('login.failures:name', 'ana', T0 + 10)).toMatchObject({ allowed: false });
    await a.reset('login.failures:name', 'ana');
    expect(await b.peek('login.failures:name', 'ana', T0 + 10)).toMatchObject({ allowed: true });
  });

  it('never lets more than the limit through when many takes race from two connections', async () => {
    const keyPrefix = `livegift-test:${process.pid}:${randomUUID().slice(0, 8)}:rate:`;
    const [a, b] = [redisLimiter({ keyPrefix }), redisLimiter({ keyPrefix })];
    // All at the same millisecond: the sorted set's members must stay distinct.
    const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).take('chat:user', 'race', T0)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
    const locks = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).take('login.failures:name', 'race', T0)));
    expect(locks.filter((d) => d.allowed)).toHaveLength(3);
  });

  it('sets every key to expire: a log when its newest time leaves the window, a penalty when forgotten', async () => {
    const keyPrefix = `livegift-test:${process.pid}:${randomUUID().slice(0, 8)}:rate:`;
    const limiter = redisLimiter({ keyPrefix });
    const raw = new Redis(REDIS_URL);
    try {
      await limiter.take('chat:user', 'ttl', T0);
      await limiter.take('chat:user', 'ttl', T0 + 400);
      const logTtl = await raw.pttl(`${keyPrefix}chat:user:ttl`);
      expect(logTtl).toBeGreaterThan(0);
      expect(logTtl).toBeLessThanOrEqual(1_000);
      await limiter.fail('login.failures:ip', 'ttl', T0);
      const lockTtl = await raw.pttl(`${keyPrefix}login.failures:ip:ttl`);
      expect(lockTtl).toBeGreaterThan(1_000);
      expect(lockTtl).toBeLessThanOrEqual(1_500);
      await eventually(async () => (await raw.exists(`${keyPrefix}chat:user:ttl`)) === 0, 'the chat log to expire', 3_000);
    } finally {
      raw.disconnect();
    }
  });

  it('fails open when Redis refuses or never answers, warns once, and limits again when it is back', async () => {
    const proxy = await FlakyProxy.start();
    const warnings: string[] = [];
    const limiter = redisLimiter({ url: proxy.url, timeoutMs: 200, pauseAfterFailureMs: 50, log: { warn: (_details, message) => warnings.push(message) } });
    try {
      // Through the proxy, the limit holds (the first calls may time out while the connection opens).
      await eventually(async () => !(await limiter.take('gift.send:user', 'ana', T0)).allowed, 'the limit to hold through the proxy', 5_000);

      proxy.mode = 'refuse';
      proxy.cut();
      const started = Date.now();
      const unchecked = limiter.letThrough;
      for (let i = 0; i < 20; i++) expect(await limiter.take('gift.send:user', 'ana', T0 + 2)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 1 });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(limiter.letThrough - unchecked).toBe(20);
      expect(warnings.filter((w) => w.startsWith('Redis did not answer'))).toHaveLength(1);

      proxy.mode = 'forward';
      await eventually(async () => !(await limiter.take('gift.send:user', 'ana', T0 + 3)).allowed, 'the limit to hold again', 5_000);
      expect(warnings.at(-1)).toBe('rate limits reach Redis again');

      // A Redis that takes the connection but never answers costs one timeout, then nothing.
      proxy.mode = 'swallow';
      proxy.cut();
      const before = limiter.letThrough;
      const slow = Date.now();
      expect(await limiter.take('gift.send:user', 'ana', T0 + 4)).toMatchObject({ allowed: true });
      expect(await limiter.take('gift.send:user', 'ana', T0 + 4)).toMatchObject({ allowed: true });
      expect(Date.now() - slow).toBeLessThan(2_500);
      expect(limiter.letThrough).toBe(before + 2);
    } finally {
      await limiter.close();
      await proxy.close();
    }
  });
});
