// The one API client of the web app (the SDK, over the page's own origin: the browser sends the
// session cookie), and errors in words a person understands.
import type { z } from 'zod';
import type { PayoutAccountList } from '../../src/protocol/payouts.js';
import { LivegiftClient, LivegiftError } from '../../src/sdk/livegift-client.js';

export const api = new LivegiftClient({ baseUrl: location.origin });

export type PayoutAccounts = z.infer<typeof PayoutAccountList>;
export type PayoutAccountKind = PayoutAccounts['kinds'][number];

const FRIENDLY: Record<string, string> = {
  unauthenticated: 'Please log in first.',
  invalid_credentials: 'That handle or email and password do not match.',
  insufficient_coins: 'You need more coins for that.',
  payout_account_not_ready: 'Finish setting up this account with Stripe first, then redeem to it.',
  report_closed: 'Another moderator decided this report meanwhile. Refresh the queue to see what was decided.',
  appeal_closed: 'Another moderator decided this appeal meanwhile. Refresh the appeals to see what was decided.',
  not_suspended: 'Going LIVE is not suspended any more, so there is nothing to appeal.',
  network: 'We could not reach Livegift. Check your connection and try again.',
};

/** A sentence for the person in front of the screen. */
export function explain(error: unknown): string {
  if (error instanceof LivegiftError) return FRIENDLY[error.code] ?? error.message;
  if (error instanceof TypeError) return FRIENDLY.network ?? 'Network error.';
  return 'Something went wrong. Try again.';
}

export { LivegiftError };
