// Proves the memory limiter stays bounded: keys whose state expired are dropped as calls go by, a
// flood of new keys never holds more than `keysMax` per rule (the least recently touched go first),
// and close forgets everything. (What it answers is proven with the Redis one's contract suite, in
// redis-rate-limiter.test.ts.)
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_RULES } from '../domain/rate-limits.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';

const T0 = Date.parse('2026-11-26T12:00:00Z');

describe('MemoryRateLimiter', () => {
  it('drops keys whose window has passed as later calls come in', async () => {
    const limiter = new MemoryRateLimiter(DEFAULT_RATE_RULES);
    for (let i = 0; i < 100; i++) await limiter.take('chat:user', `user${i}`, T0);
    expect(limiter.size).toBe(100);
    // Each call sweeps a few expired keys, oldest first: enough calls later, only the live ones stay.
    for (let i = 0; i < 20; i++) await limiter.take('chat:user', 'late', T0 + 10_000 + i);
    expect(limiter.size).toBe(1);
  });

  it('holds at most keysMax keys per rule, dropping the least recently touched', async () => {
    const limiter = new MemoryRateLimiter(DEFAULT_RATE_RULES, 50);
    await limiter.take('gift.send:user', 'kept', T0);
    for (let i = 0; i < 1_000; i++) {
      await limiter.take('gift.send:user', `flood${i}`, T0 + 1);
      if (i % 10 === 0) await limiter.take('gift.send:user', 'kept', T0 + 1); // touched: moves to the back
    }
    expect(limiter.size).toBe(50);
    expect((await limiter.peek('gift.send:user', 'kept', T0 + 1)).remaining).toBeLessThan(DEFAULT_RATE_RULES['gift.send:user'].limit);
    expect((await limiter.peek('gift.send:user', 'flood0', T0 + 1)).remaining).toBe(DEFAULT_RATE_RULES['gift.send:user'].limit);
  });

  it('keeps a locked login name until its lock is over and it is forgotten, and forgets all on close', async () => {
    const limiter = new MemoryRateLimiter(DEFAULT_RATE_RULES);
    for (let i = 0; i < 5; i++) await limiter.take('login.failures:name', 'ana', T0 + i);
    expect(await limiter.peek('login.failures:name', 'ana', T0 + 10)).toMatchObject({ allowed: false, retryAfterMs: 60_000 - 6 });
    await limiter.take('login.failures:name', 'bob', T0 + 3_600_000 + 10); // sweeps the rule: 'ana' was forgotten an hour after its last failure
    expect(limiter.size).toBe(1);
    await limiter.close();
    expect(limiter.size).toBe(0);
  });
});
