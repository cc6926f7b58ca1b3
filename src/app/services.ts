// Binds every use case to the ports it needs, once, so transports (HTTP, WebSocket, CLI) call
// `services.signUp(input)` and never see a port. Each use case still receives only its own ports
// (TypeScript checks that `p` has them; the use case's signature names exactly which).
import { authenticate, type AuthenticateInput } from './authenticate.js';
import { createApiToken, type CreateApiTokenInput } from './create-api-token.js';
import { logIn, type LogInInput } from './log-in.js';
import { logOut, type LogOutInput } from './log-out.js';
import type { ApiTokenStore, AuditLog, Clock, Ids, LedgerStore, PasswordHasher, SessionStore, UserStore } from './ports.js';
import { revokeApiToken, type RevokeApiTokenInput } from './revoke-api-token.js';
import { setGiftsEnabled, type SetGiftsEnabledInput } from './set-gifts-enabled.js';
import { signUp, type SignUpInput } from './sign-up.js';

export interface Ports {
  readonly clock: Clock;
  readonly ids: Ids;
  readonly passwords: PasswordHasher;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly tokens: ApiTokenStore;
  readonly audit: AuditLog;
  readonly ledger: LedgerStore;
}

/** Account use cases: sign-up, sessions, API tokens, the LIVE Gifts toggle. */
function accountServices(p: Ports) {
  return {
    signUp: (input: SignUpInput) => signUp(input, p),
    logIn: (input: LogInInput) => logIn(input, p),
    logOut: (input: LogOutInput) => logOut(input, p),
    authenticate: (input: AuthenticateInput) => authenticate(input, p),
    getUser: (id: string) => p.users.findById(id),
    createApiToken: (input: CreateApiTokenInput) => createApiToken(input, p),
    listApiTokens: (userId: string) => p.tokens.listOf(userId),
    revokeApiToken: (input: RevokeApiTokenInput) => revokeApiToken(input, p),
    setGiftsEnabled: (input: SetGiftsEnabledInput) => setGiftsEnabled(input, p),
  };
}

/**
 * Every use case, bound. Each area contributes one `…Services(p)` function; add yours here with one
 * spread line.
 */
export function buildServices(p: Ports) {
  return {
    clock: p.clock,
    ...accountServices(p),
  };
}

export type Services = ReturnType<typeof buildServices>;
