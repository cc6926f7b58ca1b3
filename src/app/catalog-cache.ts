// The public catalog is read on every gift panel open and every send; it changes only when an admin
// edits it. This decorator keeps it in memory for `ttlMs` (so other nodes see an edit within that
// time) and drops the copy at once when this node writes.
import type { CatalogGift } from '../domain/gifts.js';
import type { Clock, GiftCatalog, GiftPatch } from './ports.js';

export class CachedGiftCatalog implements GiftCatalog {
  private cached: { gifts: CatalogGift[]; byId: Map<string, CatalogGift>; atMs: number } | null = null;

  constructor(
    private readonly inner: GiftCatalog,
    private readonly clock: Clock,
    private readonly ttlMs = 10_000,
  ) {}

  async list(): Promise<CatalogGift[]> {
    return (await this.load()).gifts;
  }

  async get(id: string): Promise<CatalogGift | null> {
    return (await this.load()).byId.get(id) ?? null;
  }

  async create(gift: CatalogGift): Promise<void> {
    this.cached = null;
    await this.inner.create(gift);
  }

  async update(id: string, patch: GiftPatch, atMs: number): Promise<boolean> {
    this.cached = null;
    return this.inner.update(id, patch, atMs);
  }

  async seed(gifts: readonly CatalogGift[]): Promise<number> {
    this.cached = null;
    return this.inner.seed(gifts);
  }

  private async load(): Promise<{ gifts: CatalogGift[]; byId: Map<string, CatalogGift> }> {
    const nowMs = this.clock.nowMs();
    if (this.cached && nowMs - this.cached.atMs < this.ttlMs) return this.cached;
    const gifts = await this.inner.list();
    this.cached = { gifts, byId: new Map(gifts.map((g) => [g.id, g])), atMs: nowMs };
    return this.cached;
  }
}
