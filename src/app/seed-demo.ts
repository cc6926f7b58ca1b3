// Seeds the demo economy on a first start: system accounts, demo users' wallets, a few paid coin
// purchases and gifts, so a newcomer sees real balances at once. Every transfer id is fixed, so the
// seed is idempotent: running it again answers `duplicate` and moves nothing.
import { allSystemAccounts, fiatAccounts, SystemAccounts, userAccounts } from '../domain/accounts.js';
import type { TransferRequest } from '../domain/ledger.js';
import type { Clock, LedgerStore, PasswordHasher, UserStore } from './ports.js';

/** Every demo account signs in with its handle and this password. */
export const DEMO_PASSWORD = 'livegift-demo';

export interface DemoUser {
  readonly id: string;
  readonly handle: string;
  readonly displayName: string;
  /** What the demo account is for (its role on the platform is `admin` only for the admin). */
  readonly kind: 'viewer' | 'creator' | 'admin';
  /** Age at seeding time: the date of birth is computed from it so the demo stays true over time. */
  readonly age: number;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'demo-admin', handle: 'admin', displayName: 'Livegift Admin', kind: 'admin', age: 35 },
  { id: 'demo-mira', handle: 'mira', displayName: 'Mira Sol', kind: 'creator', age: 27 },
  { id: 'demo-leo', handle: 'leo', displayName: 'Leo Marsh', kind: 'creator', age: 31 },
  { id: 'demo-ana', handle: 'ana', displayName: 'Ana Reyes', kind: 'viewer', age: 24 },
  { id: 'demo-ben', handle: 'ben', displayName: 'Ben Okafor', kind: 'viewer', age: 41 },
  { id: 'demo-kit', handle: 'kit', displayName: 'Kit Lane', kind: 'viewer', age: 16 },
];

/** A date of birth that makes someone `age` years old on the UTC day of `nowMs` (born 1 March). */
export function birthDateForAge(age: number, nowMs: number): string {
  const now = new Date(nowMs);
  const march = now.getUTCMonth() >= 2;
  return `${String(now.getUTCFullYear() - age - (march ? 0 : 1)).padStart(4, '0')}-03-01`;
}

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

/** Creates the demo users, opens their ledger accounts and books the demo purchases and gifts (idempotent). */
export async function seedDemo(
  input: SeedDemoInput,
  deps: { ledger: LedgerStore; users: UserStore; passwords: PasswordHasher; clock: Clock },
): Promise<SeedDemoResult> {
  const { ledger } = deps;
  const nowMs = deps.clock.nowMs();
  const passwordHash = await deps.passwords.hash(DEMO_PASSWORD);
  for (const u of DEMO_USERS) {
    if (await deps.users.findById(u.id)) continue;
    await deps.users.create({
      id: u.id,
      email: `${u.handle}@demo.livegift.local`,
      handle: u.handle,
      displayName: u.displayName,
      birthDate: birthDateForAge(u.age, nowMs),
      passwordHash,
      role: u.kind === 'admin' ? 'admin' : 'user',
      createdAtMs: nowMs,
    });
    if (u.kind === 'creator') await deps.users.update(u.id, { giftsEnabled: true });
  }
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
