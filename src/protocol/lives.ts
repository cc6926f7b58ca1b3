// LIVEs on the wire: starting and ending one, the on-air list, a creator's past LIVEs, viewer
// presence, the summary written when a LIVE ends, and the thank-yous sent after it.
import { z } from 'zod';
import { ROOM_TEXT_MAX, THANKS_PHRASES } from '../domain/thanks.js';
import { Handle, PublicUser } from './accounts.js';
import { LiveVideo } from './video.js';
import { NonNegative, TimeMs } from './common.js';

export const StartLiveBody = z.object({
  title: z.string().trim().min(1, 'a title is needed').max(100),
});
export type StartLiveBody = z.infer<typeof StartLiveBody>;

/** The creator ends their LIVE with no body; a moderator ending someone else's gives a reason. */
export const EndLiveBody = z
  .object({ reason: z.string().trim().min(1).max(500).optional().describe("Required when a moderator ends someone else's LIVE") })
  .nullish();

/** Signed-in viewers are counted by their account; anonymous ones send a key they keep per device. */
export const PresenceBody = z
  .object({ viewerKey: z.uuid().optional().describe('Anonymous viewers: a UUID the client keeps for this browser') })
  .nullish();

export const LiveIdParams = z.object({ id: z.string().min(1).max(64) });

export const CreatorLivesParams = z.object({ handle: Handle });

/** Where a page of LIVEs continues: the last LIVE's start time and id, opaque to clients. */
export interface LiveCursor {
  readonly startedAtMs: number;
  readonly id: string;
}

export function encodeLiveCursor(c: LiveCursor): string {
  return Buffer.from(`${c.startedAtMs}:${c.id}`, 'utf8').toString('base64url');
}

function decodeLiveCursor(text: string): LiveCursor | null {
  const match = /^(\d{1,16}):([\w-]{1,64})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) return null;
  return { startedAtMs: Number(match[1]), id: match[2] ?? '' };
}

export const LivePageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(120)
    .transform((text, ctx) => {
      const c = decodeLiveCursor(text);
      if (c === null) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor this API returned' });
        return z.NEVER;
      }
      return c;
    })
    .optional()
    .describe('nextCursor of the previous page'),
});

export const TopGifter = z.object({ user: PublicUser, coins: NonNegative, gifts: NonNegative });

export const LiveSummary = z
  .object({
    durationMs: NonNegative,
    peakViewers: NonNegative,
    uniqueViewers: NonNegative.describe('Distinct viewers who joined'),
    gifters: NonNegative.describe('Distinct viewers who sent at least one gift'),
    giftsCount: NonNegative.describe('Gifts sent (a send of 5 Roses counts 5)'),
    coinsSpent: NonNegative,
    diamondsEarned: NonNegative,
    topGifters: z.array(TopGifter).max(10).describe('Most coins first'),
  })
  .meta({ id: 'LiveSummary' });
export type LiveSummary = z.infer<typeof LiveSummary>;

export const LiveEndedBy = z.enum(['creator', 'moderator', 'auto', 'safety']).describe('Who ended it: the creator, a moderator, the server when the creator went away (auto), or the safety rules (repeated gift-baiting)');

export const Live = z
  .object({
    id: z.string(),
    title: z.string(),
    status: z.enum(['live', 'ended']),
    creator: PublicUser,
    giftsEnabled: z.boolean().describe("The creator's LIVE Gifts toggle: whether the gift panel shows"),
    startedAtMs: TimeMs,
    endedAtMs: TimeMs.nullable(),
    endedBy: LiveEndedBy.nullable(),
    endReason: z.string().nullable().describe('Shown to the creator and moderators only'),
    viewers: NonNegative.describe('Watching now (0 once ended)'),
    peakViewers: NonNegative,
    summary: LiveSummary.nullable().describe('Written when the LIVE ends'),
    video: LiveVideo,
  })
  .meta({ id: 'Live' });
export type Live = z.infer<typeof Live>;

export const LivePage = z.object({
  lives: z.array(Live),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
});
export type LivePage = z.infer<typeof LivePage>;

export const LivePresence = z
  .object({ liveId: z.string(), viewers: NonNegative, peakViewers: NonNegative })
  .meta({ id: 'LivePresence' });
export type LivePresence = z.infer<typeof LivePresence>;

// ---------------------------------------------------------------------------------------------
// Thank-yous to gifters: one record per gifter per LIVE, sent in the room during the LIVE or by the summary's Thank all after it.

/** At most this many gifters per Thank all (the answer's `remaining` says how many still wait); the use case's own bound, THANKS_PER_CALL_MAX of src/app/thank-gifters.ts, is the same. */
const THANKS_PER_CALL_MAX = 1_000;

const GifterIds = z
  .array(z.string().min(1).max(64))
  .min(1)
  .max(THANKS_PER_CALL_MAX)
  .optional()
  .describe(`Whom to thank (gifters of this LIVE only, at most ${THANKS_PER_CALL_MAX}); omitted: every gifter, biggest first`);

/** One of the suggested phrases, or the creator's own words; and whom to thank. */
export const ThankGiftersBody = z.union([
  z.strictObject({ phrase: z.enum(THANKS_PHRASES).describe('One of the suggested phrases'), gifterIds: GifterIds }),
  z.strictObject({
    text: z.string().trim().min(1, 'a thank-you needs words').max(ROOM_TEXT_MAX, `a thank-you is at most ${ROOM_TEXT_MAX} characters`).describe('Your own words'),
    gifterIds: GifterIds,
  }),
]);
export type ThankGiftersBody = z.infer<typeof ThankGiftersBody>;

export const LiveThanks = z
  .object({
    liveId: z.string(),
    from: PublicUser.describe("The LIVE's creator"),
    to: PublicUser.describe('The gifter'),
    text: z.string().min(1).max(ROOM_TEXT_MAX),
    phrase: z.enum(THANKS_PHRASES).nullable().describe('The suggested phrase it was; null for own words'),
    createdAtMs: TimeMs,
  })
  .meta({ id: 'LiveThanks' });
export type LiveThanks = z.infer<typeof LiveThanks>;

/** Private to the creator: their own words promised something for gifts or engagement (the thank-you went out all the same). */
export const ThanksCoaching = z.object({
  kind: z.enum(['gifts_for_reward', 'engagement_for_reward', 'follow_for_follow']),
  excerpt: z.string().max(2_000).describe('The words that made the promise, as written'),
  why: z.string(),
  suggestions: z.array(z.string()).describe('What to say instead: the suggested thank-you phrases'),
});
export type ThanksCoaching = z.infer<typeof ThanksCoaching>;

export const ThankGiftersResult = z
  .object({
    thanked: z.array(LiveThanks).describe('Thanked now, with this message'),
    alreadyThanked: z.array(LiveThanks).describe('Thanked before: their first thank-you stands (a repeat changes nothing)'),
    remaining: NonNegative.describe('Gifters still not thanked because one call thanks at most 1,000: call again'),
    coaching: ThanksCoaching.nullable().describe('Set when your own words baited for gifts'),
  })
  .meta({ id: 'ThankGiftersResult' });
export type ThankGiftersResult = z.infer<typeof ThankGiftersResult>;

/** Where a page of thank-yous continues: the last one's time and gifter, opaque to clients. */
export function encodeThanksCursor(c: { readonly createdAtMs: number; readonly gifterId: string }): string {
  return Buffer.from(`${c.createdAtMs}:${c.gifterId}`, 'utf8').toString('base64url');
}

export const LiveThanksQuery = z.object({
  limit: z.coerce.number().int().min(1).max(THANKS_PER_CALL_MAX).default(THANKS_PER_CALL_MAX),
  cursor: z
    .string()
    .max(120)
    .transform((text, ctx) => {
      const match = /^(\d{1,16}):([\w-]{1,64})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
      if (!match) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor this API returned' });
        return z.NEVER;
      }
      return { createdAtMs: Number(match[1]), gifterId: match[2] ?? '' };
    })
    .optional()
    .describe('nextCursor of the previous page'),
});

export const LiveThanksPage = z
  .object({
    thanks: z.array(LiveThanks).describe('Oldest first'),
    total: NonNegative.describe('Gifters of this LIVE thanked, in the room or after it, in all'),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
  })
  .meta({ id: 'LiveThanksPage' });
export type LiveThanksPage = z.infer<typeof LiveThanksPage>;

export const MyLiveThanks = z
  .object({ thanks: LiveThanks.nullable().describe("The creator's thank-you to you for this LIVE; null when none (yet)") })
  .meta({ id: 'MyLiveThanks' });
export type MyLiveThanks = z.infer<typeof MyLiveThanks>;

// ---------------------------------------------------------------------------------------------
// The creators a signed-in user watched (home: "Creators you watched").

export const MyCreatorsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(12),
});

export const MyCreator = z
  .object({
    creator: PublicUser,
    lastWatchedAtMs: TimeMs.describe('Your last sign in any of their LIVEs'),
    onAir: z
      .object({ liveId: z.string(), title: z.string(), viewers: NonNegative.describe('Watching now') })
      .nullable()
      .describe('Their LIVE on air now; null when off air'),
    lastLive: z
      .object({ liveId: z.string(), title: z.string(), endedAtMs: TimeMs })
      .nullable()
      .describe('Their latest ended LIVE, given when off air; null when on air or none ended'),
  })
  .meta({ id: 'MyCreator' });
export type MyCreator = z.infer<typeof MyCreator>;

export const MyCreators = z
  .object({ creators: z.array(MyCreator).max(50).describe('Most recently watched first; never yourself') })
  .meta({ id: 'MyCreators' });
export type MyCreators = z.infer<typeof MyCreators>;
