// Thank-yous to a LIVE's gifters (PRODUCT.md: thanking gifters, and the LIVE summary's thank-all
// action), stored one per gifter per LIVE: the first one stands. Two ways in, one record:
//  - during the LIVE the creator thanks in the room (a `thanks.send` over the socket, shown to
//    everyone in the chat); the node that took the socket message stores it here with
//    recordRoomThanks once the room has it, when the recipient is a gifter of the LIVE (a thank-you
//    to someone who only chatted is shown in the room but not stored);
//  - once it has ended the room is gone, so the summary's Thank all and Thank buttons come to
//    thankGifters; a gifter thanked in the LIVE already has their thank-you and comes back in
//    `alreadyThanked`.
// Each gifter reads theirs on the LIVE's goodbye card (getMyLiveThanks), whenever they open it; the
// creator's summary marks Thanked ✓ from listLiveThanks (in the LIVE when createdAtMs is before the
// LIVE's end).
//
// Idempotent, and that is the rule rather than a retry trick: a gifter is thanked for a LIVE once.
// A repeated Thank all (a double tap, a retry after a lost answer, two tabs) changes nothing and
// answers who had already been thanked and with what; the database's primary key decides races.
//
// The same coaching as in the room: own words that promise something for gifts or engagement still
// go out as written (it is the creator's choice), and the answer carries the finding so the summary
// can coach the creator privately at once.
//
// Besides the two writers, this file holds the two readers — the creator's list of who has been
// thanked and the gifter's own thank-you — because they are the same record seen from either side.
import { Forbidden, LiveOnAir, NotFound, ValidationFailed } from '../domain/errors.js';
import { detectGiftBaiting, type BaitingFinding } from '../domain/gift-baiting.js';
import { ROOM_TEXT_MAX, roomText, THANKS_PHRASES, type ThanksPhrase } from '../domain/thanks.js';
import { tallyLiveGifts } from './live-leaderboard.js';
import type { Clock, LedgerStore, LiveRecord, LiveStore, LiveThanksPosition, LiveThanksRecord, UserStore } from './ports.js';

/** One call thanks at most this many gifters (and lists at most this many already thanked); `remaining` says how many wait. */
export const THANKS_PER_CALL_MAX = 1_000;
/** Users looked up per query. */
const PEOPLE_CHUNK = 500;

export interface Person {
  readonly id: string;
  readonly handle: string;
  readonly displayName: string;
}

/** A thank-you as the creator and the gifter see it. */
export interface LiveThanks {
  readonly liveId: string;
  /** The LIVE's creator. */
  readonly from: Person;
  /** The gifter. */
  readonly to: Person;
  readonly text: string;
  readonly phrase: ThanksPhrase | null;
  readonly createdAtMs: number;
}

export interface ThankGiftersInput {
  readonly liveId: string;
  /** The signed-in user; only the LIVE's creator may thank its gifters. */
  readonly creatorId: string;
  /** One of the suggested phrases (src/domain/thanks.ts), or the creator's own words (1–200 characters once trimmed). */
  readonly message: { readonly phrase: ThanksPhrase } | { readonly text: string };
  /**
   * Whom to thank: gifters of this LIVE (anyone else is refused, naming them), at most
   * THANKS_PER_CALL_MAX. Omitted: every gifter of the LIVE, biggest first.
   */
  readonly gifterIds?: readonly string[] | undefined;
}

export interface ThankGiftersResult {
  /** Thanked by this call, with this message. */
  readonly thanked: LiveThanks[];
  /** Asked for but thanked before (their first thank-you, unchanged). */
  readonly alreadyThanked: LiveThanks[];
  /** Gifters asked for who are still not thanked because of THANKS_PER_CALL_MAX: call again. */
  readonly remaining: number;
  /** The creator's own words promised something for gifts or engagement (they went out all the same). */
  readonly coaching: BaitingFinding | null;
}

export interface ThankGiftersDeps {
  readonly lives: LiveStore;
  readonly ledger: LedgerStore;
  readonly users: UserStore;
  readonly clock: Clock;
}

export async function thankGifters(input: ThankGiftersInput, deps: ThankGiftersDeps): Promise<ThankGiftersResult> {
  const live = await endedLiveOf(input.liveId, input.creatorId, deps.lives);
  const { text, phrase } = messageOf(input.message);
  const coaching = phrase === null ? detectGiftBaiting(text) : null;

  // The gifters are read from the ledger's gift transfers, as the LIVE summary counts them.
  const tally = await tallyLiveGifts(live.id, deps.ledger);
  const gifters = tally.top(Number.MAX_SAFE_INTEGER).map((g) => g.userId);
  let targets: string[];
  if (input.gifterIds === undefined) targets = gifters;
  else {
    targets = [...new Set(input.gifterIds)];
    if (targets.length === 0 || targets.length > THANKS_PER_CALL_MAX) {
      throw new ValidationFailed(`Thank 1 to ${THANKS_PER_CALL_MAX} gifters at a time.`, { field: 'gifterIds' });
    }
    const known = new Set(gifters);
    const notGifters = targets.filter((id) => !known.has(id));
    if (notGifters.length > 0) {
      throw new ValidationFailed('Only people who sent gifts in this LIVE can be thanked for it.', { field: 'gifterIds', notGifters: notGifters.slice(0, 100) });
    }
  }

  const before = new Map((await deps.lives.findThanks(live.id, targets)).map((t) => [t.gifterId, t]));
  const nowMs = deps.clock.nowMs();
  const fresh: LiveThanksRecord[] = [];
  const already: LiveThanksRecord[] = [];
  let remaining = 0;
  for (const gifterId of targets) {
    const previous = before.get(gifterId);
    if (previous) {
      if (already.length < THANKS_PER_CALL_MAX) already.push(previous);
    } else if (fresh.length < THANKS_PER_CALL_MAX) fresh.push({ liveId: live.id, gifterId, text, phrase, createdAtMs: nowMs });
    else remaining++;
  }

  const inserted = await deps.lives.addThanks(live.id, fresh);
  // A concurrent call may have thanked some of them between the read and the write: theirs stands.
  const raced = fresh.filter((t) => !inserted.has(t.gifterId));
  if (raced.length > 0) already.push(...(await deps.lives.findThanks(live.id, raced.map((t) => t.gifterId))));
  const thanked = fresh.filter((t) => inserted.has(t.gifterId));

  const people = await peopleOf([live.creatorId, ...thanked.map((t) => t.gifterId), ...already.map((t) => t.gifterId)], deps.users);
  return {
    thanked: thanked.map((t) => viewOf(t, live, people)),
    alreadyThanked: already.map((t) => viewOf(t, live, people)),
    remaining,
    coaching,
  };
}

export interface RecordRoomThanksInput {
  readonly liveId: string;
  /** Who sent it; stored only when this is the LIVE's creator. */
  readonly creatorId: string;
  readonly toUserId: string;
  /** What the room showed: the phrase, or the creator's own words (1–200 characters once trimmed). */
  readonly text: string;
  /** The suggested phrase it was (one of THANKS_PHRASES, checked), or null for own words. */
  readonly phrase: string | null;
}

/**
 * What became of a room thank-you: `stored`; `already_thanked` (the gifter's first thank-you
 * stands); `not_a_gifter` (shown in the room, not kept).
 */
export type RecordRoomThanksResult = { readonly status: 'stored'; readonly thanks: LiveThanks } | { readonly status: 'already_thanked' | 'not_a_gifter' };

/**
 * Keeps a thank-you the creator sent in the room during the LIVE (after the room has shown it), so
 * the summary and the gifter's goodbye card read it like one sent after the LIVE. Called by the
 * node whose socket received it, once per `thanks.send`; human-paced, so the LIVE's gifters are
 * tallied from the ledger each time, as thankGifters does.
 */
export async function recordRoomThanks(input: RecordRoomThanksInput, deps: ThankGiftersDeps): Promise<RecordRoomThanksResult> {
  const live = await deps.lives.findById(input.liveId);
  if (!live) throw new NotFound('No such LIVE.');
  if (live.creatorId !== input.creatorId) throw new Forbidden('Only the creator of this LIVE thanks its gifters.');
  const { text, phrase } = messageOf(input.phrase !== null ? { phrase: input.phrase } : { text: input.text });

  // The cheap look first: a gifter thanked before keeps their first thank-you.
  if ((await deps.lives.findThanks(live.id, [input.toUserId])).length > 0) return { status: 'already_thanked' };
  const tally = await tallyLiveGifts(live.id, deps.ledger);
  if (!tally.top(Number.MAX_SAFE_INTEGER).some((g) => g.userId === input.toUserId)) return { status: 'not_a_gifter' };

  const row: LiveThanksRecord = { liveId: live.id, gifterId: input.toUserId, text, phrase, createdAtMs: deps.clock.nowMs() };
  const inserted = await deps.lives.addThanks(live.id, [row]);
  // A concurrent thank-you (another tap, Thank all after the end) may have been first: it stands.
  if (!inserted.has(row.gifterId)) return { status: 'already_thanked' };
  return { status: 'stored', thanks: viewOf(row, live, await peopleOf([live.creatorId, row.gifterId], deps.users)) };
}

export interface ListLiveThanksInput {
  readonly liveId: string;
  /** The signed-in user; only the LIVE's creator lists whom they thanked. */
  readonly userId: string;
  /** 1 to THANKS_PER_CALL_MAX. */
  readonly limit: number;
  /** Continue after this thank-you (the last of the previous page). */
  readonly after?: LiveThanksPosition | undefined;
}

export interface LiveThanksPage {
  /** Oldest first. */
  readonly thanks: LiveThanks[];
  /** Gifters thanked for this LIVE (in it or after it), in all. */
  readonly total: number;
  /** Where the next page starts; null on the last. */
  readonly next: LiveThanksPosition | null;
}

/** Whom the creator has thanked for the LIVE, in it or after it (the summary marks them Thanked ✓ from this). */
export async function listLiveThanks(input: ListLiveThanksInput, deps: { lives: LiveStore; users: UserStore }): Promise<LiveThanksPage> {
  const live = await deps.lives.findById(input.liveId);
  if (!live) throw new NotFound('No such LIVE.');
  if (live.creatorId !== input.userId) throw new Forbidden('Only the creator of this LIVE sees whom they thanked.');
  const limit = Math.min(Math.max(1, Math.floor(input.limit)), THANKS_PER_CALL_MAX);
  const rows = await deps.lives.listThanks(live.id, { limit, ...(input.after ? { after: input.after } : {}) });
  const total = await deps.lives.countThanks(live.id);
  const people = await peopleOf([live.creatorId, ...rows.map((t) => t.gifterId)], deps.users);
  const last = rows.at(-1);
  return {
    thanks: rows.map((t) => viewOf(t, live, people)),
    total,
    next: rows.length === limit && last ? { createdAtMs: last.createdAtMs, gifterId: last.gifterId } : null,
  };
}

/** The thank-you the LIVE's creator sent the signed-in user, in the LIVE or after it, or null (none yet, or none ever). */
export async function getMyLiveThanks(input: { readonly liveId: string; readonly userId: string }, deps: { lives: LiveStore; users: UserStore }): Promise<LiveThanks | null> {
  const live = await deps.lives.findById(input.liveId);
  if (!live) throw new NotFound('No such LIVE.');
  const [mine] = await deps.lives.findThanks(live.id, [input.userId]);
  if (!mine) return null;
  return viewOf(mine, live, await peopleOf([live.creatorId, mine.gifterId], deps.users));
}

/** The LIVE, when the user is its creator and it has ended. */
async function endedLiveOf(liveId: string, userId: string, lives: LiveStore): Promise<LiveRecord> {
  const live = await lives.findById(liveId);
  if (!live) throw new NotFound('No such LIVE.');
  if (live.creatorId !== userId) throw new Forbidden('Only the creator of this LIVE thanks its gifters.');
  if (live.status === 'live') throw new LiveOnAir('This LIVE is still on air: thank your gifters in the LIVE (they see it in the chat). Thank all here opens once it has ended.');
  return live;
}

/** The text to store and the phrase it was, checked here as well as at the boundary. */
function messageOf(message: { readonly phrase: string } | { readonly text: string }): { text: string; phrase: ThanksPhrase | null } {
  if ('phrase' in message) {
    const phrase = THANKS_PHRASES.find((p) => p === message.phrase);
    if (phrase === undefined) throw new ValidationFailed('Pick one of the suggested phrases, or write your own words.', { field: 'phrase', phrases: [...THANKS_PHRASES] });
    return { text: phrase, phrase };
  }
  const text = roomText(message.text);
  if (text === null) throw new ValidationFailed(`A thank-you is 1 to ${ROOM_TEXT_MAX} characters.`, { field: 'text' });
  return { text, phrase: null };
}

async function peopleOf(ids: readonly string[], users: UserStore): Promise<Map<string, Person>> {
  const unique = [...new Set(ids)];
  const people = new Map<string, Person>();
  for (let i = 0; i < unique.length; i += PEOPLE_CHUNK) {
    for (const u of await users.findByIds(unique.slice(i, i + PEOPLE_CHUNK))) people.set(u.id, { id: u.id, handle: u.handle, displayName: u.displayName });
  }
  return people;
}

function viewOf(t: LiveThanksRecord, live: LiveRecord, people: ReadonlyMap<string, Person>): LiveThanks {
  // Stored rows passed the checks above; a phrase the list no longer has is shown as own words.
  const phrase = THANKS_PHRASES.find((p) => p === t.phrase) ?? null;
  return {
    liveId: t.liveId,
    from: people.get(live.creatorId) ?? { id: live.creatorId, handle: '', displayName: 'Unknown' },
    to: people.get(t.gifterId) ?? { id: t.gifterId, handle: '', displayName: 'Unknown' },
    text: t.text,
    phrase,
    createdAtMs: t.createdAtMs,
  };
}
