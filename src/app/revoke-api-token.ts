// Revokes one of the user's API tokens; it stops working on the next request.
import { Forbidden, NotFound } from '../domain/errors.js';
import type { ApiTokenStore, AuditLog, Clock } from './ports.js';
import type { Principal } from './authenticate.js';

export interface RevokeApiTokenInput {
  readonly principal: Principal;
  readonly tokenId: string;
}

export async function revokeApiToken(input: RevokeApiTokenInput, deps: { tokens: ApiTokenStore; clock: Clock; audit: AuditLog }): Promise<void> {
  // A token may revoke itself (an SDK cleaning up); revoking others takes the signed-in person.
  if (input.principal.via !== 'session' && input.principal.tokenId !== input.tokenId) {
    throw new Forbidden('A token can revoke only itself; sign in to revoke other tokens.', { reason: 'session_required' });
  }
  const nowMs = deps.clock.nowMs();
  const revoked = await deps.tokens.revoke(input.tokenId, input.principal.userId, nowMs);
  if (!revoked) throw new NotFound('No such active token.');
  await deps.audit.append({ atMs: nowMs, actorId: input.principal.userId, action: 'api_token.revoked', subject: `api_token:${input.tokenId}`, details: {} });
}
