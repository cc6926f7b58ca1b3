// The coin price list in the currency the buyer wants, or, when coins are not sold in it here, in the
// best one that is (the server names what it sells when it refuses a currency).
import type { CoinPrices } from '../../../src/protocol/coins.js';
import { api, LivegiftError } from '../api.js';
import { preferredCurrency } from './locale-region.js';

export async function coinPricesFor(currency: string): Promise<CoinPrices> {
  try {
    return await api.coinPrices(currency);
  } catch (error) {
    const sold: unknown = error instanceof LivegiftError ? error.details?.currencies : undefined;
    const list = Array.isArray(sold) ? sold.filter((c): c is string => typeof c === 'string') : [];
    if (list.length === 0 || list.includes(currency)) throw error;
    return api.coinPrices(preferredCurrency(list));
  }
}
