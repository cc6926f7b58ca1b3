// Moderation on the wire: reports (a LIVE, a chat message or a user), the moderators' queue with its
// context, resolving a report, suspending and lifting a suspension of going LIVE, account bans for
// fraud (admins), and strikes (gift-baiting found in a creator's words, moderators' warnings).
import { z } from 'zod';
import {
  BAN_REASON_MAX,
  GUIDELINE_LABELS,
  GUIDELINE_REASONS,
  MODERATION_NOTE_MAX,
  REPORT_ACTIONS,
  REPORTED_TEXT_MAX,
  SUSPENSION_HOURS_MAX,
  SUSPENSION_HOURS_MIN,
  SUSPENSION_PRESET_HOURS,
} from '../domain/moderation.js';
import { PublicUser, Role } from './accounts.js';
import { NonNegative, TimeMs } from './common.js';
import { LiveEndedBy } from './lives.js';

export const GuidelineReason = z.enum(GUIDELINE_REASONS).describe('A Community Guidelines reason');
export type GuidelineReason = z.infer<typeof GuidelineReason>;

const Note = z.string().trim().max(MODERATION_NOTE_MAX).optional();
const Id = z.string().min(1).max(64);

/** The reasons with what a person reads, and the suspension lengths offered first (GET /v1/moderation/reasons). */
export const ModerationReasons = z
  .object({
    reasons: z.array(z.object({ id: GuidelineReason, label: z.string() })),
    suspensionHours: z.array(z.number().int()).describe('Suspension lengths to offer first; any whole number of hours in range is accepted'),
    suspensionHoursMax: z.number().int(),
  })
  .meta({ id: 'ModerationReasons' });
export type ModerationReasons = z.infer<typeof ModerationReasons>;

export function moderationReasons(): ModerationReasons {
  return {
    reasons: GUIDELINE_REASONS.map((id) => ({ id, label: GUIDELINE_LABELS[id] })),
    suspensionHours: [...SUSPENSION_PRESET_HOURS],
    suspensionHoursMax: SUSPENSION_HOURS_MAX,
  };
}

// ---------------------------------------------------------------------------------------------
// Reports

export const ReportTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('live'), liveId: Id }),
  z.object({
    kind: z.literal('message'),
    liveId: Id.describe('The LIVE the line was said in'),
    senderId: Id.describe('Who said it (chat.message data.sender.id)'),
    text: z.string().trim().min(1).max(REPORTED_TEXT_MAX).describe('The line as you saw it'),
  }),
  z.object({ kind: z.literal('user'), userId: Id }),
]);
export type ReportTarget = z.infer<typeof ReportTarget>;

export const ReportBody = z.object({
  target: ReportTarget,
  reason: GuidelineReason,
  note: Note.describe(`What a moderator should know (at most ${MODERATION_NOTE_MAX} characters)`),
});
export type ReportBody = z.infer<typeof ReportBody>;

export const ReportAction = z.enum(REPORT_ACTIONS);

export const Resolution = z
  .object({ action: ReportAction, note: z.string().nullable(), byId: z.string(), atMs: TimeMs, viaReportId: z.string().describe('The report whose resolution closed this one (itself, or another on the same target)') })
  .meta({ id: 'ReportResolution' });

/** A report as its reporter sees it. */
export const Report = z
  .object({
    id: z.string(),
    status: z.enum(['open', 'resolved']),
    target: z.object({
      kind: z.enum(['live', 'message', 'user']),
      liveId: z.string().nullable(),
      userId: z.string().describe('Who is reported: the LIVE’s creator, the sender, or the user'),
      text: z.string().nullable().describe('The reported line (message reports)'),
    }),
    reason: GuidelineReason,
    note: z.string().nullable(),
    createdAtMs: TimeMs,
  })
  .meta({ id: 'Report' });
export type Report = z.infer<typeof Report>;

// ---------------------------------------------------------------------------------------------
// Strikes

export const Strike = z
  .object({
    id: z.string(),
    userId: z.string(),
    liveId: z.string().nullable(),
    source: z.enum(['title', 'chat', 'thanks', 'moderator']).describe('The gift-baiting detector on a title, chat line or thank-you, or a moderator’s warning'),
    rule: z.string().describe('The gift-baiting kind found (gifts_for_reward, engagement_for_reward, follow_for_follow), or a warning’s guideline reason'),
    text: z.string().describe('What was said (or the warning’s note)'),
    excerpt: z.string().nullable().describe('The words that made the promise'),
    reportId: z.string().nullable(),
    createdAtMs: TimeMs,
  })
  .meta({ id: 'Strike' });
export type Strike = z.infer<typeof Strike>;

/** Where a page continues: `<createdAtMs>.<id>` of the last item, opaque to clients. */
export interface ModerationCursor {
  readonly createdAtMs: number;
  readonly id: string;
}

export function encodeModerationCursor(c: ModerationCursor): string {
  return `${c.createdAtMs}.${c.id}`;
}

const Cursor = z
  .string()
  .regex(/^\d{1,16}\.[\w-]{1,64}$/, 'a nextCursor from the previous page')
  .transform((text): ModerationCursor => {
    const dot = text.indexOf('.');
    return { createdAtMs: Number(text.slice(0, dot)), id: text.slice(dot + 1) };
  })
  .optional()
  .describe('nextCursor of the previous page');

export const StrikesQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50), cursor: Cursor });

export const StrikePage = z.object({
  strikes: z.array(Strike),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
});
export type StrikePage = z.infer<typeof StrikePage>;

// ---------------------------------------------------------------------------------------------
// The moderators' queue

/** A user's standing as moderators see it. */
export const ModUser = z
  .object({
    id: z.string(),
    handle: z.string(),
    displayName: z.string(),
    role: Role,
    liveSuspension: z.object({ untilMs: TimeMs.nullable().describe('null: permanent'), reason: z.string() }).nullable().describe('Set while the user may not go LIVE'),
    banned: z.boolean(),
    banReason: z.string().nullable(),
  })
  .meta({ id: 'ModUser' });
export type ModUser = z.infer<typeof ModUser>;

export const ModLive = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['live', 'ended']),
  creator: PublicUser.nullable(),
  startedAtMs: TimeMs,
  endedAtMs: TimeMs.nullable(),
  endedBy: LiveEndedBy.nullable(),
  endReason: z.string().nullable(),
});

export const ModReport = z
  .object({
    id: z.string(),
    status: z.enum(['open', 'resolved']),
    reason: GuidelineReason,
    note: z.string().nullable(),
    createdAtMs: TimeMs,
    reporter: PublicUser.nullable(),
    target: z.object({
      kind: z.enum(['live', 'message', 'user']),
      text: z.string().nullable().describe('The reported line as the reporter saw it (message reports; the room keeps no chat)'),
    }),
    subject: ModUser.nullable().describe('Who is reported, with their standing now'),
    live: ModLive.nullable().describe('The reported LIVE, the LIVE of the reported line, or (user reports) their LIVE on air now'),
    liveGifts: z
      .object({ gifters: NonNegative, giftsCount: NonNegative, coinsSpent: NonNegative, diamondsEarned: NonNegative })
      .nullable()
      .describe('What the LIVE’s creator received in that LIVE, from the ledger'),
    openReports: NonNegative.describe('Open reports about the subject, this one included while open'),
    recentStrikes: z.array(Strike).max(10),
    recentChat: z
      .array(z.object({ liveId: z.string().nullable(), text: z.string(), atMs: TimeMs, seenIn: z.enum(['report', 'strike']) }))
      .max(10)
      .describe('Lines of the subject the server has: copied by reporters, or struck by the gift-baiting detector'),
    resolution: Resolution.nullable(),
  })
  .meta({ id: 'ModReport' });
export type ModReport = z.infer<typeof ModReport>;

export const ReportQueueQuery = z.object({
  status: z.enum(['open', 'resolved']).default('open'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: Cursor,
});

export const ReportQueue = z.object({
  reports: z.array(ModReport),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
});
export type ReportQueue = z.infer<typeof ReportQueue>;

export const ReportIdParams = z.object({ id: Id });
export const ModUserParams = z.object({ id: Id });

const Length = {
  durationHours: z.number().int().min(SUSPENSION_HOURS_MIN).max(SUSPENSION_HOURS_MAX).optional().describe(`How long, ${SUSPENSION_HOURS_MIN}–${SUSPENSION_HOURS_MAX} hours`),
  permanent: z.literal(true).optional().describe('Instead of durationHours: until a moderator lifts it'),
};

function oneLength(b: { durationHours?: number | undefined; permanent?: true | undefined }): boolean {
  return (b.durationHours === undefined) !== (b.permanent === undefined);
}

export const ResolveReportBody = z
  .object({
    action: ReportAction.describe('dismiss: no violation; warn: a strike the user sees; suspend: no going LIVE (give durationHours or permanent); ban: the account (admins)'),
    note: Note.describe('Why; a warning or suspension shows it to the user'),
    ...Length,
  })
  .refine((b) => (b.action === 'suspend' ? oneLength(b) : b.durationHours === undefined && b.permanent === undefined), {
    error: 'A suspension needs exactly one of durationHours or permanent; other actions take neither.',
  });
export type ResolveReportBody = z.infer<typeof ResolveReportBody>;

export const ResolvedReport = z.object({
  report: ModReport,
  othersClosed: NonNegative.describe('Other open reports on the same target, closed with the same decision'),
});
export type ResolvedReport = z.infer<typeof ResolvedReport>;

export const SuspendLiveBody = z
  .object({
    ...Length,
    reason: GuidelineReason,
    note: Note.describe('Shown to the creator after the reason'),
  })
  .refine(oneLength, { error: 'Give exactly one of durationHours or permanent.' });
export type SuspendLiveBody = z.infer<typeof SuspendLiveBody>;

export const LiftSuspensionBody = z.object({ note: Note }).nullish();

export const ModerationOutcome = z.object({
  user: ModUser,
  endedLiveId: z.string().nullable().describe('The LIVE in progress that was ended, if any'),
});
export type ModerationOutcome = z.infer<typeof ModerationOutcome>;

export const BanBody = z.object({ reason: z.string().trim().min(1).max(BAN_REASON_MAX).describe('Shown to the user when they try to spend') });
export const UnbanBody = z.object({ note: Note }).nullish();

export const BanOutcome = ModerationOutcome.extend({
  tokensRevoked: NonNegative.describe('API tokens revoked (every session is signed out too)'),
});
export type BanOutcome = z.infer<typeof BanOutcome>;
