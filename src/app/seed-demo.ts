// Seeds the demo economy on a first start: system accounts, demo users' wallets, a few paid coin
// purchases and gifts, so a newcomer sees real balances at once. Every transfer id is fixed, so the
// seed is idempotent: running it again answers `duplicate` and moves nothing.
import { allSystemAccounts, fiatAccounts, SystemAccounts, userAccounts } from '../domain/accounts.js';
import type { TransferRequest } from '../domain/ledger.js';
import type { LedgerStore } from './ports.js';

export interface DemoUser {
  readonly id: string;
  readonly handle: string;
  readonly displayName: string;
  readonly role: 'viewer' | 'creator' | 'admin';
  readonly adult: boolean;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'demo-mira', handle: 'mira', displayName: 'Mira Sol', role: 'creator', adult: true },
  { id: 'demo-ana', handle: 'ana', displayName: 'Ana Reyes', role: 'viewer', adult: true },
  { id: 'demo-ben', handle: 'ben', displayName: 'Ben Okafor', role: 'viewer', adult: true },
  { id: 'demo-kit', handle: 'kit', displayName: 'Kit (16)', role: 'viewer', adult: false },
  { id: 'demo-admin', handle: 'admin', displayName: 'Livegift Admin', role: 'admin', adult: true },
];

/** Coin packages bought in the demo: [user, coins, price in cents]. PRODUCT.md package prices. */
const DEMO_PURCHASES = [
  ['demo-ana', 3500n, 4999n],
  ['demo-ben', 700n, 999n],
] as const;

/** Gifts sent in the demo: [sender, coins]. Rose, Doughnut, Corgi, Galaxy. */
const DEMO_GIFTS = [
  ['demo-ana', 1n],
  ['demo-ana', 30n],
  ['demo-ben', 299n],
  ['demo-ana', 1000n],
] as const;

export interface SeedDemoInput {
  /** Currencies whose fiat ledgers exist. */
  readonly currencies: readonly string[];
  readonly diamondsPerCoin: bigint;
}

export interface SeedDemoResult {
  readonly applied: number;
  readonly duplicates: number;
}

/** Opens the system and demo accounts and books the demo purchases and gifts (idempotent). */
export async function seedDemo(input: SeedDemoInput, deps: { ledger: LedgerStore }): Promise<SeedDemoResult> {
  const { ledger } = deps;
  await ledger.openAccounts([
    ...allSystemAccounts(input.currencies),
    ...DEMO_USERS.flatMap((u) => Object.values(userAccounts(u.id))),
  ]);
  const usd = fiatAccounts('USD');
  const groups: TransferRequest[][] = [];
  for (const [userId, coins, cents] of DEMO_PURCHASES) {
    const id = `demo:purchase:${userId}`;
    groups.push([
      // The money side: the provider now holds the payment for us.
      { id: `${id}:usd`, code: 'PURCHASE', kind: 'single', debitAccountId: usd.providerClearing.id, creditAccountId: usd.revenue.id, amount: cents, metadata: { userId } },
      // The coin side: coins enter circulation into the buyer's wallet.
      { id, code: 'PURCHASE', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(userId).coins.id, amount: coins, metadata: { userId } },
    ]);
  }
  const creator = userAccounts('demo-mira');
  DEMO_GIFTS.forEach(([userId, coins], i) => {
    const id = `demo:gift:${i}`;
    groups.push([
      { id, code: 'GIFT', kind: 'single', debitAccountId: userAccounts(userId).coins.id, creditAccountId: SystemAccounts.coinGiftSink.id, amount: coins, metadata: { senderId: userId, creatorId: 'demo-mira' } },
      { id: `${id}:diamonds`, code: 'GIFT', kind: 'single', debitAccountId: SystemAccounts.diamondIssuance.id, creditAccountId: creator.diamondsOnHold.id, amount: coins * input.diamondsPerCoin, metadata: { senderId: userId, creatorId: 'demo-mira' } },
    ]);
  });

  let applied = 0;
  let duplicates = 0;
  // In order: the purchases must be booked before the gifts they pay for.
  for (const group of groups) {
    const outcome = await ledger.submit(group);
    if (outcome.status === 'rejected') throw new Error(`demo seed refused ${group[0]?.id ?? ''}: ${outcome.rejection.code}`);
    if (outcome.status === 'applied') applied++;
    else duplicates++;
  }
  return { applied, duplicates };
}
