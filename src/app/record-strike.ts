// Records a strike against a creator whose LIVE title, chat line or thank-you baited for gifts
// (src/domain/gift-baiting.ts found a promise in exchange for gifts or engagement). The room coaches
// the creator privately at once; this keeps the record moderators read, and the creator sees on
// their account, and climbs the ladder (warning → countdown → LIVE ended and suspended → appeal).
//
// Idempotent, keyed by the LIVE and the message (src/domain/moderation.ts strikeKey): the room's
// node that received the creator's message calls this once it is published, and a retried message,
// a second socket of the creator or a second node seeing the same title adds nothing.
import { strikeKey } from '../domain/moderation.js';
import { climbLadder, type ClimbLadderDeps, type LadderOutcome } from './climb-ladder.js';
import type { StrikeRecord } from './ports.js';

/** Stored text is bounded like the table (room lines are ≤ 200 characters, titles ≤ 100). */
const STRIKE_TEXT_MAX = 2_000;

export type RecordStrikeInput = {
  /** The LIVE it was said in. */
  readonly liveId: string;
  /** The LIVE's creator, who said it. */
  readonly creatorId: string;
  /** The words as written (the title, or the line). */
  readonly text: string;
  /** What the detector found: its kind (the rule) and the words that made the promise. */
  readonly finding: { readonly kind: string; readonly excerpt: string };
} & (
  | { readonly source: 'title' }
  /** A chat line or thank-you, with the client's message id (its retries carry the same id). */
  | { readonly source: 'chat' | 'thanks'; readonly messageId: string }
);

/**
 * Records the strike and applies the ladder (src/app/climb-ladder.ts). Answers whether it went in
 * and, when it did, what the ladder made of it (null for a repeat: that changed nothing).
 */
export async function recordStrike(input: RecordStrikeInput, deps: ClimbLadderDeps): Promise<{ readonly recorded: boolean; readonly ladder: LadderOutcome | null }> {
  const text = input.text.slice(0, STRIKE_TEXT_MAX);
  const key =
    input.source === 'title'
      ? strikeKey({ source: 'title', liveId: input.liveId })
      : strikeKey({ source: input.source, liveId: input.liveId, messageId: input.messageId, text: input.text });
  const strike: StrikeRecord = {
    id: deps.ids.uuid(),
    key,
    userId: input.creatorId,
    liveId: input.liveId,
    source: input.source,
    rule: input.finding.kind,
    text,
    excerpt: input.finding.excerpt.slice(0, STRIKE_TEXT_MAX),
    reportId: null,
    actorId: null,
    createdAtMs: deps.clock.nowMs(),
  };
  const recorded = await deps.moderation.addStrike(strike);
  // Only the strike that went in is in the audit trail: a repeat changed nothing.
  if (recorded) {
    await deps.audit.append({
      atMs: strike.createdAtMs,
      actorId: null,
      action: 'strike.recorded',
      subject: `user:${strike.userId}`,
      details: { strikeId: strike.id, source: strike.source, rule: strike.rule, liveId: strike.liveId },
    });
  }
  return { recorded, ladder: recorded ? await climbLadder(strike.userId, deps) : null };
}
