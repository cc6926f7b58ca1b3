// Proves that verify accepts exactly the bodies signed by a known secret within the time tolerance, and refuses forged, re-signed, stale, future-dated and malformed ones with WebhookRejected.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookRejected } from '../app/ports.js';
import { sign, verify } from './webhook-signature.js';

const SECRET = 'whsec_test_current';
const OLD_SECRET = 'whsec_test_previous';
const BODY = '{"id":"evt_1","type":"checkout.paid","created":1700000000000,"data":{"amountMinor":499}}';
const NOW_S = 1_700_000_000;

function rejected(run: () => unknown, message: RegExp): void {
  expect(run).toThrow(WebhookRejected);
  expect(run).toThrow(message);
}

describe('sign', () => {
  it('makes the Stripe-style header: t, then the HMAC-SHA256 of `${t}.${body}` in hex', () => {
    const expected = createHmac('sha256', SECRET).update(`${NOW_S}.${BODY}`).digest('hex');
    expect(sign(SECRET, BODY, NOW_S)).toBe(`t=${NOW_S},v1=${expected}`);
  });

  it('signs a Buffer body the same as its string', () => {
    expect(sign(SECRET, Buffer.from(BODY), NOW_S)).toBe(sign(SECRET, BODY, NOW_S));
  });

  it('refuses an empty secret and a bad time', () => {
    expect(() => sign('', BODY, NOW_S)).toThrow(RangeError);
    expect(() => sign(SECRET, BODY, 1.5)).toThrow(RangeError);
  });
});

describe('verify', () => {
  it('accepts a valid signature and answers the signing time', () => {
    expect(verify([SECRET], BODY, sign(SECRET, BODY, NOW_S), NOW_S)).toBe(NOW_S);
    expect(verify([SECRET], Buffer.from(BODY), sign(SECRET, BODY, NOW_S), NOW_S + 10)).toBe(NOW_S);
  });

  it('refuses a forged body under a genuine signature', () => {
    const header = sign(SECRET, BODY, NOW_S);
    rejected(() => verify([SECRET], BODY.replace('499', '49900'), header, NOW_S), /no Livegift-Signature matches/);
  });

  it('refuses a signature whose hex was tampered with', () => {
    const header = sign(SECRET, BODY, NOW_S);
    const last = header.slice(-1) === '0' ? '1' : '0';
    rejected(() => verify([SECRET], BODY, header.slice(0, -1) + last, NOW_S), /no Livegift-Signature matches/);
  });

  it('refuses another body re-signed with another secret', () => {
    const other = BODY.replace('evt_1', 'evt_2');
    rejected(() => verify([SECRET], other, sign('whsec_attacker', other, NOW_S), NOW_S), /no Livegift-Signature matches/);
  });

  it('refuses a genuine signature moved to another timestamp (the time is signed too)', () => {
    const v1 = sign(SECRET, BODY, NOW_S).split(',')[1] ?? '';
    rejected(() => verify([SECRET], BODY, `t=${NOW_S + 1},${v1}`, NOW_S), /no Livegift-Signature matches/);
  });

  it('refuses an expired signature, and accepts one just inside the tolerance', () => {
    const header = sign(SECRET, BODY, NOW_S);
    expect(verify([SECRET], BODY, header, NOW_S + 300)).toBe(NOW_S);
    rejected(() => verify([SECRET], BODY, header, NOW_S + 301), /outside the 300 s tolerance/);
    rejected(() => verify([SECRET], BODY, header, NOW_S + 60, 30), /outside the 30 s tolerance/);
  });

  it('refuses a signature dated too far in the future', () => {
    const header = sign(SECRET, BODY, NOW_S + 301);
    rejected(() => verify([SECRET], BODY, header, NOW_S), /outside the 300 s tolerance/);
    expect(verify([SECRET], BODY, sign(SECRET, BODY, NOW_S + 300), NOW_S)).toBe(NOW_S + 300);
  });

  it('accepts either secret during a rotation, and not a retired one', () => {
    expect(verify([SECRET, OLD_SECRET], BODY, sign(OLD_SECRET, BODY, NOW_S), NOW_S)).toBe(NOW_S);
    expect(verify([SECRET, OLD_SECRET], BODY, sign(SECRET, BODY, NOW_S), NOW_S)).toBe(NOW_S);
    rejected(() => verify([SECRET], BODY, sign(OLD_SECRET, BODY, NOW_S), NOW_S), /no Livegift-Signature matches/);
  });

  it('accepts a header with several v1 entries when any one matches (a sender mid-rotation)', () => {
    const theirs = sign('whsec_unknown', BODY, NOW_S).split(',')[1] ?? '';
    const ours = sign(SECRET, BODY, NOW_S).split(',')[1] ?? '';
    expect(verify([SECRET], BODY, `t=${NOW_S},${theirs},${ours}`, NOW_S)).toBe(NOW_S);
    expect(verify([SECRET], BODY, `t=${NOW_S}, ${ours}, ${theirs}`, NOW_S)).toBe(NOW_S);
    rejected(() => verify([SECRET], BODY, `t=${NOW_S},${theirs},${theirs}`, NOW_S), /no Livegift-Signature matches/);
  });

  it('ignores schemes it does not know, but needs a v1', () => {
    const ours = sign(SECRET, BODY, NOW_S).split(',')[1] ?? '';
    expect(verify([SECRET], BODY, `t=${NOW_S},v0=abc,${ours}`, NOW_S)).toBe(NOW_S);
    rejected(() => verify([SECRET], BODY, `t=${NOW_S},v0=abc`, NOW_S), /no v1 signature/);
  });

  it.each([
    ['a missing header', undefined, /missing Livegift-Signature/],
    ['an empty header', '', /missing Livegift-Signature/],
    ['blank', '   ', /missing Livegift-Signature/],
    ['no timestamp', `v1=${'a'.repeat(64)}`, /missing or bad timestamp/],
    ['a non-numeric timestamp', `t=soon,v1=${'a'.repeat(64)}`, /missing or bad timestamp/],
    ['a negative timestamp', `t=-5,v1=${'a'.repeat(64)}`, /missing or bad timestamp/],
    ['two timestamps', `t=${NOW_S},t=${NOW_S},v1=${'a'.repeat(64)}`, /more than one timestamp/],
    ['no signature', `t=${NOW_S}`, /no v1 signature/],
    ['a short signature', `t=${NOW_S},v1=abcd`, /not a hex SHA-256/],
    ['a non-hex signature', `t=${NOW_S},v1=${'z'.repeat(64)}`, /not a hex SHA-256/],
    ['an item without =', `t=${NOW_S},v1`, /key=value/],
    ['garbage', 'garbage', /key=value/],
    ['a huge header', `t=${NOW_S},${'v0=x,'.repeat(2000)}v1=${'a'.repeat(64)}`, /too long/],
  ])('refuses %s', (_name, header, message) => {
    rejected(() => verify([SECRET], BODY, header, NOW_S), message);
  });

  it('is a configuration error, not a rejected webhook, to verify with no secret', () => {
    expect(() => verify([], BODY, sign(SECRET, BODY, NOW_S), NOW_S)).toThrow(RangeError);
    expect(() => verify([''], BODY, sign(SECRET, BODY, NOW_S), NOW_S)).toThrow(RangeError);
  });
});
