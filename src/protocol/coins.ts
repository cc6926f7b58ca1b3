// Coins on the wire: prices, purchases through a checkout, the wallet and its history.
import { z } from 'zod';
import { ClientId, TimeMs } from './common.js';

export const Currency = z.string().regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code').transform((c) => c.toUpperCase());

export const Split = z
  .object({
    creatorsMinor: z.number().int().describe('What creators receive for these coins once gifted'),
    processorMinor: z.number().int().describe('The payment processor’s fee (estimate)'),
    platformMinor: z.number().int().describe('What remains for the platform'),
  })
  .meta({ id: 'PurchaseSplit' });

export const CoinPackage = z
  .object({ id: z.string(), coins: z.number().int(), currency: z.string(), priceMinor: z.number().int(), split: Split })
  .meta({ id: 'CoinPackage' });

export const CoinPrices = z
  .object({
    currency: z.string(),
    packages: z.array(CoinPackage),
    custom: z.object({ minCoins: z.number().int(), maxCoins: z.number().int(), example: CoinPackage.describe('The price of 1,000 coins at the base rate') }),
    currencies: z.array(z.string()),
  })
  .meta({ id: 'CoinPrices' });
export type CoinPrices = z.infer<typeof CoinPrices>;

export const CreatePurchaseBody = z
  .union([
    z.object({ id: ClientId, packageId: z.string().min(1).max(40) }),
    z.object({ id: ClientId, coins: z.number().int().min(1).max(100_000_000), currency: Currency }),
  ])
  .meta({ id: 'CreatePurchase' });
export type CreatePurchaseBody = z.infer<typeof CreatePurchaseBody>;

export const PurchaseStatus = z.enum(['created', 'pending', 'paid', 'declined', 'refunded', 'disputed', 'dispute_lost', 'dispute_won']);

export const Purchase = z
  .object({
    id: z.string(),
    clientId: z.string(),
    packageId: z.string().nullable(),
    coins: z.number().int(),
    currency: z.string(),
    amountMinor: z.number().int(),
    provider: z.string(),
    status: PurchaseStatus,
    createdAtMs: TimeMs,
    paidAtMs: TimeMs.nullable(),
    moneyBack: z
      .object({
        refundedMinor: z.number().int().describe('Refunded so far'),
        chargedBackMinor: z.number().int().describe('Taken by chargebacks (minus disputes won)'),
        coinsReversed: z.number().int().describe('Coins taken back from the wallet'),
        coinsAlreadyGifted: z.number().int().describe('Coins that were gifted before their money came back'),
      })
      .nullable()
      .optional()
      .describe('Money that came back after the purchase was paid, from the ledger (only on purchases that had any)'),
  })
  .meta({ id: 'Purchase' });
export type Purchase = z.infer<typeof Purchase>;

export const PurchaseCreated = z.object({ purchase: Purchase, checkoutUrl: z.string().describe('Send the buyer here to pay') });
export const PurchaseList = z.object({ purchases: z.array(Purchase) });

export const Wallet = z.object({ coins: z.number().int().describe('Coins you can spend now') }).meta({ id: 'Wallet' });

export const WalletEntry = z
  .object({
    transferId: z.string(),
    code: z.string().describe('PURCHASE, GIFT, REFUND …'),
    coins: z.number().int().describe('Positive when coins came in, negative when they went out'),
    balanceAfter: z.number().int(),
    atMs: TimeMs,
    ref: z.string().nullable(),
    giftId: z.string().nullable(),
    liveId: z.string().nullable(),
    count: z.number().int().nullable(),
  })
  .meta({ id: 'WalletEntry' });
export const WalletHistory = z.object({ entries: z.array(WalletEntry), nextBeforeSeq: z.string().nullable() });
