// In-LIVE recharge: a sheet over the stage (the LIVE keeps playing) with the coin packages as tiles
// in the buyer's currency (from the browser's locale at first, with a small switch among the ones
// the server sells), a custom amount, and the split of the money shown before paying. Pay opens the provider's checkout
// in a new window (opened inside the tap, so no popup blocker stops it; a link if one does) and this
// sheet asks the server about the purchase until it settles — coins are credited by the server from
// the provider's word, never from this page. Paid: the opener returns to the gift panel.
import { useEffect, useRef, useState } from 'react';
import type { CoinPrices, Purchase } from '../../../src/protocol/coins.js';
import { api, explain } from '../api.js';
import { customPriceMinor, formatMoney } from './balance-format.js';
import { coinPricesFor } from './coin-prices.js';
import { CoinAmount } from './gift-coins.js';
import { Sheet } from './gift-sheet.js';
import { preferredCurrency } from './locale-region.js';
import '../styles/gifting.css';

type Package = CoinPrices['packages'][number];

const POLL_MS = 1_500;
/** About ten minutes of asking; then the buyer is asked whether to keep waiting. */
const POLLS_MAX = 400;
const CHECKOUT_WINDOW = 'livegift-checkout';

type Phase =
  | { readonly kind: 'choose' }
  | { readonly kind: 'starting' }
  | { readonly kind: 'waiting'; readonly purchase: Purchase; readonly checkoutUrl: string; readonly opened: boolean }
  | { readonly kind: 'stalled'; readonly purchase: Purchase; readonly checkoutUrl: string };

export interface RechargeProps {
  /** The balance to show (undefined while loading). */
  readonly balance: number | null | undefined;
  /** Coins missing for what the viewer wanted to send, if that is why the sheet opened. */
  readonly neededCoins: number | null;
  /** What they wanted to send, e.g. "Rose ×5". */
  readonly forWhat: string | null;
  readonly onPaid: (purchase: Purchase) => void;
  readonly onBack: () => void;
}

export function RechargeSheet({ balance, neededCoins, forWhat, onPaid, onBack }: RechargeProps) {
  const [wanted, setWanted] = useState(preferredCurrency);
  const [prices, setPrices] = useState<CoinPrices | null>(null);
  const shown = useRef<CoinPrices | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [choice, setChoice] = useState<string | null>(null);
  const [customText, setCustomText] = useState('1000');
  const [phase, setPhase] = useState<Phase>({ kind: 'choose' });
  const [error, setError] = useState<string | null>(null);
  const popup = useRef<Window | null>(null);
  const paidRef = useRef(onPaid);
  useEffect(() => {
    paidRef.current = onPaid;
  }, [onPaid]);

  useEffect(() => {
    let cancelled = false;
    setLoadError(null);
    coinPricesFor(wanted).then(
      (p) => {
        if (cancelled) return;
        // Another currency keeps the same choice: the package of as many coins, or the custom amount.
        const before = shown.current?.packages;
        shown.current = p;
        setPrices(p);
        setChoice((current) => {
          if (current === 'custom') return current;
          const coins = before?.find((x) => x.id === current)?.coins;
          return p.packages.find((x) => x.id === current || x.coins === coins)?.id ?? defaultPackage(p.packages, neededCoins)?.id ?? 'custom';
        });
      },
      (e: unknown) => {
        if (!cancelled) setLoadError(explain(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt, neededCoins, wanted]);

  // Ask the server about the purchase until it is paid, declined, or we have asked long enough.
  const waitingId = phase.kind === 'waiting' ? phase.purchase.id : null;
  useEffect(() => {
    if (waitingId === null) return;
    let stopped = false;
    let polls = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async (): Promise<void> => {
      let next: Purchase | null = null;
      try {
        next = await api.purchase(waitingId);
      } catch {
        // A failed look-up is asked again at the next beat.
      }
      if (stopped) return;
      if (next?.status === 'paid') {
        popup.current?.close();
        popup.current = null;
        paidRef.current(next);
        return;
      }
      if (next && next.status !== 'created' && next.status !== 'pending') {
        setPhase({ kind: 'choose' });
        setError(next.status === 'declined' ? 'The payment was declined. Nothing was charged. Try again or choose another amount.' : `This purchase is ${next.status.replace(/_/g, ' ')}. Nothing was added.`);
        return;
      }
      polls += 1;
      if (polls >= POLLS_MAX) {
        setPhase((p) => (p.kind === 'waiting' ? { kind: 'stalled', purchase: p.purchase, checkoutUrl: p.checkoutUrl } : p));
        return;
      }
      timer = setTimeout(() => void check(), POLL_MS);
    };
    timer = setTimeout(() => void check(), POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [waitingId]);

  const packages = prices?.packages ?? [];
  const chosen = packages.find((p) => p.id === choice);
  const base = packages[0];
  const customCoins = /^\d{1,9}$/.test(customText.trim()) ? Number(customText.trim()) : Number.NaN;
  const customValid = prices !== null && Number.isInteger(customCoins) && customCoins >= prices.custom.minCoins && customCoins <= prices.custom.maxCoins;
  const customPrice = base && customValid ? customPriceMinor(customCoins, base) : null;
  const currency = prices?.currency ?? 'USD';
  // The currency chosen in the switch; until its prices arrive, the ones shown are not payable.
  const switchedTo = prices !== null && prices.currencies.includes(wanted) ? wanted : currency;
  const stale = switchedTo !== currency;
  const priceMinor = choice === 'custom' ? customPrice : (chosen?.priceMinor ?? null);

  const pay = () => {
    if (!prices || priceMinor === null || phase.kind === 'starting') return;
    setError(null);
    // Opened inside the tap (a window opened after an await is blocked); pointed at the checkout below.
    const opened = window.open('', CHECKOUT_WINDOW);
    popup.current = opened;
    setPhase({ kind: 'starting' });
    const body = choice === 'custom' ? { coins: customCoins, currency } : { packageId: chosen?.id ?? '' };
    api.buyCoins(body).then(
      ({ purchase, checkoutUrl }) => {
        if (opened && !opened.closed) opened.location.href = checkoutUrl;
        setPhase({ kind: 'waiting', purchase, checkoutUrl, opened: opened !== null });
      },
      (e: unknown) => {
        opened?.close();
        popup.current = null;
        setPhase({ kind: 'choose' });
        setError(explain(e));
      },
    );
  };

  const head = (
    <header className="sheet-head">
      <button type="button" className="sheet-icon" aria-label="Back to gifts" onClick={onBack}>‹</button>
      <h2 id="recharge-title">Recharge</h2>
      <CoinAmount coins={balance} label="Your balance" />
    </header>
  );

  if (phase.kind === 'waiting' || phase.kind === 'stalled') {
    const p = phase.purchase;
    return (
      <Sheet labelledBy="recharge-title" className="recharge-sheet" onClose={onBack}>
        {head}
        <div className="recharge-waiting" role="status">
          {phase.kind === 'waiting' ? <span className="spinner" aria-hidden="true" /> : null}
          <p>
            {phase.kind === 'waiting' ? 'Finish paying in the checkout window.' : 'We have not heard from the checkout yet.'}
            <br />
            <strong className="num">{p.coins.toLocaleString('en-US')} coins</strong> for <strong className="num">{formatMoney(p.amountMinor, p.currency)}</strong>
          </p>
          <p className="muted">Your coins arrive here as soon as the payment is confirmed. The LIVE keeps playing.</p>
        </div>
        <div className="sheet-actions">
          {phase.kind === 'stalled' ? (
            <button type="button" className="button wide" onClick={() => { setPhase({ kind: 'waiting', purchase: p, checkoutUrl: phase.checkoutUrl, opened: true }); }}>Check again</button>
          ) : null}
          <a className={phase.kind === 'waiting' && !phase.opened ? 'button wide' : 'button ghost wide'} href={phase.checkoutUrl} target={CHECKOUT_WINDOW} rel="opener">
            {phase.kind === 'waiting' && !phase.opened ? 'Open the checkout' : 'Open the checkout again'}
          </a>
          <button type="button" className="button ghost wide" onClick={() => { setPhase({ kind: 'choose' }); }}>Choose another amount</button>
        </div>
      </Sheet>
    );
  }

  return (
    <Sheet labelledBy="recharge-title" className="recharge-sheet" onClose={onBack}>
      {head}
      {neededCoins !== null && neededCoins > 0 ? (
        <p className="recharge-need">
          You need <strong className="num">{neededCoins.toLocaleString('en-US')} more {neededCoins === 1 ? 'coin' : 'coins'}</strong>{forWhat !== null ? <> to send {forWhat}</> : null}.
        </p>
      ) : null}
      {prices !== null && prices.currencies.length > 1 ? (
        <fieldset className="currency-switch" aria-busy={stale && loadError === null}>
          <legend>Pay in</legend>
          {prices.currencies.map((c) => (
            <label key={c} className="currency-option">
              <input type="radio" name="recharge-currency" className="sr-only" value={c} checked={switchedTo === c} onChange={() => { setWanted(c); setError(null); }} />
              <span>{c}</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      {prices === null ? (
        loadError !== null ? (
          <div className="sheet-state" role="alert">
            <p>We could not load the coin prices. {loadError}</p>
            <button type="button" className="button small" onClick={() => { setAttempt((n) => n + 1); }}>Try again</button>
          </div>
        ) : (
          <div className="coin-packages" aria-busy="true" aria-label="Loading coin packages">
            {Array.from({ length: 6 }, (_, i) => <span key={i} className="package-tile skeleton" />)}
          </div>
        )
      ) : (
        <>
          <fieldset className="coin-packages">
            <legend className="sr-only">Coin packages</legend>
            {packages.map((p, i) => (
              <label key={p.id} className="package-tile">
                <input type="radio" name="coin-package" value={p.id} checked={choice === p.id} data-autofocus={choice === p.id || (choice === null && i === 0) ? true : undefined} onChange={() => { setChoice(p.id); }} />
                <span className="package-coins num"><span className="coin-icon" aria-hidden="true" />{p.coins.toLocaleString('en-US')}</span>
                <span className="package-price num">{formatMoney(p.priceMinor, p.currency)}</span>
              </label>
            ))}
            <label className="package-tile custom">
              <input type="radio" name="coin-package" value="custom" checked={choice === 'custom'} onChange={() => { setChoice('custom'); }} />
              <span className="package-coins">Custom</span>
              <span className="package-price num">{customPrice !== null && choice === 'custom' ? formatMoney(customPrice, currency) : 'Any amount'}</span>
            </label>
          </fieldset>
          {choice === 'custom' ? (
            <label className="custom-amount">
              <span>Coins</span>
              <input
                type="text"
                inputMode="numeric"
                autoComplete="off"
                value={customText}
                aria-describedby="custom-hint"
                aria-invalid={!customValid}
                onChange={(e) => { setCustomText(e.target.value.replace(/[^\d]/g, '')); }}
              />
              <small id="custom-hint" className={customValid ? 'muted' : 'error'}>
                {prices.custom.minCoins.toLocaleString('en-US')} to {prices.custom.maxCoins.toLocaleString('en-US')} coins at the base rate
              </small>
            </label>
          ) : null}
          <Split pkg={choice === 'custom' ? null : (chosen ?? null)} customCoins={customValid ? customCoins : null} example={prices.custom.example} priceMinor={priceMinor} currency={currency} />
        </>
      )}
      {prices !== null && loadError !== null ? (
        <div className="sheet-state" role="alert">
          <p>We could not load the prices in {wanted}. {loadError}</p>
          <button type="button" className="button small" onClick={() => { setAttempt((n) => n + 1); }}>Try again</button>
        </div>
      ) : null}
      {error !== null ? <p className="error sheet-error" role="alert">{error}</p> : null}
      <div className="sheet-actions">
        <button type="button" className="button wide pay" disabled={priceMinor === null || phase.kind === 'starting' || stale} aria-busy={phase.kind === 'starting'} onClick={pay}>
          {phase.kind === 'starting' ? 'Opening the checkout…' : priceMinor !== null ? `Pay ${formatMoney(priceMinor, currency)}` : 'Pay'}
        </button>
        <p className="fineprint">You pay on the checkout page in a new window. Coins have no cash value and gifts are final.</p>
      </div>
    </Sheet>
  );
}

/** Where the money goes, shown before paying. */
function Split({ pkg, customCoins, example, priceMinor, currency }: { pkg: Package | null; customCoins: number | null; example: Package; priceMinor: number | null; currency: string }) {
  if (pkg) {
    return (
      <dl className="recharge-split" aria-label="Where your money goes">
        <div><dt>Creators receive</dt><dd className="num">{formatMoney(pkg.split.creatorsMinor, pkg.currency)}</dd></div>
        <div><dt>Payment fee</dt><dd className="num">{formatMoney(pkg.split.processorMinor, pkg.currency)}</dd></div>
        <div><dt>Livegift</dt><dd className="num">{formatMoney(pkg.split.platformMinor, pkg.currency)}</dd></div>
      </dl>
    );
  }
  if (customCoins === null || priceMinor === null || example.coins <= 0) return null;
  // Creators' share grows with the coins; the fee depends on the total and is on the checkout page.
  const creatorsMinor = Math.floor((customCoins * example.split.creatorsMinor) / example.coins);
  return (
    <dl className="recharge-split" aria-label="Where your money goes">
      <div><dt>Creators receive</dt><dd className="num">{formatMoney(creatorsMinor, currency)}</dd></div>
      <div><dt>Total</dt><dd className="num">{formatMoney(priceMinor, currency)}</dd></div>
    </dl>
  );
}

/** The smallest package that covers what is missing (or the smallest one). */
function defaultPackage(packages: readonly Package[], neededCoins: number | null): Package | undefined {
  if (neededCoins === null || neededCoins <= 0) return packages[0];
  return packages.find((p) => p.coins >= neededCoins) ?? packages.at(-1);
}
