// A valid request for every route, built from the ids of a test's fixtures: bodies, path params and
// query strings that pass the route's schema, so the answer shows the route's authorization decision
// (validation runs before a handler, and a 400 would hide it). The authorization matrix sends them
// as they are; the fuzz test starts from them and breaks them.
import { randomUUID } from 'node:crypto';
import { THANKS_PHRASES } from '../../../src/domain/thanks.js';
import { SIGNATURE_HEADER, sign } from '../../../src/payments/webhook-signature.js';

/** The fixtures a request may name. */
export interface RequestIds {
  /** A LIVE on air of the creator (the owner). */
  readonly liveOnAir: string;
  /** An ended LIVE of the creator, with a gifter. */
  readonly liveEnded: string;
  readonly creatorHandle: string;
  /** A purchase of the creator, open at the sandbox checkout, and that checkout's ref. */
  readonly purchase: string;
  readonly checkoutRef: string;
  /** A payout account of the creator. */
  readonly payoutAccount: string;
  /** An API token of the creator. */
  readonly apiToken: string;
  /** A gift admins may edit. */
  readonly editableGift: string;
  /** A user admins may change and moderators may act on (an ordinary user, not a principal). */
  readonly subjectUser: string;
  /** An open report (about the subject user). */
  readonly report: string;
  /** An open appeal (made per cell where used: deciding it closes it). */
  readonly appeal?: string;
  /** An ordinary user to ban, and a banned one to unban. */
  readonly banTarget: string;
  readonly bannedUser: string;
  /** Someone who can log in. */
  readonly login: { readonly login: string; readonly password: string };
  /** The sandbox payment provider's webhook secret, and the node's clock (for its signature). */
  readonly webhookSecret: string;
  nowMs(): number;
}

export interface RouteRequest {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  /** A JSON body (sent as application/json), or text sent as it is with `contentType`. */
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

let counter = 0;
const next = (): string => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** A signed sandbox webhook about a purchase that is not ours: verified, recorded, nothing else. */
function signedWebhook(ids: RequestIds): RouteRequest {
  const rawBody = JSON.stringify({
    id: `evt_authz_${next()}`,
    type: 'checkout.declined',
    created: ids.nowMs(),
    data: { providerRef: `cs_authz_${next()}`, purchaseId: 'not-a-purchase-of-ours', currency: 'USD', amountMinor: 100 },
  });
  return { params: { provider: 'sandbox' }, rawBody, contentType: 'application/json', headers: { [SIGNATURE_HEADER]: sign(ids.webhookSecret, rawBody, Math.floor(ids.nowMs() / 1000)) } };
}

/**
 * A valid request per route key (`METHOD /path`). Each call makes fresh idempotency keys, handles
 * and gift ids, so a request can be sent again and still be new.
 */
export const VALID_REQUESTS: Readonly<Record<string, (ids: RequestIds) => RouteRequest>> = {
  'GET /healthz': () => ({}),
  'GET /metrics': () => ({}),
  'GET /openapi.json': () => ({}),

  'POST /v1/auth/signup': () => {
    const handle = `authz_${next()}`.slice(0, 24);
    return { body: { email: `${handle}@example.test`, password: 'correct horse battery', handle, displayName: 'Signed Up', birthDate: '1991-02-03' } };
  },
  'POST /v1/auth/login': (ids) => ({ body: { login: ids.login.login, password: ids.login.password } }),
  'POST /v1/auth/logout': () => ({ body: { everywhere: true } }),
  'GET /v1/me': () => ({}),
  'PUT /v1/me/gifts': () => ({ body: { enabled: true } }),
  'GET /v1/me/tokens': () => ({}),
  'POST /v1/me/tokens': () => ({ body: { name: 'made by a test', scopes: ['read'] } }),
  'DELETE /v1/me/tokens/:id': (ids) => ({ params: { id: ids.apiToken } }),

  'GET /v1/catalog': () => ({}),
  'GET /v1/catalog/:id': () => ({ params: { id: 'rose' } }),
  'POST /v1/admin/catalog': () => ({ body: { id: `authz-${next()}`.slice(0, 40), name: 'Authz gift', coins: 3, art: 'corgi.svg', animation: 'sticker', comboable: true } }),
  'PATCH /v1/admin/catalog/:id': (ids) => ({ params: { id: ids.editableGift }, body: { sortOrder: 500 } }),
  'POST /v1/gifts': (ids) => ({ body: { id: randomUUID(), liveId: ids.liveOnAir, giftId: 'rose', count: 1 } }),

  'POST /v1/lives': () => ({ body: { title: 'A LIVE from the authorization test' } }),
  'GET /v1/lives': () => ({ query: { limit: '5' } }),
  'GET /v1/lives/:id': (ids) => ({ params: { id: ids.liveOnAir } }),
  'GET /v1/lives/:id/summary': (ids) => ({ params: { id: ids.liveEnded } }),
  'POST /v1/lives/:id/end': (ids) => ({ params: { id: ids.liveOnAir }, body: { reason: 'authorization test' } }),
  'POST /v1/lives/:id/join': (ids) => ({ params: { id: ids.liveOnAir }, body: { viewerKey: randomUUID() } }),
  'POST /v1/lives/:id/leave': (ids) => ({ params: { id: ids.liveOnAir }, body: { viewerKey: randomUUID() } }),
  'POST /v1/lives/:id/heartbeat': (ids) => ({ params: { id: ids.liveOnAir }, body: { viewerKey: randomUUID() } }),
  'POST /v1/lives/:id/thanks': (ids) => ({ params: { id: ids.liveEnded }, body: { phrase: THANKS_PHRASES[0] } }),
  'GET /v1/lives/:id/thanks': (ids) => ({ params: { id: ids.liveEnded }, query: { limit: '10' } }),
  'GET /v1/lives/:id/thanks/me': (ids) => ({ params: { id: ids.liveEnded } }),
  'GET /v1/me/creators': () => ({ query: { limit: '5' } }),
  'GET /v1/creators/:handle/lives': (ids) => ({ params: { handle: ids.creatorHandle } }),

  'GET /v1/coins/prices': () => ({ query: { currency: 'USD' } }),
  'POST /v1/purchases': () => ({ body: { id: randomUUID(), coins: 100, currency: 'USD' } }),
  'GET /v1/purchases': () => ({ query: { limit: '5' } }),
  'GET /v1/purchases/:id': (ids) => ({ params: { id: ids.purchase } }),
  'GET /v1/purchases/:id/return': (ids) => ({ params: { id: ids.purchase } }),
  'POST /v1/webhooks/:provider': signedWebhook,
  'GET /v1/me/wallet': () => ({}),
  'GET /v1/me/wallet/history': () => ({ query: { limit: '5' } }),
  'GET /sandbox/checkout/:ref': (ids) => ({ params: { ref: ids.checkoutRef } }),
  // What the checkout page's Decline button posts (a form with no fields).
  'POST /sandbox/checkout/:ref/:action': (ids) => ({ params: { ref: ids.checkoutRef, action: 'decline' }, rawBody: '', contentType: 'application/x-www-form-urlencoded' }),

  'GET /v1/me/diamonds': () => ({}),
  'GET /v1/me/payout-accounts': () => ({}),
  'POST /v1/me/payout-accounts': () => ({ body: { kind: 'bank', holderName: 'Authz Holder', accountNumber: 'GB82WEST12345698765432' } }),
  'POST /v1/me/payout-accounts/:id/onboarding-link': (ids) => ({ params: { id: ids.payoutAccount } }),
  'GET /v1/me/payout-accounts/:id/onboarding': (ids) => ({ params: { id: ids.payoutAccount } }),
  'DELETE /v1/me/payout-accounts/:id': (ids) => ({ params: { id: ids.payoutAccount } }),
  'POST /v1/payouts': (ids) => ({ body: { id: randomUUID(), payoutAccountId: ids.payoutAccount, diamonds: 2_000 } }),
  'GET /v1/payouts': () => ({ query: { limit: '5' } }),

  'GET /v1/admin/audit': () => ({ query: { limit: '5' } }),
  'POST /v1/admin/reconcile': () => ({}),
  'POST /v1/admin/reconcile/provider': () => ({}),
  'GET /v1/admin/users': () => ({ query: { limit: '5' } }),
  'PATCH /v1/admin/users/:id': (ids) => ({ params: { id: ids.subjectUser }, body: { role: 'user' } }),
  'GET /v1/admin/payouts': () => ({ query: { limit: '5' } }),
  'GET /v1/admin/catalog': () => ({}),

  'POST /v1/sessions/revoke-all': () => ({}),
  'GET /v1/moderation/reasons': () => ({}),
  'POST /v1/reports': (ids) => ({ body: { target: { kind: 'user', userId: ids.subjectUser }, reason: 'spam', note: 'authorization test' } }),
  'GET /v1/me/strikes': () => ({ query: { limit: '5' } }),
  'GET /v1/mod/reports': () => ({ query: { status: 'open', limit: '5' } }),
  'POST /v1/mod/reports/:id/resolve': (ids) => ({ params: { id: ids.report }, body: { action: 'dismiss', note: 'authorization test' } }),
  'GET /v1/mod/users/:id/strikes': (ids) => ({ params: { id: ids.subjectUser }, query: { limit: '5' } }),
  'POST /v1/mod/users/:id/suspend-live': (ids) => ({ params: { id: ids.subjectUser }, body: { durationHours: 24, reason: 'spam', note: 'authorization test' } }),
  'POST /v1/mod/users/:id/lift-suspension': (ids) => ({ params: { id: ids.subjectUser }, body: { note: 'authorization test' } }),
  'POST /v1/admin/users/:id/ban': (ids) => ({ params: { id: ids.banTarget }, body: { reason: 'card fraud (authorization test)' } }),
  'POST /v1/admin/users/:id/unban': (ids) => ({ params: { id: ids.bannedUser }, body: { note: 'authorization test' } }),
  'GET /v1/me/standing': () => ({}),
  'POST /v1/me/appeals': () => ({ body: { text: 'authorization test' } }),
  'GET /v1/mod/appeals': () => ({ query: { status: 'open', limit: '5' } }),
  'GET /v1/me/stream': () => ({}),
  'POST /v1/me/stream/key': () => ({}),
  'GET /v1/lives/:id/video/:name': (ids) => ({ params: { id: ids.liveOnAir, name: 'index.m3u8' } }),
  'GET /v1/lives/:id/video/:name/:file': (ids) => ({ params: { id: ids.liveOnAir, name: 'v0', file: 'index.m3u8' } }),
  'POST /v1/mod/appeals/:id/decide': (ids) => ({ params: { id: ids.appeal ?? 'none' }, body: { decision: 'deny', note: 'authorization test' } }),
};

/** The inject options of a request: the path filled in, the query appended, the body encoded. */
export function injectOptionsOf(
  route: { readonly method: string; readonly path: string },
  request: RouteRequest,
  fill: (path: string, params: Readonly<Record<string, string>>) => string,
  credentials: Readonly<Record<string, string>>,
): { method: string; url: string; headers: Record<string, string>; payload?: string } {
  const query = request.query ? new URLSearchParams(request.query).toString() : '';
  const url = `${fill(route.path, request.params ?? {})}${query === '' ? '' : `?${query}`}`;
  const headers: Record<string, string> = { ...credentials, ...(request.headers ?? {}) };
  if (request.rawBody !== undefined) {
    headers['content-type'] = request.contentType ?? 'application/json';
    return { method: route.method, url, headers, payload: request.rawBody };
  }
  if (request.body !== undefined) {
    headers['content-type'] = 'application/json';
    return { method: route.method, url, headers, payload: JSON.stringify(request.body) };
  }
  return { method: route.method, url, headers };
}
