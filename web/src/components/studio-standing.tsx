// The creator's standing in the studio (GET /v1/me/standing, shared through standing-store.ts):
//  - where the Go LIVE form would be, a suspension of going LIVE said plainly — who decided it (a
//    moderator, or the gift-baiting ladder by itself), the reason, until when — with the Appeal form
//    (once per suspension) and then the appeal's status, asked again while a moderator reviews it;
//  - "Your standing": the ladder moderation follows (PRODUCT.md) in plain words with the numbers the
//    server gives and the creator's step marked, a countdown running with its timer, the strikes that
//    count now and in all, the suspensions of the last 90 days with their appeals, and every strike
//    (GET /v1/me/strikes: what was said, when, and why it counted);
//  - after a LIVE the safety rules ended, on its summary: the suspension and where to appeal it.
import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import type { Appeal, Standing, Strike, Suspension } from '../../../src/protocol/moderation.js';
import { api, explain } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { formatCount } from './balance-format.js';
import { CountdownClock, countdownText, useCountdown } from './ladder-countdown.js';
import { LoadError, useLoader } from './load.js';
import { hoursInWords, ordinal, reasonLabel, strikeWords, SUSPENSION_SOURCE, useModerationReasons } from './moderation-words.js';
import { SaidText } from './said-text.js';
import { standingKey, useStanding } from './standing-store.js';
import { StatusPill } from './status-pill.js';
import { dateTime } from './studio-time.js';
import '../styles/moderation.css';
import '../styles/ladder.css';

const STRIKES_PAGE = 20;
/** An appeal is at most this long (the server's APPEAL_TEXT_MAX). */
const APPEAL_MAX = 1_000;
/** While an appeal waits, the studio asks this often whether it was decided … */
const APPEAL_POLL_MS = 10_000;
/** … for at most this long after the page opened (then a reload shows it). */
const APPEAL_POLL_FOR_MS = 30 * 60_000;
/** A granted appeal is told at the top of the standing for this long after the decision. */
const GRANTED_SHOWN_MS = 7 * 24 * 3_600_000;
/** Repeats of a ladder suspension count within this many days (the server's ESCALATION_WINDOW_MS). */
const ESCALATION_DAYS = 90;

/** A suspension of going LIVE still in force, or null (the server also drops expired ones). */
export function activeSuspension(me: Me): { untilMs: number | null; reason: string } | null {
  const s = me.liveSuspension;
  if (s === null) return null;
  if (s.untilMs !== null && s.untilMs <= Date.now()) return null;
  return s;
}

function untilWords(untilMs: number | null): string {
  return untilMs === null ? 'permanently' : `until ${dateTime(untilMs)}`;
}

/** A reason as the end of a sentence: its own full stop, or one added. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * Shown instead of the Go LIVE form while going LIVE is suspended: the account's suspension (at once)
 * and, from the standing, who decided it, when it began, and the Appeal form or the appeal's status.
 */
export function SuspendedNotice({ suspension }: { suspension: { untilMs: number | null; reason: string } }) {
  const { me, refresh } = useSession();
  const key = me ? standingKey(me) : 'nobody';
  const standing = useStanding(key);
  const inForce = standing.loaded.state === 'ready' ? standing.loaded.value.suspension : null;
  const reason = suspension.reason.trim();
  const byLadder = inForce?.source === 'ladder';
  const appeal = inForce?.appeal ?? null;
  useAppealPoll(appeal, standing.reload, refresh);
  // The appeal sent from this form: its status takes the focus when it replaces the form.
  const [sentHere, setSentHere] = useState(false);

  return (
    <div className="suspended" role="note" aria-labelledby="suspended-title">
      <p className="suspended-title" id="suspended-title">
        Going LIVE is suspended {untilWords(suspension.untilMs)}
        {byLadder ? ' by Livegift’s safety rules' : ' for a Community Guidelines violation'}
        {reason !== '' ? <>: <strong>{sentence(reason)}</strong></> : '.'}
      </p>
      {inForce ? (
        <p className="suspended-meta">
          <StatusPill tone="plain">{SUSPENSION_SOURCE[inForce.source]}</StatusPill> <span className="muted">since {dateTime(inForce.startedAtMs)}</span>
        </p>
      ) : null}
      <p className="muted">
        {suspension.untilMs === null ? 'It stays until a moderator lifts it.' : 'Going LIVE opens again by itself then.'} Until that time you can still watch LIVEs, chat and send
        gifts.{inForce && appeal === null ? ' Think this is wrong? Appeal below.' : ''}
      </p>
      {standing.loaded.state === 'loading' ? (
        <div className="skeleton line" aria-busy="true" aria-label="Loading your appeal" />
      ) : standing.loaded.state === 'error' ? (
        <LoadError message={standing.loaded.message} onRetry={() => { standing.reload(); }} />
      ) : inForce === null ? (
        standing.loaded.value.ladder.step === 'suspended' ? (
          <p className="muted hint">This suspension was set on your account directly, so it cannot be appealed here: ask Livegift support for a review.</p>
        ) : (
          <p className="muted hint" role="status">This suspension has just been lifted.</p>
        )
      ) : appeal === null ? (
        <AppealForm
          onAppealed={(made) => {
            setSentHere(true);
            standing.set((s) => withAppeal(s, made));
          }}
        />
      ) : (
        <AppealStatus appeal={appeal} untilMs={inForce.untilMs} focus={sentHere} />
      )}
    </div>
  );
}

/** The standing with the appeal just made on its suspension. */
function withAppeal(s: Standing, appeal: Appeal): Standing {
  const add = (x: Suspension): Suspension => (x.id === appeal.suspensionId ? { ...x, appeal } : x);
  return { ...s, suspension: s.suspension ? add(s.suspension) : null, recentSuspensions: s.recentSuspensions.map(add) };
}

/**
 * While an appeal waits, asks the standing again now and then; once it is decided, reads the account
 * again too, so a granted appeal puts the Go LIVE form back at once.
 */
function useAppealPoll(appeal: Appeal | null, reload: (options?: { quiet?: boolean }) => void, refreshAccount: () => Promise<void>): void {
  const waiting = appeal?.status === 'open';
  const wasWaiting = useRef(false);
  useEffect(() => {
    if (!waiting) return;
    const stopAtMs = Date.now() + APPEAL_POLL_FOR_MS;
    const timer = setInterval(() => {
      if (Date.now() > stopAtMs) clearInterval(timer);
      else reload({ quiet: true });
    }, APPEAL_POLL_MS);
    return () => { clearInterval(timer); };
  }, [waiting, reload]);
  useEffect(() => {
    if (wasWaiting.current && !waiting) void refreshAccount();
    wasWaiting.current = waiting;
  }, [waiting, refreshAccount]);
}

function AppealForm({ onAppealed }: { onAppealed: (appeal: Appeal) => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const field = useRef<HTMLTextAreaElement>(null);

  async function submit(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const words = text.trim();
    if (words === '') {
      setError('Say in a few words why you think this decision was wrong.');
      field.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onAppealed(await api.appealSuspension({ text: words }));
    } catch (e) {
      setError(`Your appeal was not sent. ${explain(e)}`);
      setBusy(false);
    }
  }

  return (
    <form className="form appeal-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="appeal-title">
      <h3 id="appeal-title">Appeal</h3>
      <label>
        Why was this decision wrong?
        <textarea
          ref={field}
          value={text}
          maxLength={APPEAL_MAX}
          rows={4}
          aria-describedby="appeal-help appeal-count"
          aria-invalid={error !== null && text.trim() === ''}
          onChange={(e) => {
            setText(e.target.value);
            if (error !== null && e.target.value.trim() !== '') setError(null);
          }}
        />
      </label>
      <div className="appeal-foot">
        <small id="appeal-help" className="muted">You can appeal once. A moderator reads it and decides; the answer shows here.</small>
        <small id="appeal-count" className={`num appeal-count ${text.length >= APPEAL_MAX ? 'full' : ''}`}>
          {formatCount(text.length)} / {formatCount(APPEAL_MAX)}
        </small>
      </div>
      {error !== null ? <p className="error" role="alert">{error}</p> : null}
      <button type="submit" className="button" disabled={busy}>{busy ? 'Sending…' : 'Send appeal'}</button>
    </form>
  );
}

const APPEAL_STATUS: Readonly<Record<Appeal['status'], { tone: 'wait' | 'ok' | 'bad'; label: string }>> = {
  open: { tone: 'wait', label: 'Waiting for review' },
  granted: { tone: 'ok', label: 'Appeal granted' },
  denied: { tone: 'bad', label: 'Appeal denied' },
};

/** The appeal made: waiting, or the decision with the moderator's note. Takes the focus when it appears after sending. */
function AppealStatus({ appeal, untilMs, focus }: { appeal: Appeal; untilMs: number | null; focus: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus]);
  const { tone, label } = APPEAL_STATUS[appeal.status];
  return (
    <div ref={ref} className="appeal-status" tabIndex={-1} role="status" aria-labelledby="appeal-status-title">
      <h3 id="appeal-status-title">Your appeal <StatusPill tone={tone}>{label}</StatusPill></h3>
      <p className="muted hint">Sent {dateTime(appeal.createdAtMs)}: “{appeal.text}”</p>
      {appeal.status === 'open' ? <p>A moderator will review it. The decision shows here, and if it is granted you can go LIVE again at once.</p> : null}
      {appeal.decision ? (
        <p>
          {appeal.status === 'granted' ? 'A moderator lifted the suspension' : `A moderator kept the suspension; ${untilMs === null ? 'it stays until a moderator lifts it' : `it ends ${dateTime(untilMs)}`}`} ({dateTime(appeal.decision.atMs)})
          {appeal.decision.note !== null ? <>: “{appeal.decision.note}”</> : '.'}
        </p>
      ) : null}
    </div>
  );
}

/** The rungs of the ladder in plain words, with the numbers the server gave. */
function ladderRungs(rules: Standing['rules']): readonly { name: string; text: string }[] {
  const [first, ...repeats] = rules.suspensionHours.map(hoursInWords);
  const lengths = repeats.length === 0 ? first : `${first} the first time, then ${repeats.slice(0, -1).join(', ')}${repeats.length > 1 ? ' and ' : ''}${repeats.at(-1) ?? ''} for repeats within ${ESCALATION_DAYS} days`;
  return [
    {
      name: 'Warning',
      text: `When your title, a chat line or a thank-you promises something in return for gifts, follows or shares, only you see a coaching note at once, and it counts as a strike for ${hoursInWords(rules.windowHours)}. A moderator’s warning for gift-baiting counts too.`,
    },
    {
      name: 'Countdown to adjust',
      text: `The next strike starts a ${rules.countdownMinutes}-minute countdown. Keep your words clean until it ends and nothing more happens; a strike after it ran out starts another.`,
    },
    {
      name: 'LIVE ended and a timed suspension',
      text: `A strike while a countdown runs, or the ${ordinal(rules.strikesToSuspend)} strike in ${hoursInWords(rules.windowHours)}, ends your LIVE at once and suspends going LIVE: ${lengths}. A suspension settles the strikes before it. Moderators can also end a LIVE and suspend for any Community Guidelines violation.`,
    },
    {
      name: 'Appeal',
      text: 'Think a suspension was wrong? Appeal it once, in your own words, from this studio. A moderator reviews it: granted lifts it, and it no longer counts as a repeat; denied lets it run its course.',
    },
  ];
}

/** The rung the creator is on: none, warning, countdown, suspended — or the appeal once they made one. */
function rungOf(s: Standing): number {
  switch (s.ladder.step) {
    case 'clear':
      return -1;
    case 'warning':
      return 0;
    case 'countdown':
      return 1;
    case 'suspended':
      return s.suspension?.appeal ? 3 : 2;
  }
}

/** The creator's standing and the ladder, below the Go LIVE form. */
export function StudioStanding({ me }: { me: Me }) {
  const standing = useStanding(standingKey(me));
  const strikes = useLoader(() => api.myStrikes({ limit: STRIKES_PAGE }), me.id);
  const reasons = useModerationReasons();
  const reasonList = reasons.loaded.state === 'ready' ? reasons.loaded.value : null;
  const s = standing.loaded.state === 'ready' ? standing.loaded.value : null;

  return (
    <section className="panel standing" aria-labelledby="standing-title">
      <div className="panel-head">
        <h2 id="standing-title">Your standing</h2>
        {s ? <StandingPill standing={s} /> : null}
      </div>
      {standing.loaded.state === 'loading' ? (
        <div className="skeleton line" aria-busy="true" aria-label="Loading your standing" />
      ) : standing.loaded.state === 'error' ? (
        <LoadError message={standing.loaded.message} onRetry={() => { standing.reload(); }} />
      ) : s ? (
        <>
          <GrantedNotice standing={s} />
          {s.ladder.step === 'countdown' && s.ladder.countdownEndsAtMs !== null ? (
            <CountdownNotice endsAtMs={s.ladder.countdownEndsAtMs} strikes={s.ladder.strikes} strikesToSuspend={s.ladder.strikesToSuspend} onEnd={() => { standing.reload({ quiet: true }); }} />
          ) : null}
          <p className="standing-count">
            Strikes counting now: <strong className="num">{formatCount(s.ladder.strikes)}</strong>{' '}
            <span className="muted">(the last {hoursInWords(s.rules.windowHours)}, since your last suspension; the {ordinal(s.ladder.strikesToSuspend)} ends a LIVE)</span>
            {' · '}in all: <strong className="num">{formatCount(s.strikesTotal)}</strong>
          </p>
          <h3 className="standing-sub">How moderation works</h3>
          <Ladder standing={s} />
          {s.recentSuspensions.length > 0 ? (
            <>
              <h3 className="standing-sub">Suspensions in the last {ESCALATION_DAYS} days</h3>
              <ul className="past-suspensions" aria-label="Your recent suspensions">
                {s.recentSuspensions.map((x) => <PastSuspension key={x.id} suspension={x} label={reasonLabel(reasonList, x.guideline)} />)}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
      <h3 className="standing-sub">Your strikes</h3>
      {strikes.loaded.state === 'loading' ? (
        <div className="skeleton line" aria-busy="true" aria-label="Loading your strikes" />
      ) : strikes.loaded.state === 'error' ? (
        <LoadError message={strikes.loaded.message} onRetry={() => { strikes.reload(); }} />
      ) : strikes.loaded.value.strikes.length === 0 ? (
        <p className="empty muted">No strikes. Keep thanking your gifters and keep your title about what you are doing — that is all it takes.</p>
      ) : (
        <ul className="strikes" aria-label="Your strikes">
          {strikes.loaded.value.strikes.map((x) => <StrikeRow key={x.id} strike={x} reasons={reasonList} />)}
        </ul>
      )}
    </section>
  );
}

function StandingPill({ standing }: { standing: Standing }) {
  const n = standing.ladder.strikes;
  switch (standing.ladder.step) {
    case 'suspended':
      return <StatusPill tone="bad">Suspended from going LIVE</StatusPill>;
    case 'countdown':
      return <StatusPill tone="wait">Countdown running</StatusPill>;
    case 'warning':
      return <StatusPill tone="wait">{n === 1 ? '1 strike counts' : `${formatCount(n)} strikes count`}</StatusPill>;
    case 'clear':
      return <StatusPill tone="ok">Good standing</StatusPill>;
  }
}

function Ladder({ standing }: { standing: Standing }) {
  const step = rungOf(standing);
  return (
    <ol className="ladder">
      {ladderRungs(standing.rules).map((r, i) => (
        <li key={r.name} className={i === step ? 'current' : i < step ? 'passed' : undefined} aria-current={i === step ? 'step' : undefined}>
          <strong>{r.name}{i === step ? <span className="ladder-here"> — you are here</span> : null}</strong>
          <span>{r.text}</span>
        </li>
      ))}
    </ol>
  );
}

/** A countdown running while the creator is off air (a new LIVE would be under it too). */
function CountdownNotice({ endsAtMs, strikes, strikesToSuspend, onEnd }: { endsAtMs: number; strikes: number; strikesToSuspend: number; onEnd: () => void }) {
  const leftMs = useCountdown(endsAtMs, onEnd);
  return (
    <div className="ladder-countdown compact" role="group" aria-labelledby="standing-countdown-title">
      <p id="standing-countdown-title" className="ladder-countdown-title">
        Countdown to adjust <CountdownClock leftMs={leftMs} />
      </p>
      <p>
        Keep your words clean for {countdownText(leftMs)} — another promise of something for gifts, follows or shares ends your LIVE and suspends going LIVE. It counts on
        air and in a new LIVE alike. ({formatCount(strikes)} of {formatCount(strikesToSuspend)} strikes.)
      </p>
    </div>
  );
}

/** A granted appeal, told at the top for a while: the suspension is lifted. */
function GrantedNotice({ standing }: { standing: Standing }) {
  if (standing.suspension !== null) return null;
  const granted = standing.recentSuspensions.find((x) => x.appeal?.status === 'granted' && x.appeal.decision !== null && Date.now() - x.appeal.decision.atMs < GRANTED_SHOWN_MS);
  const decision = granted?.appeal?.decision;
  if (!granted || !decision) return null;
  return (
    <div className="notice granted" role="status">
      <p><strong>Your appeal was granted</strong> ({dateTime(decision.atMs)}). The suspension is lifted and does not count against you: you can go LIVE again.</p>
      {decision.note !== null ? <p className="muted">Moderator’s note: “{decision.note}”</p> : null}
    </div>
  );
}

function PastSuspension({ suspension: x, label }: { suspension: Suspension; label: string }) {
  const ended = x.endedAtMs !== null ? (x.overturned ? `lifted on appeal ${dateTime(x.endedAtMs)}` : `lifted early ${dateTime(x.endedAtMs)}`) : x.untilMs === null ? 'permanent' : `until ${dateTime(x.untilMs)}`;
  const appeal = x.appeal;
  return (
    <li className="past-suspension">
      <span>
        <strong>{label}</strong> <span className="muted">· {SUSPENSION_SOURCE[x.source].toLowerCase()}</span>
      </span>
      <span className="muted hint">{dateTime(x.startedAtMs)} · {ended}</span>
      {appeal ? (
        <span className="hint">
          <StatusPill tone={APPEAL_STATUS[appeal.status].tone}>{APPEAL_STATUS[appeal.status].label}</StatusPill>
          {appeal.decision?.note != null ? <> “{appeal.decision.note}”</> : null}
        </span>
      ) : (
        <span className="muted hint">Not appealed</span>
      )}
    </li>
  );
}

function StrikeRow({ strike, reasons }: { strike: Strike; reasons: Parameters<typeof strikeWords>[1] }) {
  const w = strikeWords(strike, reasons, 'your');
  return (
    <li className="strike">
      <span className="muted hint">{dateTime(strike.createdAtMs)} · {w.source}</span>
      <span className="strike-why">{strike.source === 'moderator' ? `Reason: ${w.rule}` : `For ${w.rule}`}</span>
      {strike.source === 'moderator' ? (
        <>
          <span>“{strike.text}”</span>
          {strike.excerpt !== null ? <span className="muted hint">About: “{strike.excerpt}”</span> : null}
        </>
      ) : (
        <SaidText text={strike.text} excerpt={strike.excerpt} />
      )}
    </li>
  );
}

/**
 * On the summary of a LIVE the safety rules ended: the suspension it brought (from the standing),
 * and where to appeal it.
 */
export function SafetyEndNotice() {
  const { me } = useSession();
  const standing = useStanding(me ? standingKey(me) : 'nobody');
  if (standing.loaded.state !== 'ready') return null;
  const inForce = standing.loaded.value.suspension;
  if (inForce === null) return null;
  const appeal = inForce.appeal;
  return (
    <div className="suspended safety-end" role="note" aria-labelledby="safety-end-title">
      <p className="suspended-title" id="safety-end-title">
        Going LIVE is suspended {untilWords(inForce.untilMs)}: <strong>{sentence(inForce.reason)}</strong>
      </p>
      <p className="muted">
        {appeal === null
          ? 'Think this is wrong? You can appeal once, from your studio.'
          : `Your appeal: ${APPEAL_STATUS[appeal.status].label.replace(/^Appeal /, '').toLowerCase()}.`}
      </p>
      <Link to="/studio" className="button small">{appeal === null ? 'Appeal in your studio' : 'Open your studio'}</Link>
    </div>
  );
}
