// The signed-in viewer's coin balance, as a gold pill; refreshed on demand through useWallet.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.js';

const listeners = new Set<() => void>();

/** Tells every balance on screen to read the wallet again (after a purchase or a gift). */
export function walletChanged(): void {
  for (const listener of listeners) listener();
}

/** The wallet's coins: undefined while loading, null when it cannot be read. */
export function useWallet(): number | null | undefined {
  const [coins, setCoins] = useState<number | null | undefined>(undefined);
  const load = useCallback(() => {
    api.wallet().then(
      (wallet) => {
        setCoins(wallet.coins);
      },
      () => {
        setCoins(null);
      },
    );
  }, []);
  useEffect(() => {
    load();
    listeners.add(load);
    return () => {
      listeners.delete(load);
    };
  }, [load]);
  return coins;
}

export function Coins() {
  const coins = useWallet();
  return (
    <span className="coins" role="img" aria-label={coins == null ? 'Coin balance' : `${coins.toLocaleString('en-US')} coins`}>
      <span className="coin-icon" aria-hidden="true" />
      <span className="num">{coins == null ? '—' : coins.toLocaleString('en-US')}</span>
    </span>
  );
}
