// Moderation on the wire: reports (a LIVE, a chat message or a user), the moderators' queue with its
// context, resolving a report, suspending and lifting a suspension of going LIVE, account bans for
// fraud (admins), strikes (gift-baiting found in a creator's words, moderators' warnings), the
// gift-baiting ladder's standing, and appeals of suspensions.
import { z } from 'zod';
import { APPEAL_TEXT_MAX, COUNTDOWN_MS, LADDER_SUSPENSION_HOURS, LADDER_WINDOW_MS, STRIKES_TO_SUSPEND } from '../domain/ladder.js';
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
  .object({
    action: ReportAction,
    note: z.string().nullable(),
    byId: z.string(),
    atMs: TimeMs,
    viaReportId: z.string().describe('The report whose resolution closed this one (itself, or another on the same target)'),
    reason: GuidelineReason.nullable().describe('The guideline the moderator found, when it differs from the reported reason'),
  })
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
    recentStrikes: z.array(Strike).max(10).describe('The newest of the subject’s strikes'),
    strikesTotal: NonNegative.describe('All of the subject’s strikes, ever'),
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
    reason: GuidelineReason.optional().describe('The guideline you found, when it differs from the reported one: the warning, suspension or ban names it'),
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

// ---------------------------------------------------------------------------------------------
// The ladder and appeals

export const LadderStep = z.enum(['clear', 'warning', 'countdown', 'suspended']);

export const Ladder = z
  .object({
    step: LadderStep.describe('clear: no strike counts; warning: strikes count; countdown: one runs now — another strike before it ends ends the LIVE; suspended: going LIVE is suspended'),
    strikes: NonNegative.describe(`Strikes that count now: the last ${LADDER_WINDOW_MS / 3_600_000} hours, since the last suspension began`),
    countdownEndsAtMs: TimeMs.nullable().describe('While a countdown runs: when it ends'),
    strikesToSuspend: NonNegative.describe('The strike at which the LIVE ends and going LIVE is suspended, countdown or not'),
  })
  .meta({ id: 'Ladder' });
export type Ladder = z.infer<typeof Ladder>;

export const Appeal = z
  .object({
    id: z.string(),
    suspensionId: z.string(),
    text: z.string(),
    status: z.enum(['open', 'granted', 'denied']),
    createdAtMs: TimeMs,
    decision: z.object({ atMs: TimeMs, note: z.string().nullable() }).nullable().describe('Set once a moderator decided'),
  })
  .meta({ id: 'Appeal' });
export type Appeal = z.infer<typeof Appeal>;

export const Suspension = z
  .object({
    id: z.string(),
    source: z.enum(['moderator', 'ladder']).describe('A moderator’s decision, or the gift-baiting ladder'),
    guideline: GuidelineReason,
    reason: z.string(),
    startedAtMs: TimeMs,
    untilMs: TimeMs.nullable().describe('null: permanent'),
    endedAtMs: TimeMs.nullable().describe('When it was lifted early'),
    overturned: z.boolean().describe('Lifted because an appeal was granted'),
    appeal: Appeal.nullable(),
  })
  .meta({ id: 'Suspension' });
export type Suspension = z.infer<typeof Suspension>;

export const Standing = z
  .object({
    ladder: Ladder,
    suspension: Suspension.nullable().describe('The suspension in force, with its appeal'),
    recentSuspensions: z.array(Suspension).describe('Suspensions begun in the last 90 days, newest first'),
    strikesTotal: NonNegative,
    rules: z.object({
      windowHours: z.number().int(),
      countdownMinutes: z.number().int(),
      strikesToSuspend: z.number().int(),
      suspensionHours: z.array(z.number().int()).describe('The first ladder suspension, then each repeat within 90 days'),
    }),
  })
  .meta({ id: 'Standing' });
export type Standing = z.infer<typeof Standing>;

export const LADDER_RULES: Standing['rules'] = {
  windowHours: LADDER_WINDOW_MS / 3_600_000,
  countdownMinutes: COUNTDOWN_MS / 60_000,
  strikesToSuspend: STRIKES_TO_SUSPEND,
  suspensionHours: [...LADDER_SUSPENSION_HOURS],
};

export const AppealBody = z.object({ text: z.string().trim().min(1).max(APPEAL_TEXT_MAX).describe('Why the decision was wrong, in your words') });

export const ModAppeal = z
  .object({
    appeal: Appeal,
    user: ModUser.nullable().describe('Who appealed, with their standing now'),
    suspension: Suspension.omit({ appeal: true }).nullable(),
    strikes: z.array(Strike).max(10).describe('The strikes in the 24 hours before the suspension began, newest first'),
    strikesTotal: NonNegative,
  })
  .meta({ id: 'ModAppeal' });
export type ModAppeal = z.infer<typeof ModAppeal>;

export const AppealQueueQuery = z.object({
  status: z.enum(['open', 'granted', 'denied']).default('open'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: Cursor,
});

export const AppealQueue = z.object({
  appeals: z.array(ModAppeal),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
});
export type AppealQueue = z.infer<typeof AppealQueue>;

export const AppealIdParams = z.object({ id: Id });

export const DecideAppealBody = z.object({
  decision: z.enum(['grant', 'deny']).describe('grant: the suspension is lifted (if still in force) and does not count as a repeat; deny: it runs its course'),
  note: Note.describe('What the creator reads with the decision'),
});
