// The LIVE room on the wire: ONE typed map of the events a room sends over its WebSocket, and the
// messages a client may send back. Every server event is `{type, seq, ts, data}`; the server, the
// SDK and the web app all derive their types from the schemas below, so a misspelt event name or a
// wrong payload is a compile error on both ends.
//
// Sequence numbers: each room has an `epoch` (the same on every node; a new one only when the room
// bus forgot the room) and a `seq` that strictly grows with every event kept for resume (P0: big
// gifts, thank-yous, LIVE end; P1: combo updates of small gifts) and may skip numbers. Other events
// (snapshots, chat, counters, errors, acks) carry the room's current resume point. A client keeps the
// epoch of its snapshot and the highest seq it saw, reconnects with `since=<epoch>:<seq>` to any
// node, and gets exactly the kept events after it, or a fresh snapshot.
import { z } from 'zod';
import { PublicUser } from './accounts.js';
import { THANKS_PHRASES } from '../domain/thanks.js';
import { ClientId, ErrorBody, NonNegative, TimeMs } from './common.js';
import { GiftAnimation, SentGift } from './gifts.js';
import { LiveEndedBy, LiveSummary } from './lives.js';
import { LiveVideo } from './video.js';

/** The gift as a room shows it: enough to draw it without reading the catalog. */
export const RoomGift = z.object({
  id: z.string(),
  name: z.string(),
  coins: NonNegative.describe('Price of one gift in coins'),
  artUrl: z.string(),
  animation: GiftAnimation,
});
export type RoomGift = z.infer<typeof RoomGift>;

export const GiftSentData = z.object({
  sender: PublicUser,
  gift: RoomGift,
  count: z.number().int().positive(),
  comboId: z.string(),
  comboCount: z.number().int().positive().describe('Running count of the combo including this send'),
  coins: NonNegative.describe('Coins of this send (price × count)'),
  transferId: z.string(),
});
export type GiftSentData = z.infer<typeof GiftSentData>;

export const ComboUpdatedData = z.object({
  comboId: z.string(),
  sender: PublicUser,
  giftId: z.string(),
  comboCount: z.number().int().positive(),
  coins: NonNegative.describe('Coins of the whole combo so far'),
  final: z.boolean().describe('true once the combo window closed: no more sends will join it'),
});
export type ComboUpdatedData = z.infer<typeof ComboUpdatedData>;

export const LeaderboardEntry = z.object({ user: PublicUser, coins: NonNegative });
export type LeaderboardEntry = z.infer<typeof LeaderboardEntry>;

export const LeaderboardData = z.object({
  version: NonNegative.describe('Grows with every change; the list is the full state, not a delta'),
  top: z.array(LeaderboardEntry).max(100),
});
export type LeaderboardData = z.infer<typeof LeaderboardData>;

export const SnapshotData = z.object({
  epoch: z.string(),
  seq: NonNegative,
  viewers: NonNegative,
  leaderboard: LeaderboardData,
  activeCombos: z.array(ComboUpdatedData).max(1000),
  recentGifts: z.array(GiftSentData).max(100),
  bigGiftMinCoins: z
    .number()
    .int()
    .positive()
    .describe('A send worth this many coins or more (price × count) is a big gift: its own gift.sent, played full screen; smaller ones fold into combo.updated'),
  video: LiveVideo.describe('The picture: waiting for the stream, live (play playlistUrl), reconnecting'),
});
export type SnapshotData = z.infer<typeof SnapshotData>;

export const RoomErrorData = ErrorBody.shape.error;
export type RoomErrorData = z.infer<typeof RoomErrorData>;

export const GiftAckData = z.union([
  z.object({ id: z.string(), result: SentGift }),
  z.object({ id: z.string(), error: RoomErrorData }),
]);
export type GiftAckData = z.infer<typeof GiftAckData>;

/** A chat line (P2: sampled past a viewer's budget, never kept for resume). */
export const ChatMessageData = z.object({
  sender: PublicUser,
  text: z.string().min(1).max(200),
  isCreator: z.boolean(),
});
export type ChatMessageData = z.infer<typeof ChatMessageData>;

/** Likes folded together (P3, ≤ 1 Hz): the room's total and how many arrived since the last batch. */
export const LikeBatchData = z.object({ total: NonNegative, recent: NonNegative });
export type LikeBatchData = z.infer<typeof LikeBatchData>;

/** The creator's thank-you to a user (P0: kept for resume, never dropped). */
export const ThanksSentData = z.object({ from: PublicUser, to: PublicUser, text: z.string().min(1).max(200) });
export type ThanksSentData = z.infer<typeof ThanksSentData>;

/**
 * Private to the LIVE's creator, at once: their title, chat line or thank-you promised something in
 * exchange for gifts or engagement (gift-baiting). The message itself went out as written (it is
 * their choice); this says why it is against the rules and what to say instead. Not kept for resume.
 */
export const CoachWarningData = z.object({
  source: z.enum(['title', 'chat', 'thanks']),
  kind: z.enum(['gifts_for_reward', 'engagement_for_reward', 'follow_for_follow']),
  excerpt: z.string().max(2_000).describe('The words that made the promise, as written'),
  why: z.string(),
  suggestions: z.array(z.string()).describe('What to say instead: the suggested thank-you phrases'),
});
export type CoachWarningData = z.infer<typeof CoachWarningData>;

/**
 * Private to the LIVE's creator, right after a strike of theirs was recorded: the gift-baiting
 * ladder's rung (src/domain/ladder.ts). `countdown`: another strike before `countdownEndsAtMs` ends
 * the LIVE; `suspended`: this strike ended it and going LIVE is suspended (live.ended follows for
 * everyone). Not kept for resume; GET /v1/me/standing says the same at any time.
 */
export const CoachLadderData = z.object({
  step: z.enum(['clear', 'warning', 'countdown', 'suspended']),
  strikes: NonNegative.describe('Strikes that count now (24 hours, since the last suspension)'),
  countdownEndsAtMs: TimeMs.nullable(),
  strikesToSuspend: NonNegative,
  suspension: z.object({ untilMs: TimeMs.nullable().describe('null: permanent'), reason: z.string() }).nullable(),
});
export type CoachLadderData = z.infer<typeof CoachLadderData>;

/** The answer to a `chat.send`, `like.send` or `thanks.send`: done, or why not. */
export const AckData = z.union([
  z.object({ id: z.string(), ok: z.literal(true) }),
  z.object({ id: z.string(), error: RoomErrorData }),
]);
export type AckData = z.infer<typeof AckData>;

/** Every server → client event: its name and the schema of its `data`. */
export const RoomEventSchemas = {
  snapshot: SnapshotData,
  'gift.sent': GiftSentData,
  'combo.updated': ComboUpdatedData,
  'viewers.changed': z.object({ viewers: NonNegative }),
  'leaderboard.changed': LeaderboardData,
  'live.ended': z.object({
    summary: LiveSummary,
    endedBy: LiveEndedBy.nullable(),
    reason: z.string().nullable().describe('Why, when a moderator or the safety rules ended it (a Community Guidelines violation); null otherwise'),
  }),
  'gift.ack': GiftAckData,
  'chat.message': ChatMessageData,
  'like.batch': LikeBatchData,
  'thanks.sent': ThanksSentData,
  'coach.warning': CoachWarningData,
  'coach.ladder': CoachLadderData,
  'video.changed': LiveVideo,
  ack: AckData,
  error: RoomErrorData,
} as const;

export type RoomEventMap = { [K in keyof typeof RoomEventSchemas]: z.infer<(typeof RoomEventSchemas)[K]> };
export type RoomEventType = keyof RoomEventMap;

/** One event of type K (or, by default, any event: a union discriminated by `type`). */
export type RoomEvent<K extends RoomEventType = RoomEventType> = {
  [P in K]: { readonly type: P; readonly seq: number; readonly ts: number; readonly data: RoomEventMap[P] };
}[K];

function envelope<K extends RoomEventType>(type: K) {
  return z.object({ type: z.literal(type), seq: NonNegative, ts: TimeMs, data: RoomEventSchemas[type] });
}

/** Parses any server event (SDK and tests). */
export const RoomEventSchema = z.discriminatedUnion('type', [
  envelope('snapshot'),
  envelope('gift.sent'),
  envelope('combo.updated'),
  envelope('viewers.changed'),
  envelope('leaderboard.changed'),
  envelope('live.ended'),
  envelope('gift.ack'),
  envelope('chat.message'),
  envelope('like.batch'),
  envelope('thanks.sent'),
  envelope('coach.warning'),
  envelope('coach.ladder'),
  envelope('video.changed'),
  envelope('ack'),
  envelope('error'),
]);

/** A resume point `<epoch>:<seq>` as sent in `?since=`. */
export const ResumePoint = z
  .string()
  .max(80)
  .regex(/^[\w-]{1,64}:\d{1,15}$/)
  .transform((text) => {
    const colon = text.lastIndexOf(':');
    return { epoch: text.slice(0, colon), seq: Number(text.slice(colon + 1)) };
  });
export type ResumePoint = z.output<typeof ResumePoint>;

/** Client → server: send a gift (same rules and idempotency as POST /v1/gifts; answered by `gift.ack`). */
export const GiftSendMessage = z.object({
  type: z.literal('gift.send'),
  data: z.object({
    id: ClientId,
    giftId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
    count: z.number().int().min(1).max(9_999).default(1),
  }),
});

/** Client → server: a chat line, 1–200 characters once trimmed (answered by `ack`). */
export const ChatSendMessage = z.object({
  type: z.literal('chat.send'),
  data: z.object({ id: ClientId, text: z.string().max(2_000) }),
});

/** Client → server: taps on the heart, folded into `like.batch` (answered by `ack`). */
export const LikeSendMessage = z.object({
  type: z.literal('like.send'),
  data: z.object({ id: ClientId, count: z.number().int().min(1).max(50).default(1) }),
});

/** Client → server, creator only: a thank-you, one of the suggested phrases or their own words (answered by `ack`). */
export const ThanksSendMessage = z.object({
  type: z.literal('thanks.send'),
  data: z.union([
    z.object({ id: ClientId, toUserId: z.string().min(1).max(64), phrase: z.enum(THANKS_PHRASES) }),
    z.object({ id: ClientId, toUserId: z.string().min(1).max(64), text: z.string().max(2_000) }),
  ]),
});

export const ClientMessage = z.discriminatedUnion('type', [GiftSendMessage, ChatSendMessage, LikeSendMessage, ThanksSendMessage]);
export type ClientMessage = z.infer<typeof ClientMessage>;
