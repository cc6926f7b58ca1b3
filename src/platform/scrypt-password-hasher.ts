// Password hashing with scrypt from node:crypto (memory-hard; N=2^15, r=8, p=1 as OWASP suggests),
// stored as `scrypt$N$r$p$salt$hash` so the parameters can be raised later without a migration.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../app/ports.js';

const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

export class ScryptPasswordHasher implements PasswordHasher {
  /** `cost` is N; tests may lower it to keep suites fast. */
  constructor(private readonly cost: number = 1 << 15) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const options = { N: this.cost, r: 8, p: 1, maxmem: 128 * this.cost * 8 * 2 };
    const key = await derive(password, salt, options);
    return ['scrypt', this.cost, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
    const N = Number(n);
    const options = { N, r: Number(r), p: Number(p), maxmem: 128 * N * Number(r) * 2 };
    const expected = Buffer.from(hash, 'base64url');
    const key = await derive(password, Buffer.from(salt, 'base64url'), options);
    return key.length === expected.length && timingSafeEqual(key, expected);
  }
}
