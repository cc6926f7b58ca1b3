// One error type per domain failure. Use cases throw these; src/http maps each `code` to an HTTP
// status in one table, and every client sees {error: {code, message, details?}}.

export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** Facts a client can act on (e.g. the balance and shortfall of insufficient_coins). */
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(message: string, details?: Readonly<Record<string, unknown>>) {
    super(message);
    this.details = details;
  }
}

export class ValidationFailed extends DomainError {
  readonly code = 'validation_failed';
}
export class Unauthenticated extends DomainError {
  readonly code = 'unauthenticated';
  constructor(message = 'Sign in to do this.') {
    super(message);
  }
}
export class InvalidCredentials extends DomainError {
  readonly code = 'invalid_credentials';
  constructor() {
    super('That email or handle and password do not match an account.');
  }
}
export class Forbidden extends DomainError {
  readonly code = 'forbidden';
}
/** An unsafe request riding on the session cookie came from another site's page (CSRF). */
export class CsrfRefused extends DomainError {
  readonly code = 'csrf_refused';
}
export class NotFound extends DomainError {
  readonly code = 'not_found';
}
export class AlreadyExists extends DomainError {
  readonly code = 'already_exists';
}
export class AgeRestricted extends DomainError {
  readonly code = 'age_restricted';
  constructor(action: string) {
    super(`You must be 18 or older to ${action}.`, { minimumAge: 18 });
  }
}
export class AccountSuspended extends DomainError {
  readonly code = 'account_suspended';
}
export class LiveSuspended extends DomainError {
  readonly code = 'live_suspended';
}
/** Gifting is paused for review after a payment of the viewer's was charged back. */
export class GiftingFrozen extends DomainError {
  readonly code = 'gifting_frozen';
}
/** An admin holds the creator's diamonds for review: no redemption until it is lifted. */
export class PayoutsOnHold extends DomainError {
  readonly code = 'payouts_on_hold';
}
/** The payout account is still being set up at the provider. */
export class PayoutAccountNotReady extends DomainError {
  readonly code = 'payout_account_not_ready';
}
export class GiftsDisabled extends DomainError {
  readonly code = 'gifts_disabled';
}
export class LiveNotOnAir extends DomainError {
  readonly code = 'live_not_on_air';
}
/** The LIVE is still on air, and the request is for an ended one (thank-yous after the LIVE). */
export class LiveOnAir extends DomainError {
  readonly code = 'live_on_air';
}
export class AlreadyLive extends DomainError {
  readonly code = 'already_live';
}
export class CannotGiftSelf extends DomainError {
  readonly code = 'cannot_gift_self';
  constructor() {
    super('You cannot send gifts to your own LIVE.');
  }
}
export class GiftUnavailable extends DomainError {
  readonly code = 'gift_unavailable';
}
export class InsufficientCoins extends DomainError {
  readonly code = 'insufficient_coins';
  constructor(balanceCoins: bigint, requiredCoins: bigint) {
    super(`This needs ${requiredCoins} coins and you have ${balanceCoins}. Recharge to send it.`, {
      balanceCoins: balanceCoins.toString(),
      requiredCoins: requiredCoins.toString(),
      shortfallCoins: (requiredCoins - balanceCoins).toString(),
    });
  }
}
export class InsufficientDiamonds extends DomainError {
  readonly code = 'insufficient_diamonds';
}
export class SpendLimitReached extends DomainError {
  readonly code = 'spend_limit_reached';
}
export class PayoutLimit extends DomainError {
  readonly code = 'payout_limit';
}
/** The same idempotency key was used before for a different request. */
export class IdempotencyConflict extends DomainError {
  readonly code = 'idempotency_conflict';
  constructor(id: string) {
    super(`The id ${id} was already used for a different request; make a new id for a new request.`, { id });
  }
}
export class RateLimited extends DomainError {
  readonly code = 'rate_limited';
}
/** The report was already resolved, by another action than the one asked for. */
export class ReportClosed extends DomainError {
  readonly code = 'report_closed';
}
/** An appeal needs a suspension in force to appeal. */
export class NotSuspended extends DomainError {
  readonly code = 'not_suspended';
}
/** The appeal was already decided, the other way than the one asked for. */
export class AppealClosed extends DomainError {
  readonly code = 'appeal_closed';
}
