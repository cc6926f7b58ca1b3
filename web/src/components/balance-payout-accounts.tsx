// Payout accounts on the balance page: the creator's accounts, adding one of the kinds this server
// pays to (bank and PayPal with the sandbox, a Stripe account with Stripe Connect), and finishing a
// Stripe account's setup on Stripe's own page. Stripe sends the creator back to /balance?onboarded=<id>,
// which is confirmed here while the list (read again on the way back) shows where the account stands.
import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import type { PayoutAccount } from '../../../src/protocol/payouts.js';
import { api, explain, type PayoutAccountKind, type PayoutAccounts } from '../api.js';
import { useLocation } from '../router.js';
import { formatWhen } from './balance-format.js';
import { useInFlight } from './in-flight.js';
import { LoadError, Skeleton, type Loader } from './load.js';
import { browserRegion } from './locale-region.js';
import { StatusPill } from './status-pill.js';

const KIND_LABEL: Readonly<Record<PayoutAccountKind, string>> = { bank: 'Bank account', paypal: 'PayPal', stripe: 'Stripe account' };
const KIND_IN_A_SENTENCE: Readonly<Record<PayoutAccountKind, string>> = { bank: 'a bank account', paypal: 'PayPal', stripe: 'a Stripe account' };

/** Where creators most often are; the browser's own region is added when it is not one of them. */
const COMMON_COUNTRIES = ['US', 'GB', 'CA', 'AU', 'NZ', 'IE', 'DE', 'FR', 'ES', 'IT', 'NL', 'BE', 'AT', 'PT', 'FI', 'SE', 'DK', 'NO', 'CH', 'PL', 'JP', 'SG', 'MX', 'BR'];

function countryChoices(): { codes: string[]; initial: string } {
  const region = browserRegion();
  const codes = region !== null && !COMMON_COUNTRIES.includes(region) ? [...COMMON_COUNTRIES, region] : [...COMMON_COUNTRIES];
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames(['en'], { type: 'region' });
  } catch {
    // Without display names the codes are shown as they are.
  }
  const name = (code: string) => names?.of(code) ?? code;
  codes.sort((a, b) => name(a).localeCompare(name(b), 'en'));
  return { codes, initial: region ?? 'US' };
}

function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Sends the browser to Stripe's page for the account (a fresh link: they expire within minutes). */
async function goToOnboarding(accountId: string): Promise<void> {
  const { url } = await api.payoutAccountOnboardingLink(accountId);
  location.assign(url);
}

export function PayoutAccountsSection({ accounts }: { accounts: Loader<PayoutAccounts> }) {
  const [adding, setAdding] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const busy = useInFlight();

  async function remove(account: PayoutAccount) {
    setRowError(null);
    try {
      await busy.run(account.id, () => api.removePayoutAccount(account.id));
      accounts.set((v) => ({ ...v, accounts: v.accounts.filter((a) => a.id !== account.id) }));
    } catch (e) {
      setRowError(explain(e));
    } finally {
      setConfirming(null);
    }
  }

  async function finishSetup(account: PayoutAccount) {
    setRowError(null);
    try {
      await busy.run(account.id, () => goToOnboarding(account.id));
    } catch (e) {
      setRowError(explain(e));
    }
  }

  const kinds = accounts.loaded.state === 'ready' ? accounts.loaded.value.kinds : [];
  return (
    <section aria-labelledby="accounts-title">
      <div className="section-head">
        <h3 id="accounts-title">Payout accounts</h3>
        {!adding && kinds.length > 0 ? (
          <button type="button" className="button ghost small" onClick={() => { setAdding(true); }}>Add account</button>
        ) : null}
      </div>
      {accounts.loaded.state === 'loading' ? (
        <Skeleton rows={1} label="Loading payout accounts" />
      ) : accounts.loaded.state === 'error' ? (
        <LoadError message={accounts.loaded.message} onRetry={() => { accounts.reload(); }} />
      ) : accounts.loaded.value.accounts.length === 0 && !adding ? (
        <p className="empty muted">No payout account yet. Add {kinds.map((k) => KIND_IN_A_SENTENCE[k]).join(' or ')} to get paid.</p>
      ) : (
        <ul className="rows" aria-label="Your payout accounts">
          {accounts.loaded.value.accounts.map((a) => {
            const working = busy.ids.has(a.id);
            return (
              <li key={a.id} className="row account-row">
                <span className="row-main">
                  <span className="account-title">
                    <strong>{a.label}</strong>
                    {a.kind === 'stripe' ? <StatusPill tone={a.status === 'ready' ? 'ok' : 'wait'}>{a.status === 'ready' ? 'Ready' : 'Setup unfinished'}</StatusPill> : null}
                  </span>
                  <span className="muted">{accountDetail(a)} · added {formatWhen(a.createdAtMs)}</span>
                  {a.status === 'onboarding' ? <span className="muted">Finish setting it up on Stripe before you can redeem to it.</span> : null}
                </span>
                <span className="row-side">
                  {a.status === 'onboarding' ? (
                    <button type="button" className="button small" disabled={working} onClick={() => void finishSetup(a)}>
                      {working ? 'Opening Stripe…' : 'Finish setup with Stripe'}
                    </button>
                  ) : null}
                  {confirming === a.id ? (
                    <>
                      <button type="button" className="button small danger" disabled={working} onClick={() => void remove(a)}>Remove {a.label}</button>
                      <button type="button" className="button ghost small" onClick={() => { setConfirming(null); }}>Keep</button>
                    </>
                  ) : (
                    <button type="button" className="button ghost small" aria-label={`Remove ${a.label}`} onClick={() => { setConfirming(a.id); }}>Remove</button>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {rowError !== null ? <p className="error" role="alert">{rowError}</p> : null}
      {adding && kinds.length > 0 ? (
        <AddAccountForm
          kinds={kinds}
          onAdded={(account) => { accounts.set((v) => ({ ...v, accounts: [...v.accounts, account] })); setAdding(false); }}
          onCancel={() => { setAdding(false); }}
        />
      ) : null}
    </section>
  );
}

function accountDetail(a: PayoutAccount): string {
  switch (a.kind) {
    case 'bank':
      return a.holderName ?? 'Bank account';
    case 'paypal':
      return 'PayPal';
    case 'stripe':
      return a.email !== null ? `Stripe · ${a.email}` : 'Stripe';
  }
}

function AddAccountForm({ kinds, onAdded, onCancel }: { kinds: readonly PayoutAccountKind[]; onAdded: (a: PayoutAccount) => void; onCancel: () => void }) {
  const [kind, setKind] = useState<PayoutAccountKind>(kinds[0] ?? 'bank');
  const [countries] = useState(countryChoices);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function add(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' ? v.trim() : '';
    };
    setBusy(true);
    setError(null);
    try {
      const account = await api.addPayoutAccount(
        kind === 'bank' ? { kind, holderName: text('holderName'), accountNumber: text('accountNumber') }
        : kind === 'paypal' ? { kind, email: text('email') }
        : { kind, country: text('country') },
      );
      onAdded(account);
      // A Stripe account is set up on Stripe's page: go straight there (the button said so).
      if (account.status === 'onboarding') await goToOnboarding(account.id);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form sub-form" onSubmit={(e) => void add(e)} aria-label="Add a payout account">
      {kinds.length > 1 ? (
        <fieldset className="segmented">
          <legend className="visually-hidden">Account type</legend>
          {kinds.map((k) => (
            <label key={k}><input type="radio" name="kind" checked={kind === k} onChange={() => { setKind(k); setError(null); }} /> {KIND_LABEL[k]}</label>
          ))}
        </fieldset>
      ) : null}
      {kind === 'bank' ? (
        <>
          <label>Account holder<input name="holderName" autoComplete="name" required maxLength={70} /></label>
          <label>
            Account number (IBAN)
            <input name="accountNumber" autoComplete="off" required minLength={8} maxLength={50} spellCheck={false} />
            <small className="muted">Only the last 4 characters are kept on Livegift; the full number goes to the payout provider.</small>
          </label>
        </>
      ) : kind === 'paypal' ? (
        <label>PayPal email<input name="email" type="email" autoComplete="email" required maxLength={254} /></label>
      ) : (
        <label>
          Country of your bank
          <select name="country" defaultValue={countries.codes.includes(countries.initial) ? countries.initial : 'US'} autoComplete="country">
            {countries.codes.map((c) => <option key={c} value={c}>{countryName(c)}</option>)}
          </select>
          <small className="muted">Stripe asks for your details and bank on its own page, then sends you back here. Livegift never sees your bank number.</small>
        </label>
      )}
      {error !== null ? <p className="error" role="alert">{error}</p> : null}
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>{busy ? (kind === 'stripe' ? 'Opening Stripe…' : 'Adding…') : kind === 'stripe' ? 'Continue to Stripe' : 'Add account'}</button>
        <button type="button" className="button ghost" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

/**
 * The creator is back from Stripe's page (/balance?onboarded=<id>): say so, and whether the account
 * is ready now. Brought into view, since that is what they came back to see.
 */
export function BackFromStripe({ accounts }: { accounts: Loader<PayoutAccounts> }) {
  const { query } = useLocation();
  const [dismissed, setDismissed] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const id = query.get('onboarded');
  const shown = id !== null && !dismissed && accounts.loaded.state === 'ready';
  useEffect(() => {
    if (shown) ref.current?.scrollIntoView({ block: 'center' });
  }, [shown]);
  if (!shown) return null;
  const account = accounts.loaded.value.accounts.find((a) => a.id === id);
  const text =
    account === undefined ? 'Welcome back from Stripe.'
    : account.status === 'ready' ? `Your ${account.label} is set up: you can redeem to it now.`
    : `Welcome back. Stripe is still checking your details; your ${account.label} shows Ready here once it has. If Stripe asked for more, choose Finish setup with Stripe.`;
  const dismiss = () => {
    // Out of the address too, so a reload does not say it again (no navigation: the page stays put).
    history.replaceState(null, '', '/balance');
    setDismissed(true);
  };
  return (
    <div ref={ref} className={`tracker ${account?.status === 'ready' ? 'ok' : 'wait'}`} role="status">
      <span className="tracker-dot" aria-hidden="true" />
      <p className="tracker-text">{text}</p>
      <button type="button" className="tracker-close" aria-label="Dismiss" onClick={dismiss}>×</button>
    </div>
  );
}
