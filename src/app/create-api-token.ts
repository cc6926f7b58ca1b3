// Makes a personal API token (for the SDK, the CLI, the OBS overlay). The secret is returned once;
// only its hash is stored.
import type { Scope } from '../protocol/accounts.js';
import { API_TOKEN_PREFIX, hashSecret } from '../domain/secrets.js';
import { Forbidden } from '../domain/errors.js';
import type { ApiTokenRecord, ApiTokenStore, AuditLog, Clock, Ids } from './ports.js';
import type { Principal } from './authenticate.js';

/** Most live tokens one user may hold; a limit on everything. */
export const API_TOKENS_MAX = 50;

export interface CreateApiTokenInput {
  readonly principal: Principal;
  /** A label the user recognises, e.g. "OBS overlay". */
  readonly name: string;
  readonly scopes: readonly Scope[];
}

export async function createApiToken(
  input: CreateApiTokenInput,
  deps: { tokens: ApiTokenStore; ids: Ids; clock: Clock; audit: AuditLog },
): Promise<{ token: string; record: ApiTokenRecord }> {
  const { principal } = input;
  // Tokens are made by a person, signed in: a leaked token (an overlay URL shown on stream) must not
  // be able to mint others that outlive its revocation.
  if (principal.via !== 'session') throw new Forbidden('API tokens are made from a signed-in session, not with another token.', { reason: 'session_required' });
  // A token can only hand on what its maker holds: no escalation from a narrow token.
  const missing = input.scopes.filter((s) => !principal.scopes.includes(s));
  if (missing.length > 0) throw new Forbidden(`You cannot grant scopes you do not have: ${missing.join(', ')}.`, { missing });
  if (input.scopes.includes('admin') && principal.role !== 'admin') throw new Forbidden('Only admins can make admin tokens.');
  const live = (await deps.tokens.listOf(principal.userId)).filter((t) => t.revokedAtMs === null);
  if (live.length >= API_TOKENS_MAX) throw new Forbidden(`You already have ${API_TOKENS_MAX} tokens; revoke one first.`);
  const nowMs = deps.clock.nowMs();
  const token = `${API_TOKEN_PREFIX}${deps.ids.secret()}`;
  const record: ApiTokenRecord = {
    id: deps.ids.uuid(),
    userId: principal.userId,
    name: input.name,
    scopes: [...new Set(input.scopes)],
    createdAtMs: nowMs,
    lastUsedAtMs: null,
    revokedAtMs: null,
  };
  await deps.tokens.create({ ...record, tokenHash: hashSecret(token) });
  await deps.audit.append({ atMs: nowMs, actorId: principal.userId, action: 'api_token.created', subject: `api_token:${record.id}`, details: { name: record.name, scopes: record.scopes } });
  return { token, record };
}
