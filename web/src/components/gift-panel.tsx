// The gift panel of the LIVE page: a bottom sheet over the stage with the catalog (art, name, coin
// cost), the viewer's balance, a quantity and a big Send. After a send of a combo-able gift the Send
// button becomes a round combo button (×2, ×3 …) with a countdown ring; every tap on it is its own
// send with its own id. Too few coins opens the recharge sheet in its place, and a paid recharge
// comes back here with the same gift still selected — nothing is sent until the next tap.
//
// Also here: the gift button of the stage's bottom bar, which says why a viewer cannot send gifts
// (logged out, under 18, gifting paused for review, their own LIVE, LIVE Gifts off) instead of
// disappearing.
import { useEffect, useRef, useState, type CSSProperties, type Ref } from 'react';
import type { Me, PublicUser } from '../../../src/protocol/accounts.js';
import type { Purchase } from '../../../src/protocol/coins.js';
import type { Gift } from '../../../src/protocol/gifts.js';
import type { Live } from '../../../src/protocol/lives.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import type { CatalogState } from './catalog.js';
import { useWallet, walletChanged } from './coins.js';
import { CoinAmount } from './gift-coins.js';
import { useSenderSnapshot, type GiftSender } from './gift-sender.js';
import { Sheet } from './gift-sheet.js';
import type { GiftStage } from './gift-stage.js';
import { RechargeSheet } from './recharge.js';
import { reviewWords } from './review-words.js';
import '../styles/gifting.css';

// The LIVE page reads the catalog from here (with the panel that shows it).
export { useGiftCatalog, type CatalogState } from './catalog.js';

/** How many of a gift one tap sends. */
const QUANTITIES = [1, 5, 10, 99] as const;
/**
 * How long the combo button waits for the next tap. Shorter than the server's combo window (3 s
 * between sends), so taps the button counts together are the ones the room folds together.
 */
export const COMBO_MS = 2_500;

/** Why this viewer cannot send gifts in this LIVE (the server's rules, said first), or null. */
export interface GiftBlock {
  readonly title: string;
  readonly text: string;
  readonly logIn: boolean;
}

export function giftBlockFor(me: Me | null | undefined, live: Live): GiftBlock | null {
  if (me === undefined) return null;
  if (me === null) return { title: 'Log in to send gifts', text: 'Sending gifts needs an account (18 or older). Log in or sign up, then come back to this LIVE.', logIn: true };
  if (me.banned) return { title: 'Gifts are not available', text: 'Your account cannot send gifts.', logIn: false };
  if (!me.adult) return { title: 'Gifts are for 18+', text: 'You must be 18 or older to send gifts or buy coins. You can still watch, chat and send hearts.', logIn: false };
  if (me.giftingFrozen !== null) {
    return { title: 'Gifting is paused', text: `${reviewWords(me.giftingFrozen.reason, 'Our team will review your account and tell you when gifting resumes.')} You can still watch, chat and send hearts.`, logIn: false };
  }
  if (me.id === live.creator.id) return { title: 'This is your LIVE', text: 'You cannot send gifts to yourself. Gifts from your viewers appear here and in your studio.', logIn: false };
  if (!live.giftsEnabled) return { title: 'LIVE Gifts are off', text: `${live.creator.displayName} has LIVE Gifts turned off, so gifts cannot be sent in this LIVE.`, logIn: false };
  return null;
}

/** The bright gift icon of the bottom bar. */
export function GiftButton({ block, expanded, onClick, ref }: { block: GiftBlock | null; expanded: boolean; onClick: () => void; ref?: Ref<HTMLButtonElement> }) {
  return (
    <button ref={ref} type="button" className={`round gift-button${block ? ' blocked' : ''}`} aria-label="Send a gift" aria-haspopup="dialog" aria-expanded={expanded} aria-describedby={block ? 'gift-block-hint' : undefined} title={block?.title ?? 'Send a gift'} onClick={onClick}>
      <GiftIcon />
      {block ? (
        <>
          <span className="gift-lock" aria-hidden="true">!</span>
          <span id="gift-block-hint" className="sr-only">{block.title}</span>
        </>
      ) : null}
    </button>
  );
}

/** The explanation a blocked gift button opens. */
export function GiftBlockedSheet({ block, next, onClose }: { block: GiftBlock; next: string; onClose: () => void }) {
  return (
    <Sheet labelledBy="gift-block-title" className="gift-blocked" onClose={onClose}>
      <header className="sheet-head">
        <h2 id="gift-block-title">{block.title}</h2>
        <button type="button" className="sheet-icon" aria-label="Close" onClick={onClose}>×</button>
      </header>
      <p>{block.text}</p>
      <div className="sheet-actions">
        {block.logIn ? (
          <>
            <Link to={`/login?next=${encodeURIComponent(next)}`} className="button wide" data-autofocus>Log in</Link>
            <Link to={`/signup?next=${encodeURIComponent(next)}`} className="button ghost wide">Sign up</Link>
          </>
        ) : (
          <button type="button" className="button ghost wide" data-autofocus onClick={onClose}>OK</button>
        )}
      </div>
    </Sheet>
  );
}

interface Streak {
  /** Id of the streak's first tap: the banner its taps count towards. */
  readonly key: string;
  readonly giftId: string;
  readonly quantity: number;
  readonly count: number;
  readonly tapAtMs: number;
}

/** What the viewer picked: kept by the page, so the panel opens again on the same gift and quantity. */
export interface GiftChoice {
  readonly giftId: string | null;
  readonly quantity: number;
}

export interface GiftPanelProps {
  readonly choice: GiftChoice;
  readonly onChoice: (choice: GiftChoice) => void;
  readonly catalog: CatalogState;
  readonly onRetry: () => void;
  readonly sender: GiftSender;
  readonly stage: GiftStage;
  readonly me: PublicUser;
  readonly creatorName: string;
  readonly onClose: () => void;
}

export function GiftPanel({ choice, onChoice, catalog, onRetry, sender, stage, me, creatorName, onClose }: GiftPanelProps) {
  const wallet = useWallet();
  const { refresh: refreshSession } = useSession();
  useSenderSnapshot(sender);
  const balance = sender.balance(wallet);
  const { giftId: selectedId, quantity } = choice;
  const [view, setView] = useState<'gifts' | 'recharge'>('gifts');
  const [need, setNeed] = useState<{ coins: number | null; forWhat: string } | null>(null);
  const [streak, setStreak] = useState<Streak | null>(null);
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // Back from another tab or window (a checkout left half-way, say): read the balance again.
  useEffect(() => {
    window.addEventListener('focus', walletChanged);
    return () => { window.removeEventListener('focus', walletChanged); };
  }, []);

  // The combo button waits COMBO_MS after the last tap, then turns back into Send.
  useEffect(() => {
    if (!streak) return;
    const timer = setTimeout(() => { setStreak(null); }, Math.max(0, COMBO_MS - (Date.now() - streak.tapAtMs)));
    return () => { clearTimeout(timer); };
  }, [streak]);

  const gifts = catalog.status === 'ready' ? catalog.gifts : [];
  const sendable = gifts.filter((g) => g.available);
  const selected = sendable.find((g) => g.id === selectedId) ?? sendable[0];
  const combo = streak !== null && selected !== undefined && streak.giftId === selected.id && streak.quantity === quantity ? streak : null;

  const openRecharge = (coins: number | null, forWhat: string) => {
    setStreak(null);
    setMessage(null);
    setNeed({ coins, forWhat });
    setView('recharge');
  };

  const tap = () => {
    if (!selected) return;
    setMessage(null);
    stage.clearNotice();
    const what = label(selected, quantity);
    const cost = selected.coins * quantity;
    if (balance != null && balance < cost) {
      openRecharge(cost - balance, what);
      return;
    }
    const big = stage.isBig(selected, quantity);
    const { id, done } = sender.send(selected, quantity, me, combo?.key ?? null);
    const key = combo?.key ?? id;
    if (!big && selected.comboable) setStreak({ key, giftId: selected.id, quantity, count: (combo?.count ?? 0) + quantity, tapAtMs: Date.now() });
    else setStreak(null);
    void done.then((outcome) => {
      if (outcome.ok || !mounted.current) return;
      stage.clearNotice(); // said here, not again on the stage
      setStreak((s) => (s?.key === key ? (s.count - quantity > 0 ? { ...s, count: s.count - quantity } : null) : s));
      if (outcome.code === 'insufficient_coins') openRecharge(outcome.shortfallCoins, what);
      else setMessage({ kind: 'error', text: outcome.message });
      // Paused since the page was read: the session learns it, so the gift button explains from now on.
      if (outcome.code === 'gifting_frozen') void refreshSession();
    });
    // A full-screen gift is for watching: the panel gives way to it.
    if (big) onClose();
  };

  const onPaid = (purchase: Purchase) => {
    sender.purchased();
    setNeed(null);
    setView('gifts');
    setMessage({ kind: 'ok', text: `${purchase.coins.toLocaleString('en-US')} coins added.${selected ? ` ${selected.name} is still selected: tap Send when you are ready.` : ''}` });
  };

  if (view === 'recharge') {
    return <RechargeSheet balance={balance} neededCoins={need?.coins ?? null} forWhat={need?.forWhat ?? null} onPaid={onPaid} onBack={() => { setView('gifts'); }} />;
  }

  return (
    <Sheet labelledBy="gift-panel-title" className="gift-panel" onClose={onClose}>
      <header className="sheet-head">
        <h2 id="gift-panel-title">Gifts</h2>
        <CoinAmount coins={balance} label="Your balance" />
        <button type="button" className="recharge-link" onClick={() => { setStreak(null); setMessage(null); setNeed(null); setView('recharge'); }}>Recharge</button>
        <button type="button" className="sheet-icon" aria-label="Close gifts" onClick={onClose}>×</button>
      </header>

      {catalog.status === 'loading' ? (
        <div className="gift-grid" aria-busy="true" aria-label="Loading gifts">
          {Array.from({ length: 8 }, (_, i) => <span key={i} className="gift-tile skeleton" />)}
        </div>
      ) : catalog.status === 'error' ? (
        <div className="sheet-state" role="alert">
          <p>We could not load the gifts. {catalog.message}</p>
          <button type="button" className="button small" data-autofocus onClick={onRetry}>Try again</button>
        </div>
      ) : sendable.length === 0 ? (
        <div className="sheet-state">
          <p>No gifts can be sent right now. Check back in a little while — chat and hearts still reach {creatorName}.</p>
          <button type="button" className="button ghost small" data-autofocus onClick={onClose}>Back to the LIVE</button>
        </div>
      ) : (
        <fieldset className="gift-grid">
          <legend className="sr-only">Choose a gift</legend>
          {gifts.map((g) => (
            <label key={g.id} className={`gift-tile${g.available ? '' : ' unavailable'}`}>
              <input
                type="radio"
                name="gift"
                className="sr-only"
                value={g.id}
                checked={selected?.id === g.id}
                disabled={!g.available}
                data-autofocus={selected?.id === g.id ? true : undefined}
                onChange={() => { onChoice({ giftId: g.id, quantity }); setMessage(null); }}
              />
              <img className="gift-tile-art" src={g.artUrl} alt="" width={48} height={48} loading="lazy" decoding="async" />
              <span className="gift-name">{g.name}</span>
              <span className="gift-cost num"><span className="coin-icon" aria-hidden="true" />{g.coins.toLocaleString('en-US')}<span className="sr-only">{g.coins === 1 ? ' coin' : ' coins'}</span></span>
              {g.available ? null : <span className="gift-soon">Not now</span>}
            </label>
          ))}
        </fieldset>
      )}

      {message !== null ? <p className={message.kind === 'error' ? 'error sheet-error' : 'sheet-ok'} role={message.kind === 'error' ? 'alert' : 'status'}>{message.text}</p> : null}

      <div className="gift-send-row">
        <fieldset className="quantity">
          <legend className="sr-only">How many</legend>
          {QUANTITIES.map((q) => (
            <label key={q} className="quantity-option">
              <input type="radio" name="gift-quantity" className="sr-only" value={q} checked={quantity === q} onChange={() => { onChoice({ giftId: selected?.id ?? selectedId, quantity: q }); }} />
              <span className="num">×{q}</span>
            </label>
          ))}
        </fieldset>
        <button
          type="button"
          className={combo ? 'send-button combo-button' : 'button send-button'}
          style={combo ? ({ '--combo-ms': `${COMBO_MS}ms` } as CSSProperties) : undefined}
          disabled={!selected}
          aria-label={selected && combo ? `Send ${selected.name} again, combo ×${combo.count}` : undefined}
          onClick={tap}
        >
          {/* The button's name holds what it shows, in the same order ("Send … 5 coins", "… combo ×5"),
              so a speech-input user can say what they see. */}
          {combo ? (
            <>
              <span key={combo.tapAtMs} className="combo-ring" aria-hidden="true">
                <span className="ring-half right"><span className="ring-arc" /></span>
                <span className="ring-half left"><span className="ring-arc" /></span>
              </span>
              <span className="combo-label">Combo</span>
              <span key={combo.count} className="combo-count num">×{combo.count}</span>
            </>
          ) : (
            <>
              <span>Send</span>
              {selected ? (
                <>
                  {' '}<span className="sr-only">{label(selected, quantity)} for </span>
                  <span className="send-cost num"><span className="coin-icon" aria-hidden="true" />{(selected.coins * quantity).toLocaleString('en-US')}<span className="sr-only">{selected.coins * quantity === 1 ? ' coin' : ' coins'}</span></span>
                </>
              ) : null}
            </>
          )}
        </button>
      </div>
      <details className="gift-terms">
        <summary>Gifts are final · Terms apply</summary>
        <p>
          A gift is a one-way present to {creatorName}: its coins are not refunded. Coins have no cash value outside Livegift.
          Creators receive diamonds for gifts. Promising something in exchange for gifts is against our rules — report it if you see it.
        </p>
      </details>
    </Sheet>
  );
}

function label(gift: Gift, quantity: number): string {
  return quantity > 1 ? `${gift.name} ×${quantity}` : gift.name;
}

function GiftIcon() {
  return (
    <svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true">
      <defs>
        <linearGradient id="gift-icon-fill" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#ff7a93" />
          <stop offset="1" stopColor="#ff4f6d" />
        </linearGradient>
      </defs>
      <rect x="3" y="9" width="18" height="12" rx="2.5" fill="url(#gift-icon-fill)" />
      <rect x="2" y="7" width="20" height="4.5" rx="1.8" fill="#ff9aae" />
      <rect x="10.6" y="7" width="2.8" height="14" fill="#ffc83d" />
      <path d="M12 7c-1.6-3.4-5.6-4.3-6.3-2.2C5 6.8 9 7.2 12 7zm0 0c1.6-3.4 5.6-4.3 6.3-2.2C19 6.8 15 7.2 12 7z" fill="none" stroke="#ffc83d" strokeWidth="1.8" strokeLinejoin="round" />
    </svg>
  );
}
