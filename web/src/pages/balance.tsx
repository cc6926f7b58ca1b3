// Balance: coins (the wallet, recharge through the provider's checkout, the purchase just made
// followed until it settles, purchase history with any money that came back) and diamonds (on hold
// vs available and what they are worth, payout accounts, redeem, payouts with their live status).
// An account under review is told why (gifting paused, diamonds held); under-18 accounts are told
// why buying coins and collecting diamonds are not open to them; signed-out visitors are asked to log in.
import { useState } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import { DiamondsPanel } from '../components/balance-diamonds.js';
import { AccountReviews } from '../components/balance-reviews.js';
import { formatCount } from '../components/balance-format.js';
import { Skeleton } from '../components/load.js';
import { PurchaseHistory } from '../components/balance-purchases.js';
import { forgetPurchase, PurchaseTracker, Recharge, rememberedPurchase } from '../components/balance-recharge.js';
import { useWallet } from '../components/coins.js';
import { Link, navigate, useLocation } from '../router.js';
import { useSession } from '../session.js';
import '../styles/account.css';

export function BalancePage() {
  const { me } = useSession();
  if (me === undefined) {
    return (
      <section className="card narrow">
        <Skeleton rows={3} label="Loading your balance" />
      </section>
    );
  }
  if (me === null) {
    return (
      <section className="card narrow center" aria-labelledby="balance-login">
        <h1 id="balance-login">Your balance</h1>
        <p className="muted">Log in to see your coins and diamonds, recharge, and redeem.</p>
        <Link to="/login?next=/balance" className="button wide">Log in</Link>
        <p className="muted">New here? <Link to="/signup">Create an account</Link></p>
      </section>
    );
  }
  return <Balance me={me} />;
}

function Balance({ me }: { me: Me }) {
  const { query } = useLocation();
  // The purchase to follow: named by the return address (?purchase=…), or remembered when the buyer
  // left for the checkout in this tab.
  const [tracked, setTracked] = useState<string | null>(() => query.get('purchase') ?? rememberedPurchase());
  const [historyVersion, setHistoryVersion] = useState(0);
  const coins = useWallet();

  const dismiss = () => {
    if (tracked !== null) forgetPurchase(tracked);
    setTracked(null);
    if (query.has('purchase')) navigate('/balance', { replace: true });
  };

  return (
    <div className="account-page">
      <header className="account-head">
        <h1>Balance</h1>
        <p className="muted">Coins to send gifts in LIVEs; diamonds from the gifts you receive.</p>
      </header>
      {tracked !== null && me.adult ? (
        <PurchaseTracker purchaseId={tracked} onSettled={() => { setHistoryVersion((n) => n + 1); }} onDismiss={dismiss} />
      ) : null}
      <AccountReviews me={me} />
      {!me.adult ? (
        <p className="notice" role="note">
          Because you are under 18, buying coins and collecting diamonds are not available on your account. You can still watch
          LIVEs, chat and send hearts; coins, gifts and diamonds open by themselves on your 18th birthday.
        </p>
      ) : null}
      <div className="balance-grid">
        <section className="card account-card" aria-labelledby="coins-title">
          <h2 id="coins-title">Coins</h2>
          <div className="big-balance coins-balance" role="img" aria-label={coins == null ? 'Coin balance' : `${formatCount(coins)} coins`}>
            <span className="coin-icon big" aria-hidden="true" />
            <span className="big-number num">{coins === undefined ? '—' : coins === null ? '?' : formatCount(coins)}</span>
            <span className="big-caption">coins to send gifts</span>
          </div>
          {me.adult ? (
            <>
              <Recharge />
              <PurchaseHistory version={historyVersion} />
            </>
          ) : (
            <p className="empty muted">Buying coins is for people 18 and older.</p>
          )}
        </section>
        <section className="card account-card" aria-labelledby="diamonds-title">
          <h2 id="diamonds-title">Diamonds</h2>
          {me.adult ? (
            <DiamondsPanel held={me.payoutsHeld} />
          ) : (
            <p className="empty muted">Collecting and redeeming diamonds is for creators 18 and older.</p>
          )}
        </section>
      </div>
    </div>
  );
}
