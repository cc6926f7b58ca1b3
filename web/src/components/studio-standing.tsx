// The creator's standing in the studio: a suspension of going LIVE said plainly (the reason, and until
// when — or permanently) where the Go LIVE form would be; their strikes (GET /v1/me/strikes: what was
// said, when, and why it counted); and the ladder moderation follows (PRODUCT.md), in plain words,
// with the step they are on marked.
import type { Me } from '../../../src/protocol/accounts.js';
import type { Strike } from '../../../src/protocol/moderation.js';
import { api } from '../api.js';
import { LoadError, useLoader } from './load.js';
import { strikeWords, useModerationReasons } from './moderation-words.js';
import { StatusPill } from './status-pill.js';
import { dateTime } from './studio-time.js';
import '../styles/moderation.css';

const STRIKES_PAGE = 20;

/** A suspension of going LIVE still in force, or null (the server also drops expired ones). */
export function activeSuspension(me: Me): { untilMs: number | null; reason: string } | null {
  const s = me.liveSuspension;
  if (s === null) return null;
  if (s.untilMs !== null && s.untilMs <= Date.now()) return null;
  return s;
}

/** Shown instead of the Go LIVE form while going LIVE is suspended. */
export function SuspendedNotice({ suspension }: { suspension: { untilMs: number | null; reason: string } }) {
  const until = suspension.untilMs === null ? 'permanently' : `until ${dateTime(suspension.untilMs)}`;
  const reason = suspension.reason.trim();
  return (
    <div className="suspended" role="note">
      <p className="suspended-title">
        Going LIVE is suspended {until} for a Community Guidelines violation{reason !== '' ? <>: <strong>{reason}</strong>{/[.!?]$/.test(reason) ? '' : '.'}</> : '.'}
      </p>
      <p className="muted">
        {suspension.untilMs === null
          ? 'It stays until a moderator lifts it. You can still watch LIVEs, chat and send gifts; see “Appeal” below if you think this is wrong.'
          : 'Going LIVE opens again by itself then. Until that time you can still watch LIVEs, chat and send gifts.'}
      </p>
    </div>
  );
}

const LADDER = [
  {
    name: 'Warning',
    text: 'When your title or a message promises something in return for gifts, follows or shares, only you see a coaching note at once, and it counts as a strike. A moderator can warn you too.',
  },
  { name: 'Time to adjust', text: 'You get a countdown to change your title or stop. If you do, nothing more happens.' },
  {
    name: 'LIVE ended and a timed suspension',
    text: 'If it goes on, or for a serious Community Guidelines violation, a moderator ends your LIVE and you cannot go LIVE for a while — 24 hours up to 30 days, or for good.',
  },
  { name: 'Appeal', text: 'Think a decision was wrong? Ask Livegift support for a review: a moderator can lift a suspension early.' },
] as const;

/** The creator's strikes and the ladder, below the Go LIVE form. */
export function StudioStanding({ me }: { me: Me }) {
  const strikes = useLoader(() => api.myStrikes({ limit: STRIKES_PAGE }), me.id);
  const reasons = useModerationReasons();
  const suspended = activeSuspension(me) !== null;
  const count = strikes.loaded.state === 'ready' ? strikes.loaded.value.strikes.length : 0;
  // The step the creator is on: suspended, or warned at least once (none before a first strike).
  const step = suspended ? 2 : count > 0 ? 0 : -1;

  return (
    <section className="panel standing" aria-labelledby="standing-title">
      <div className="panel-head">
        <h2 id="standing-title">Your standing</h2>
        {strikes.loaded.state === 'ready' ? (
          suspended ? <StatusPill tone="bad">Suspended from going LIVE</StatusPill> : count === 0 ? <StatusPill tone="ok">Good standing</StatusPill> : <StatusPill tone="wait">{count === 1 ? '1 strike' : `${count >= STRIKES_PAGE ? `${STRIKES_PAGE}+` : count} strikes`}</StatusPill>
        ) : null}
      </div>
      <h3 className="standing-sub">How moderation works</h3>
      <ol className="ladder">
        {LADDER.map((s, i) => (
          <li key={s.name} className={i === step ? 'current' : i < step ? 'passed' : undefined} aria-current={i === step ? 'step' : undefined}>
            <strong>{s.name}{i === step ? <span className="ladder-here"> — you are here</span> : null}</strong>
            <span>{s.text}</span>
          </li>
        ))}
      </ol>
      <h3 className="standing-sub">Your strikes</h3>
      {strikes.loaded.state === 'loading' ? (
        <div className="skeleton line" aria-busy="true" aria-label="Loading your strikes" />
      ) : strikes.loaded.state === 'error' ? (
        <LoadError message={strikes.loaded.message} onRetry={() => { strikes.reload(); }} />
      ) : strikes.loaded.value.strikes.length === 0 ? (
        <p className="empty muted">No strikes. Keep thanking your gifters and keep your title about what you are doing — that is all it takes.</p>
      ) : (
        <ul className="strikes" aria-label="Your strikes">
          {strikes.loaded.value.strikes.map((s) => <StrikeRow key={s.id} strike={s} reasons={reasons.loaded.state === 'ready' ? reasons.loaded.value : null} />)}
        </ul>
      )}
    </section>
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
        <Said text={strike.text} excerpt={strike.excerpt} />
      )}
    </li>
  );
}

/** What was said, the words that made the promise marked. */
function Said({ text, excerpt }: { text: string; excerpt: string | null }) {
  const at = excerpt !== null && excerpt !== '' ? text.indexOf(excerpt) : -1;
  if (excerpt === null || at < 0) return <span>“{text}”</span>;
  return (
    <span>
      “{text.slice(0, at)}<mark>{excerpt}</mark>{text.slice(at + excerpt.length)}”
    </span>
  );
}
