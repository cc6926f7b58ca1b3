// Who is asking: the session cookie or the bearer token becomes `request.principal` before any
// route runs; routes state what they need with requirePrincipal().
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../app/authenticate.js';
import { Forbidden, Unauthenticated } from '../domain/errors.js';
import type { Scope } from '../protocol/accounts.js';

export const SESSION_COOKIE = 'lg_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
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

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, secret: string, expiresAtMs: number): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${encodeURIComponent(secret)}; Path=/; HttpOnly; SameSite=Lax; Expires=${new Date(expiresAtMs).toUTCString()}${secure}`,
  );
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
}
