// Rules of a LIVE that several use cases share: the title, who may end it, and when a viewer or the
// creator still counts as present.
import { ValidationFailed } from './errors.js';

export const LIVE_TITLE_MAX = 100;
export const END_REASON_MAX = 500;

/** A viewer counts as watching while connected and seen within this window (clients heartbeat every ~30 s). */
export const VIEWER_PRESENT_MS = 120_000;

/** Open connections counted per viewer: more tabs than this change nothing, and the counter stays bounded. */
export const VIEWER_CONNECTIONS_MAX = 100;

export type LiveStatus = 'live' | 'ended';
export type LiveEndedBy = 'creator' | 'moderator' | 'auto' | 'safety';

/** The title as stored: trimmed, 1–100 characters. Throws ValidationFailed otherwise. */
export function normalizeLiveTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length === 0 || trimmed.length > LIVE_TITLE_MAX) {
    throw new ValidationFailed(`A LIVE title is 1 to ${LIVE_TITLE_MAX} characters.`, { field: 'title' });
  }
  return trimmed;
}

/** The key a viewer is counted under: their user id when signed in, else `anon:<client key>`. */
export function viewerKeyOf(viewer: { readonly userId: string | null; readonly anonymousKey: string | null }): string | null {
  if (viewer.userId !== null) return viewer.userId;
  if (viewer.anonymousKey !== null) return `anon:${viewer.anonymousKey.toLowerCase()}`;
  return null;
}
