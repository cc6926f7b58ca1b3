// What the ingest (src/video) asks of the rest of Livegift as a creator's stream comes and goes:
//  - authorizeStream: may this stream key publish now? (a known key; the account 18+, not banned,
//    not suspended from going LIVE). One stream per creator is the ingest's own rule (it sees them);
//  - streamLive: the stream's first HLS segment is ready — the creator's LIVE on air (if any) shows
//    the picture, and a LIVE they start later shows it at once (the key row says a stream arrives);
//  - streamStopped: the stream ended — their LIVE on air is reconnecting until the grace period
//    ends; the auto-end job ends it past that (endLivesWithoutVideo) unless the stream came back.
// Each announces the LIVE's new picture to its room.
import { requireAdult, requireNotBanned, requireNotLiveSuspended } from '../domain/users.js';
import { isStreamKeyShaped, streamLive as liveVideo, streamStopped as stoppedVideo, type StreamVia } from '../domain/video.js';
import { endLive, type EndLiveDeps } from './end-live.js';
import { noRoomEvents, type Clock, type LiveStore, type RoomEvents, type StreamKeyStore, type UserStore } from './ports.js';

export interface StreamLifecycleDeps {
  readonly users: UserStore;
  readonly lives: LiveStore;
  readonly streamKeys: StreamKeyStore;
  readonly clock: Clock;
  readonly roomEvents?: RoomEvents;
}

export type StreamAuthorization = { readonly ok: true; readonly userId: string } | { readonly ok: false; readonly code: 'bad_key' | 'suspended'; readonly description: string };

export async function authorizeStream(input: { readonly streamKey: string }, deps: StreamLifecycleDeps): Promise<StreamAuthorization> {
  if (!isStreamKeyShaped(input.streamKey)) return { ok: false, code: 'bad_key', description: 'This is not a Livegift stream key: copy it from your studio.' };
  const key = await deps.streamKeys.findByKey(input.streamKey);
  if (!key) return { ok: false, code: 'bad_key', description: 'Unknown or rotated stream key: copy the current one from your studio.' };
  const user = await deps.users.findById(key.userId);
  if (!user) return { ok: false, code: 'bad_key', description: 'Unknown stream key.' };
  return mayStream(user, deps.clock.nowMs());
}

/** The account rules of going LIVE, as an answer for the encoder rather than an HTTP error. */
export function mayStream(user: Parameters<typeof requireAdult>[0] & { readonly id: string }, nowMs: number): StreamAuthorization {
  try {
    requireAdult(user, nowMs, 'go LIVE');
    requireNotBanned(user);
    requireNotLiveSuspended(user, nowMs);
  } catch (error) {
    return { ok: false, code: 'suspended', description: error instanceof Error ? error.message : 'This account may not go LIVE.' };
  }
  return { ok: true, userId: user.id };
}

export async function streamLive(input: { readonly userId: string; readonly via: StreamVia }, deps: StreamLifecycleDeps): Promise<string | null> {
  const nowMs = deps.clock.nowMs();
  await deps.streamKeys.setPublishing(input.userId, { via: input.via, sinceMs: nowMs });
  const live = await deps.lives.findOnAirOf(input.userId);
  if (!live) return null;
  const video = liveVideo(input.via, nowMs);
  if (await deps.lives.setVideo(live.id, video)) await (deps.roomEvents ?? noRoomEvents).videoChanged(live.id, video);
  return live.id;
}

export async function streamStopped(input: { readonly userId: string; readonly graceMs: number }, deps: StreamLifecycleDeps): Promise<string | null> {
  const nowMs = deps.clock.nowMs();
  await deps.streamKeys.setPublishing(input.userId, null);
  const live = await deps.lives.findOnAirOf(input.userId);
  if (!live) return null;
  const video = stoppedVideo(live.video, nowMs, input.graceMs);
  if (video !== live.video && (await deps.lives.setVideo(live.id, video))) await (deps.roomEvents ?? noRoomEvents).videoChanged(live.id, video);
  return live.id;
}

/** A LIVE that starts while its creator's stream already arrives shows the picture at once. */
export async function attachStream(liveId: string, creatorId: string, deps: StreamLifecycleDeps): Promise<void> {
  const key = await deps.streamKeys.find(creatorId);
  if (!key?.publishing) return;
  const video = liveVideo(key.publishing.via, deps.clock.nowMs());
  if (await deps.lives.setVideo(liveId, video)) await (deps.roomEvents ?? noRoomEvents).videoChanged(liveId, video);
}

/**
 * Ends every LIVE whose stream dropped and did not come back within the grace period (run by the
 * auto-end job on any node; endLive is idempotent). Answers the LIVEs ended.
 */
export async function endLivesWithoutVideo(input: { readonly limit?: number }, deps: EndLiveDeps & { readonly lives: LiveStore }): Promise<string[]> {
  const ended: string[] = [];
  for (const liveId of await deps.lives.listVideoGone(deps.clock.nowMs(), input.limit ?? 100)) {
    await endLive({ liveId, actor: null, reason: 'The stream stopped and did not come back.' }, deps);
    ended.push(liveId);
  }
  return ended;
}
