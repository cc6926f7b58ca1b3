// Adds a payout account (a sandbox bank account or a PayPal-like email) for redeeming diamonds. The
// account is registered at the payout provider first; we keep only what a person needs to recognise
// it: the holder's name and the last 4 characters of a bank number, never the whole number.
import { ValidationFailed } from '../domain/errors.js';
import { bankAccountLabel, lastFour, normalizeAccountNumber, PAYOUT_ACCOUNTS_MAX, paypalAccountLabel } from '../domain/payouts.js';
import { requireCollector } from './require-collector.js';
import { PayoutDeclined, type AuditLog, type Clock, type Ids, type PayoutAccountDetails, type PayoutAccountRecord, type PayoutAccountStore, type PayoutProvider, type UserStore } from './ports.js';

export interface AddPayoutAccountInput {
  /** The signed-in user; must be 18+ and not banned. */
  readonly userId: string;
  /**
   * `bank`: the holder's name and an IBAN-like number (8-34 letters and digits; spaces and dashes
   * are ignored). `paypal`: the account's email.
   */
  readonly details: AccountRequest;
}

/** What a creator asks for; a Stripe account needs only the country (the email is the user's). */
export type AccountRequest = Exclude<PayoutAccountDetails, { kind: 'stripe' }> | { readonly kind: 'stripe'; readonly country: string };

export async function addPayoutAccount(
  input: AddPayoutAccountInput,
  deps: { users: UserStore; payoutAccounts: PayoutAccountStore; payoutProvider: PayoutProvider; ids: Ids; clock: Clock; audit: AuditLog },
): Promise<PayoutAccountRecord> {
  const nowMs = deps.clock.nowMs();
  const user = await requireCollector(input.userId, nowMs, 'add a payout account', deps);
  if (!deps.payoutProvider.accountKinds.includes(input.details.kind)) {
    throw new ValidationFailed(`Payouts here go to ${deps.payoutProvider.accountKinds.join(' or ')} accounts, not ${input.details.kind}.`, { field: 'kind', kinds: deps.payoutProvider.accountKinds });
  }
  const active = await deps.payoutAccounts.listActive(input.userId);
  if (active.length >= PAYOUT_ACCOUNTS_MAX) {
    throw new ValidationFailed(`You can keep at most ${PAYOUT_ACCOUNTS_MAX} payout accounts; remove one first.`, { max: PAYOUT_ACCOUNTS_MAX });
  }

  let details: PayoutAccountDetails;
  let shown: Pick<PayoutAccountRecord, 'kind' | 'label' | 'holderName' | 'last4' | 'email'>;
  if (input.details.kind === 'bank') {
    const number = normalizeAccountNumber(input.details.accountNumber);
    if (number === null) throw new ValidationFailed('The account number must be 8-34 letters and digits.', { field: 'accountNumber' });
    const holderName = input.details.holderName.trim();
    details = { kind: 'bank', holderName, accountNumber: number };
    shown = { kind: 'bank', label: bankAccountLabel(lastFour(number)), holderName, last4: lastFour(number), email: null };
  } else if (input.details.kind === 'paypal') {
    const email = input.details.email.trim().toLowerCase();
    details = { kind: 'paypal', email };
    shown = { kind: 'paypal', label: paypalAccountLabel(email), holderName: null, last4: null, email };
  } else {
    details = { kind: 'stripe', email: user.email, country: input.details.country.toUpperCase(), userId: user.id };
    shown = { kind: 'stripe', label: 'Stripe account', holderName: null, last4: null, email: user.email };
  }

  let registered: { providerRef: string; status: PayoutAccountRecord['status'] };
  try {
    registered = await deps.payoutProvider.registerAccount(details);
  } catch (error) {
    if (error instanceof PayoutDeclined) throw new ValidationFailed(`The payout provider refused this account: ${error.message}`, { field: 'kind' });
    throw error;
  }
  const record: PayoutAccountRecord = {
    id: deps.ids.uuid(),
    userId: input.userId,
    ...shown,
    provider: deps.payoutProvider.name,
    providerRef: registered.providerRef,
    status: registered.status,
    createdAtMs: nowMs,
    removedAtMs: null,
  };
  await deps.payoutAccounts.create(record);
  await deps.audit.append({
    atMs: nowMs,
    actorId: input.userId,
    action: 'payout_account.added',
    subject: `payout_account:${record.id}`,
    details: { kind: record.kind, label: record.label, provider: record.provider },
  });
  return record;
}
