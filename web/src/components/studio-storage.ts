// What the creator studio remembers in this browser (localStorage): the LIVE it started last and the
// OBS overlay token it made. Whom the creator thanked is the server's (GET /v1/lives/:id/thanks), not
// kept here. Everything read back is checked, since anything may be stored under those keys.

/** The LIVE this browser started last, to find it again after a reload. */
export const ON_AIR_KEY = 'livegift.studio.liveId';
/** The overlay token this browser made (its secret is shown only once by the API). */
export const OVERLAY_TOKEN_KEY = 'livegift.studio.overlayToken';

export interface StoredToken {
  readonly id: string;
  readonly token: string;
  readonly userId: string;
}

/** The overlay token this browser made for this user, if any. */
export function readStoredToken(userId: string): StoredToken | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(OVERLAY_TOKEN_KEY) ?? 'null');
    if (typeof value !== 'object' || value === null) return null;
    const { id, token, userId: owner } = value as Record<string, unknown>;
    return typeof id === 'string' && typeof token === 'string' && owner === userId ? { id, token, userId } : null;
  } catch {
    return null;
  }
}

export function writeStoredToken(token: StoredToken): void {
  localStorage.setItem(OVERLAY_TOKEN_KEY, JSON.stringify(token));
}

export function forgetStoredToken(): void {
  localStorage.removeItem(OVERLAY_TOKEN_KEY);
}
