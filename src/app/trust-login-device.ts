// Trusts the browser that just signed in: a new device cookie naming the account, its secret kept
// only hashed. Every successful sign-in gets a new one and the browser's previous cookie of the same
// account stops counting, so a copied cookie dies the next time its owner signs in.
import { hashSecret } from '../domain/secrets.js';
import type { Clock, Ids, LoginDeviceStore } from './ports.js';

/** How long a browser stays known without signing in again. */
export const LOGIN_DEVICE_TTL_MS = 365 * 24 * 3_600_000;
/**
 * Browsers one account keeps known, the most recently signed-in: a person's phones, tablets and
 * computers fit many times over; a script signing in again and again pushes out only its own.
 */
export const LOGIN_DEVICES_PER_USER_MAX = 20;

export interface TrustLoginDeviceInput {
  /** The account the browser signed in to. */
  readonly userId: string;
  /**
   * The key of the device cookie the browser carried in, when it was already this account's
   * (identifyLoginAttempt's deviceKey): the new cookie replaces it. Null when it carried none.
   */
  readonly replacesDeviceKey: string | null;
}

export async function trustLoginDevice(
  input: TrustLoginDeviceInput,
  deps: { loginDevices: LoginDeviceStore; ids: Ids; clock: Clock },
): Promise<{ deviceSecret: string; expiresAtMs: number }> {
  const nowMs = deps.clock.nowMs();
  const deviceSecret = deps.ids.secret();
  const expiresAtMs = nowMs + LOGIN_DEVICE_TTL_MS;
  await deps.loginDevices.add(
    { tokenHash: hashSecret(deviceSecret), userId: input.userId, createdAtMs: nowMs, expiresAtMs },
    { replaces: input.replacesDeviceKey, keepMax: LOGIN_DEVICES_PER_USER_MAX, nowMs },
  );
  return { deviceSecret, expiresAtMs };
}
