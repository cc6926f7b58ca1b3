// Who is asking: the session cookie or the bearer token becomes `request.principal` before any
// route runs; routes state what they need with requirePrincipal(). The session cookie is also
// what a forged cross-site request would ride on, so checkCrossSite() (run right after
// authentication, src/http/app.ts) refuses unsafe requests a browser sent from another site.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../app/authenticate.js';
import { CsrfRefused, Forbidden, Unauthenticated } from '../domain/errors.js';
import type { Scope } from '../protocol/accounts.js';

export const SESSION_COOKIE = 'lg_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Our public origin (PUBLIC_URL, e.g. `https://gifts.example`): trusted by the cross-site check, and `Secure` cookies when https. */
    readonly publicOrigin: string;
  }
  interface FastifyContextConfig {
    /**
     * The route signs someone in (sets the session cookie), so it gets the cross-site check even
     * when the request carries no session: a forged login would sign the victim in as the attacker.
     */
    signsIn?: boolean;
  }
}

/** Parses a Cookie header; later duplicates do not override the first (as browsers send them). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // a malformed value is ignored, as if absent
    }
  }
  return cookies;
}

export function credentialsOf(request: FastifyRequest): { sessionSecret?: string; bearer?: string } {
  const auth = request.headers.authorization;
  const bearer = auth !== undefined && /^Bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
  const sessionSecret = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
  return { ...(bearer !== undefined ? { bearer } : {}), ...(sessionSecret !== undefined ? { sessionSecret } : {}) };
}

/** The principal of the request, or 401; with a scope, 403 unless the principal holds it. */
export function requirePrincipal(request: FastifyRequest, scope?: Scope): Principal {
  const p = request.principal;
  if (!p) throw new Unauthenticated();
  if (scope !== undefined && !p.scopes.includes(scope)) throw new Forbidden(`This token lacks the "${scope}" scope.`, { scope });
  return p;
}

export function requireRole(request: FastifyRequest, roles: readonly Principal['role'][], scope?: Scope): Principal {
  const p = requirePrincipal(request, scope);
  if (!roles.includes(p.role)) throw new Forbidden('You do not have permission to do this.');
  return p;
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What Sec-Fetch-Site may say for an unsafe request: our own page, or the user themself (address bar, bookmark). */
const OWN_FETCH_SITES: ReadonlySet<string> = new Set(['same-origin', 'none']);

/**
 * Refuses (403 `csrf_refused`) an unsafe request that rides on the session cookie — or signs in —
 * when the browser says it came from another site: OWASP's "verifying origin with standard
 * headers". Browsers send Sec-Fetch-Site and/or Origin on every cross-site POST/PUT/PATCH/DELETE
 * and page scripts cannot forge them, so:
 * - Sec-Fetch-Site, when present, must be `same-origin` or `none` (`same-site` is refused too:
 *   a sibling subdomain is not us);
 * - Origin, when present, must be our public origin or the origin the request was addressed to.
 *   `Origin: null` passes only with `Sec-Fetch-Site: same-origin`: browsers send `null` for a
 *   same-origin form post from a page whose Referrer-Policy is `no-referrer` (the sandbox checkout);
 * - neither header: not a browser (the SDK in Node, curl), which cannot have stolen the cookie's
 *   ride; allowed.
 * Requests by bearer token and anonymous ones carry nothing to forge and pass, as do the
 * providers' webhooks (signed, never cookied).
 */
export function checkCrossSite(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const signsIn = request.routeOptions.config.signsIn === true;
  if (request.principal?.via !== 'session' && !signsIn) return;
  if (request.routeOptions.url?.startsWith('/v1/webhooks/') === true) return;
  const refusal = crossSiteRefusal(request.headers, [request.server.publicOrigin, requestOrigin(request)]);
  if (refusal !== null) throw new CsrfRefused(refusal);
}

/**
 * Why a browser request with these headers did not come from one of `ownOrigins`' pages, or null
 * when it did (or when no browser sent it). The rules of checkCrossSite(); also what a WebSocket
 * upgrade riding on the session cookie should pass (a socket can send gifts).
 */
export function crossSiteRefusal(headers: IncomingHttpHeaders, ownOrigins: readonly (string | undefined)[]): string | null {
  const fetchSite = headerValue(headers['sec-fetch-site']);
  const origin = headerValue(headers.origin);
  if (fetchSite !== undefined && !OWN_FETCH_SITES.has(fetchSite.toLowerCase())) {
    return `This request came from another site (Sec-Fetch-Site: ${fetchSite.slice(0, 32)}); only Livegift's own pages may act with your session.`;
  }
  if (origin === undefined) return null;
  if (origin === 'null' && fetchSite?.toLowerCase() === 'same-origin') return null;
  if (ownOrigins.includes(origin)) return null;
  return `This request came from another origin (${origin.slice(0, 100)}); only Livegift's own pages may act with your session.`;
}

/** What a WebSocket handshake is answered: who opens it, or the HTTP refusal (the room and the studio camera's ingest). */
export type SocketCaller = { readonly ok: true; readonly principal: Principal | null } | { readonly ok: false; readonly status: 401 | 403; readonly text: string };

/**
 * Who opens a WebSocket: a bearer token (the Authorization header, or `token` from the URL where the
 * endpoint allows it, for clients that cannot set headers), or the session cookie. A token that
 * does not authenticate is refused (401); a session socket must come from our own pages (403), like
 * an unsafe HTTP request, since a socket can act (send gifts, stream video).
 */
export async function socketCaller(
  request: IncomingMessage,
  options: { readonly publicOrigin: string; readonly queryToken?: string | null; authenticate(input: { bearer?: string | undefined; sessionSecret?: string | undefined }): Promise<Principal | null> },
): Promise<SocketCaller> {
  const auth = request.headers.authorization;
  const bearer = auth !== undefined && /^Bearer /i.test(auth) ? auth.slice(7).trim() : (options.queryToken ?? undefined);
  const sessionSecret = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
  const principal = bearer !== undefined || sessionSecret !== undefined ? await options.authenticate({ bearer, sessionSecret }) : null;
  if (principal === null && bearer !== undefined) return { ok: false, status: 401, text: 'Unauthorized' };
  if (principal?.via === 'session') {
    const host = request.headers.host;
    const own = [options.publicOrigin, ...(host === undefined ? [] : [`http://${host}`, `https://${host}`])];
    if (crossSiteRefusal(request.headers, own) !== null) return { ok: false, status: 403, text: 'Forbidden' };
  }
  return { ok: true, principal };
}

/** The origin the request was addressed to (scheme of this connection, Host header), if it has a Host. */
function requestOrigin(request: FastifyRequest): string | undefined {
  const host = request.host;
  return host === '' ? undefined : `${request.protocol}://${host}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `; Secure` when the public address is https (the node itself may sit behind a TLS proxy and see http). */
function secureAttribute(request: FastifyRequest): string {
  return request.server.publicOrigin.startsWith('https:') || request.protocol === 'https' ? '; Secure' : '';
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, secret: string, expiresAtMs: number): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${encodeURIComponent(secret)}; Path=/; HttpOnly; SameSite=Lax; Expires=${new Date(expiresAtMs).toUTCString()}${secureAttribute(request)}`,
  );
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secureAttribute(request)}`);
}

/**
 * The device cookie: this browser signed in to an account before (src/http/rate-limits.ts). Sent
 * only to the sign-in route, which alone reads it; logging out leaves it, the browser stays known.
 */
export const DEVICE_COOKIE = 'lg_device';
const DEVICE_COOKIE_PATH = '/v1/auth/login';

export function deviceSecretOf(request: FastifyRequest): string | undefined {
  return parseCookies(request.headers.cookie).get(DEVICE_COOKIE);
}

export function setDeviceCookie(request: FastifyRequest, reply: FastifyReply, secret: string, expiresAtMs: number): void {
  reply.header(
    'set-cookie',
    `${DEVICE_COOKIE}=${encodeURIComponent(secret)}; Path=${DEVICE_COOKIE_PATH}; HttpOnly; SameSite=Lax; Expires=${new Date(expiresAtMs).toUTCString()}${secureAttribute(request)}`,
  );
}
