// Ids from node:crypto: UUIDv7 (RFC 9562: 48-bit Unix milliseconds, then random bits) so rows sort
// by creation time, and 256-bit URL-safe secrets for session cookies and API tokens.
import { randomBytes } from 'node:crypto';
import type { Ids } from '../app/ports.js';

export function uuidv7(nowMs: number = Date.now()): string {
  const b = randomBytes(16);
  const ms = BigInt(nowMs);
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70; // version 7
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80; // variant 10
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const nodeIds: Ids = {
  uuid: () => uuidv7(),
  secret: () => randomBytes(32).toString('base64url'),
};
