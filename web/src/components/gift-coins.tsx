// A coin amount as the gift panel and the recharge sheet show it: the gold pill of the top bar, fed
// with a number (the balance after sends in flight) instead of reading the wallet itself.
import '../styles/gifting.css';

export function CoinAmount({ coins, label }: { coins: number | null | undefined; label: string }) {
  return (
    <span className="coins">
      <span className="sr-only">{label}: </span>
      <span className="coin-icon" aria-hidden="true" />
      <span className="num">{coins == null ? '—' : coins.toLocaleString('en-US')}</span>
      <span className="sr-only"> coins</span>
    </span>
  );
}
