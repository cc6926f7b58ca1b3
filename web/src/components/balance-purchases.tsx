// The purchase history of the balance page: each purchase with its status in words, and, when money
// came back after it was paid (a refund, a chargeback, a dispute won), what came back and what
// happened to its coins.
import type { Purchase } from '../../../src/protocol/coins.js';
import { api } from '../api.js';
import { formatCount, formatMoney, formatWhen } from './balance-format.js';
import { LoadError, Skeleton, useLoader } from './load.js';
import { StatusPill, type Tone } from './status-pill.js';

export const PURCHASE_STATUS: Readonly<Record<Purchase['status'], { label: string; tone: Tone }>> = {
  created: { label: 'Not paid', tone: 'plain' },
  pending: { label: 'Confirming', tone: 'wait' },
  paid: { label: 'Paid', tone: 'ok' },
  declined: { label: 'Declined', tone: 'bad' },
  refunded: { label: 'Refunded', tone: 'plain' },
  disputed: { label: 'Dispute open', tone: 'wait' },
  dispute_lost: { label: 'Dispute lost', tone: 'bad' },
  dispute_won: { label: 'Dispute won', tone: 'ok' },
};

/** The status of a purchase in words: a refund of part of it says so. */
export function purchaseLabel(p: Purchase): string {
  const refunded = p.moneyBack?.refundedMinor ?? 0;
  if (p.status === 'refunded' && refunded > 0 && refunded < p.amountMinor) return 'Partly refunded';
  return PURCHASE_STATUS[p.status].label;
}

/**
 * What came back after the purchase was paid, e.g. "Refunded $2.50 · 175 coins taken back · 30 coins
 * were already gifted"; null when nothing did.
 */
export function moneyBackWords(p: Purchase): string | null {
  const back = p.moneyBack;
  const parts: string[] = [];
  if (p.status === 'dispute_won') parts.push('Restored: the coins taken back during the dispute are yours again');
  if (back) {
    if (back.refundedMinor > 0) parts.push(`Refunded ${formatMoney(back.refundedMinor, p.currency)}`);
    if (back.chargedBackMinor > 0) {
      const money = formatMoney(back.chargedBackMinor, p.currency);
      parts.push(p.status === 'disputed' ? `Charged back ${money} while your bank reviews the dispute` : `Charged back ${money}`);
    }
    if (back.coinsReversed > 0) parts.push(`${coins(back.coinsReversed)} taken back`);
    if (back.coinsAlreadyGifted > 0) parts.push(`${coins(back.coinsAlreadyGifted)} ${back.coinsAlreadyGifted === 1 ? 'was' : 'were'} already gifted`);
  }
  if (p.status === 'disputed' && (back?.chargedBackMinor ?? 0) === 0) parts.unshift('Your bank is reviewing a dispute on this payment');
  return parts.length > 0 ? parts.join(' · ') : null;
}

function coins(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'coin' : 'coins'}`;
}

export function PurchaseHistory({ version }: { version: number }) {
  const purchases = useLoader(() => api.purchases({ limit: 20 }), String(version));
  return (
    <section aria-labelledby="purchases-title">
      <h3 id="purchases-title">Purchases</h3>
      {purchases.loaded.state === 'loading' ? (
        <Skeleton label="Loading purchases" />
      ) : purchases.loaded.state === 'error' ? (
        <LoadError message={purchases.loaded.message} onRetry={() => { purchases.reload(); }} />
      ) : purchases.loaded.value.length === 0 ? (
        <p className="empty muted">No purchases yet. Choose a package above to get your first coins.</p>
      ) : (
        <ul className="rows" aria-label="Your purchases">
          {purchases.loaded.value.map((p) => {
            const back = moneyBackWords(p);
            return (
              <li key={p.id} className="row purchase-row">
                <span className="row-main">
                  <strong className="num"><span className="coin-icon" aria-hidden="true" /> {formatCount(p.coins)} coins</strong>
                  <span className="muted">{formatWhen(p.createdAtMs)}</span>
                  {back !== null ? <span className={`money-back ${PURCHASE_STATUS[p.status].tone}`}>{back}</span> : null}
                </span>
                <span className="row-side">
                  <span className="num">{formatMoney(p.amountMinor, p.currency)}</span>
                  <StatusPill tone={PURCHASE_STATUS[p.status].tone}>{purchaseLabel(p)}</StatusPill>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
