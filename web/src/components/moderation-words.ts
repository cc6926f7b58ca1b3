// Moderation in words, for the report dialog, the moderators' queue and the creator's standing: the
// Community Guidelines reasons (read once per page from GET /v1/moderation/reasons), suspension
// lengths ("3 days"), where a strike came from, who decided a suspension, and why a LIVE was ended.
import type { ModerationReasons, Strike, Suspension } from '../../../src/protocol/moderation.js';
import { api } from '../api.js';
import { useLoader, type Loader } from './load.js';

/** The reasons, read once per page load and shared by every dialog that offers them. */
let reasonsRead: Promise<ModerationReasons> | null = null;

function readReasons(): Promise<ModerationReasons> {
  reasonsRead ??= api.moderationReasons().catch((error: unknown) => {
    reasonsRead = null; // a failed read is tried again next time
    throw error;
  });
  return reasonsRead;
}

/** The Community Guidelines reasons and the suspension lengths to offer, with a retry. */
export function useModerationReasons(): Loader<ModerationReasons> {
  return useLoader(readReasons, 'moderation-reasons');
}

/** A reason's label from the list; made up from its id while the list is not there. */
export function reasonLabel(reasons: ModerationReasons | null, id: string): string {
  const found = reasons?.reasons.find((r) => r.id === id);
  return found ? found.label : id.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

/** 24 → "24 hours", 72 → "3 days", 1 → "1 hour". */
export function hoursInWords(hours: number): string {
  if (hours % 24 === 0 && hours > 24) return `${hours / 24} days`;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

const STRIKE_SOURCE: Readonly<Record<Strike['source'], string>> = {
  title: 'In # LIVE title',
  chat: 'In # chat message',
  thanks: 'In # thank-you',
  moderator: 'A moderator’s warning',
};

const GIFT_BAITING: Readonly<Record<string, string>> = {
  gifts_for_reward: 'promising something in return for gifts',
  engagement_for_reward: 'promising something in return for likes, shares or follows',
  follow_for_follow: 'asking for follow-for-follow',
};

/** Where a strike came from ("In your LIVE title", to its creator; "In their …", to moderators) and what it was for. */
export function strikeWords(strike: Strike, reasons: ModerationReasons | null, whose: 'your' | 'their'): { source: string; rule: string } {
  const rule = GIFT_BAITING[strike.rule] ?? reasonLabel(reasons, strike.rule);
  return { source: STRIKE_SOURCE[strike.source].replace('#', whose), rule };
}

/** Who decided a suspension, as its creator reads it. */
export const SUSPENSION_SOURCE: Readonly<Record<Suspension['source'], string>> = {
  moderator: 'Decided by a moderator',
  ladder: 'Automatic, for repeated gift-baiting',
};

/** 1 → "1st", 4 → "4th", 22 → "22nd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** Who ended a LIVE when it was not its creator: a moderator, or the safety rules (the gift-baiting ladder). */
const ENDER = { moderator: 'a moderator', safety: 'Livegift’s safety rules' } as const;

/**
 * What the goodbye card says when a moderator or the safety rules ended the LIVE. The server's reason
 * reads "Ended for a Community Guidelines violation: …" (or "Ended: …"), so its leading "Ended" is
 * not said twice.
 */
export function endedByText(by: keyof typeof ENDER, reason: string | null): string {
  const who = ENDER[by];
  const why = (reason ?? '').trim().replace(/^Ended\b:?\s*/i, '');
  if (why === '') return `This LIVE was ended by ${who}.`;
  if (/^for\s/i.test(why)) return `This LIVE was ended by ${who} ${why}${/[.!?]$/.test(why) ? '' : '.'}`;
  return `This LIVE was ended by ${who}: ${why}`;
}
