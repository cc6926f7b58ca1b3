// PurchaseStore on Kysely (SQLite and PostgreSQL alike).
import type { Kysely, Selectable } from 'kysely';
import type { Purchase, PurchaseStatus, PurchaseStore } from '../app/ports.js';
import { bigOf, num, numOrNull, uniqueViolation } from './kysely-values.js';
import type { Database, PurchasesTable } from './schema.js';

function purchaseFromRow(r: Selectable<PurchasesTable>): Purchase {
  return {
    id: r.id,
    userId: r.user_id,
    clientId: r.client_id,
    packageId: r.package_id,
    coins: bigOf(r.coins),
    currency: r.currency,
    amountMinor: bigOf(r.amount_minor),
    provider: r.provider,
    providerRef: r.provider_ref,
    status: r.status,
    createdAtMs: num(r.created_at_ms),
    updatedAtMs: num(r.updated_at_ms),
    paidAtMs: numOrNull(r.paid_at_ms),
  };
}

export class KyselyPurchaseStore implements PurchaseStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(p: Purchase): Promise<{ purchase: Purchase; created: boolean }> {
    try {
      await this.db
        .insertInto('purchases')
        .values({
          id: p.id,
          user_id: p.userId,
          client_id: p.clientId,
          package_id: p.packageId,
          coins: p.coins.toString(),
          currency: p.currency,
          amount_minor: p.amountMinor.toString(),
          provider: p.provider,
          provider_ref: p.providerRef,
          status: p.status,
          created_at_ms: p.createdAtMs,
          updated_at_ms: p.updatedAtMs,
          paid_at_ms: p.paidAtMs,
        })
        .execute();
      return { purchase: p, created: true };
    } catch (error) {
      if (uniqueViolation(error) === null) throw error;
      const existing = await this.db.selectFrom('purchases').selectAll().where('client_id', '=', p.clientId).executeTakeFirst();
      if (!existing) throw error;
      return { purchase: purchaseFromRow(existing), created: false };
    }
  }

  async get(id: string): Promise<Purchase | null> {
    const r = await this.db.selectFrom('purchases').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? purchaseFromRow(r) : null;
  }

  async setProviderRef(id: string, providerRef: string, atMs: number): Promise<void> {
    await this.db.updateTable('purchases').set({ provider_ref: providerRef, updated_at_ms: atMs }).where('id', '=', id).execute();
  }

  async transition(id: string, from: readonly PurchaseStatus[], to: PurchaseStatus, atMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('purchases')
      .set({ status: to, updated_at_ms: atMs, ...(to === 'paid' ? { paid_at_ms: atMs } : {}) })
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async listOf(userId: string, options: { limit: number; beforeMs?: number }): Promise<Purchase[]> {
    let q = this.db.selectFrom('purchases').selectAll().where('user_id', '=', userId).orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(options.limit);
    if (options.beforeMs !== undefined) q = q.where('created_at_ms', '<', options.beforeMs);
    return (await q.execute()).map(purchaseFromRow);
  }

  async hasEvent(id: string): Promise<boolean> {
    return (await this.db.selectFrom('webhook_events').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async recordEvent(id: string, type: string, atMs: number): Promise<boolean> {
    const r = await this.db
      .insertInto('webhook_events')
      .values({ id, type, received_at_ms: atMs })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
}
