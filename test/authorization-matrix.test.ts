// Proves who may do what: every route the running node serves and every room-socket action, sent as
// each of ten principals with an otherwise valid request, is allowed or refused exactly as the rule
// table below says; a route without a rule (or a rule without a route) fails, so a new route must
// get one.
//
// Outcomes: denied = 401 or 403 (the error code is printed); hidden = 404 `not_found` for someone
// else's resource (the API answers a non-owner as if it did not exist, which is also a refusal);
// allowed = any other answer below 500 (a 409 or 422 from a business rule means the request passed
// authorization). A 5xx is always a failure.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOfCode } from '../src/http/errors.js';
import { THANKS_PHRASES } from '../src/domain/thanks.js';
import { ClientMessage } from '../src/protocol/room.js';
import { DIALECTS } from './support/databases.js';
import { openTestNode, type TestNode } from './support/livegift.js';
import { giveAvailableDiamonds } from './support/payouts.js';
import { RawRoomSocket, type Answer } from './support/authz/raw-socket.js';
import { injectOptionsOf, VALID_REQUESTS, type RequestIds } from './support/authz/requests.js';
import { fillPath, servedRoutes, staticRouteReason, type ServedRoute } from './support/authz/routes.js';
import {
  addBankAccount,
  cookieOf,
  endedLiveOf,
  fundCoins,
  liveOnAirOf,
  makeToken,
  makeUser,
  openPurchase,
  openAppeal,
  openReport,
  principalOf,
  refreshSession,
  removeBankAccount,
  sessionAlive,
  suspendFromLive,
  userToBan,
  type WorldUser,
} from './support/authz/world.js';

const PRINCIPALS = ['anonymous', 'minor', 'viewer', 'creator', 'otherCreator', 'suspended', 'moderator', 'admin', 'overlay', 'readToken'] as const;
type Who = (typeof PRINCIPALS)[number];
const SHORT: Readonly<Record<Who, string>> = {
  anonymous: 'anon',
  minor: 'u18',
  viewer: 'view',
  creator: 'crea',
  otherCreator: 'othr',
  suspended: 'susp',
  moderator: 'mod',
  admin: 'adm',
  overlay: 'ovly',
  readToken: 'rtok',
};

/** Who is allowed; who gets a 404 for the owner's resource; everyone else is denied (401/403). */
interface Rule {
  readonly allow: readonly Who[];
  readonly hidden?: readonly Who[];
}

// Principals, in groups. The two tokens belong to the creator (the owner of every fixture), so a
// refusal of a token is its scope speaking, not ownership.
const EVERYONE: readonly Who[] = PRINCIPALS;
/** Signed in with a session (sessions carry every scope their user has). */
const SESSIONS: readonly Who[] = ['minor', 'viewer', 'creator', 'otherCreator', 'suspended', 'moderator', 'admin'];
const ADULTS: readonly Who[] = ['viewer', 'creator', 'otherCreator', 'suspended', 'moderator', 'admin'];
/** Sessions and the `read` token: what a `read`-scoped route admits. */
const READERS: readonly Who[] = [...SESSIONS, 'readToken'];
const without = (group: readonly Who[], ...out: Who[]): Who[] => group.filter((w) => !out.includes(w));

const STAFF: readonly Who[] = ['moderator', 'admin'];

const PUBLIC: Rule = { allow: EVERYONE };
const ADMIN_ONLY: Rule = { allow: ['admin'] };
/** Only the owner (the creator, or their token with the scope); other signed-in users get 404. */
const ownerOnly = (tokens: readonly Who[], hidden: readonly Who[]): Rule => ({ allow: ['creator', ...tokens], hidden });

/** The rule of every route the node serves (static content aside, see staticRouteReason). */
const RULES: Readonly<Record<string, Rule>> = {
  'GET /healthz': PUBLIC,
  'GET /metrics': PUBLIC,
  'GET /openapi.json': PUBLIC,

  'POST /v1/auth/signup': PUBLIC,
  'POST /v1/auth/login': PUBLIC,
  // `everywhere: true` ends every session of the user: a narrow token (the overlay's is pasted into
  // OBS and shown on stream) must not be able to sign its owner out of every device.
  'POST /v1/auth/logout': { allow: SESSIONS },
  'GET /v1/me': { allow: READERS },
  // Turning LIVE Gifts on needs lives:write, 18+ and no LIVE suspension.
  'PUT /v1/me/gifts': { allow: without(ADULTS, 'suspended') },
  'GET /v1/me/tokens': { allow: READERS },
  // Tokens are made by a signed-in person: a leaked token must not mint others that outlive it.
  'POST /v1/me/tokens': { allow: SESSIONS },
  // The creator's token: other users get 404. A narrow token (overlay, read) must not revoke its
  // owner's other credentials.
  'DELETE /v1/me/tokens/:id': ownerOnly([], without(SESSIONS, 'creator')),

  'GET /v1/catalog': PUBLIC,
  'GET /v1/catalog/:id': PUBLIC,
  'POST /v1/admin/catalog': ADMIN_ONLY,
  'PATCH /v1/admin/catalog/:id': ADMIN_ONLY,
  // gifts:send, 18+. The creator passes authorization and is refused by the rule (422 cannot_gift_self).
  'POST /v1/gifts': { allow: ADULTS },

  'POST /v1/lives': { allow: without(ADULTS, 'suspended') },
  'GET /v1/lives': PUBLIC,
  'GET /v1/lives/:id': PUBLIC,
  'GET /v1/lives/:id/summary': PUBLIC,
  // The creator, or a moderator/admin with a reason.
  'POST /v1/lives/:id/end': { allow: ['creator', 'moderator', 'admin'] },
  'POST /v1/lives/:id/join': PUBLIC,
  'POST /v1/lives/:id/leave': PUBLIC,
  'POST /v1/lives/:id/heartbeat': PUBLIC,
  'POST /v1/lives/:id/thanks': { allow: ['creator'] },
  'GET /v1/lives/:id/thanks': { allow: ['creator', 'readToken'] },
  'GET /v1/lives/:id/thanks/me': { allow: READERS },
  'GET /v1/me/creators': { allow: READERS },
  'GET /v1/creators/:handle/lives': PUBLIC,

  'GET /v1/coins/prices': PUBLIC,
  'POST /v1/purchases': { allow: ADULTS },
  'GET /v1/purchases': { allow: READERS },
  'GET /v1/purchases/:id': ownerOnly(['readToken'], without(SESSIONS, 'creator')),
  // The page the provider sends the buyer's browser back to: no credentials by design (the
  // purchase id is the capability, and the page only asks the provider).
  'GET /v1/purchases/:id/return': PUBLIC,
  // The provider's signed webhook: the signature is the credential, not a principal.
  'POST /v1/webhooks/:provider': PUBLIC,
  'GET /v1/me/wallet': { allow: READERS },
  'GET /v1/me/wallet/history': { allow: READERS },
  // The sandbox's hosted checkout page, standing in for a provider's page (no Stripe configured).
  'GET /sandbox/checkout/:ref': PUBLIC,
  'POST /sandbox/checkout/:ref/:action': PUBLIC,

  'GET /v1/me/diamonds': { allow: READERS },
  // Payout routes are 18+ (age_restricted before anything else) and need payouts:write to change.
  'GET /v1/me/payout-accounts': { allow: [...ADULTS, 'readToken'] },
  'POST /v1/me/payout-accounts': { allow: ADULTS },
  'POST /v1/me/payout-accounts/:id/onboarding-link': ownerOnly([], without(ADULTS, 'creator')),
  'GET /v1/me/payout-accounts/:id/onboarding': ownerOnly([], without(ADULTS, 'creator')),
  // Removing is allowed to the owner whatever their age, so a minor gets the owner's 404 too.
  'DELETE /v1/me/payout-accounts/:id': ownerOnly([], without(SESSIONS, 'creator')),
  'POST /v1/payouts': ownerOnly([], without(ADULTS, 'creator')),
  'GET /v1/payouts': { allow: [...ADULTS, 'readToken'] },

  'GET /v1/admin/audit': ADMIN_ONLY,
  'POST /v1/admin/reconcile': ADMIN_ONLY,
  'POST /v1/admin/reconcile/provider': ADMIN_ONLY,
  'GET /v1/admin/users': ADMIN_ONLY,
  'PATCH /v1/admin/users/:id': ADMIN_ONLY,
  'GET /v1/admin/payouts': ADMIN_ONLY,
  'GET /v1/admin/catalog': ADMIN_ONLY,

  // Log out everywhere: a session only (an API token cannot sign its owner out of every browser).
  'POST /v1/sessions/revoke-all': { allow: SESSIONS },
  'GET /v1/moderation/reasons': PUBLIC,
  // Any signed-in user reports (tokens need read); the body reports a user none of them is.
  'POST /v1/reports': { allow: READERS },
  'GET /v1/me/strikes': { allow: READERS },
  // Moderators and admins, by session (a token would need the admin scope, which only admins get).
  'GET /v1/mod/reports': { allow: STAFF },
  'POST /v1/mod/reports/:id/resolve': { allow: STAFF },
  'GET /v1/mod/users/:id/strikes': { allow: STAFF },
  'POST /v1/mod/users/:id/suspend-live': { allow: STAFF },
  'POST /v1/mod/users/:id/lift-suspension': { allow: STAFF },
  'POST /v1/admin/users/:id/ban': ADMIN_ONLY,
  'POST /v1/admin/users/:id/unban': ADMIN_ONLY,
  'GET /v1/me/standing': { allow: READERS },
  // Appealing needs lives:write (a session): a read or overlay token cannot. Anyone not suspended
  // passes authorization and is answered 409 not_suspended.
  'POST /v1/me/appeals': { allow: SESSIONS },
  'GET /v1/mod/appeals': { allow: STAFF },
  'POST /v1/mod/appeals/:id/decide': { allow: STAFF },
  // The stream key is a credential for going LIVE: adults' sessions (or a lives:write token).
  'GET /v1/me/stream': { allow: ADULTS },
  'POST /v1/me/stream/key': { allow: ADULTS },
  // A LIVE's picture is as public as the LIVE (404 no_video here: the world streams nothing).
  'GET /v1/lives/:id/video/:name': PUBLIC,
  'GET /v1/lives/:id/video/:name/:file': PUBLIC,
};

const SOCKET_ACTIONS = ['connect', 'gift.send', 'chat.send', 'like.send', 'thanks.send'] as const;
type SocketAction = (typeof SOCKET_ACTIONS)[number];

/** The room socket of the creator's LIVE on air. */
const SOCKET_RULES: Readonly<Record<SocketAction, Rule>> = {
  // Anyone may watch; an overlay token watches gifts only.
  connect: PUBLIC,
  // The same use case and scope as POST /v1/gifts (the creator is refused by cannot_gift_self).
  'gift.send': { allow: ADULTS },
  // Signed-in users; tokens need the read scope.
  'chat.send': { allow: READERS },
  'like.send': { allow: without(EVERYONE, 'overlay') },
  // The LIVE's creator only. It stores the same thank-you as POST /v1/lives/:id/thanks, which needs
  // lives:write, so a `read` token must not send one either.
  'thanks.send': { allow: ['creator'] },
};

type Outcome = 'allow' | 'deny' | 'hidden' | 'limited' | 'error';
interface Observed {
  readonly outcome: Outcome;
  readonly status: number;
  readonly code: string;
}

function expected(rule: Rule, who: Who): Outcome {
  if (rule.allow.includes(who)) return 'allow';
  if (rule.hidden?.includes(who) === true) return 'hidden';
  return 'deny';
}

function classify(status: number, code: string): Outcome {
  if (status >= 500) return 'error';
  // A rate limit answers before the route decides: the cell would show nothing about authorization.
  if (status === 429) return 'limited';
  if (status === 401 || status === 403) return 'deny';
  if (status === 404 && code === 'not_found') return 'hidden';
  return 'allow';
}

const MARK: Readonly<Record<Outcome, string>> = { allow: '✓', deny: '✗', hidden: '∅', limited: '⧗', error: '‼' };

/** The matrix as text: one row per route, a mark per principal, `!` where it differs from the rule. */
function table(title: string, rows: readonly { key: string; rule: Rule; cells: ReadonlyMap<Who, Observed> }[]): string {
  const width = Math.max(...rows.map((r) => r.key.length), title.length);
  const head = `${title.padEnd(width)} │ ${PRINCIPALS.map((p) => SHORT[p].padEnd(4)).join(' ')}`;
  const lines = [head, '─'.repeat(head.length)];
  for (const row of rows) {
    const marks = PRINCIPALS.map((p) => {
      const seen = row.cells.get(p);
      if (!seen) return '?   ';
      return `${MARK[seen.outcome]}${seen.outcome === expected(row.rule, p) ? ' ' : '!'}`.padEnd(4);
    });
    const codes = new Map<string, number>();
    for (const seen of row.cells.values()) {
      if (seen.status < 400) continue;
      const label = `${seen.status} ${seen.code}`;
      codes.set(label, (codes.get(label) ?? 0) + 1);
    }
    const refusals = [...codes].map(([label, n]) => `${label}×${n}`).join(', ');
    lines.push(`${row.key.padEnd(width)} │ ${marks.join(' ')}${refusals === '' ? '' : ` │ ${refusals}`}`);
  }
  lines.push(`✓ allowed  ✗ denied (401/403)  ∅ hidden (404 for the owner's resource)  ⧗ rate limited (429)  ‼ 5xx  ! differs from the rule`);
  return lines.join('\n');
}

const dialect = DIALECTS[0];
if (!dialect) throw new Error('no SQLite dialect');

describe('authorization matrix: every route and room action × every principal', () => {
  let node: TestNode;
  let wsBase: string;
  let routes: ServedRoute[];
  const users = {} as Record<'minor' | 'viewer' | 'creator' | 'otherCreator' | 'suspended' | 'moderator' | 'admin' | 'subject' | 'loginTarget', WorldUser>;
  const tokens = {} as Record<'overlay' | 'readToken', { id: string; secret: string }>;
  const fixtures = {} as { liveEnded: string; purchase: string; checkoutRef: string; payoutAccount: string; apiToken: string; editableGift: string; report: string };
  const sockets: RawRoomSocket[] = [];

  function credentials(who: Who): Record<string, string> {
    switch (who) {
      case 'anonymous':
        return {};
      case 'overlay':
      case 'readToken':
        return { authorization: `Bearer ${tokens[who].secret}` };
      case 'minor':
      case 'viewer':
      case 'creator':
      case 'otherCreator':
      case 'suspended':
      case 'moderator':
      case 'admin':
        return { cookie: cookieOf(users[who]) };
    }
  }

  async function ids(): Promise<RequestIds> {
    return {
      liveOnAir: await liveOnAirOf(node, users.creator),
      liveEnded: fixtures.liveEnded,
      creatorHandle: users.creator.handle,
      purchase: fixtures.purchase,
      checkoutRef: fixtures.checkoutRef,
      payoutAccount: fixtures.payoutAccount,
      apiToken: fixtures.apiToken,
      editableGift: fixtures.editableGift,
      subjectUser: users.subject.userId,
      report: fixtures.report,
      // Made per cell where used (PREPARE): a ban or unban is about a user of its own.
      banTarget: users.subject.userId,
      bannedUser: users.subject.userId,
      login: { login: users.loginTarget.email, password: 'correct horse battery' },
      webhookSecret: node.config.sandboxWebhookSecret ?? '',
      nowMs: () => node.clock.nowMs(),
    };
  }

  /**
   * What one cell needs besides the shared fixtures: a resource of its own when the request uses
   * one up (a token or payout account to remove, a checkout to decline), and what to undo after.
   */
  const PREPARE: Readonly<Record<string, (base: RequestIds) => Promise<{ ids: RequestIds; after?: (body: unknown) => Promise<void> }>>> = {
    'DELETE /v1/me/tokens/:id': async (base) => ({ ids: { ...base, apiToken: (await makeToken(node, users.creator, ['read'], 'to be revoked')).id } }),
    'DELETE /v1/me/payout-accounts/:id': async (base) => {
      const account = await addBankAccount(node, users.creator.userId);
      return { ids: { ...base, payoutAccount: account }, after: () => removeBankAccount(node, users.creator.userId, account) };
    },
    'POST /sandbox/checkout/:ref/:action': async (base) => ({ ids: { ...base, checkoutRef: (await openPurchase(node, users.creator.userId)).ref } }),
    'POST /v1/mod/reports/:id/resolve': async (base) => ({ ids: { ...base, report: await openReport(node, users.viewer, users.subject.userId) } }),
    'POST /v1/admin/users/:id/ban': async (base) => ({ ids: { ...base, banTarget: await userToBan(node, users.admin, false) } }),
    'POST /v1/mod/appeals/:id/decide': async (base) => ({ ids: { ...base, appeal: await openAppeal(node, users.admin) } }),
    'POST /v1/admin/users/:id/unban': async (base) => ({ ids: { ...base, bannedUser: await userToBan(node, users.admin, true) } }),
    // Keeps every adult under the payout-account limit: what a cell adds, it removes.
    'POST /v1/me/payout-accounts': (base) =>
      Promise.resolve({
        ids: base,
        after: async (body) => {
          const id = (body as { id?: unknown }).id;
          if (typeof id !== 'string') return;
          const owner = await node.storage.db.selectFrom('payout_accounts').select('user_id').where('id', '=', id).executeTakeFirst();
          if (owner) await removeBankAccount(node, owner.user_id, id);
        },
      }),
  };

  /** After a cell that may have ended sessions (log out everywhere), sign everyone in again. */
  async function reviveSessions(): Promise<void> {
    for (const user of Object.values(users)) if (!(await sessionAlive(node, user))) await refreshSession(node, user);
  }

  beforeAll(async () => {
    node = await openTestNode(dialect, {
      DIAMOND_HOLD_HOURS: '0',
      SANDBOX_WEBHOOK_SECRET: 'authz-matrix-webhook-secret',
      SPEND_DAILY_MAX_CENTS: '100000000',
      SPEND_WEEKLY_MAX_CENTS: '100000000',
    });
    wsBase = (await node.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
    routes = servedRoutes(node.app);

    users.minor = await makeUser(node, 'minor', { birthDate: '2012-03-04' });
    users.viewer = await makeUser(node, 'viewer');
    users.creator = await makeUser(node, 'creator');
    users.otherCreator = await makeUser(node, 'other_creator');
    users.suspended = await makeUser(node, 'suspended');
    users.moderator = await makeUser(node, 'moderator', { role: 'moderator' });
    users.admin = await makeUser(node, 'admin', { role: 'admin' });
    users.subject = await makeUser(node, 'subject');
    users.loginTarget = await makeUser(node, 'login_target');
    for (const who of ['minor', 'viewer', 'creator', 'otherCreator', 'suspended', 'moderator', 'admin'] as const) await fundCoins(node, users[who].userId, 100_000n);
    await node.services.setGiftsEnabled({ userId: users.creator.userId, enabled: true });
    await node.services.setGiftsEnabled({ userId: users.otherCreator.userId, enabled: true });
    // Suspended only now: a suspended creator could not have turned LIVE Gifts on.
    await node.services.setGiftsEnabled({ userId: users.suspended.userId, enabled: true });
    await suspendFromLive(node, users.suspended.userId);

    // The overlay token exactly as the studio makes it (web/src/components/studio-overlay-link.tsx),
    // and a narrow API token; both the creator's.
    tokens.overlay = await makeToken(node, users.creator, ['overlay'], 'OBS overlay');
    tokens.readToken = await makeToken(node, users.creator, ['read'], 'read only');
    fixtures.apiToken = (await makeToken(node, users.creator, ['read'], 'another')).id;

    fixtures.liveEnded = await endedLiveOf(node, users.creator, users.viewer);
    await liveOnAirOf(node, users.creator);
    const purchase = await openPurchase(node, users.creator.userId);
    fixtures.purchase = purchase.id;
    fixtures.checkoutRef = purchase.ref;
    fixtures.payoutAccount = await addBankAccount(node, users.creator.userId);
    await giveAvailableDiamonds(node, users.creator.userId, 40_000n);
    await node.services.requestPayout({ userId: users.creator.userId, id: randomUUID(), payoutAccountId: fixtures.payoutAccount, diamonds: 2_000n });
    fixtures.editableGift = 'authz-editable';
    await node.services.createGift({
      actor: await principalOf(node, users.admin),
      id: fixtures.editableGift,
      name: 'Editable',
      coins: 5n,
      art: 'corgi.svg',
      scene: null,
      animation: 'sticker',
      comboable: true,
      sortOrder: 1000,
      availableFromMs: null,
      availableUntilMs: null,
    });
    fixtures.report = await openReport(node, users.viewer, users.subject.userId);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await node.drop();
  });

  it('has a rule for every route the node serves and every room message, and a route for every rule', () => {
    const served = routes.filter((r) => staticRouteReason(r) === null).map((r) => r.key);
    console.log(`routes served: ${routes.length} (${routes.length - served.length} static, left out: ${routes.filter((r) => staticRouteReason(r) !== null).map((r) => r.key).join(', ')})`);
    expect(served.filter((key) => !(key in RULES)), 'routes without a rule (add one to RULES)').toEqual([]);
    expect(served.filter((key) => !(key in VALID_REQUESTS)), 'routes without a valid request (add one to VALID_REQUESTS)').toEqual([]);
    expect(Object.keys(RULES).filter((key) => !served.includes(key)), 'rules without a route').toEqual([]);
    // The same for the messages a room socket accepts (src/protocol/room.ts ClientMessage).
    const accepted = ClientMessage.options.map((o) => o.shape.type.value).sort();
    expect(SOCKET_ACTIONS.filter((a) => a !== 'connect').sort(), 'room messages and SOCKET_RULES').toEqual(accepted);
  });

  it('answers every route × principal as the rules say', async () => {
    const rows: { key: string; rule: Rule; cells: Map<Who, Observed> }[] = [];
    let cellNo = 0;
    for (const route of routes) {
      const rule = RULES[route.key];
      const build = VALID_REQUESTS[route.key];
      if (staticRouteReason(route) !== null || !rule || !build) continue;
      const cells = new Map<Who, Observed>();
      for (const who of PRINCIPALS) {
        const base = await ids();
        const prepared = (await PREPARE[route.key]?.(base)) ?? { ids: base };
        const options = injectOptionsOf(route, build(prepared.ids), fillPath, credentials(who));
        // Each cell comes from its own address, so the per-address rate limits (sign-up, log-in,
        // purchases) count one request per cell and never answer in the route's place.
        const res = await node.app.inject({
          method: options.method as 'GET',
          url: options.url,
          headers: options.headers,
          remoteAddress: `10.1.${Math.floor(cellNo / 250)}.${(cellNo % 250) + 1}`,
          ...(options.payload === undefined ? {} : { payload: options.payload }),
        });
        cellNo += 1;
        let body: unknown = null;
        try {
          body = JSON.parse(res.body);
        } catch {
          body = null;
        }
        const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
        const seen: Observed = { outcome: classify(res.statusCode, typeof code === 'string' ? code : ''), status: res.statusCode, code: typeof code === 'string' ? code : '' };
        cells.set(who, seen);
        await prepared.after?.(body);
        await reviveSessions();
        expect
          .soft(seen.outcome, `${route.key} as ${who}: ${options.method} ${options.url.slice(0, 200)} ${options.payload?.slice(0, 200) ?? ''} → ${res.statusCode} ${res.body.slice(0, 300)}`)
          .toBe(expected(rule, who));
      }
      rows.push({ key: route.key, rule, cells });
    }
    console.log(`\n${table('HTTP route', rows)}\n`);
  });

  it('answers every room-socket action × principal as the rules say', async () => {
    const liveId = await liveOnAirOf(node, users.creator);
    const rows: { key: string; rule: Rule; cells: Map<Who, Observed> }[] = SOCKET_ACTIONS.map((action) => ({ key: action, rule: SOCKET_RULES[action], cells: new Map() }));
    const row = (action: SocketAction) => rows[SOCKET_ACTIONS.indexOf(action)] ?? { cells: new Map<Who, Observed>() };
    const messages: Readonly<Record<Exclude<SocketAction, 'connect'>, (id: string) => unknown>> = {
      'gift.send': (id) => ({ type: 'gift.send', data: { id, giftId: 'rose', count: 1 } }),
      'chat.send': (id) => ({ type: 'chat.send', data: { id, text: 'hello from the authorization test' } }),
      'like.send': (id) => ({ type: 'like.send', data: { id, count: 1 } }),
      'thanks.send': (id) => ({ type: 'thanks.send', data: { id, toUserId: users.viewer.userId, phrase: THANKS_PHRASES[0] } }),
    };
    for (const who of PRINCIPALS) {
      let socket: RawRoomSocket;
      try {
        socket = await RawRoomSocket.open(`${wsBase}/v1/lives/${encodeURIComponent(liveId)}/ws`, credentials(who));
      } catch (error) {
        const status = Number(/(\d{3})/.exec(String(error))?.[1] ?? 0);
        const seen: Observed = { outcome: classify(status, ''), status, code: 'upgrade refused' };
        row('connect').cells.set(who, seen);
        expect.soft(seen.outcome, `connect as ${who}: ${String(error)}`).toBe(expected(SOCKET_RULES.connect, who));
        continue;
      }
      sockets.push(socket);
      row('connect').cells.set(who, { outcome: 'allow', status: 101, code: '' });
      expect.soft('allow', `connect as ${who}`).toBe(expected(SOCKET_RULES.connect, who));
      await socket.until(() => socket.events.find((e) => e.type === 'snapshot'), `the snapshot of ${who}`);
      for (const action of SOCKET_ACTIONS) {
        if (action === 'connect') continue;
        const id = randomUUID();
        socket.send(JSON.stringify(messages[action](id)));
        const answer: Answer = await socket.answerTo(id);
        const code = answer.kind === 'error' ? answer.code : '';
        const status = answer.kind === 'ok' ? 200 : code === 'internal' ? 500 : (statusOfCode(code) ?? 400);
        const seen: Observed = { outcome: classify(status, code), status, code };
        row(action).cells.set(who, seen);
        expect.soft(seen.outcome, `${action} as ${who}: ${JSON.stringify(answer.event.data)}`).toBe(expected(SOCKET_RULES[action], who));
      }
      expect.soft(socket.violations, `frames off the protocol sent to ${who}`).toEqual([]);
    }
    console.log(`\n${table('room socket action', rows)}\n`);
  });
});
