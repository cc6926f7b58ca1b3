// Payout accounts a provider has to set up with the creator first (Stripe Connect): the link to the
// provider's onboarding page, and the account's readiness, from the provider's webhook or from asking
// it (when the creator comes back, or lists their accounts). Until it is ready, nothing is redeemed to it.
import { NotFound, ValidationFailed } from '../domain/errors.js';
import type { AuditLog, Clock, PayoutAccountRecord, PayoutAccountStatus, PayoutAccountStore, PayoutProvider, UserStore } from './ports.js';
import { requireCollector } from './require-collector.js';

interface Deps {
  readonly users: UserStore;
  readonly payoutAccounts: PayoutAccountStore;
  readonly payoutProvider: PayoutProvider;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly publicUrl: string;
}

/** A fresh link to the provider's onboarding page for one of the creator's accounts. */
export async function payoutAccountOnboardingLink(input: { userId: string; payoutAccountId: string }, deps: Deps): Promise<string> {
  await requireCollector(input.userId, deps.clock.nowMs(), 'set up a payout account', deps);
  const account = await deps.payoutAccounts.findById(input.payoutAccountId);
  if (!account || account.userId !== input.userId || account.removedAtMs !== null) throw new NotFound('No such payout account.');
  const link = deps.payoutProvider.onboardingLink?.bind(deps.payoutProvider);
  if (account.provider !== deps.payoutProvider.name || link === undefined) {
    throw new ValidationFailed('This payout account has no onboarding to finish.', { field: 'payoutAccountId' });
  }
  const id = encodeURIComponent(account.id);
  return link(account.providerRef, {
    returnUrl: `${deps.publicUrl}/balance?onboarded=${id}`,
    refreshUrl: `${deps.publicUrl}/v1/me/payout-accounts/${id}/onboarding`,
  });
}

/** Asks the provider about the creator's accounts still onboarding, and records what it says. */
export async function refreshOnboardingAccounts(accounts: readonly PayoutAccountRecord[], deps: Omit<Deps, 'users' | 'publicUrl'>): Promise<PayoutAccountRecord[]> {
  const ask = deps.payoutProvider.accountStatus?.bind(deps.payoutProvider);
  if (ask === undefined) return [...accounts];
  return Promise.all(
    accounts.map(async (a) => {
      if (a.status === 'ready' || a.provider !== deps.payoutProvider.name) return a;
      let status: PayoutAccountStatus;
      try {
        status = await ask(a.providerRef);
      } catch {
        return a; // the provider could not be asked now; the webhook or the next look will tell
      }
      if (status !== a.status) await setAccountStatus(a.providerRef, status, deps);
      return { ...a, status };
    }),
  );
}

/** Records what the provider says about an account (its webhook, or an answer to asking). */
export async function setAccountStatus(providerRef: string, status: PayoutAccountStatus, deps: Pick<Deps, 'payoutAccounts' | 'payoutProvider' | 'clock' | 'audit'>): Promise<void> {
  const changed = await deps.payoutAccounts.setStatus(deps.payoutProvider.name, providerRef, status);
  if (changed > 0) {
    await deps.audit.append({ atMs: deps.clock.nowMs(), actorId: null, action: `payout_account.${status}`, subject: `provider_account:${providerRef}`, details: { provider: deps.payoutProvider.name } });
  }
}
