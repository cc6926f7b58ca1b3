// Puts the default gifts of PRODUCT.md into the catalog of a fresh install. Gifts an admin already
// has (by id) are left exactly as the admin set them.
import { DEFAULT_GIFTS } from '../domain/default-catalog.js';
import type { Clock, GiftCatalog } from './ports.js';

export async function seedCatalog(deps: { catalog: GiftCatalog; clock: Clock }): Promise<number> {
  const nowMs = deps.clock.nowMs();
  return deps.catalog.seed(
    DEFAULT_GIFTS.map((g) => ({ ...g, availableFromMs: null, availableUntilMs: null, retiredAtMs: null, updatedAtMs: nowMs })),
  );
}
