// Signs and verifies webhook bodies the way Stripe does: the header carries the signing time and one
// or more HMAC-SHA256 signatures of `${t}.${rawBody}`, so a receiver can tell a forged body, a body
// signed with another secret, and a replay of an old delivery apart from a genuine one.
//
//   Livegift-Signature: t=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
//
// Several `v1` entries are accepted (a sender may sign with the old and the new secret while a secret
// is rotated), and `verify` takes several secrets for the same reason on the receiving side.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookRejected } from '../app/ports.js';

/** The header's name; HTTP header names are case-insensitive, Node gives them lower-cased. */
export const SIGNATURE_HEADER = 'livegift-signature';

/** How far the signing time may be from the receiver's clock, either way, by default. */
export const DEFAULT_TOLERANCE_S = 300;

/** A signature header longer than this is refused before it is parsed. */
const HEADER_LENGTH_MAX = 4096;
/** At most this many `v1` entries are checked (a limit on the work a forged header can cause). */
const SIGNATURES_MAX = 8;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const UNIX_SECONDS = /^[0-9]{1,12}$/;

function hmacHex(secret: string, rawBody: string | Buffer, timestampS: number): string {
  return createHmac('sha256', secret).update(`${timestampS}.`).update(rawBody).digest('hex');
}

/**
 * The header value for `rawBody` signed with `secret` at `timestampS` (unix seconds).
 *
 * @example
 * const header = sign(secret, body, Math.floor(Date.now() / 1000));
 * await fetch(url, { method: 'POST', body, headers: { 'Livegift-Signature': header } });
 */
export function sign(secret: string, rawBody: string | Buffer, timestampS: number): string {
  if (secret === '') throw new RangeError('a webhook secret must not be empty');
  if (!Number.isSafeInteger(timestampS) || timestampS < 0) throw new RangeError(`bad signing time: ${timestampS}`);
  return `t=${timestampS},v1=${hmacHex(secret, rawBody, timestampS)}`;
}

interface ParsedHeader {
  readonly timestampS: number;
  readonly signatures: readonly Buffer[];
}

function parseHeader(header: string | undefined): ParsedHeader {
  if (header === undefined || header.trim() === '') throw new WebhookRejected('missing Livegift-Signature header');
  if (header.length > HEADER_LENGTH_MAX) throw new WebhookRejected('malformed Livegift-Signature header: too long');
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new WebhookRejected('malformed Livegift-Signature header: expected key=value pairs');
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined) throw new WebhookRejected('malformed Livegift-Signature header: more than one timestamp');
      timestamp = value;
    } else if (key === 'v1') {
      if (!HEX_SHA256.test(value)) throw new WebhookRejected('malformed Livegift-Signature header: v1 is not a hex SHA-256');
      if (signatures.length < SIGNATURES_MAX) signatures.push(Buffer.from(value, 'hex'));
    }
    // Other schemes (a future v2, Stripe's test-mode v0) are ignored, as Stripe's own libraries do.
  }
  if (timestamp === undefined || !UNIX_SECONDS.test(timestamp)) {
    throw new WebhookRejected('malformed Livegift-Signature header: missing or bad timestamp');
  }
  if (signatures.length === 0) throw new WebhookRejected('malformed Livegift-Signature header: no v1 signature');
  return { timestampS: Number(timestamp), signatures };
}

/**
 * Checks that `header` carries a valid signature of `rawBody` by one of `secrets`, made within
 * `toleranceS` of `nowS`. Returns the signing time; throws WebhookRejected otherwise.
 *
 * @example
 * verify([config.webhookSecret], request.rawBody, request.headers['livegift-signature'], nowS);
 */
export function verify(
  secrets: readonly string[],
  rawBody: string | Buffer,
  header: string | undefined,
  nowS: number,
  toleranceS: number = DEFAULT_TOLERANCE_S,
): number {
  const usable = secrets.filter((s) => s !== '');
  if (usable.length === 0) throw new RangeError('no webhook secret configured to verify with');
  const { timestampS, signatures } = parseHeader(header);
  // Every secret is compared against every signature, in constant time per comparison, so the time
  // taken does not tell an attacker how much of a guess was right.
  let matched = false;
  for (const secret of usable) {
    const expected = Buffer.from(hmacHex(secret, rawBody, timestampS), 'hex');
    for (const candidate of signatures) {
      if (timingSafeEqual(expected, candidate)) matched = true;
    }
  }
  if (!matched) throw new WebhookRejected('no Livegift-Signature matches the body with a known secret');
  // Checked after the signature, so the time cannot be trusted before it is proven to be ours.
  if (Math.abs(nowS - timestampS) > toleranceS) {
    throw new WebhookRejected(`Livegift-Signature timestamp is outside the ${toleranceS} s tolerance`);
  }
  return timestampS;
}
