// Login devices: the browsers that signed in to an account, named by their device cookie (OWASP's
// "Slow Down Online Guessing Attacks with Device Cookies"). A sign-in from one of them is not held
// by the lock that guessing puts on its account (src/http/rate-limits.ts).
//
// - The cookie's secret is stored only as its SHA-256 hash, like session secrets and API tokens.
// - Each user keeps a bounded number of devices: adding one drops their expired devices and all but
//   the newest (src/app/trust-login-device.ts), read through (user_id, created_at_ms).
import type { Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('login_devices')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_devices_user_created').on('login_devices').columns(['user_id', 'created_at_ms']).execute();
}
