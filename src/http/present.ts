// Domain records → wire shapes (protocol/). The only place that decides what a client sees.
import type { ApiTokenRecord, User } from '../app/ports.js';
import { isAdult } from '../domain/age.js';
import { isLiveSuspended, PERMANENT_MS } from '../domain/users.js';
import type { ApiToken, Me, PublicUser, Scope } from '../protocol/accounts.js';

export function presentMe(user: User, nowMs: number): Me {
  return {
    id: user.id,
    email: user.email,
    handle: user.handle,
    displayName: user.displayName,
    birthDate: user.birthDate,
    role: user.role,
    adult: isAdult(user.birthDate, nowMs),
    giftsEnabled: user.giftsEnabled,
    liveSuspension: isLiveSuspended(user, nowMs)
      ? { untilMs: (user.liveSuspendedUntilMs ?? PERMANENT_MS) >= PERMANENT_MS ? null : user.liveSuspendedUntilMs, reason: user.liveSuspensionReason ?? '' }
      : null,
    banned: user.bannedAtMs !== null,
    createdAtMs: user.createdAtMs,
  };
}

export function presentPublicUser(user: Pick<User, 'id' | 'handle' | 'displayName'>): PublicUser {
  return { id: user.id, handle: user.handle, displayName: user.displayName };
}

export function presentApiToken(t: ApiTokenRecord): ApiToken {
  return { id: t.id, name: t.name, scopes: t.scopes as Scope[], createdAtMs: t.createdAtMs, lastUsedAtMs: t.lastUsedAtMs, revokedAtMs: t.revokedAtMs };
}
