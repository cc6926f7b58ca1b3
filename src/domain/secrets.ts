// Secrets (session cookies, API tokens) are stored only as SHA-256 hashes: they are 256-bit random
// values, so a fast hash is enough, and a leaked table grants nothing.
import { createHash } from 'node:crypto';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** API tokens carry a recognisable prefix so secret scanners and people can tell what they are. */
export const API_TOKEN_PREFIX = 'lgp_';
