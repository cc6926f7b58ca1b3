// Proves the payout rules: the default limits in diamonds ($10 → 2000, $1,000/day → 200 000), a payout
// never worth less than a cent, derived transfer ids that a retry names again, the daily cap key by UTC
// day, bounded exponential retry, the lifecycle's allowed moves, and bank numbers kept as their last 4.
import { describe, expect, it } from 'vitest';
import { TRANSFER_ID_MAX } from './ledger.js';
import {
  canMovePayout,
  lastFour,
  matureTransferId,
  normalizeAccountNumber,
  payoutDayCapKey,
  payoutIdOfReservation,
  payoutLimits,
  payoutRetryDelayMs,
  payoutTransferIds,
} from './payouts.js';

const policy = { diamondValueMicroUsd: 5000n, diamondHoldMs: 0, payoutMinCents: 1000n, payoutDailyMaxCents: 100_000n };

describe('payout rules', () => {
  it('turns the money limits into diamonds', () => {
    expect(payoutLimits(policy)).toEqual({ minimumDiamonds: 2000n, dailyMaxDiamonds: 200_000n });
    // With no minimum a payout must still be worth a cent: 2 diamonds at half a cent each.
    expect(payoutLimits({ ...policy, payoutMinCents: 0n }).minimumDiamonds).toBe(2n);
  });

  it('derives every transfer id of a payout from its id, and reads the id back from the reservation', () => {
    const ids = payoutTransferIds('0190-abc');
    expect(ids).toEqual({ reserve: 'payout:0190-abc', post: 'payout:0190-abc:post', void: 'payout:0190-abc:void', fiat: 'payout:0190-abc:fiat', ref: 'payout:0190-abc' });
    expect(payoutIdOfReservation(ids.reserve)).toBe('0190-abc');
    expect(payoutIdOfReservation(ids.post)).toBeNull();
    expect(payoutIdOfReservation('mature:x')).toBeNull();
  });

  it('names one MATURE transfer per gift leg, within the ledger id limit', () => {
    expect(matureTransferId('0190-abc:diamonds')).toBe('mature:0190-abc:diamonds');
    const long = 'x'.repeat(TRANSFER_ID_MAX);
    expect(matureTransferId(long)).toBe(matureTransferId(long));
    expect(matureTransferId(long).length).toBeLessThanOrEqual(TRANSFER_ID_MAX);
    expect(matureTransferId(long)).not.toBe(matureTransferId(`${long}y`));
  });

  it('keys the daily cap by user and UTC day', () => {
    expect(payoutDayCapKey('u1', Date.parse('2026-11-26T23:59:59.999Z'))).toBe('payout:day:u1:2026-11-26');
    expect(payoutDayCapKey('u1', Date.parse('2026-11-27T00:00:00Z'))).toBe('payout:day:u1:2026-11-27');
  });

  it('backs off exponentially from 10 s to at most 30 min', () => {
    expect([1, 2, 3, 4].map(payoutRetryDelayMs)).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(payoutRetryDelayMs(50)).toBe(30 * 60_000);
    expect(payoutRetryDelayMs(0)).toBe(10_000);
  });

  it('allows only requested → processing → paid | failed', () => {
    expect(canMovePayout('requested', 'processing')).toBe(true);
    expect(canMovePayout('processing', 'paid')).toBe(true);
    expect(canMovePayout('processing', 'failed')).toBe(true);
    expect(canMovePayout('requested', 'paid')).toBe(false);
    expect(canMovePayout('paid', 'failed')).toBe(false);
    expect(canMovePayout('failed', 'paid')).toBe(false);
  });

  it('normalizes IBAN-like numbers and keeps the last 4', () => {
    expect(normalizeAccountNumber('de89 3704-0044 0532 0130 00')).toBe('DE89370400440532013000');
    expect(normalizeAccountNumber('1234567')).toBeNull();
    expect(normalizeAccountNumber('12*4567890')).toBeNull();
    expect(normalizeAccountNumber('A'.repeat(35))).toBeNull();
    expect(lastFour('DE89370400440532013000')).toBe('3000');
  });
});
