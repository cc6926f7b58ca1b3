// The RateLimiter of several nodes, on Redis: every node counts into the same keys, so a limit holds
// however a client spreads its requests. One Lua script per call reads, decides and writes
// atomically; the scripts mirror src/domain/rate-limits.ts line for line (the contract suite runs
// the same cases, and random sequences, against both).
// - window rule: a sorted set `<prefix><rule>:<key>` of the allowed times (score = time, member =
//   `<time>:<n>` made unique), at most `limit` of them; it expires when its newest time leaves
//   the window.
// - penalty rule: a hash `<prefix><rule>:<key>` (f = latest failures, s = strikes, l = last
//   failure, u = locked until); it expires when forgotten and no longer locked.
//
// Redis being down must not take the site down: a call that fails or takes longer than `timeoutMs`
// lets the action through (fails open), logs a warning (at most every 30 s, with how many actions
// went through unchecked), and for the next `pauseAfterFailureMs` calls do not wait for Redis at
// all. Limits are back as soon as Redis answers again.
import { Redis } from 'ioredis';
import type { RateLimiter } from '../app/rate-limiter.js';
import type { PenaltyRule, PenaltyRuleName, RateDecision, RateRuleName, RateRules, WindowRule } from '../domain/rate-limits.js';

export interface RedisRateLimiterLog {
  warn(details: object, message: string): void;
}

export interface RedisRateLimiterOptions {
  readonly url: string;
  readonly rules: RateRules;
  /** Prefix of every key (default `livegift:rate:`); tests use a unique one. */
  readonly keyPrefix?: string;
  readonly log?: RedisRateLimiterLog;
  /**
   * Longest a call waits for Redis before it lets the action through (default 1 s: Redis answers in
   * well under a millisecond, but a busy event loop can make a short timer fire before the answer
   * is read).
   */
  readonly timeoutMs?: number;
  /** After a failure, calls skip Redis (and let actions through) this long (default 2 s). */
  readonly pauseAfterFailureMs?: number;
  /** Real time, for the pause and the log (not the limits' time, which callers pass). */
  readonly wallMs?: () => number;
}

// KEYS: the log. ARGV: mode ('take' | 'peek'), limit, windowMs, nowMs. → {allowed 0/1, retryAfterMs, remaining}
const WINDOW_SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
-- kept: the times t > now - window
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now, 0}
end
if ARGV[1] ~= 'take' then return {1, 0, limit - count} end
-- A member unique among the at most limit kept: the first free one of now:count, now:count+1, ...
local n = count
while redis.call('ZADD', key, 'NX', now, ARGV[4] .. ':' .. n) == 0 do n = n + 1 end
local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', key, math.max(1, tonumber(newest[2]) + window - now))
return {1, 0, limit - count - 1}`;

// KEYS: the state. ARGV: mode ('peek' | 'take' | 'fail'), nowMs, threshold, windowMs, baseLockMs,
// maxLockMs, forgetMs. → {allowed 0/1, retryAfterMs, remaining}
const PENALTY_SCRIPT = `
local key = KEYS[1]
local mode = ARGV[1]
local now = tonumber(ARGV[2])
local threshold = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local baseLock = tonumber(ARGV[5])
local maxLock = tonumber(ARGV[6])
local forget = tonumber(ARGV[7])
local STRIKES_MAX = 30
local h = redis.call('HMGET', key, 'f', 's', 'l', 'u')
local known = false
local failures = {}
local strikes = 0
local last = now
local lockedUntil = 0
if h[3] and now - tonumber(h[3]) < forget then
  known = true
  strikes = tonumber(h[2])
  last = tonumber(h[3])
  lockedUntil = tonumber(h[4])
  for t in string.gmatch(h[1], '[^,]+') do
    local v = tonumber(t)
    if v > now - window then failures[#failures + 1] = v end
  end
end
local function left()
  if not known then return threshold end
  if strikes > 0 then return 0 end
  return math.max(0, threshold - #failures)
end
if mode ~= 'fail' and now < lockedUntil then return {0, lockedUntil - now, 0} end
if mode == 'peek' then return {1, 0, left()} end
failures[#failures + 1] = now
table.sort(failures)
while #failures > threshold do table.remove(failures, 1) end
if strikes > 0 or #failures >= threshold then
  lockedUntil = math.max(lockedUntil, now + math.min(baseLock * 2 ^ math.min(strikes, STRIKES_MAX), maxLock))
  strikes = math.min(strikes + 1, STRIKES_MAX)
end
last = math.max(now, last)
known = true
local stamps = {}
for i = 1, #failures do stamps[i] = string.format('%d', failures[i]) end
redis.call('HSET', key, 'f', table.concat(stamps, ','), 's', strikes, 'l', string.format('%d', last), 'u', string.format('%d', lockedUntil))
redis.call('PEXPIRE', key, math.max(1, math.max(last + forget, lockedUntil) - now))
if mode == 'fail' and now < lockedUntil then return {0, lockedUntil - now, 0} end
return {1, 0, left()}`;

type Answer = [allowed: number, retryAfterMs: number, remaining: number];

/** How often the fail-open warning is repeated while Redis stays away. */
const WARN_EVERY_MS = 30_000;

export class RedisRateLimiter implements RateLimiter {
  private readonly client: Redis;
  private readonly keyPrefix: string;
  private readonly log: RedisRateLimiterLog;
  private readonly pauseAfterFailureMs: number;
  private readonly wallMs: () => number;
  private pausedUntilMs = 0;
  private warnedAtMs = Number.NEGATIVE_INFINITY;
  /** Actions let through unchecked since the last warning. */
  private unchecked = 0;
  private failing = false;
  private closed = false;
  private letThroughTotal = 0;
  readonly rules: RateRules;

  constructor(options: RedisRateLimiterOptions) {
    this.rules = options.rules;
    this.keyPrefix = options.keyPrefix ?? 'livegift:rate:';
    this.log = options.log ?? { warn: () => undefined };
    this.pauseAfterFailureMs = options.pauseAfterFailureMs ?? 2_000;
    this.wallMs = options.wallMs ?? Date.now;
    this.client = new Redis(options.url, { maxRetriesPerRequest: 1, connectTimeout: 5_000, commandTimeout: options.timeoutMs ?? 1_000, connectionName: 'livegift-rate' });
    this.client.defineCommand('livegiftRateWindow', { numberOfKeys: 1, lua: WINDOW_SCRIPT });
    this.client.defineCommand('livegiftRatePenalty', { numberOfKeys: 1, lua: PENALTY_SCRIPT });
    this.client.on('error', () => {
      // Reported by the calls that fail (at most every 30 s), not once per reconnection attempt.
    });
  }

  /** Actions let through because Redis did not answer, since start. */
  get letThrough(): number {
    return this.letThroughTotal;
  }

  take(name: RateRuleName, key: string, nowMs: number): Promise<RateDecision> {
    const rule = this.rules[name];
    return rule.kind === 'window' ? this.window(rule, 'take', name, key, nowMs) : this.penalty(rule, 'take', name, key, nowMs);
  }

  peek(name: RateRuleName, key: string, nowMs: number): Promise<RateDecision> {
    const rule = this.rules[name];
    return rule.kind === 'window' ? this.window(rule, 'peek', name, key, nowMs) : this.penalty(rule, 'peek', name, key, nowMs);
  }

  fail(name: PenaltyRuleName, key: string, nowMs: number): Promise<RateDecision> {
    return this.penalty(this.rules[name], 'fail', name, key, nowMs);
  }

  async reset(name: RateRuleName, key: string): Promise<void> {
    await this.call(name, () => this.client.del(this.key(name, key)), null);
  }

  /** Stops the connection (politely when it is up). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.status === 'ready') await this.client.quit().catch(() => undefined);
    this.client.disconnect();
  }

  private window(rule: WindowRule, mode: 'take' | 'peek', name: RateRuleName, key: string, nowMs: number): Promise<RateDecision> {
    const args = [mode, String(rule.limit), String(rule.windowMs), String(Math.floor(nowMs))];
    return this.decide(name, 'livegiftRateWindow', key, args, rule.limit);
  }

  private penalty(rule: PenaltyRule, mode: 'take' | 'peek' | 'fail', name: RateRuleName, key: string, nowMs: number): Promise<RateDecision> {
    const args = [mode, String(Math.floor(nowMs)), String(rule.threshold), String(rule.windowMs), String(rule.baseLockMs), String(rule.maxLockMs), String(rule.forgetMs)];
    return this.decide(name, 'livegiftRatePenalty', key, args, rule.threshold);
  }

  private async decide(name: RateRuleName, script: 'livegiftRateWindow' | 'livegiftRatePenalty', key: string, args: string[], open: number): Promise<RateDecision> {
    const run = (this.client as unknown as Record<string, ((...a: string[]) => Promise<unknown>) | undefined>)[script];
    if (!run) throw new Error(`script ${script} is not defined`);
    const answer = await this.call(name, () => run.call(this.client, this.key(name, key), ...args) as Promise<Answer>, null);
    if (answer === null) return { allowed: true, retryAfterMs: 0, remaining: open };
    const [allowed, retryAfterMs, remaining] = answer;
    return { allowed: allowed === 1, retryAfterMs, remaining };
  }

  /** Runs a Redis call; on failure (or while paused after one) answers `fallback` and lets the action through. */
  private async call<T, F>(name: RateRuleName, run: () => Promise<T>, fallback: F): Promise<T | F> {
    const wall = this.wallMs();
    if (this.closed || wall < this.pausedUntilMs) {
      this.unchecked += 1;
      this.letThroughTotal += 1;
      return fallback;
    }
    try {
      const result = await run();
      if (this.failing) {
        this.failing = false;
        this.log.warn({ unchecked: this.unchecked }, 'rate limits reach Redis again');
        this.unchecked = 0;
      }
      return result;
    } catch (error) {
      this.pausedUntilMs = this.wallMs() + this.pauseAfterFailureMs;
      this.failing = true;
      this.unchecked += 1;
      this.letThroughTotal += 1;
      if (wall - this.warnedAtMs >= WARN_EVERY_MS) {
        this.warnedAtMs = wall;
        this.log.warn({ err: error, rule: name, unchecked: this.unchecked }, 'Redis did not answer the rate limiter: actions are let through unchecked until it does');
        this.unchecked = 0;
      }
      return fallback;
    }
  }

  private key(name: RateRuleName, key: string): string {
    return `${this.keyPrefix}${name}:${key}`;
  }
}
