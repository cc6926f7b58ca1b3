// Turns a session cookie or a bearer token into the principal a request acts as, or null.
import { SCOPES, type Scope } from '../protocol/accounts.js';
import { API_TOKEN_PREFIX, hashSecret } from '../domain/secrets.js';
import type { ApiTokenStore, Clock, Role, SessionStore, UserStore } from './ports.js';

export interface Principal {
  readonly userId: string;
  readonly role: Role;
  readonly via: 'session' | 'token';
  /** Sessions carry every scope; tokens only those they were made with. */
  readonly scopes: readonly Scope[];
  readonly tokenId: string | null;
}

/** A token's "last used" is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface AuthenticateInput {
  readonly sessionSecret?: string | undefined;
  readonly bearer?: string | undefined;
}

export async function authenticate(
  input: AuthenticateInput,
  deps: { users: UserStore; sessions: SessionStore; tokens: ApiTokenStore; clock: Clock },
): Promise<Principal | null> {
  const nowMs = deps.clock.nowMs();
  if (input.bearer?.startsWith(API_TOKEN_PREFIX) === true) {
    const token = await deps.tokens.findByHash(hashSecret(input.bearer));
    if (!token || token.revokedAtMs !== null) return null;
    const user = await deps.users.findById(token.userId);
    if (!user) return null;
    if (token.lastUsedAtMs === null || nowMs - token.lastUsedAtMs > TOUCH_EVERY_MS) await deps.tokens.touch(token.id, nowMs);
    const scopes = token.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
    return { userId: user.id, role: user.role, via: 'token', scopes, tokenId: token.id };
  }
  if (input.sessionSecret !== undefined && input.sessionSecret !== '') {
    const session = await deps.sessions.find(hashSecret(input.sessionSecret));
    if (!session || session.revokedAtMs !== null || session.expiresAtMs <= nowMs) return null;
    const user = await deps.users.findById(session.userId);
    if (!user) return null;
    return { userId: user.id, role: user.role, via: 'session', scopes: SCOPES, tokenId: null };
  }
  return null;
}
