// GiftCatalog on Kysely (SQLite and PostgreSQL alike).
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { GiftCatalog, GiftPatch } from '../app/ports.js';
import { AlreadyExists } from '../domain/errors.js';
import type { CatalogGift } from '../domain/gifts.js';
import { bigOf, num, numOrNull, uniqueViolation } from './kysely-values.js';
import type { Database, GiftsTable } from './schema.js';

function giftFromRow(r: Selectable<GiftsTable>): CatalogGift {
  return {
    id: r.id,
    name: r.name,
    coins: bigOf(r.coins),
    art: r.art,
    scene: r.scene,
    animation: r.animation,
    comboable: r.comboable === 1,
    availableFromMs: numOrNull(r.available_from_ms),
    availableUntilMs: numOrNull(r.available_until_ms),
    retiredAtMs: numOrNull(r.retired_at_ms),
    sortOrder: r.sort_order,
    updatedAtMs: num(r.updated_at_ms),
  };
}

function rowOf(g: CatalogGift): Selectable<GiftsTable> {
  return {
    id: g.id,
    name: g.name,
    coins: g.coins.toString(),
    art: g.art,
    scene: g.scene,
    animation: g.animation,
    comboable: g.comboable ? 1 : 0,
    available_from_ms: g.availableFromMs,
    available_until_ms: g.availableUntilMs,
    retired_at_ms: g.retiredAtMs,
    sort_order: g.sortOrder,
    created_at_ms: g.updatedAtMs,
    updated_at_ms: g.updatedAtMs,
  };
}

export class KyselyGiftCatalog implements GiftCatalog {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<CatalogGift[]> {
    const rows = await this.db.selectFrom('gifts').selectAll().orderBy('sort_order').orderBy('id').execute();
    return rows.map(giftFromRow);
  }

  async get(id: string): Promise<CatalogGift | null> {
    const r = await this.db.selectFrom('gifts').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? giftFromRow(r) : null;
  }

  async create(gift: CatalogGift): Promise<void> {
    try {
      await this.db.insertInto('gifts').values(rowOf(gift)).execute();
    } catch (error) {
      if (uniqueViolation(error) !== null) throw new AlreadyExists(`A gift with id ${gift.id} exists.`, { field: 'id' });
      throw error;
    }
  }

  async update(id: string, patch: GiftPatch, atMs: number): Promise<boolean> {
    const values: Updateable<GiftsTable> = { updated_at_ms: atMs };
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.coins !== undefined) values.coins = patch.coins.toString();
    if (patch.art !== undefined) values.art = patch.art;
    if (patch.scene !== undefined) values.scene = patch.scene;
    if (patch.animation !== undefined) values.animation = patch.animation;
    if (patch.comboable !== undefined) values.comboable = patch.comboable ? 1 : 0;
    if (patch.availableFromMs !== undefined) values.available_from_ms = patch.availableFromMs;
    if (patch.availableUntilMs !== undefined) values.available_until_ms = patch.availableUntilMs;
    if (patch.retiredAtMs !== undefined) values.retired_at_ms = patch.retiredAtMs;
    if (patch.sortOrder !== undefined) values.sort_order = patch.sortOrder;
    const r = await this.db.updateTable('gifts').set(values).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async seed(gifts: readonly CatalogGift[]): Promise<number> {
    if (gifts.length === 0) return 0;
    const r = await this.db
      .insertInto('gifts')
      .values(gifts.map(rowOf))
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n);
  }
}
