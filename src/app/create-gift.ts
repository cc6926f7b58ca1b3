// An admin adds a gift to the catalog; it can be sent from its availability window on.
import { ValidationFailed } from '../domain/errors.js';
import type { GiftAnimation } from '../domain/default-catalog.js';
import type { CatalogGift } from '../domain/gifts.js';
import type { Principal } from './authenticate.js';
import type { ArtLibrary, AuditLog, Clock, GiftCatalog } from './ports.js';
import { requireAdmin } from './require-admin.js';

export interface CreateGiftInput {
  readonly actor: Principal;
  /** Slug, unique: lower-case letters, digits and dashes. */
  readonly id: string;
  readonly name: string;
  /** Price of one gift in coins. */
  readonly coins: bigint;
  /** A file under assets/gifts/. */
  readonly art: string;
  /** The full-screen scene file, for full-screen gifts. */
  readonly scene: string | null;
  readonly animation: GiftAnimation;
  readonly comboable: boolean;
  readonly availableFromMs: number | null;
  readonly availableUntilMs: number | null;
  readonly sortOrder: number;
}

export async function createGift(input: CreateGiftInput, deps: { catalog: GiftCatalog; art: ArtLibrary; clock: Clock; audit: AuditLog }): Promise<CatalogGift> {
  requireAdmin(input.actor);
  checkArt(input, deps.art);
  if (input.availableFromMs !== null && input.availableUntilMs !== null && input.availableUntilMs <= input.availableFromMs) {
    throw new ValidationFailed('The availability window ends before it starts.', { field: 'availableUntilMs' });
  }
  const nowMs = deps.clock.nowMs();
  const { actor, ...fields } = input;
  const gift: CatalogGift = { ...fields, retiredAtMs: null, updatedAtMs: nowMs };
  await deps.catalog.create(gift);
  await deps.audit.append({ atMs: nowMs, actorId: actor.userId, action: 'gift.created', subject: `gift:${gift.id}`, details: { ...fields, coins: fields.coins.toString() } });
  return gift;
}

/** Art and scene must name files we serve, and a full-screen gift needs its scene. */
export function checkArt(gift: { art?: string; scene?: string | null; animation?: GiftAnimation }, art: ArtLibrary): void {
  if (gift.art !== undefined && !art.has(gift.art)) throw new ValidationFailed(`No art file named ${gift.art}.`, { field: 'art', available: art.list() });
  if (gift.scene !== undefined && gift.scene !== null && !art.has(gift.scene)) throw new ValidationFailed(`No scene file named ${gift.scene}.`, { field: 'scene' });
  if (gift.animation === 'fullscreen' && gift.scene === null) throw new ValidationFailed('A full-screen gift needs a scene.', { field: 'scene' });
}
