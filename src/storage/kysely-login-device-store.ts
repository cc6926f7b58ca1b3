// LoginDeviceStore on Kysely (SQLite and PostgreSQL alike): the browsers that signed in to an
// account, by the hash of their device cookie's secret.
import type { Kysely } from 'kysely';
import type { LoginDeviceRecord, LoginDeviceStore } from '../app/ports.js';
import { num } from './kysely-values.js';
import type { Database } from './schema.js';

export class KyselyLoginDeviceStore implements LoginDeviceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async find(tokenHash: string): Promise<LoginDeviceRecord | null> {
    const r = await this.db.selectFrom('login_devices').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r ? { tokenHash: r.token_hash, userId: r.user_id, createdAtMs: num(r.created_at_ms), expiresAtMs: num(r.expires_at_ms) } : null;
  }

  async add(device: LoginDeviceRecord, upkeep: { readonly replaces: string | null; readonly keepMax: number; readonly nowMs: number }): Promise<void> {
    if (!(upkeep.keepMax >= 1)) throw new RangeError(`keepMax must be at least 1, not ${upkeep.keepMax}`);
    await this.db.transaction().execute(async (trx) => {
      // Only the same user's: a browser that signed in as someone else keeps that account's row
      // until it expires or is pushed out, whatever cookie it carried in.
      if (upkeep.replaces !== null) await trx.deleteFrom('login_devices').where('token_hash', '=', upkeep.replaces).where('user_id', '=', device.userId).execute();
      await trx
        .insertInto('login_devices')
        .values({ token_hash: device.tokenHash, user_id: device.userId, created_at_ms: device.createdAtMs, expires_at_ms: device.expiresAtMs })
        .execute();
      await trx.deleteFrom('login_devices').where('user_id', '=', device.userId).where('expires_at_ms', '<=', upkeep.nowMs).execute();
      // The new device always stays; of the others, the newest keepMax − 1.
      const kept = trx
        .selectFrom('login_devices')
        .select('token_hash')
        .where('user_id', '=', device.userId)
        .where('token_hash', '!=', device.tokenHash)
        .orderBy('created_at_ms', 'desc')
        .orderBy('token_hash')
        .limit(upkeep.keepMax - 1);
      await trx
        .deleteFrom('login_devices')
        .where('user_id', '=', device.userId)
        .where('token_hash', '!=', device.tokenHash)
        .where('token_hash', 'not in', kept)
        .execute();
    });
  }

  async forgetAllOf(userId: string): Promise<void> {
    await this.db.deleteFrom('login_devices').where('user_id', '=', userId).execute();
  }
}
