// Coins on the balance page: recharge (packages as tiles in the buyer's currency, a custom amount,
// the split shown before paying, then the provider's checkout), and the purchase just made followed
// until it settles.
import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import type { CoinPrices, Purchase } from '../../../src/protocol/coins.js';
import { newClientId } from '../../../src/sdk/livegift-client.js';
import { api, explain, LivegiftError } from '../api.js';
import { customPriceMinor, formatCount, formatMoney } from './balance-format.js';
import { PURCHASE_STATUS } from './balance-purchases.js';
import { coinPricesFor } from './coin-prices.js';
import { walletChanged } from './coins.js';
import { LoadError, Skeleton, useLoader } from './load.js';
import { preferredCurrency } from './locale-region.js';

// ---------------------------------------------------------------------------------------------
// The purchase the buyer left for the checkout with, remembered for this tab so the balance page
// can follow it when they come back, whichever way they come back.

const PENDING_KEY = 'livegift.purchase';

export function rememberPurchase(id: string): void {
  try {
    sessionStorage.setItem(PENDING_KEY, id);
  } catch {
    // Storage can be off (private mode): the ?purchase= of the return address still works.
  }
}

export function rememberedPurchase(): string | null {
  try {
    return sessionStorage.getItem(PENDING_KEY);
  } catch {
    return null;
  }
}

export function forgetPurchase(id: string): void {
  try {
    if (sessionStorage.getItem(PENDING_KEY) === id) sessionStorage.removeItem(PENDING_KEY);
  } catch {
    // nothing remembered, nothing to forget
  }
}

const UNSETTLED: readonly Purchase['status'][] = ['created', 'pending'];

// ---------------------------------------------------------------------------------------------
// Recharge.

type Choice = { readonly kind: 'package'; readonly id: string } | { readonly kind: 'custom' };

export function Recharge() {
  const [wanted, setWanted] = useState(preferredCurrency);
  const prices = useLoader(() => coinPricesFor(wanted), wanted);
  const [choice, setChoice] = useState<Choice | null>(null);
  const [customText, setCustomText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The idempotency id of the purchase being started: a retry of the same choice (a failed or lost
  // request) sends the same id, so it can never open two payments; another choice gets a new one.
  const attempt = useRef<{ key: string; id: string } | null>(null);

  if (prices.loaded.state === 'loading') return <Skeleton rows={2} label="Loading coin prices" />;
  if (prices.loaded.state === 'error') return <LoadError message={prices.loaded.message} onRetry={() => { prices.reload(); }} />;
  const list: CoinPrices = prices.loaded.value;
  // The currency the prices came in: the one asked for, unless coins are not sold in it here.
  const currency = list.currency;
  const base = list.packages[0];
  const customCoins = /^\d{1,9}$/.test(customText.trim()) ? Number(customText.trim()) : null;
  const customValid = customCoins !== null && customCoins >= list.custom.minCoins && customCoins <= list.custom.maxCoins;
  const chosenPackage = choice?.kind === 'package' ? list.packages.find((p) => p.id === choice.id) : undefined;
  const price =
    chosenPackage ? { coins: chosenPackage.coins, priceMinor: chosenPackage.priceMinor }
    : choice?.kind === 'custom' && customValid && base ? { coins: customCoins, priceMinor: customPriceMinor(customCoins, base) }
    : null;

  async function pay(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    if (choice === null || price === null) return;
    const key = choice.kind === 'package' ? `package:${choice.id}` : `custom:${price.coins}:${currency}`;
    if (attempt.current?.key !== key) attempt.current = { key, id: newClientId() };
    const id = attempt.current.id;
    setBusy(true);
    setError(null);
    try {
      const started = await api.buyCoins(choice.kind === 'package' ? { id, packageId: choice.id } : { id, coins: price.coins, currency });
      attempt.current = null;
      rememberPurchase(started.purchase.id);
      location.assign(started.checkoutUrl);
    } catch (e) {
      setError(explain(e));
      setBusy(false);
    }
  }

  return (
    <form className="recharge" onSubmit={(e) => void pay(e)} aria-labelledby="recharge-title">
      <div className="section-head">
        <h3 id="recharge-title">Recharge</h3>
        {list.currencies.length > 1 ? (
          <label className="inline-select">
            <span className="muted">Currency</span>
            <select
              value={currency}
              onChange={(e) => {
                setWanted(e.target.value);
                setChoice(null);
              }}
            >
              {list.currencies.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </label>
        ) : null}
      </div>
      <div className="package-grid" role="group" aria-label="Coin packages">
        {list.packages.map((p) => (
          <button
            key={p.id}
            type="button"
            className="package"
            aria-pressed={choice?.kind === 'package' && choice.id === p.id}
            onClick={() => { setChoice({ kind: 'package', id: p.id }); setError(null); }}
          >
            {/* Named by what it shows, in the same order: "350 [coins for] $4.99". */}
            <span className="package-coins num"><span className="coin-icon" aria-hidden="true" />{formatCount(p.coins)}<span className="sr-only"> coins for </span></span>{' '}
            <span className="package-price num">{formatMoney(p.priceMinor, p.currency)}</span>
          </button>
        ))}
        <button
          type="button"
          className="package custom"
          aria-pressed={choice?.kind === 'custom'}
          onClick={() => { setChoice({ kind: 'custom' }); setError(null); }}
        >
          <span className="package-coins">Custom</span>
          <span className="package-price">{formatCount(list.custom.minCoins)}+ coins</span>
        </button>
      </div>
      {choice?.kind === 'custom' ? (
        <label className="field">
          Coins to buy
          <input
            inputMode="numeric"
            autoComplete="off"
            value={customText}
            onChange={(e) => { setCustomText(e.target.value); }}
            placeholder={`${formatCount(list.custom.minCoins)} to ${formatCount(list.custom.maxCoins)}`}
            aria-describedby="custom-help"
          />
          <small id="custom-help" className={customText !== '' && !customValid ? 'error' : 'muted'}>
            {customText !== '' && !customValid
              ? `Choose ${formatCount(list.custom.minCoins)} to ${formatCount(list.custom.maxCoins)} coins.`
              : base ? `At the base rate: ${formatCount(base.coins)} coins for ${formatMoney(base.priceMinor, list.currency)}.` : null}
          </small>
        </label>
      ) : null}
      {chosenPackage ? (
        <dl className="split" aria-label="Where your money goes">
          <div><dt>Creators receive</dt><dd className="num">{formatMoney(chosenPackage.split.creatorsMinor, chosenPackage.currency)}</dd></div>
          <div><dt>Payment processor</dt><dd className="num">{formatMoney(chosenPackage.split.processorMinor, chosenPackage.currency)}</dd></div>
          <div><dt>Livegift</dt><dd className="num">{formatMoney(chosenPackage.split.platformMinor, chosenPackage.currency)}</dd></div>
        </dl>
      ) : null}
      {error !== null ? <p className="error" role="alert">{error}</p> : null}
      <button type="submit" className="button wide" disabled={busy || price === null}>
        {busy ? 'Opening checkout…' : price === null ? 'Choose a package' : `Pay ${formatMoney(price.priceMinor, currency)} for ${formatCount(price.coins)} coins`}
      </button>
      <p className="fine-print muted">You pay on the payment provider’s page, then come back here. Coins arrive as soon as the payment is confirmed.</p>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// The purchase just made, followed until it settles.

const POLL_MS = 2_000;
/** About three minutes of asking; then the buyer asks again by hand. */
const POLLS_MAX = 90;

export function PurchaseTracker({ purchaseId, onSettled, onDismiss }: { purchaseId: string; onSettled: () => void; onDismiss: () => void }) {
  const [purchase, setPurchase] = useState<Purchase | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [polls, setPolls] = useState(0);
  const [round, setRound] = useState(0);
  const settledOnce = useRef(false);
  const latestOnSettled = useRef(onSettled);
  useEffect(() => {
    latestOnSettled.current = onSettled;
  });

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let count = 0;
    const check = () => {
      count += 1;
      setPolls(count);
      // Asking for the purchase makes the server check an unfinished one with the provider.
      api.purchase(purchaseId).then(
        (p) => {
          if (cancelled) return;
          setPurchase(p);
          setError(null);
          if (UNSETTLED.includes(p.status)) {
            if (count < POLLS_MAX) timer = setTimeout(check, POLL_MS);
            return;
          }
          forgetPurchase(purchaseId);
          if (!settledOnce.current) {
            settledOnce.current = true;
            walletChanged();
            latestOnSettled.current();
          }
        },
        (e: unknown) => {
          if (cancelled) return;
          setError(explain(e));
          if (e instanceof LivegiftError && (e.status === 404 || e.status === 403)) forgetPurchase(purchaseId);
          else if (count < POLLS_MAX) timer = setTimeout(check, POLL_MS * 2);
        },
      );
    };
    check();
    return () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [purchaseId, round]);

  const what = purchase ? `${formatCount(purchase.coins)} coins for ${formatMoney(purchase.amountMinor, purchase.currency)}` : 'your coins';
  const settled = purchase !== null && !UNSETTLED.includes(purchase.status);
  const stalled = !settled && polls >= POLLS_MAX;
  const tone = purchase ? PURCHASE_STATUS[purchase.status].tone : 'wait';
  const message =
    error !== null && purchase === null ? error
    : purchase === null ? 'Checking your purchase…'
    : purchase.status === 'paid' || purchase.status === 'dispute_won' ? `Payment complete: ${what} are in your wallet.`
    : purchase.status === 'pending' ? `Waiting for your bank to confirm ${what}…`
    : purchase.status === 'created' ? `Waiting for your payment of ${what}… If you left the checkout, nothing was charged.`
    : purchase.status === 'declined' ? `The payment for ${what} was declined. Nothing was charged.`
    : purchase.status === 'refunded' ? `The purchase of ${what} was refunded.`
    : `${PURCHASE_STATUS[purchase.status].label}: the purchase of ${what}.`;

  return (
    <div className={`tracker ${error !== null && purchase === null ? 'bad' : tone}`} role="status" aria-live="polite">
      <span className="tracker-dot" aria-hidden="true" />
      <p className="tracker-text">{message}</p>
      {stalled ? (
        <button type="button" className="button ghost small" onClick={() => { setRound((n) => n + 1); }}>Check again</button>
      ) : null}
      {settled || stalled || error !== null ? (
        <button type="button" className="tracker-close" aria-label="Dismiss" onClick={onDismiss}>×</button>
      ) : null}
    </div>
  );
}
