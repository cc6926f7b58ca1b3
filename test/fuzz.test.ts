// Proves that bad input cannot hurt a node: malformed bodies, content types, path params, query
// strings and credentials sent to every route it serves (as a viewer, a creator and an admin in
// turn), and malformed frames sent to a LIVE room, never get a 5xx, never crash the node, never
// pollute Object.prototype and never change a ledger balance; the node stays healthy and the
// ledger reconciles afterwards.
//
// Why no request may move money here: the three principals hold no coins, no diamonds and no
// payout account (one they add while fuzzing stays empty), so even a fuzzed request that happens
// to be valid — a gift, a payout, a purchase — cannot move coins or diamonds. The money in the
// ledger belongs to a bystander (coins, diamonds, a payout account, a requested payout), whose ids
// are among those the fuzz puts in paths and bodies: a request that moved someone else's money
// would show as a balance change. The bystander's only purchase was declined, so its checkout
// page (public by design) cannot pay it; webhooks are refused unless signed, and a fuzzed body no
// longer matches its signature. Balances are compared after every request, so a failure names it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTestNode, type TestNode } from './support/livegift.js';
import { DIALECTS } from './support/databases.js';
import { giveAvailableDiamonds } from './support/payouts.js';
import { fuzzFrames, fuzzRequests, sweepRequests, short, type FuzzFrame, type FuzzRequest, type FuzzWorld } from './support/authz/fuzz-inputs.js';
import { RawRoomSocket } from './support/authz/raw-socket.js';
import { VALID_REQUESTS, type RequestIds, type RouteRequest } from './support/authz/requests.js';
import { servedRoutes, type ServedRoute } from './support/authz/routes.js';
import {
  addBankAccount,
  balanceChanges,
  cookieOf,
  endedLiveOf,
  fundCoins,
  ledgerBalances,
  liveOnAirOf,
  makeToken,
  makeUser,
  openPurchase,
  openReport,
  principalOf,
  refreshSession,
  sessionAlive,
  userToBan,
  type WorldUser,
} from './support/authz/world.js';

const PRINCIPALS = ['viewer', 'creator', 'admin'] as const;
type Who = (typeof PRINCIPALS)[number];
/** Random requests after the sweep, and frames to the room (FUZZ_REQUESTS / FUZZ_FRAMES run longer). */
const RANDOM_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2_500);
const RANDOM_FRAMES = Number(process.env.FUZZ_FRAMES ?? 400);
/** The room's message limit (RoomGateway's default) and ws's cut (4× that). */
const MESSAGE_MAX_BYTES = 16 * 1024;
/** Keys a prototype-pollution payload would plant on Object.prototype. */
const POLLUTION_KEYS = ['polluted', 'role', 'isAdmin', 'admin'] as const;

const dialect = DIALECTS[0];
if (!dialect) throw new Error('no SQLite dialect');

describe('bad input at every route and at a LIVE room', () => {
  let node: TestNode;
  let wsBase: string;
  let routes: ServedRoute[];
  let world: FuzzWorld;
  let baseline: Map<string, string>;
  const principals = {} as Record<Who, WorldUser>;
  const bystanders = {} as Record<'rich' | 'subject' | 'banned', WorldUser>;
  /** Error answers not in the API's {error: {code, message}} shape, by route and answer. */
  const shapeViolations = new Map<string, { example: string; routes: Set<string> }>();
  const stats = { requests: 0, frames: 0, byStatus: new Map<number, number>(), startedAtMs: Date.now() };

  /** Sends one request and checks what no input may cause; throws a readable error otherwise. */
  async function send(request: FuzzRequest): Promise<void> {
    // A second per request: per-user rate limits (counted on the node's clock) refill as they would.
    node.clock.advance(1_000);
    const res = await node.app.inject({
      method: request.method as 'GET',
      url: request.url,
      headers: request.headers,
      remoteAddress: request.remoteAddress,
      ...(request.payload === undefined ? {} : { payload: request.payload }),
    });
    stats.requests += 1;
    stats.byStatus.set(res.statusCode, (stats.byStatus.get(res.statusCode) ?? 0) + 1);
    const answer = `→ ${res.statusCode} ${short(res.body, 500)}`;
    if (res.statusCode >= 500) throw new Error(`a 5xx:\n${request.describe()}\n${answer}`);
    if (res.statusCode >= 400 && String(res.headers['content-type']).includes('json')) {
      let code: unknown;
      try {
        code = (JSON.parse(res.body) as { error?: { code?: unknown } }).error?.code;
      } catch {
        code = undefined;
      }
      // Kept aside rather than thrown: a wrong error shape must not hide a 5xx further on.
      if (typeof code !== 'string') {
        const kind = `${res.statusCode} ${/"code":"(\w+)"/.exec(res.body)?.[1] ?? short(res.body, 60)}`;
        const seen = shapeViolations.get(kind) ?? { example: `${request.describe()}\n${answer}`, routes: new Set<string>() };
        seen.routes.add(request.route.key);
        shapeViolations.set(kind, seen);
      }
    }
    const planted = POLLUTION_KEYS.filter((key) => key in Object.prototype);
    if (planted.length > 0) throw new Error(`Object.prototype polluted with ${planted.join(', ')}:\n${request.describe()}\n${answer}`);
    const changes = balanceChanges(baseline, await ledgerBalances(node));
    if (changes.length > 0) throw new Error(`balances changed:\n  ${changes.join('\n  ')}\n${request.describe()}\n${answer}`);
    // A log-out (everywhere), a ban or a revocation may have ended a principal's session (a GET cannot).
    if (request.method !== 'GET') for (const who of PRINCIPALS) if (!(await sessionAlive(node, principals[who]))) await refreshSession(node, principals[who]).catch(() => undefined);
  }

  beforeAll(async () => {
    node = await openTestNode(dialect, { DIAMOND_HOLD_HOURS: '0', SANDBOX_WEBHOOK_SECRET: 'fuzz-test-webhook-secret-0123' });
    wsBase = (await node.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
    routes = servedRoutes(node.app);

    principals.viewer = await makeUser(node, 'fuzz_viewer');
    principals.creator = await makeUser(node, 'fuzz_creator');
    principals.admin = await makeUser(node, 'fuzz_admin', { role: 'admin' });
    await node.services.setGiftsEnabled({ userId: principals.creator.userId, enabled: true });
    const liveEnded = await endedLiveOf(node, principals.creator, null);
    const liveOnAir = await liveOnAirOf(node, principals.creator, 'Fuzz LIVE');

    // The bystander holds all the money there is.
    bystanders.rich = await makeUser(node, 'bystander');
    bystanders.subject = await makeUser(node, 'bystander_two');
    bystanders.banned = { userId: await userToBan(node, principals.admin, true), handle: '', email: '', sessionSecret: '' };
    await fundCoins(node, bystanders.rich.userId, 50_000n);
    await giveAvailableDiamonds(node, bystanders.rich.userId, 40_000n);
    const payoutAccount = await addBankAccount(node, bystanders.rich.userId);
    await node.services.requestPayout({ userId: bystanders.rich.userId, id: randomUUID(), payoutAccountId: payoutAccount, diamonds: 2_000n });
    const purchase = await openPurchase(node, bystanders.rich.userId);
    const declined = await node.app.inject({ method: 'POST', url: `/sandbox/checkout/${encodeURIComponent(purchase.ref)}/decline`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(declined.statusCode, 'declining the bystander’s checkout').toBe(303);
    const token = await makeToken(node, bystanders.rich, ['read'], 'bystander read token');
    const report = await openReport(node, bystanders.rich, bystanders.subject.userId);
    await node.services.createGift({ actor: await principalOf(node, principals.admin), id: 'fuzz-editable', name: 'Fuzz', coins: 2n, art: 'corgi.svg', scene: null, animation: 'sticker', comboable: true, sortOrder: 900, availableFromMs: null, availableUntilMs: null });

    const ids: RequestIds = {
      liveOnAir,
      liveEnded,
      creatorHandle: principals.creator.handle,
      purchase: purchase.id,
      checkoutRef: purchase.ref,
      payoutAccount,
      apiToken: token.id,
      editableGift: 'fuzz-editable',
      subjectUser: bystanders.subject.userId,
      report,
      banTarget: bystanders.subject.userId,
      bannedUser: bystanders.banned.userId,
      login: { login: bystanders.rich.email, password: 'correct horse battery' },
      webhookSecret: node.config.sandboxWebhookSecret ?? '',
      nowMs: () => node.clock.nowMs(),
    };
    // Fixed for the run, so a shrunk counterexample sends the same request again.
    const seeds = new Map<string, RouteRequest>();
    for (const route of routes) {
      const build = VALID_REQUESTS[route.key];
      if (build) seeds.set(route.key, build(ids));
    }
    world = {
      sessionOf: (who) => principals[who as Who].sessionSecret,
      otherToken: token.secret,
      ids: [liveOnAir, liveEnded, purchase.id, purchase.ref, payoutAccount, token.id, report, bystanders.rich.userId, bystanders.subject.userId, bystanders.banned.userId, bystanders.rich.handle, principals.creator.handle, 'rose', 'fuzz-editable', 'sandbox', 'stripe', 'pay', 'refund', 'dispute', 'decline'],
      seedOf: (route) => seeds.get(route.key) ?? null,
    };
    baseline = await ledgerBalances(node);
    stats.startedAtMs = Date.now();
  });

  afterAll(async () => {
    const seconds = (Date.now() - stats.startedAtMs) / 1000;
    const statuses = [...stats.byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
    console.log(`fuzz: ${stats.requests} requests to ${routes.length} routes and ${stats.frames} socket frames in ${seconds.toFixed(1)} s; statuses ${statuses}`);
    await node.drop();
  });

  it('answers the same breakages at every route, as each principal in turn, without a 5xx or a balance change', async () => {
    // Each breakage at each route once, the principal taking turns: every route meets every
    // breakage and every principal, in a third of the requests of all three each time.
    for (const [r, route] of routes.entries()) {
      const byWho = PRINCIPALS.map((who) => sweepRequests(route, who, world));
      const count = byWho[0]?.length ?? 0;
      for (let i = 0; i < count; i++) {
        const request = byWho[(r + i) % PRINCIPALS.length]?.[i];
        if (request) await send(request);
      }
    }
  });

  it('answers random malformed requests at every route without a 5xx or a balance change', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzRequests(routes, PRINCIPALS, world), async (request) => {
        await send(request);
      }),
      { numRuns: RANDOM_REQUESTS, endOnFailure: true },
    );
  }, 60_000 + RANDOM_REQUESTS * 20);

  it('answers random malformed frames at a LIVE room, each with one ack or error, never "internal"', async () => {
    const liveId = await liveOnAirOf(node, principals.creator, 'Fuzz LIVE');
    const url = `${wsBase}/v1/lives/${encodeURIComponent(liveId)}/ws`;
    const sockets = new Map<string, RawRoomSocket>();
    const socketOf = async (who: string): Promise<RawRoomSocket> => {
      const open = sockets.get(who);
      if (open?.open === true) return open;
      const cookie: Record<string, string> = who === 'anonymous' ? {} : { cookie: cookieOf(principals[who as Who]) };
      const socket = await RawRoomSocket.open(url, cookie);
      await socket.until(() => socket.events.find((e) => e.type === 'snapshot'), `the snapshot of ${who}`);
      sockets.set(who, socket);
      return socket;
    };
    try {
      await fc.assert(
        fc.asyncProperty(fuzzFrames([...PRINCIPALS, 'anonymous'], [bystanders.rich.userId, bystanders.subject.userId, 'no-such-user'], MESSAGE_MAX_BYTES), async (frame: FuzzFrame) => {
          node.clock.advance(1_000);
          const socket = await socketOf(frame.who);
          const before = socket.answers().length;
          socket.send(frame.data, frame.binary);
          stats.frames += 1;
          // Every frame under ws's cut gets exactly one answer: an ack, a gift.ack or an error event.
          await socket.until(() => (socket.answers().length > before ? true : undefined), `the answer to ${frame.describe()}`);
          const answer = socket.answers().at(-1);
          const data = answer?.data as { error?: { code?: string } } | { code?: string } | undefined;
          const code = data && 'error' in data ? data.error?.code : data && 'code' in data ? data.code : undefined;
          if (code === 'internal') throw new Error(`an internal error:\n${frame.describe()}\n→ ${JSON.stringify(answer)}`);
          if (socket.violations.length > 0) throw new Error(`a frame off the protocol:\n${frame.describe()}\n→ ${socket.violations.join('\n')}`);
          if (!socket.open) throw new Error(`the socket was closed (${JSON.stringify(socket.closed)}) by:\n${frame.describe()}`);
          const changes = balanceChanges(baseline, await ledgerBalances(node));
          if (changes.length > 0) throw new Error(`balances changed:\n  ${changes.join('\n  ')}\n${frame.describe()}`);
        }),
        { numRuns: RANDOM_FRAMES, endOnFailure: true },
      );

      // Past ws's own limit (4 × the message limit) the frame is not read: ws closes with 1009.
      const viewer = await socketOf('viewer');
      viewer.send(`{"type":"chat.send","data":{"id":"x","text":"${'y'.repeat(MESSAGE_MAX_BYTES * 4)}"}}`);
      stats.frames += 1;
      const closed = await viewer.until(() => viewer.closed ?? undefined, 'the close of an oversize frame').catch(() => viewer.closed);
      expect(closed?.code, 'close code after a frame over 64 KB').toBe(1009);
      // …and the room still takes the next socket.
      const again = await socketOf('viewer');
      expect(again.open).toBe(true);
    } finally {
      await Promise.all([...sockets.values()].map((s) => s.close()));
    }
  }, 60_000 + RANDOM_FRAMES * 50);

  it('answers every error in the API shape {error: {code, message}}', () => {
    const found = [...shapeViolations].map(([kind, { example, routes }]) => `${kind}, at ${routes.size} routes (${[...routes].slice(0, 4).join(', ')}…); for example:\n${example}`);
    expect(found, 'error answers off the {error: {code, message}} shape').toEqual([]);
  });

  it('is healthy afterwards, with every balance as it was and a ledger that reconciles', async () => {
    const health = await node.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode, health.body).toBe(200);
    expect(balanceChanges(baseline, await ledgerBalances(node))).toEqual([]);
    const report = await node.storage.ledger.reconcile();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
