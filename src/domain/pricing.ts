// Coin prices per currency (PRODUCT.md defaults), custom amounts at the base rate, conversions
// between money limits and coins, and the split of a purchase shown before paying. All bigint minor
// units; every rounding direction is chosen in the buyer's or the platform's favour and says so.

export interface CoinPackage {
  /** Stable id, e.g. `usd-350`. */
  readonly id: string;
  readonly coins: bigint;
  readonly currency: string;
  readonly priceMinor: bigint;
}

/** Custom purchases: from 30 to 2,500,000 coins. */
export const CUSTOM_COINS_MIN = 30n;
export const CUSTOM_COINS_MAX = 2_500_000n;

/** Package prices in minor units per currency; coins are the same everywhere. */
const PACKAGE_COINS = [70n, 350n, 700n, 1_400n, 3_500n, 7_000n, 17_500n] as const;
const PACKAGE_PRICES: Readonly<Record<string, readonly bigint[]>> = {
  USD: [99n, 499n, 999n, 1_999n, 4_999n, 9_999n, 24_999n],
  EUR: [99n, 499n, 999n, 1_999n, 4_999n, 9_999n, 24_999n],
  GBP: [89n, 449n, 899n, 1_799n, 4_499n, 8_999n, 22_499n],
};

export function supportedCurrencies(): string[] {
  return Object.keys(PACKAGE_PRICES);
}

export function coinPackages(currency: string): CoinPackage[] {
  const prices = PACKAGE_PRICES[currency];
  if (!prices) return [];
  return PACKAGE_COINS.map((coins, i) => ({ id: `${currency.toLowerCase()}-${coins}`, coins, currency, priceMinor: prices[i] ?? 0n }));
}

export function findPackage(id: string): CoinPackage | undefined {
  const currency = id.split('-')[0]?.toUpperCase() ?? '';
  return coinPackages(currency).find((p) => p.id === id);
}

/** The base rate of a currency: its smallest package (70 coins for $0.99). */
function baseRate(currency: string): { coins: bigint; priceMinor: bigint } {
  const first = coinPackages(currency)[0];
  if (!first) throw new RangeError(`no prices for ${currency}`);
  return { coins: first.coins, priceMinor: first.priceMinor };
}

/** Price of a custom amount at the base rate, rounded up to the next minor unit. */
export function customPriceMinor(coins: bigint, currency: string): bigint {
  const rate = baseRate(currency);
  return (coins * rate.priceMinor + rate.coins - 1n) / rate.coins;
}

/** How many coins a money amount buys at the base rate (rounded down): used for spend limits. */
export function coinsForMinor(minor: bigint, currency: string): bigint {
  const rate = baseRate(currency);
  return (minor * rate.coins) / rate.priceMinor;
}

export interface PurchaseSplit {
  /** What the gifted coins are worth to creators (diamonds × value), in the purchase currency's USD basis. */
  readonly creatorsMinor: bigint;
  /** The payment processor's fee (sandbox estimate: 2.9% + 30 minor units, rounded up). */
  readonly processorMinor: bigint;
  /** What remains for the platform. */
  readonly platformMinor: bigint;
}

/**
 * The split shown before paying. Creators' share = coins × diamondsPerCoin × diamond value; the
 * diamond value is set in micro-USD and used as micro-units of the purchase currency.
 */
export function purchaseSplit(priceMinor: bigint, coins: bigint, diamondsPerCoin: bigint, diamondValueMicro: bigint): PurchaseSplit {
  const creatorsMinor = (coins * diamondsPerCoin * diamondValueMicro) / 10_000n; // micro → cents
  const processorMinor = (priceMinor * 29n + 999n) / 1000n + 30n;
  const platformMinor = priceMinor - creatorsMinor - processorMinor;
  return { creatorsMinor, processorMinor, platformMinor: platformMinor > 0n ? platformMinor : 0n };
}
