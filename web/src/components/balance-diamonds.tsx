// Diamonds on the balance page: what they are worth, on hold vs available, redeem (refused, with the
// reason, while an admin holds the diamonds for review; only to accounts that are ready), the payout
// accounts, and the payouts moving requested → processing → paid (or failed, diamonds returned),
// followed live while any is still on its way.
import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import type { DiamondBalance, Payout } from '../../../src/protocol/payouts.js';
import { newClientId } from '../../../src/sdk/livegift-client.js';
import { api, explain, LivegiftError, type PayoutAccounts } from '../api.js';
import { useSession } from '../session.js';
import { formatCount, formatMicroUsd, formatMoney, formatWhen } from './balance-format.js';
import { BackFromStripe, PayoutAccountsSection } from './balance-payout-accounts.js';
import { LoadError, Skeleton, useLoader, type Loader } from './load.js';
import { StatusPill } from './status-pill.js';

/** The admin's hold on the creator's diamonds, if any: since when and why. */
type Held = Me['payoutsHeld'];

/** What `diamonds` are worth in cents, rounded down as the server pays them. */
function diamondsMinor(diamonds: number, microUsdEach: number): number {
  return Number((BigInt(Math.trunc(diamonds)) * BigInt(microUsdEach)) / 10_000n);
}

const UNFINISHED: readonly Payout['status'][] = ['requested', 'processing'];
const PAYOUT_POLL_MS = 3_000;

export function DiamondsPanel({ held }: { held: Held }) {
  const balance = useLoader(() => api.diamonds(), 'diamonds');
  const accounts = useLoader(() => api.payoutAccountList(), 'accounts');
  const payouts = useLoader(() => api.payouts({ limit: 20 }), 'payouts');

  // Live status: ask again while any payout is still on its way; when one finishes, the balance
  // changes too (paid: the reservation is spent; failed: the diamonds are back).
  const unfinished = payouts.loaded.state === 'ready' ? payouts.loaded.value.filter((p) => UNFINISHED.includes(p.status)).length : 0;
  const previous = useRef(unfinished);
  const { reload: reloadPayouts } = payouts;
  const { reload: reloadBalance } = balance;
  useEffect(() => {
    if (unfinished < previous.current) reloadBalance({ quiet: true });
    previous.current = unfinished;
    if (unfinished === 0) return;
    const timer = setInterval(() => { reloadPayouts({ quiet: true }); }, PAYOUT_POLL_MS);
    return () => { clearInterval(timer); };
  }, [unfinished, reloadPayouts, reloadBalance]);

  return (
    <>
      <BackFromStripe accounts={accounts} />
      <DiamondSummary balance={balance} />
      <Redeem
        held={held}
        balance={balance}
        accounts={accounts}
        onRedeemed={(payout) => {
          payouts.set((list) => [payout, ...list.filter((p) => p.id !== payout.id)]);
          reloadPayouts({ quiet: true });
          reloadBalance({ quiet: true });
        }}
      />
      <PayoutAccountsSection accounts={accounts} />
      <PayoutHistory payouts={payouts} accounts={accounts} held={held} />
    </>
  );
}

function DiamondSummary({ balance }: { balance: Loader<DiamondBalance> }) {
  if (balance.loaded.state === 'loading') return <Skeleton rows={2} label="Loading diamonds" />;
  if (balance.loaded.state === 'error') return <LoadError message={balance.loaded.message} onRetry={() => { balance.reload(); }} />;
  const b = balance.loaded.value;
  const { currency } = b.value;
  return (
    <>
      <div className="big-balance diamonds" role="img" aria-label={`${formatCount(b.available)} diamonds available, worth ${formatMoney(b.value.availableMinor, currency)}`}>
        <span className="diamond-icon big" aria-hidden="true" />
        <span className="big-number num">{formatCount(b.available)}</span>
        <span className="big-caption">available · <strong className="num">{formatMoney(b.value.availableMinor, currency)}</strong></span>
      </div>
      <dl className="stat-cards">
        <div className="stat" aria-label={`${formatCount(b.onHold)} diamonds on hold, worth ${formatMoney(b.value.onHoldMinor, currency)}`}>
          <dt>On hold</dt>
          <dd className="num">{formatCount(b.onHold)}</dd>
          <dd className="muted num">{formatMoney(b.value.onHoldMinor, currency)}</dd>
        </div>
        <div className="stat" aria-label={`${formatCount(b.available)} diamonds available, worth ${formatMoney(b.value.availableMinor, currency)}`}>
          <dt>Available</dt>
          <dd className="num">{formatCount(b.available)}</dd>
          <dd className="muted num">{formatMoney(b.value.availableMinor, currency)}</dd>
        </div>
        <div className="stat">
          <dt>Being paid out</dt>
          <dd className="num">{formatCount(b.pendingPayout)}</dd>
          <dd className="muted num">{formatMoney(b.value.pendingPayoutMinor, currency)}</dd>
        </div>
      </dl>
      <p className="fine-print muted">
        One diamond is worth {formatMicroUsd(b.diamondValueMicroUsd)}.{' '}
        {b.holdHours > 0
          ? `Diamonds from gifts stay on hold for ${formatCount(b.holdHours)} hours, in case a payment is refunded or disputed, then become available to redeem.`
          : 'Diamonds from gifts are available to redeem at once.'}
      </p>
    </>
  );
}

function Redeem({ held, balance, accounts, onRedeemed }: { held: Held; balance: Loader<DiamondBalance>; accounts: Loader<PayoutAccounts>; onRedeemed: (p: Payout) => void }) {
  const { refresh } = useSession();
  const [accountId, setAccountId] = useState('');
  const [amountText, setAmountText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // The idempotency id of this redeem: a retry of the same request (a failure, a lost answer)
  // sends the same id, so the diamonds are reserved once however often it is sent.
  const attempt = useRef<{ key: string; id: string } | null>(null);

  if (balance.loaded.state !== 'ready' || accounts.loaded.state !== 'ready') return null;
  const b = balance.loaded.value;
  const list = accounts.loaded.value.accounts;
  // An account still being set up at its provider cannot be paid to yet: shown, not chosen.
  const ready = list.filter((a) => a.status === 'ready');
  const chosen = ready.find((a) => a.id === accountId) ?? ready[0];
  const most = Math.min(b.available, b.payout.todayRemainingDiamonds);
  const diamonds = /^\d{1,12}$/.test(amountText.trim()) ? Number(amountText.trim()) : null;
  const worth = diamonds !== null ? diamondsMinor(diamonds, b.diamondValueMicroUsd) : null;
  const problem =
    diamonds === null ? null
    : diamonds < b.payout.minimumDiamonds ? `The smallest payout is ${formatCount(b.payout.minimumDiamonds)} diamonds (${formatMoney(b.payout.minimumMinor, b.value.currency)}).`
    : diamonds > b.available ? `You have ${formatCount(b.available)} diamonds available.`
    : diamonds > b.payout.todayRemainingDiamonds ? `You can redeem ${formatCount(b.payout.todayRemainingDiamonds)} more diamonds today.`
    : null;

  async function redeem(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    if (held !== null || !chosen || diamonds === null || problem !== null) return;
    const key = `${chosen.id}:${diamonds}`;
    if (attempt.current?.key !== key) attempt.current = { key, id: newClientId() };
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const payout = await api.redeem({ id: attempt.current.id, payoutAccountId: chosen.id, diamonds });
      attempt.current = null;
      setAmountText('');
      setDone(`${formatMoney(payout.amountMinor, payout.currency)} is on its way to ${chosen.label}.`);
      onRedeemed(payout);
    } catch (e) {
      setError(explain(e));
      // Held since the page was read: the session says so now, and the page with it.
      if (e instanceof LivegiftError && e.code === 'payouts_on_hold') void refresh();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="redeem" onSubmit={(e) => void redeem(e)} aria-labelledby="redeem-title">
      <h3 id="redeem-title">Redeem</h3>
      {/* Said above the form's branches: a redeem of everything leaves too little for the form, and the news must stay. */}
      {done !== null ? <p className="ok-text" role="status">{done}</p> : null}
      {held !== null ? (
        <>
          <p className="notice" id="redeem-held">Redeeming is paused while your diamonds are held for review: {held.reason}</p>
          <button type="submit" className="button wide" disabled aria-describedby="redeem-held">Redeem</button>
        </>
      ) : list.length === 0 ? (
        <p className="empty muted">Add a payout account below, then redeem your available diamonds to it.</p>
      ) : ready.length === 0 ? (
        <p className="empty muted">Finish setting up your payout account with Stripe below, then redeem your available diamonds to it.</p>
      ) : b.available < b.payout.minimumDiamonds ? (
        <p className="empty muted">
          You can redeem from {formatCount(b.payout.minimumDiamonds)} available diamonds ({formatMoney(b.payout.minimumMinor, b.value.currency)}). You have{' '}
          {formatCount(b.available)}.
        </p>
      ) : (
        <>
          <label className="field">
            Pay to
            <select value={chosen?.id ?? ''} onChange={(e) => { setAccountId(e.target.value); }}>
              {list.map((a) => (
                <option key={a.id} value={a.id} disabled={a.status !== 'ready'}>{a.status === 'ready' ? a.label : `${a.label} (finish setup first)`}</option>
              ))}
            </select>
          </label>
          <label className="field">
            Diamonds
            <span className="input-with-button">
              <input
                inputMode="numeric"
                autoComplete="off"
                value={amountText}
                onChange={(e) => { setAmountText(e.target.value); setDone(null); }}
                placeholder={`${formatCount(b.payout.minimumDiamonds)} to ${formatCount(most)}`}
                aria-label="Diamonds to redeem"
                aria-describedby="redeem-help"
              />
              <button type="button" className="button ghost small" onClick={() => { setAmountText(String(most)); }}>Max</button>
            </span>
            <small id="redeem-help" className={problem !== null ? 'error' : 'muted'}>
              {problem ??
                `From ${formatMoney(b.payout.minimumMinor, b.value.currency)} up to ${formatMoney(b.payout.dailyMaxMinor, b.value.currency)} a day; ${formatCount(b.payout.todayRemainingDiamonds)} diamonds left today.`}
            </small>
          </label>
          {error !== null ? <p className="error" role="alert">{error}</p> : null}
          <button type="submit" className="button wide" disabled={busy || diamonds === null || problem !== null}>
            {busy ? 'Redeeming…' : worth !== null && problem === null ? `Redeem ${formatMoney(worth, b.value.currency)}` : 'Redeem'}
          </button>
        </>
      )}
    </form>
  );
}

const PAYOUT_STEPS: readonly Payout['status'][] = ['requested', 'processing', 'paid'];
const PAYOUT_LABEL: Readonly<Record<Payout['status'], string>> = { requested: 'Requested', processing: 'Processing', paid: 'Paid', failed: 'Failed' };

function PayoutHistory({ payouts, accounts, held }: { payouts: Loader<Payout[]>; accounts: Loader<PayoutAccounts>; held: Held }) {
  const labels = new Map(accounts.loaded.state === 'ready' ? accounts.loaded.value.accounts.map((a) => [a.id, a.label]) : []);
  return (
    <section aria-labelledby="payouts-title">
      <h3 id="payouts-title">Payouts</h3>
      {payouts.loaded.state === 'loading' ? (
        <Skeleton label="Loading payouts" />
      ) : payouts.loaded.state === 'error' ? (
        <LoadError message={payouts.loaded.message} onRetry={() => { payouts.reload(); }} />
      ) : payouts.loaded.value.length === 0 ? (
        <p className="empty muted">No payouts yet. When you redeem diamonds, you can follow the money here.</p>
      ) : (
        <ul className="rows" aria-label="Your payouts">
          {payouts.loaded.value.map((p) => {
            const reached = PAYOUT_STEPS.indexOf(p.status);
            return (
              <li key={p.id} className="row payout" aria-label={`${formatMoney(p.amountMinor, p.currency)} payout, ${PAYOUT_LABEL[p.status]}`}>
                <span className="row-main">
                  <strong className="num">{formatMoney(p.amountMinor, p.currency)}</strong>
                  <span className="muted">
                    {formatCount(p.diamonds)} diamonds · {labels.get(p.payoutAccountId) ?? 'a removed account'} · {formatWhen(p.createdAtMs)}
                  </span>
                  {p.status === 'failed' ? (
                    <span className="error">{p.failureReason ?? 'The payout failed.'} The diamonds are back in your available balance.</span>
                  ) : (
                    <ol className="steps" aria-hidden="true">
                      {PAYOUT_STEPS.map((step, i) => (
                        <li key={step} className={i < reached ? 'done' : i === reached ? 'current' : ''}>{PAYOUT_LABEL[step]}</li>
                      ))}
                    </ol>
                  )}
                  {held !== null && p.status === 'requested' ? <span className="muted">Waiting: not sent while your diamonds are held for review.</span> : null}
                </span>
                <span className="row-side">
                  <StatusPill tone={p.status === 'paid' ? 'ok' : p.status === 'failed' ? 'bad' : 'wait'}>{PAYOUT_LABEL[p.status]}</StatusPill>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
