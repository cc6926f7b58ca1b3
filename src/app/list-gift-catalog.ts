// Admins see the whole catalog to edit it: every gift, retired and out-of-schedule ones too (the
// public catalog hides retired gifts), and the art files a gift may name.
import type { CatalogGift } from '../domain/gifts.js';
import type { Principal } from './authenticate.js';
import type { ArtLibrary, GiftCatalog } from './ports.js';
import { requireAdmin } from './require-admin.js';

export interface ListGiftCatalogInput {
  /** Who asks: must be an admin (with the admin scope when it is a token). */
  readonly actor: Principal;
}

export async function listGiftCatalog(
  input: ListGiftCatalogInput,
  deps: { catalog: GiftCatalog; art: ArtLibrary },
): Promise<{ readonly gifts: readonly CatalogGift[]; readonly artFiles: readonly string[] }> {
  requireAdmin(input.actor);
  const gifts = await deps.catalog.list();
  return { gifts, artFiles: deps.art.list().filter((name) => name.endsWith('.svg')).sort() };
}
