// Proves the config loader: defaults need no variables, and each bad value is refused by name.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs on the embedded database with demo data when nothing is set', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBeUndefined();
    expect(c.sqlitePath.endsWith('data/livegift.db')).toBe(true);
    expect(c.port).toBe(3000);
    expect(c.demo).toBe(true);
    expect(c.money.diamondHoldMs).toBe(0);
    expect(c.money.currencies).toEqual(['USD', 'EUR', 'GBP']);
    expect(c.ledger).toEqual({ maxBatch: 256, maxWaitMs: 2, queueMax: 100_000 });
  });

  it('switches to PostgreSQL, without demo data and with the 72 h hold, when DATABASE_URL is set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', PORT: '8080', CURRENCIES: 'usd, jpy' });
    expect(c.databaseUrl).toBe('postgres://u@127.0.0.1:5432/db');
    expect(c.port).toBe(8080);
    expect(c.demo).toBe(false);
    expect(c.money.diamondHoldMs).toBe(72 * 3_600_000);
    expect(c.money.currencies).toEqual(['USD', 'JPY']);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://x'],
    ['LOG_LEVEL', 'loud'],
    ['DIAMONDS_PER_COIN', '0'],
    ['CURRENCIES', 'US'],
    ['DEMO', 'maybe'],
    ['LEDGER_BATCH_MAX', '-1'],
    ['STRIPE_SECRET_KEY', 'pk_test_publishable'],
    ['STRIPE_WEBHOOK_SECRET', 'secret'],
    ['PAYOUT_PROVIDER', 'paypal'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(name);
  });

  it('never prints a secret’s value, even a malformed one', () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_live oops-with-a-space' })).toThrow(/STRIPE_SECRET_KEY="\(hidden\)"/);
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('hunter2');
  });

  it('keeps the sandbox unless Stripe has both its key and its webhook secret', () => {
    expect(loadConfig({}).stripe).toBeUndefined();
    expect(loadConfig({}).payoutProvider).toBe('sandbox');
    const c = loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_one', STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_two' });
    expect(c.stripe).toEqual({ secretKey: 'sk_test_abc', webhookSecrets: ['whsec_one', 'whsec_two'], api: undefined });
    expect(c.payoutProvider).toBe('stripe');
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_one', PAYOUT_PROVIDER: 'sandbox' }).payoutProvider).toBe('sandbox');
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_one', STRIPE_API_URL: 'http://127.0.0.1:12111' }).stripe?.api).toEqual({ host: '127.0.0.1', port: 12111, protocol: 'http' });
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_one' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => loadConfig({ PAYOUT_PROVIDER: 'stripe' })).toThrow(/PAYOUT_PROVIDER/);
  });
});
