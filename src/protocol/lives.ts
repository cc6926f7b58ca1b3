// LIVEs on the wire: starting and ending one, the on-air list, a creator's past LIVEs, viewer
// presence, and the summary written when a LIVE ends.
import { z } from 'zod';
import { Handle, PublicUser } from './accounts.js';
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

export const LiveEndedBy = z.enum(['creator', 'moderator', 'auto']);

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
