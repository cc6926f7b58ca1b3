// The one place where failures become HTTP: each domain error code has its status here, and every
// response body is {error: {code, message, details?}}.
import { DomainError } from '../domain/errors.js';

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  validation_failed: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  insufficient_coins: 402,
  forbidden: 403,
  csrf_refused: 403,
  age_restricted: 403,
  account_suspended: 403,
  live_suspended: 403,
  gifts_disabled: 403,
  gifting_frozen: 403,
  payouts_on_hold: 403,
  payout_account_not_ready: 409,
  not_found: 404,
  already_exists: 409,
  idempotency_conflict: 409,
  live_not_on_air: 409,
  live_on_air: 409,
  already_live: 409,
  gift_unavailable: 409,
  insufficient_diamonds: 409,
  report_closed: 409,
  not_suspended: 409,
  appeal_closed: 409,
  cannot_gift_self: 422,
  spend_limit_reached: 422,
  payout_limit: 422,
  webhook_rejected: 400,
  rate_limited: 429,
  ledger_overloaded: 503,
  ledger_closed: 503,
};

export interface HttpError {
  readonly status: number;
  readonly body: { error: { code: string; message: string; details?: Readonly<Record<string, unknown>> } };
}

export function statusOfCode(code: string): number | undefined {
  return STATUS_BY_CODE[code];
}

/** Maps anything thrown by a route to a status and a body a client can act on; null = unexpected. */
export function toHttpError(error: unknown): HttpError | null {
  if (error instanceof DomainError) {
    const status = STATUS_BY_CODE[error.code] ?? 400;
    return { status, body: { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } } };
  }
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string' && typeof e.message === 'string') {
    const status = STATUS_BY_CODE[e.code];
    if (status !== undefined) return { status, body: { error: { code: e.code, message: e.message } } };
  }
  return null;
}
