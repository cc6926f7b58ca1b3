// Proves `livegift payouts list` prints the recent payouts as a table (newest first, with status and
// amount) and refuses a bad subcommand or limit with the usage and exit code 2.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';
import { giveAvailableDiamonds } from '../../test/support/payouts.js';
import { payoutsCommand } from './payouts-command.js';

const sqlite = DIALECTS[0];

describe.skipIf(sqlite === undefined)('livegift payouts list', () => {
  let node: TestNode;
  beforeAll(async () => {
    if (sqlite === undefined) return;
    node = await openTestNode(sqlite, { DIAMOND_HOLD_HOURS: '0' });
  });
  afterAll(async () => {
    await node.drop();
  });

  async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
    const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
    try {
      const code = await payoutsCommand(argv, (use) => use(node.storage));
      return { code, out: out.join('\n'), err: err.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  it('prints a table of payouts, newest first', async () => {
    expect((await run(['list'])).out).toBe('No payouts yet.');
    const who = await signUpAs(node, { handle: 'clicreator' });
    await giveAvailableDiamonds(node, who.userId, 10_000n);
    const account = await node.services.addPayoutAccount({ userId: who.userId, details: { kind: 'paypal', email: 'cli@example.test' } });
    const first = randomUUID();
    const second = randomUUID();
    await node.services.requestPayout({ userId: who.userId, id: first, payoutAccountId: account.id, diamonds: 2000n });
    await node.services.processPayouts();
    node.clock.advance(1000);
    await node.services.requestPayout({ userId: who.userId, id: second, payoutAccountId: account.id, diamonds: 4001n });

    const { code, out } = await run(['list', '--limit', '10']);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^created \(UTC\)\s+payout\s+user\s+diamonds\s+amount\s+status\s+attempts\s+note$/);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain(second);
    expect(lines[2]).toMatch(/4001\s+\$20\.00\s+requested\s+0$/);
    expect(lines[3]).toContain(first);
    expect(lines[3]).toMatch(/2000\s+\$10\.00\s+paid\s+1$/);
  });

  it('answers a usage error with exit code 2', async () => {
    expect((await run(['purge'])).code).toBe(2);
    const bad = await run(['list', '--limit', '0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--limit');
  });
});
