// An admin adds a gift to the catalog; it can be sent from its availability window on.
import { ValidationFailed } from '../domain/errors.js';
import type { CatalogGift } from '../domain/gifts.js';
import type { Principal } from './authenticate.js';
import type { ArtLibrary, AuditLog, Clock, GiftCatalog } from './ports.js';
import { requireAdmin } from './require-admin.js';

/** Every field of a catalog gift (see CatalogGift), as the admin sets it; new gifts start unretired. */
export type CreateGiftInput = { readonly actor: Principal } & Omit<CatalogGift, 'retiredAtMs' | 'updatedAtMs'>;

export async function createGift(input: CreateGiftInput, deps: { catalog: GiftCatalog; art: ArtLibrary; clock: Clock; audit: AuditLog }): Promise<CatalogGift> {
  requireAdmin(input.actor);
  checkGiftFields(input, deps.art);
  const nowMs = deps.clock.nowMs();
  const { actor, ...fields } = input;
  const gift: CatalogGift = { ...fields, retiredAtMs: null, updatedAtMs: nowMs };
  await deps.catalog.create(gift);
  await deps.audit.append({ atMs: nowMs, actorId: actor.userId, action: 'gift.created', subject: `gift:${gift.id}`, details: { ...fields, coins: fields.coins.toString() } });
  return gift;
}

/** Art and scene must name files we serve, a full-screen gift needs its scene, a window must not end before it starts. */
export function checkGiftFields(
  gift: Pick<CatalogGift, 'art' | 'scene' | 'animation' | 'availableFromMs' | 'availableUntilMs'>,
  art: ArtLibrary,
): void {
  if (gift.availableFromMs !== null && gift.availableUntilMs !== null && gift.availableUntilMs <= gift.availableFromMs) {
    throw new ValidationFailed('The availability window ends before it starts.', { field: 'availableUntilMs' });
  }
  if (!art.has(gift.art)) throw new ValidationFailed(`No art file named ${gift.art}.`, { field: 'art', available: art.list() });
  if (gift.scene !== null && !art.has(gift.scene)) throw new ValidationFailed(`No scene file named ${gift.scene}.`, { field: 'scene' });
  if (gift.animation === 'fullscreen' && gift.scene === null) throw new ValidationFailed('A full-screen gift needs a scene.', { field: 'scene' });
}
