// The one typed configuration, read from environment variables. `npm start` needs none of them;
// a bad value stops start-up with a message naming the variable and what is wrong with it.
import { resolve } from 'node:path';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const ConfigSchema = z.object({
  /** Absent → the embedded SQLite file; `postgres://…` → PostgreSQL for several nodes. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  SQLITE_PATH: z.string().min(1).default('./data/livegift.db'),
  /** Absent → one node with an in-process room bus; `redis://…` → the Redis bus for several nodes. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional(),
  PORT: int(0, 65535).default(3000),
  /** The address people and payment providers reach this server at (default http://localhost:PORT). */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Secret of the sandbox provider's webhook signatures (default: a new random one per process). */
  SANDBOX_WEBHOOK_SECRET: z.string().min(16).optional(),

  // Stripe (docs/STRIPE.md). With a key and a webhook secret, coins are sold through Stripe Checkout;
  // without them the built-in sandbox provider stays in charge.
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_\S+$/, 'must be a Stripe secret key (sk_test_…, sk_live_… or a restricted rk_… key)').optional(),
  /** The signing secret of the webhook endpoint PUBLIC_URL/v1/webhooks/stripe. */
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_\S+$/, 'must be a webhook signing secret (whsec_…)').optional(),
  /** The signing secret of a separate Connect webhook endpoint, when the account has one. */
  STRIPE_CONNECT_WEBHOOK_SECRET: z.string().regex(/^whsec_\S+$/, 'must be a webhook signing secret (whsec_…)').optional(),
  /** Where payouts go: 'stripe' (Stripe Connect) or 'sandbox'. Default: stripe when Stripe is configured. */
  PAYOUT_PROVIDER: z.enum(['sandbox', 'stripe']).optional(),
  /** Another address for Stripe's API (stripe-mock, a test double), e.g. http://127.0.0.1:12111. */
  STRIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Behind a reverse proxy on another host: `true` (trust X-Forwarded-For from any hop) or the proxies' addresses, comma-separated. */
  TRUST_PROXY: z.string().max(500).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seed demo users, wallets and a LIVE on first start (on by default for the embedded database). */
  DEMO: bool.optional(),

  // Money policy (PRODUCT.md defaults). Amounts are integer minor units of USD (cents) or micro-USD.
  DIAMONDS_PER_COIN: int(1, 1000).default(1),
  /** Value of one diamond in micro-USD: 5000 = $0.005. */
  DIAMOND_VALUE_MICRO_USD: int(1, 1_000_000).default(5000),
  /** Hours a gift's diamonds stay on hold before they can be redeemed (0 in demo mode). */
  DIAMOND_HOLD_HOURS: int(0, 24 * 365).optional(),
  PAYOUT_MIN_CENTS: int(0, 100_000_000).default(1000),
  PAYOUT_DAILY_MAX_CENTS: int(1, 1_000_000_000).default(100_000),
  /** How often matured diamonds move from on hold to available; 0 turns the job off (tests drive it). */
  DIAMOND_MATURE_INTERVAL_SECONDS: int(0, 3600).default(5),
  /** How often the payout worker takes requested payouts to the provider; 0 turns it off. */
  PAYOUT_WORKER_INTERVAL_SECONDS: int(0, 3600).default(5),
  SPEND_DAILY_MAX_CENTS: int(1, 1_000_000_000).default(50_000),
  SPEND_WEEKLY_MAX_CENTS: int(1, 1_000_000_000).default(200_000),
  /** Gifts worth at least this many coins play full screen, individually, and are never dropped. */
  BIG_GIFT_MIN_COINS: int(1, 10_000_000).default(1000),
  /** Currencies with a FIAT ledger and coin packages. */
  CURRENCIES: z
    .string()
    .default('USD,EUR,GBP')
    .transform((v) => v.split(',').map((c) => c.trim().toUpperCase()))
    .pipe(z.array(z.string().regex(/^[A-Z]{3}$/, 'must be ISO 4217 codes, comma-separated')).min(1)),

  // Ledger writer (group commit).
  LEDGER_BATCH_MAX: int(1, 4096).default(256),
  LEDGER_BATCH_WAIT_MS: int(0, 100).default(2),
  LEDGER_QUEUE_MAX: int(1, 10_000_000).default(100_000),
  /** Most milliseconds SIGTERM waits for in-flight requests before closing them. */
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),

  // LIVEs.
  /** A LIVE whose creator sent no heartbeat for this long is ended automatically. */
  LIVE_CREATOR_AWAY_MINUTES: int(1, 24 * 60).default(5),
  /** How often the auto-end job runs; 0 turns it off (tests drive it by hand). */
  LIVE_AUTO_END_INTERVAL_SECONDS: int(0, 3600).default(30),

  /**
   * Rate limits (src/domain/rate-limits.ts; in Redis when REDIS_URL is set): `on`, `off`, or a
   * scale for every limit, e.g. `2` allows twice as many sign-ups, gifts, chat lines … per window.
   */
  RATE_LIMITS: z.union([z.enum(['on', 'off']), z.coerce.number().gt(0).max(100)]).default('on'),

  // LIVE video (docs/VIDEO.md): RTMP ingest from OBS, the studio's camera over a WebSocket, HLS out.
  /** `on` (default): video when ffmpeg is found; `off`: no ingest at all (LIVEs are gifts and chat only). */
  VIDEO: z.enum(['on', 'off']).default('on'),
  /** The RTMP ingest's port (OBS connects here); 0 picks a free one (tests). */
  RTMP_PORT: int(0, 65535).default(1935),
  /** The address the RTMP ingest listens on (default: HOST). */
  RTMP_HOST: z.string().min(1).optional(),
  /** The server URL creators paste into OBS (default rtmp://<PUBLIC_URL's host>:<RTMP_PORT>/live). */
  RTMP_PUBLIC_URL: z.url({ protocol: /^rtmps?$/ }).optional(),
  /** Where HLS playlists and segments are written while a LIVE streams (removed after). */
  VIDEO_DIR: z.string().min(1).default('./data/video'),
  /** An ffmpeg to use instead of the one on PATH or the bundled one. */
  FFMPEG_PATH: z.string().min(1).optional(),
  /** `off` (default): the stream is remuxed as it comes (no re-encode); `ladder`: re-encoded into 720p, 480p and 360p. */
  VIDEO_TRANSCODE: z.enum(['off', 'ladder']).default('off'),
  /** Seconds a LIVE waits for a dropped stream to come back before it ends by itself. */
  VIDEO_RECONNECT_GRACE_SECONDS: int(5, 3600).default(60),
  /** Target HLS segment length in seconds (the encoder's keyframe interval rounds it up). */
  HLS_SEGMENT_SECONDS: int(1, 10).default(1),
});

export type Env = z.input<typeof ConfigSchema>;

export interface Config {
  readonly databaseUrl: string | undefined;
  readonly sqlitePath: string;
  readonly redisUrl: string | undefined;
  readonly port: number;
  readonly publicUrl: string;
  readonly sandboxWebhookSecret: string | undefined;
  /** Set when Stripe is configured (payments through Stripe Checkout). */
  readonly stripe: StripeConfig | undefined;
  readonly payoutProvider: 'sandbox' | 'stripe';
  readonly host: string;
  readonly trustProxy: boolean | string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly demo: boolean;
  readonly money: {
    readonly diamondsPerCoin: bigint;
    readonly diamondValueMicroUsd: bigint;
    readonly diamondHoldMs: number;
    readonly payoutMinCents: bigint;
    readonly payoutDailyMaxCents: bigint;
    readonly spendDailyMaxCents: bigint;
    readonly spendWeeklyMaxCents: bigint;
    readonly bigGiftMinCoins: bigint;
    readonly currencies: readonly string[];
  };
  readonly ledger: { readonly maxBatch: number; readonly maxWaitMs: number; readonly queueMax: number };
  readonly shutdownGraceMs: number;
  readonly payouts: { readonly matureIntervalMs: number; readonly workerIntervalMs: number };
  readonly lives: { readonly creatorAwayMs: number; readonly autoEndIntervalMs: number };
  /** Off, or on with every limit multiplied by `scale` (1 = the defaults). */
  readonly rateLimits: { readonly enabled: boolean; readonly scale: number };
  readonly video: VideoConfig;
}

export interface VideoConfig {
  readonly enabled: boolean;
  readonly rtmpPort: number;
  readonly rtmpHost: string;
  /** null: derived from the RTMP server's real port once it listens. */
  readonly rtmpPublicUrl: string | null;
  readonly dir: string;
  readonly ffmpegPath: string | undefined;
  readonly transcode: 'off' | 'ladder';
  readonly reconnectGraceMs: number;
  readonly segmentSeconds: number;
}

export interface StripeConfig {
  readonly secretKey: string;
  readonly webhookSecrets: readonly string[];
  readonly api: { readonly host: string; readonly port: number; readonly protocol: 'http' | 'https' } | undefined;
}

/** Variables whose values are secrets (or hold one, like a database URL with its password). */
const SECRET_VARIABLES: ReadonlySet<string> = new Set(['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_CONNECT_WEBHOOK_SECRET', 'SANDBOX_WEBHOOK_SECRET', 'DATABASE_URL', 'REDIS_URL']);

export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
}

/** Reads the config from an environment (process.env by default). Throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as shells and .env files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        // A secret's value is never printed, even a malformed one (it may be nearly right).
        const shown = SECRET_VARIABLES.has(name) && present[name] !== undefined ? '"(hidden)"' : JSON.stringify(present[name] ?? null);
        return `${i.path.join('.') || '(root)'}=${shown}: ${i.message}`;
      }),
    );
  }
  const c = parsed.data;
  const demo = c.DEMO ?? c.DATABASE_URL === undefined;
  const stripe = stripeConfig(c);
  const payoutProvider = c.PAYOUT_PROVIDER ?? (stripe ? 'stripe' : 'sandbox');
  if (payoutProvider === 'stripe' && !stripe) {
    throw new ConfigError(['PAYOUT_PROVIDER="stripe": Stripe Connect payouts need STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET']);
  }
  return {
    databaseUrl: c.DATABASE_URL,
    sqlitePath: resolve(c.SQLITE_PATH),
    redisUrl: c.REDIS_URL,
    port: c.PORT,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    sandboxWebhookSecret: c.SANDBOX_WEBHOOK_SECRET,
    stripe,
    payoutProvider,
    host: c.HOST,
    trustProxy: c.TRUST_PROXY === undefined || c.TRUST_PROXY === 'false' ? false : c.TRUST_PROXY === 'true' ? true : c.TRUST_PROXY,
    logLevel: c.LOG_LEVEL,
    demo,
    money: {
      diamondsPerCoin: BigInt(c.DIAMONDS_PER_COIN),
      diamondValueMicroUsd: BigInt(c.DIAMOND_VALUE_MICRO_USD),
      diamondHoldMs: (c.DIAMOND_HOLD_HOURS ?? (demo ? 0 : 72)) * 3_600_000,
      payoutMinCents: BigInt(c.PAYOUT_MIN_CENTS),
      payoutDailyMaxCents: BigInt(c.PAYOUT_DAILY_MAX_CENTS),
      spendDailyMaxCents: BigInt(c.SPEND_DAILY_MAX_CENTS),
      spendWeeklyMaxCents: BigInt(c.SPEND_WEEKLY_MAX_CENTS),
      bigGiftMinCoins: BigInt(c.BIG_GIFT_MIN_COINS),
      currencies: c.CURRENCIES,
    },
    ledger: { maxBatch: c.LEDGER_BATCH_MAX, maxWaitMs: c.LEDGER_BATCH_WAIT_MS, queueMax: c.LEDGER_QUEUE_MAX },
    shutdownGraceMs: c.SHUTDOWN_GRACE_MS,
    payouts: { matureIntervalMs: c.DIAMOND_MATURE_INTERVAL_SECONDS * 1000, workerIntervalMs: c.PAYOUT_WORKER_INTERVAL_SECONDS * 1000 },
    lives: { creatorAwayMs: c.LIVE_CREATOR_AWAY_MINUTES * 60_000, autoEndIntervalMs: c.LIVE_AUTO_END_INTERVAL_SECONDS * 1000 },
    rateLimits: c.RATE_LIMITS === 'off' ? { enabled: false, scale: 1 } : { enabled: true, scale: c.RATE_LIMITS === 'on' ? 1 : c.RATE_LIMITS },
    video: {
      enabled: c.VIDEO === 'on',
      rtmpPort: c.RTMP_PORT,
      rtmpHost: c.RTMP_HOST ?? c.HOST,
      rtmpPublicUrl: c.RTMP_PUBLIC_URL?.replace(/\/+$/, '') ?? null,
      dir: resolve(c.VIDEO_DIR),
      ffmpegPath: c.FFMPEG_PATH,
      transcode: c.VIDEO_TRANSCODE,
      reconnectGraceMs: c.VIDEO_RECONNECT_GRACE_SECONDS * 1000,
      segmentSeconds: c.HLS_SEGMENT_SECONDS,
    },
  };
}

function stripeConfig(c: z.infer<typeof ConfigSchema>): StripeConfig | undefined {
  const key = c.STRIPE_SECRET_KEY;
  const secret = c.STRIPE_WEBHOOK_SECRET;
  if (key === undefined && secret === undefined) return undefined;
  if (key === undefined || secret === undefined) {
    throw new ConfigError([`${key === undefined ? 'STRIPE_SECRET_KEY' : 'STRIPE_WEBHOOK_SECRET'}=null: Stripe needs both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET`]);
  }
  let api: StripeConfig['api'];
  if (c.STRIPE_API_URL !== undefined) {
    const url = new URL(c.STRIPE_API_URL);
    const protocol = url.protocol === 'http:' ? 'http' : 'https';
    api = { host: url.hostname, port: url.port === '' ? (protocol === 'http' ? 80 : 443) : Number(url.port), protocol };
  }
  return { secretKey: key, webhookSecrets: [secret, ...(c.STRIPE_CONNECT_WEBHOOK_SECRET !== undefined ? [c.STRIPE_CONNECT_WEBHOOK_SECRET] : [])], api };
}
