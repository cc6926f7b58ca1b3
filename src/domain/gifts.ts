// Gifts in the catalog, when one can be sent, and how consecutive sends fold into combos.
import type { DefaultGift } from './default-catalog.js';

/** A gift as the catalog holds it: the fields of a default gift, plus what admins schedule and change. */
export interface CatalogGift extends DefaultGift {
  /** Availability window (ms since epoch); null = open-ended. */
  readonly availableFromMs: number | null;
  readonly availableUntilMs: number | null;
  readonly retiredAtMs: number | null;
  readonly updatedAtMs: number;
}

/** A gift can be sent when it is not retired and `nowMs` is inside its availability window. */
export function isGiftAvailable(gift: CatalogGift, nowMs: number): boolean {
  if (gift.retiredAtMs !== null && gift.retiredAtMs <= nowMs) return false;
  if (gift.availableFromMs !== null && nowMs < gift.availableFromMs) return false;
  if (gift.availableUntilMs !== null && nowMs >= gift.availableUntilMs) return false;
  return true;
}

/** Most gifts of one kind in one send. */
export const GIFT_COUNT_MAX = 9_999;

/** Sends of one combo-able gift by one viewer in one LIVE this close together share a combo. */
export const COMBO_WINDOW_MS = 3_000;

export interface ComboState {
  readonly comboId: string;
  readonly count: number;
  readonly lastAtMs: number;
}

/**
 * The combo a send joins: the running one when the previous send of the same gift was within the
 * window, otherwise a new one whose id is this send's id.
 */
export function nextCombo(previous: ComboState | undefined, sendId: string, count: number, nowMs: number): ComboState {
  if (previous && nowMs - previous.lastAtMs <= COMBO_WINDOW_MS) {
    return { comboId: previous.comboId, count: previous.count + count, lastAtMs: nowMs };
  }
  return { comboId: sendId, count, lastAtMs: nowMs };
}
