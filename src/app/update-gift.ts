// An admin re-prices, renames, re-arts, schedules or retires a gift. Gifts already sent keep the
// price they were sent at (it is in their ledger transfer); new sends use the new price.
import { NotFound } from '../domain/errors.js';
import type { CatalogGift } from '../domain/gifts.js';
import type { Principal } from './authenticate.js';
import { checkGiftFields } from './create-gift.js';
import type { ArtLibrary, AuditLog, Clock, GiftCatalog, GiftPatch } from './ports.js';
import { requireAdmin } from './require-admin.js';

export interface UpdateGiftInput {
  readonly actor: Principal;
  readonly id: string;
  /** Only the fields given change. `retired: true` retires the gift now; false brings it back. */
  readonly patch: Omit<GiftPatch, 'retiredAtMs'> & { readonly retired?: boolean };
}

export async function updateGift(input: UpdateGiftInput, deps: { catalog: GiftCatalog; art: ArtLibrary; clock: Clock; audit: AuditLog }): Promise<CatalogGift> {
  requireAdmin(input.actor);
  const current = await deps.catalog.get(input.id);
  if (!current) throw new NotFound(`No gift with id ${input.id}.`);
  const nowMs = deps.clock.nowMs();
  const { retired, ...rest } = input.patch;
  const patch: GiftPatch = { ...rest, ...(retired !== undefined ? { retiredAtMs: retired ? nowMs : null } : {}) };
  const next: CatalogGift = { ...current, ...patch, updatedAtMs: nowMs };
  checkGiftFields(next, deps.art);
  await deps.catalog.update(input.id, patch, nowMs);
  await deps.audit.append({
    atMs: nowMs,
    actorId: input.actor.userId,
    action: retired === true ? 'gift.retired' : 'gift.updated',
    subject: `gift:${input.id}`,
    details: { before: { ...current, coins: current.coins.toString() }, patch: { ...patch, ...(patch.coins !== undefined ? { coins: patch.coins.toString() } : {}) } },
  });
  return next;
}
