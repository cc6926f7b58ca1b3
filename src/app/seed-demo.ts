// Seeds the demo economy on a first start: system accounts, demo users' wallets, a few paid coin
// purchases and gifts, so a newcomer sees real balances at once. Every transfer id is fixed, so the
// seed is idempotent: running it again answers `duplicate` and moves nothing.
import { allSystemAccounts, fiatAccounts, SystemAccounts, userAccounts } from '../domain/accounts.js';
import { AlreadyLive } from '../domain/errors.js';
import type { Clock, Ids, LedgerStore, PasswordHasher, UserStore } from './ports.js';

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

/** Gifts sent in the demo LIVE: [sender, gift id, count]. 1 + 30 + 299 + 1,000 coins. */
const DEMO_GIFTS = [
  ['demo-ana', 'rose', 1],
  ['demo-ana', 'doughnut', 1],
  ['demo-ben', 'corgi', 1],
  ['demo-ana', 'galaxy', 1],
] as const;

export const DEMO_LIVE_TITLE = 'Late-night sketching — say hi!';
/** The demo creator whose LIVE streams the test pattern (src/video/demo-stream.ts). */
export const DEMO_STREAMER = 'demo-mira';

export interface SeedDemoInput {
  /** Currencies whose fiat ledgers exist. */
  readonly currencies: readonly string[];
}

export interface SeedDemoResult {
  readonly applied: number;
  readonly duplicates: number;
  /** The demo LIVE on air, when this run started it. */
  readonly liveId: string | null;
}

export interface SeedDemoDeps {
  readonly ledger: LedgerStore;
  readonly users: UserStore;
  readonly passwords: PasswordHasher;
  readonly clock: Clock;
  readonly ids: Ids;
  /** The real use cases, so the demo LIVE and its gifts are exactly what users make. */
  startLive(input: { creatorId: string; title: string }): Promise<{ readonly id: string }>;
  sendGift(input: { id: string; senderId: string; liveId: string; giftId: string; count: number }): Promise<{ readonly status: 'applied' | 'duplicate' }>;
}

/**
 * Creates the demo users, books their paid coin purchases, puts Mira's LIVE on air and sends its
 * first gifts. Idempotent: users and purchases are found by fixed ids; a LIVE already on air is
 * left as it is (and gets no more gifts).
 */
export async function seedDemo(input: SeedDemoInput, deps: SeedDemoDeps): Promise<SeedDemoResult> {
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
  let applied = 0;
  let duplicates = 0;
  for (const [userId, coins, cents] of DEMO_PURCHASES) {
    const id = `demo:purchase:${userId}`;
    const outcome = await ledger.submit([
      // The money side: the provider now holds the payment for us.
      { id: `${id}:usd`, code: 'PURCHASE', kind: 'single', debitAccountId: usd.providerClearing.id, creditAccountId: usd.revenue.id, amount: cents, ref: id, metadata: { userId } },
      // The coin side: coins enter circulation into the buyer's wallet.
      { id, code: 'PURCHASE', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(userId).coins.id, amount: coins, ref: id, metadata: { userId } },
    ]);
    if (outcome.status === 'rejected') throw new Error(`demo seed refused ${id}: ${outcome.rejection.code}`);
    if (outcome.status === 'applied') applied++;
    else duplicates++;
  }
  // Kit (16) holds coins from a welcome bonus, so the demo shows the age rule biting even with a
  // balance: every money path refuses an under-18 account, not only buying.
  const bonus = await ledger.submit([
    { id: 'demo:bonus:demo-kit', code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts('demo-kit').coins.id, amount: 100n, metadata: { reason: 'welcome bonus (demo)' } },
  ]);
  if (bonus.status === 'rejected') throw new Error(`demo seed refused the bonus: ${bonus.rejection.code}`);
  if (bonus.status === 'applied') applied++;
  else duplicates++;

  let liveId: string | null = null;
  try {
    liveId = (await deps.startLive({ creatorId: 'demo-mira', title: DEMO_LIVE_TITLE })).id;
  } catch (error) {
    if (!(error instanceof AlreadyLive)) throw error;
  }
  if (liveId !== null) {
    for (const [senderId, giftId, count] of DEMO_GIFTS) {
      const sent = await deps.sendGift({ id: deps.ids.uuid(), senderId, liveId, giftId, count });
      if (sent.status === 'applied') applied++;
    }
  }
  return { applied, duplicates, liveId };
}
