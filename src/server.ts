// Composition root: reads the config, opens the database and the ledger, builds the adapters and
// binds the use cases to them, seeds the demo on first run, wires the HTTP app, and shuts all of it
// down in order on SIGTERM/SIGINT.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { systemClock, type Clock, type PasswordHasher, type RoomBus } from './app/ports.js';
import { DEMO_LIVE_TITLE, DEMO_PASSWORD, DEMO_STREAMER, DEMO_USERS } from './app/seed-demo.js';
import { buildServices, type Services } from './app/services.js';
import type { Config } from './config.js';
import { allSystemAccounts } from './domain/accounts.js';
import { CachedGiftCatalog } from './app/catalog-cache.js';
import { ComboTracker } from './app/combo-tracker.js';
import { buildApp } from './http/app.js';
import { adminRoutes } from './http/routes/admin.js';
import { coinsRoutes } from './http/routes/coins.js';
import { sandboxCheckoutRoutes } from './payments/sandbox-checkout-routes.js';
import { SandboxPaymentProvider } from './payments/sandbox-payment-provider.js';
import { SandboxRecords } from './payments/sandbox-records.js';
import { stripeClient, type StripeSettings } from './payments/stripe-client.js';
import { StripePaymentProvider } from './payments/stripe-payment-provider.js';
import { StripePayoutProvider } from './payments/stripe-payout-provider.js';
import { StripeRecords } from './payments/stripe-records.js';
import type { MovementKind, ProviderRecords } from './domain/provider-reconcile.js';
import { KyselyPurchaseStore } from './storage/kysely-purchase-store.js';
import { giftsRoutes } from './http/routes/gifts.js';
import { FileArtLibrary } from './platform/file-art-library.js';
import { KyselyGiftCatalog } from './storage/kysely-gift-catalog.js';
import { KyselyLiveStore } from './storage/kysely-live-store.js';
import { accountsRoutes } from './http/routes/accounts.js';
import { livesRoutes } from './http/routes/lives.js';
import { startIntervalJob } from './platform/interval-job.js';
import { nodeIds } from './platform/node-ids.js';
import { ScryptPasswordHasher } from './platform/scrypt-password-hasher.js';
import { ensureWebBuilt, webRoot } from './platform/web-build.js';
import { openStorage, type Storage } from './storage/database.js';
import { KyselyApiTokenStore, KyselyAuditLog, KyselySessionStore, KyselyUserStore } from './storage/kysely-user-store.js';
import { KyselyLoginDeviceStore } from './storage/kysely-login-device-store.js';
import type { PaymentProvider, PayoutProvider } from './app/ports.js';
import { payoutsRoutes } from './http/routes/payouts.js';
import { moderationRoutes } from './http/routes/moderation.js';
import { videoRoutes } from './http/routes/video.js';
import { BrowserIngest } from './video/browser-ingest.js';
import { VideoNode } from './video/video-node.js';
import { DemoStream } from './video/demo-stream.js';
import { KyselyStreamKeyStore } from './storage/kysely-stream-key-store.js';
import { KyselyModerationStore } from './storage/kysely-moderation-store.js';
import { SandboxPayoutProvider } from './payments/sandbox-payout-provider.js';
import { KyselyPayoutAccountStore, KyselyPayoutStore, KyselyTransferFeed } from './storage/kysely-payout-store.js';
import { InProcessRoomBus } from './realtime/in-process-room-bus.js';
import { RedisRoomBus } from './realtime/redis-room-bus.js';
import { RoomGateway } from './realtime/room-gateway.js';
import { unlimitedRateLimiter, type RateLimiter } from './app/rate-limiter.js';
import { scaledRateRules } from './domain/rate-limits.js';
import { rateLimits } from './http/rate-limits.js';
import { MemoryRateLimiter } from './platform/memory-rate-limiter.js';
import { RedisRateLimiter } from './platform/redis-rate-limiter.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface Livegift {
  readonly app: FastifyInstance;
  readonly storage: Storage;
  readonly services: Services;
  /** This node's LIVE video: RTMP ingest, the studio camera's streams, HLS packaging. */
  readonly video: VideoNode;
  /** Drains in-flight requests, flushes the ledger writer, closes the database. */
  close(): Promise<void>;
}

export interface BuildOptions {
  /** An already opened database (tests); otherwise opened from the config. */
  readonly storage?: Storage;
  readonly clock?: Clock;
  readonly passwords?: PasswordHasher;
  /** Where payouts are sent; the sandbox payout provider when absent. */
  readonly payoutProvider?: PayoutProvider;
  /** How room inputs reach the other nodes (closed with the node); from REDIS_URL when absent. */
  readonly roomBus?: RoomBus;
  /** Counts rate limits (closed with the node); from RATE_LIMITS and REDIS_URL when absent. */
  readonly rateLimiter?: RateLimiter;
  /** The built web app to serve at / (default web/dist); without a build only the API is served. */
  readonly webDistDir?: string;
}

/** Wires a whole Livegift node without listening: what `serve` runs, and what tests inject into. */
export async function buildLivegift(config: Config, options: BuildOptions = {}): Promise<Livegift> {
  const clock = options.clock ?? systemClock;
  const storage =
    options.storage ??
    (await openStorage({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, groupCommit: config.ledger, nowMs: () => clock.nowMs() }));
  try {
    await storage.ledger.openAccounts(allSystemAccounts(config.money.currencies));
    const users = new KyselyUserStore(storage.db);
    const art = new FileArtLibrary();
    const passwords = options.passwords ?? new ScryptPasswordHasher();

    // The sandbox provider delivers its webhooks into this node's own HTTP app (no network needed);
    // the app exists only further down, so delivery is bound to it late.
    let deliverWebhook: ((rawBody: string, headers: Record<string, string>) => Promise<{ status: number }>) | null = null;
    // Stripe when configured (docs/STRIPE.md); the built-in sandbox otherwise.
    const sandboxPayments = config.stripe
      ? null
      : new SandboxPaymentProvider({
          db: storage.db,
          webhookSecret: config.sandboxWebhookSecret ?? nodeIds.secret(),
          publicUrl: config.publicUrl,
          nowMs: () => clock.nowMs(),
          newId: () => nodeIds.uuid(),
          deliver: (rawBody, headers) => (deliverWebhook ? deliverWebhook(rawBody, headers) : Promise.resolve({ status: 503 })),
        });
    const payments: PaymentProvider = sandboxPayments ?? new StripePaymentProvider(requireStripe(config));
    const payoutProvider: PayoutProvider =
      options.payoutProvider ??
      (config.payoutProvider === 'stripe'
        ? new StripePayoutProvider(requireStripe(config))
        : new SandboxPayoutProvider({ db: storage.db, nowMs: () => clock.nowMs(), newId: () => nodeIds.uuid() }));
    const providerRecords = recordsOf(config, storage, payments, payoutProvider);

    // The LIVE rooms need the app, which needs the services: announcements are bound to the rooms late.
    let rooms: RoomGateway | null = null;
    // Video asks the services about stream keys, and the services ask it to cut streams: bound late too.
    const videoNode = new VideoNode(
      config.video,
      {
        authorizeStream: (input) => services.authorizeStream(input),
        streamLive: (input) => services.streamLive(input),
        streamStopped: (input) => services.streamStopped(input),
      },
      {
        info: (details, message) => appLog?.info(details, message),
        warn: (details, message) => appLog?.warn(details, message),
        debug: (details, message) => appLog?.debug(details, message),
        error: (details, message) => appLog?.error(details, message),
      },
      config.publicUrl,
    );
    const services = buildServices({
      clock,
      ids: nodeIds,
      passwords,
      users,
      sessions: new KyselySessionStore(storage.db),
      loginDevices: new KyselyLoginDeviceStore(storage.db),
      tokens: new KyselyApiTokenStore(storage.db),
      audit: new KyselyAuditLog(storage.db),
      ledger: storage.ledger,
      catalog: new CachedGiftCatalog(new KyselyGiftCatalog(storage.db), clock),
      art,
      lives: new KyselyLiveStore(storage.db),
      combos: new ComboTracker(),
      policy: config.money,
      payments,
      purchases: new KyselyPurchaseStore(storage.db),
      currencies: config.money.currencies,
      publicUrl: config.publicUrl,
      payoutAccounts: new KyselyPayoutAccountStore(storage.db),
      payouts: new KyselyPayoutStore(storage.db),
      payoutProvider,
      providerRecords,
      feed: new KyselyTransferFeed(storage.db),
      diamondPolicy: config.money,
      moderation: new KyselyModerationStore(storage.db),
      roomEvents: {
        giftSent: (sent) => rooms?.giftSent(sent) ?? Promise.resolve(),
        liveEnded: (liveId, summary, end) => rooms?.liveEnded(liveId, summary, end) ?? Promise.resolve(),
        videoChanged: (liveId, video) => rooms?.videoChanged(liveId, video) ?? Promise.resolve(),
      },
      streamKeys: new KyselyStreamKeyStore(storage.db),
      video: videoNode,
    });
    await services.seedCatalog();
    if (config.demo) await seedDemoOnce(storage, services);

    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics, prefix: 'livegift_' });
    new Gauge({
      name: 'livegift_ledger_batches_total',
      help: 'Ledger write batches committed since start',
      registers: [metrics],
      collect() {
        this.set(storage.ledger.stats.batches);
      },
    });
    new Gauge({
      name: 'livegift_ledger_groups_committed_total',
      help: 'Transfer groups acknowledged by the ledger writer since start',
      registers: [metrics],
      collect() {
        this.set(storage.ledger.stats.committed);
      },
    });

    new Gauge({
      name: 'livegift_video_streams',
      help: 'Streams (OBS or the studio camera) arriving at this node now',
      labelNames: ['via'],
      registers: [metrics],
      collect() {
        const arriving = [...videoNode.arriving().values()];
        for (const via of ['rtmp', 'browser'] as const) this.set({ via }, arriving.filter((a) => a.via === via).length);
      },
    });

    let stopping = false;
    // Rate limits hold across nodes through Redis, on one node in memory. The limiter exists before
    // the app (its plugin is one of the app's routes), so its warnings reach the app's log late.
    let appLog: FastifyInstance['log'] | null = null;
    const rateRules = scaledRateRules(config.rateLimits.scale);
    const rateLimiter =
      options.rateLimiter ??
      (!config.rateLimits.enabled
        ? unlimitedRateLimiter
        : config.redisUrl !== undefined
          ? new RedisRateLimiter({ url: config.redisUrl, rules: rateRules, log: { warn: (details, message) => { appLog?.warn(details, message); } } })
          : new MemoryRateLimiter(rateRules));
    const app = await buildApp({
      logLevel: config.logLevel,
      publicUrl: config.publicUrl,
      trustProxy: config.trustProxy,
      metrics,
      version: VERSION,
      webDistDir: options.webDistDir ?? join(webRoot(), 'dist'),
      authenticate: (credentials) => services.authenticate(credentials),
      routes: [rateLimits({ limiter: rateLimiter, nowMs: () => clock.nowMs(), logins: services }), accountsRoutes(services), giftsRoutes(services, art), livesRoutes(services), coinsRoutes(services), ...(sandboxPayments ? [sandboxCheckoutRoutes(sandboxPayments)] : []), payoutsRoutes(services), adminRoutes(services), moderationRoutes(services), videoRoutes(services, videoNode)],
      async health() {
        const checks: Record<string, string> = {};
        try {
          await sql`SELECT 1`.execute(storage.db);
          checks.database = 'ok';
        } catch (error) {
          // /healthz is public: the reason goes to the log, never to the answer (it can name hosts and users).
          appLog?.error({ err: error }, 'health check: the database did not answer');
          checks.database = 'unreachable';
        }
        checks.ledger = stopping ? 'shutting down' : 'ok';
        return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
      },
    });
    appLog = app.log;
    // Several nodes share their rooms' inputs through Redis; one node needs no broker.
    const roomBus =
      options.roomBus ??
      (config.redisUrl !== undefined
        ? new RedisRoomBus({ url: config.redisUrl, log: app.log })
        : new InProcessRoomBus({
            onHandlerError: (error, liveId) => {
              app.log.error({ err: error, liveId }, 'a room input could not be applied');
            },
          }));
    const gateway = new RoomGateway(app, { services, log: app.log, bus: roomBus, rateLimiter, bigGiftMinCoins: Number(config.money.bigGiftMinCoins) });
    rooms = gateway;
    await videoNode.start();
    // The demo LIVE streams a test pattern into our own ingest, so a newcomer sees a real LIVE at once.
    const demoStream = config.demo ? await startDemoStream(videoNode, services, app.log) : null;
    const browserIngest = new BrowserIngest(
      app,
      videoNode,
      {
        ...services,
        getLive: async (input) => {
          const live = await services.getLive(input);
          return { status: live.status, creatorId: live.creator.id };
        },
      },
      app.log,
    );
    deliverWebhook = async (rawBody, headers) => ({
      status: (await app.inject({ method: 'POST', url: `/v1/webhooks/${payments.name}`, payload: rawBody, headers: { ...headers, 'content-type': 'application/json' } })).statusCode,
    });
    // Ends LIVEs whose creator went away; several nodes may run it at once (ending is idempotent).
    const autoEnd = startIntervalJob({
      everyMs: config.lives.autoEndIntervalMs,
      async run() {
        const result = await services.endAbandonedLives({ creatorAwayMs: config.lives.creatorAwayMs });
        if (result.ended.length > 0) app.log.info({ ended: result.ended }, 'ended LIVEs whose creator was away');
        for (const f of result.failed) app.log.error({ err: f.error, liveId: f.liveId }, 'could not end or summarize a LIVE');
      },
      onError: (error) => {
        app.log.error({ err: error }, 'the LIVE auto-end job failed');
      },
    });
    // The demo creators have no camera: in demo mode the server keeps their LIVEs on air for them.
    const demoPresence = startIntervalJob({
      everyMs: config.demo ? 60_000 : 0,
      async run() {
        const demoCreators = new Set(DEMO_USERS.filter((u) => u.kind === 'creator').map((u) => u.id));
        const { lives } = await services.listLives({ limit: 100 });
        for (const live of lives) {
          if (demoCreators.has(live.creator.id)) await services.recordLiveHeartbeat({ liveId: live.id, userId: live.creator.id, anonymousKey: null });
        }
      },
      onError: (error) => {
        app.log.warn({ err: error }, 'the demo presence job failed');
      },
    });
    // Diamonds mature and payouts are paid in the background; several nodes may run both at once
    // (maturing and paying are idempotent, and a payout is claimed by one worker at a time).
    const maturing = startIntervalJob({
      everyMs: config.payouts.matureIntervalMs,
      async run() {
        const r = await services.matureDiamonds();
        if (r.matured > 0 || r.skipped > 0) app.log.info({ matured: r.matured, diamonds: r.diamonds.toString(), skipped: r.skipped }, 'matured diamonds');
      },
      onError: (error) => {
        app.log.error({ err: error }, 'the diamond maturation job failed');
      },
    });
    const payingOut = startIntervalJob({
      everyMs: config.payouts.workerIntervalMs,
      async run() {
        const r = await services.processPayouts();
        if (r.paid + r.failed + r.recovered + r.retrying > 0) app.log.info({ ...r, errors: r.errors.length }, 'payout worker run');
        for (const e of r.errors) app.log.error({ payoutId: e.payoutId, error: e.message }, 'a payout could not be processed');
      },
      onError: (error) => {
        app.log.error({ err: error }, 'the payout worker failed');
      },
    });
    return {
      app,
      storage,
      services,
      video: videoNode,
      async close() {
        stopping = true;
        await Promise.all([maturing.stop(), payingOut.stop()]); // runs in progress finish before the database closes
        await autoEnd.stop(); // a run in progress finishes before the database closes
        await demoPresence.stop();
        await sandboxPayments?.close(); // stops webhook retries, which go through the app
        await demoStream?.stop(); // the demo's encoder first, so its stream ends cleanly
        browserIngest.close(); // studio cameras stop sending
        await videoNode.close(); // encoders are cut, ffmpeg finishes, the stream files go
        await gateway.close(); // room sockets get 1001 before the app stops
        await roomBus.close(); // no room is subscribed any more
        const grace = setTimeout(() => {
          app.server.closeAllConnections();
        }, config.shutdownGraceMs);
        try {
          await app.close(); // stops accepting, waits for in-flight requests
        } finally {
          clearTimeout(grace);
          await rateLimiter.close(); // no request is left to count
          await storage.close(); // answers every queued ledger submission, then closes
        }
      },
    };
  } catch (error) {
    if (!options.storage) await storage.close();
    throw error;
  }
}

/** Mira's demo LIVE gets moving video: a test pattern streamed with her key (when this node has video). */
async function startDemoStream(video: VideoNode, services: Services, log: FastifyBaseLogger): Promise<DemoStream | null> {
  const ffmpegPath = video.ffmpegPath;
  if (ffmpegPath === null || video.port === null) return null;
  const settings = await services.getStreamSettings({ principal: { userId: DEMO_STREAMER, role: 'user', scopes: ['lives:write'], via: 'session', tokenId: null } });
  return new DemoStream({ ffmpegPath, url: `rtmp://127.0.0.1:${String(video.port)}/live/${settings.key.key}`, title: DEMO_LIVE_TITLE, log });
}

function requireStripe(config: Config): StripeSettings {
  if (!config.stripe) throw new Error('Stripe is not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET)');
  return config.stripe.api ? { ...config.stripe, api: config.stripe.api } : { secretKey: config.stripe.secretKey, webhookSecrets: config.stripe.webhookSecrets };
}

/** Whose records `reconcile --provider` reads: Stripe's for what Stripe handles, the sandbox's for the rest. */
function recordsOf(config: Config, storage: Storage, payments: PaymentProvider, payoutProvider: PayoutProvider): ProviderRecords[] {
  const stripeKinds = new Set<MovementKind>(config.stripe ? ['charge', 'refund', 'chargeback'] : []);
  const sandboxKinds = new Set<MovementKind>(config.stripe ? [] : ['charge', 'refund', 'chargeback']);
  if (payoutProvider.name === 'stripe') stripeKinds.add('payout');
  else if (payoutProvider.name === 'sandbox') sandboxKinds.add('payout');
  const records: ProviderRecords[] = [];
  if (stripeKinds.size > 0) {
    // The adapters' own client when there is one (one connection pool per node), else a new one.
    const client = payments instanceof StripePaymentProvider ? payments.stripe : payoutProvider instanceof StripePayoutProvider ? payoutProvider.stripe : stripeClient(requireStripe(config));
    records.push(new StripeRecords(client, stripeKinds));
  }
  if (sandboxKinds.size > 0) records.push(new SandboxRecords(storage.db, sandboxKinds));
  return records;
}

export interface RunningServer extends Livegift {
  /** The address a person on this machine opens, e.g. http://localhost:3000. */
  readonly url: string;
}

export async function startServer(config: Config): Promise<RunningServer> {
  // A fresh clone has no web build yet: make it before serving (a second or so).
  await ensureWebBuilt({ info: (m) => { console.error(m); }, warn: (m) => { console.error(m); } });
  const node = await buildLivegift(config);
  try {
    const address = await node.app.listen({ port: config.port, host: config.host });
    // Bound to every interface: show the address a person on this machine opens.
    const url = ['0.0.0.0', '::'].includes(config.host) ? `http://localhost:${new URL(address).port}` : address;
    node.app.log.info({ url, database: node.storage.dialect }, 'Livegift is listening');
    return { ...node, url };
  } catch (error) {
    await node.close();
    throw error;
  }
}

/** Seeds the demo economy once per database; the marker row makes later starts skip it. */
async function seedDemoOnce(storage: Storage, services: Services): Promise<boolean> {
  const marker = await storage.db.selectFrom('meta').select('value').where('key', '=', 'demo_seeded_at').executeTakeFirst();
  if (marker) return false;
  await services.seedDemo();
  await storage.db
    .insertInto('meta')
    .values({ key: 'demo_seeded_at', value: new Date().toISOString(), updated_at_ms: Date.now() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return true;
}

/** The lines printed for a person starting the server: where it is and who to sign in as. */
export function banner(url: string, config: Config, video?: VideoNode): string {
  const rtmp = video?.rtmpUrl() ?? null;
  const lines = [
    '',
    `  Livegift ${VERSION} is running at ${url}`,
    `  Database: ${config.databaseUrl !== undefined ? 'PostgreSQL' : `SQLite ${config.sqlitePath}`}`,
    `  Health: ${url}/healthz   Metrics: ${url}/metrics`,
    video === undefined ? '' : rtmp !== null ? `  Video: OBS streams to ${rtmp} (stream keys in the studio)` : `  Video: unavailable — ${video.reason ?? 'no RTMP ingest'}`,
  ].filter((line, i) => i === 0 || line !== '');
  if (config.demo) {
    lines.push(`  Demo logins (handle / password ${DEMO_PASSWORD}):`);
    for (const u of DEMO_USERS) lines.push(`    ${u.handle.padEnd(6)} ${u.kind.padEnd(8)} ${u.displayName}${u.age < 18 ? ` (${u.age}) — under 18: watch and chat only` : ''}`);
  }
  lines.push('  Stop with Ctrl+C (SIGINT) or SIGTERM: requests drain and the ledger flushes first.', '');
  return lines.join('\n');
}
