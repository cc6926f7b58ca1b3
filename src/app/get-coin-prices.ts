// The price list a buyer sees before paying: packages, the custom rate, and for each the split
// between creators, the processor and the platform.
import { ValidationFailed } from '../domain/errors.js';
import { CUSTOM_COINS_MAX, CUSTOM_COINS_MIN, coinPackages, customPriceMinor, purchaseSplit, supportedCurrencies, type CoinPackage, type PurchaseSplit } from '../domain/pricing.js';

export interface PricedPackage extends CoinPackage {
  readonly split: PurchaseSplit;
}

export interface CoinPriceList {
  readonly currency: string;
  readonly packages: readonly PricedPackage[];
  readonly custom: { readonly minCoins: bigint; readonly maxCoins: bigint; readonly example: PricedPackage };
  readonly currencies: readonly string[];
}

export function getCoinPrices(
  currency: string,
  deps: { currencies: readonly string[]; policy: { diamondsPerCoin: bigint; diamondValueMicroUsd: bigint } },
): CoinPriceList {
  const sold = deps.currencies.filter((c) => supportedCurrencies().includes(c));
  if (!sold.includes(currency)) throw new ValidationFailed(`Coins are not sold in ${currency}; choose one of ${sold.join(', ')}.`, { field: 'currency', currencies: sold });
  const priced = (p: CoinPackage): PricedPackage => ({ ...p, split: purchaseSplit(p.priceMinor, p.coins, deps.policy.diamondsPerCoin, deps.policy.diamondValueMicroUsd) });
  const exampleCoins = 1_000n;
  return {
    currency,
    packages: coinPackages(currency).map(priced),
    custom: { minCoins: CUSTOM_COINS_MIN, maxCoins: CUSTOM_COINS_MAX, example: priced({ id: `${currency.toLowerCase()}-custom`, coins: exampleCoins, currency, priceMinor: customPriceMinor(exampleCoins, currency) }) },
    currencies: sold,
  };
}
