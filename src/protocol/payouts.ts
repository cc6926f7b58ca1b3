// Diamonds and payouts on the wire: the diamond balance, payout accounts, and payouts (redeem).
import { z } from 'zod';
import { Amount, ClientId, NonNegative, TimeMs } from './common.js';

export const DiamondBalance = z
  .object({
    onHold: NonNegative.describe('Diamonds still in their maturation hold'),
    available: NonNegative.describe('Diamonds that can be redeemed now'),
    pendingPayout: NonNegative.describe('Diamonds reserved by payouts that are requested or processing'),
    value: z.object({
      currency: z.literal('USD'),
      onHoldMinor: NonNegative.describe('What the on-hold diamonds are worth, in cents (rounded down)'),
      availableMinor: NonNegative.describe('What the available diamonds are worth, in cents (rounded down)'),
      pendingPayoutMinor: NonNegative,
    }),
    diamondValueMicroUsd: Amount.describe('Value of one diamond in micro-USD (5000 = $0.005)'),
    holdHours: z.number().nonnegative().describe('How long a gift’s diamonds stay on hold'),
    payout: z.object({
      minimumDiamonds: NonNegative,
      minimumMinor: NonNegative,
      dailyMaxDiamonds: NonNegative,
      dailyMaxMinor: NonNegative,
      todayRemainingDiamonds: NonNegative.describe('What can still be redeemed today (UTC)'),
    }),
  })
  .meta({ id: 'DiamondBalance' });
export type DiamondBalance = z.infer<typeof DiamondBalance>;

export const PayoutAccountCreateBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('bank'),
    holderName: z.string().trim().min(1).max(70),
    accountNumber: z.string().trim().min(8).max(50).describe('IBAN-like: 8-34 letters and digits (spaces and dashes ignored); only the last 4 are kept'),
  }),
  z.object({
    kind: z.literal('paypal'),
    email: z.email().max(254),
  }),
  z.object({
    kind: z.literal('stripe'),
    country: z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter country code (ISO 3166-1)').describe('Where the creator and their bank are, e.g. US, GB, DE'),
  }),
]);
export type PayoutAccountCreateBody = z.infer<typeof PayoutAccountCreateBody>;

export const PayoutAccount = z
  .object({
    id: z.string(),
    kind: z.enum(['bank', 'paypal', 'stripe']),
    label: z.string().describe('e.g. "Bank •••• 1234", "PayPal a@b.c" or "Stripe account"'),
    status: z.enum(['ready', 'onboarding']).describe('onboarding: finish setting the account up at the provider (see the onboarding link) before redeeming to it'),
    holderName: z.string().nullable(),
    last4: z.string().nullable().describe('Last 4 characters of a bank account number'),
    email: z.string().nullable(),
    provider: z.string(),
    createdAtMs: TimeMs,
  })
  .meta({ id: 'PayoutAccount' });
export type PayoutAccount = z.infer<typeof PayoutAccount>;

export const PayoutAccountList = z
  .object({
    accounts: z.array(PayoutAccount),
    kinds: z.array(z.enum(['bank', 'paypal', 'stripe'])).describe('The kinds of account this server pays to'),
  });

export const OnboardingLink = z.object({ url: z.url().describe('Where the creator finishes setting up the account; it expires after a few minutes') }).meta({ id: 'OnboardingLink' });

export const PayoutCreateBody = z.object({
  id: ClientId,
  payoutAccountId: z.string().min(1).max(64),
  diamonds: Amount,
});
export type PayoutCreateBody = z.infer<typeof PayoutCreateBody>;

export const PayoutStatus = z.enum(['requested', 'processing', 'paid', 'failed']);

export const Payout = z
  .object({
    id: z.string(),
    payoutAccountId: z.string(),
    diamonds: Amount,
    currency: z.string(),
    amountMinor: NonNegative.describe('What is paid, in minor units of currency (the diamonds’ value, rounded down)'),
    status: PayoutStatus.describe('requested → processing → paid, or failed with the diamonds returned'),
    failureReason: z.string().nullable(),
    attempts: NonNegative.describe('Times the payout provider was asked to pay'),
    createdAtMs: TimeMs,
    updatedAtMs: TimeMs,
    resolvedAtMs: TimeMs.nullable().describe('When it was paid or failed'),
  })
  .meta({ id: 'Payout' });
export type Payout = z.infer<typeof Payout>;

export const PayoutList = z.object({ payouts: z.array(Payout) });

export const PayoutListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  beforeMs: z.coerce.number().int().nonnegative().optional().describe('Only payouts created before this time (paging)'),
});
