// A creator's stream settings (what to paste into OBS) and rotating the stream key.
//
// The key is made on first read (every adult gets one; reading it is asking for it) and kept in
// the clear: the studio shows it again whenever asked, like the services creators know. It is a
// publishing credential only — it cannot spend, read or sign in — and rotating it cuts an encoder
// using the old one at once.
import { requireAdult, requireNotBanned } from '../domain/users.js';
import { newStreamKey, RECOMMENDED_ENCODER } from '../domain/video.js';
import type { Principal } from './authenticate.js';
import type { AuditLog, Clock, StreamKeyRecord, StreamKeyStore, UserStore, VideoIngest } from './ports.js';

export interface StreamSettingsView {
  readonly key: StreamKeyRecord;
  readonly video: VideoIngest;
  readonly recommended: typeof RECOMMENDED_ENCODER;
}

export interface StreamKeyDeps {
  readonly users: UserStore;
  readonly streamKeys: StreamKeyStore;
  readonly video: VideoIngest;
  readonly clock: Clock;
  readonly audit: AuditLog;
}

/** The caller's own settings; 18+ (a minor cannot go LIVE), not banned. */
async function creator(principal: Principal, deps: StreamKeyDeps): Promise<string> {
  const user = await deps.users.findById(principal.userId);
  if (!user) throw new Error(`principal of unknown user ${principal.userId}`);
  requireAdult(user, deps.clock.nowMs(), 'go LIVE');
  requireNotBanned(user);
  return user.id;
}

export async function getStreamSettings(input: { readonly principal: Principal }, deps: StreamKeyDeps): Promise<StreamSettingsView> {
  const userId = await creator(input.principal, deps);
  const key = await deps.streamKeys.ensure(userId, newStreamKey(), deps.clock.nowMs());
  return { key, video: deps.video, recommended: RECOMMENDED_ENCODER };
}

export async function rotateStreamKey(input: { readonly principal: Principal }, deps: StreamKeyDeps): Promise<StreamSettingsView> {
  const userId = await creator(input.principal, deps);
  const nowMs = deps.clock.nowMs();
  await deps.streamKeys.ensure(userId, newStreamKey(), nowMs);
  const key = await deps.streamKeys.replace(userId, newStreamKey(), nowMs);
  // An encoder still sending with the old key stops now; it must be given the new one.
  deps.video.cut(userId);
  await deps.audit.append({ atMs: nowMs, actorId: userId, action: 'stream_key.rotated', subject: `user:${userId}`, details: {} });
  return { key, video: deps.video, recommended: RECOMMENDED_ENCODER };
}
