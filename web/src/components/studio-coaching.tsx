// Private coaching in amber: when the creator's title, chat line or thank-you baited for gifts, the
// room tells only their sockets (coach.warning) why that is against the rules and what to say instead;
// right after the strike it recorded, it tells their studio the gift-baiting ladder's rung
// (coach.ladder): a warning, a countdown to adjust (shown as a banner with its timer), or the
// suspension that ended the LIVE. A countdown already running when the studio opens is read from
// GET /v1/me/standing, since the room does not replay private events.
import { useEffect, useRef, useState } from 'react';
import type { CoachLadderData, CoachWarningData } from '../../../src/protocol/room.js';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';
import { api } from '../api.js';
import { Link } from '../router.js';
import { CountdownClock, countdownText, useCountdown } from './ladder-countdown.js';
import { ordinal } from './moderation-words.js';
import { dateTime } from './studio-time.js';
import '../styles/ladder.css';

/** Cards shown at once, at most (the newest on top). */
const COACH_MAX = 3;

export interface Coaching extends CoachWarningData {
  readonly key: number;
}

/** The ladder's rung as the room last said it, and how long a strike counts (from the standing, when read). */
export interface LadderCoaching extends CoachLadderData {
  readonly key: number;
  readonly windowHours: number | null;
}

const COACH_SOURCE: Readonly<Record<CoachWarningData['source'], string>> = {
  title: 'Your LIVE title',
  chat: 'Your message',
  thanks: 'Your thank-you',
};

/**
 * The coaching of a room (null: not there yet), with a way to dismiss one, and the ladder's rung.
 * Call it before the room connects.
 */
export function useCoaching(room: LiveRoomClient | null): {
  coaching: readonly Coaching[];
  dismiss: (key: number) => void;
  ladder: LadderCoaching | null;
  dismissLadder: () => void;
} {
  const [coaching, setCoaching] = useState<readonly Coaching[]>([]);
  const [ladder, setLadder] = useState<LadderCoaching | null>(null);
  const keys = useRef(0);
  const windowHours = useRef<number | null>(null);
  useEffect(() => {
    if (!room) return;
    let heard = false;
    let stopped = false;
    // A countdown that began before this studio opened (a reload, another device) shows too.
    api.myStanding().then(
      (s) => {
        windowHours.current = s.rules.windowHours;
        if (stopped) return;
        if (!heard && s.ladder.step === 'countdown') setLadder({ ...s.ladder, suspension: null, key: keys.current++, windowHours: s.rules.windowHours });
        else setLadder((l) => (l ? { ...l, windowHours: s.rules.windowHours } : l));
      },
      () => undefined,
    );
    const offs = [
      room.on('coach.warning', (e) => {
        setCoaching((list) => [{ ...e.data, key: keys.current++ }, ...list].slice(0, COACH_MAX));
      }),
      room.on('coach.ladder', (e) => {
        heard = true;
        setLadder({ ...e.data, key: keys.current++, windowHours: windowHours.current });
      }),
    ];
    return () => {
      stopped = true;
      for (const off of offs) off();
    };
  }, [room]);
  const dismiss = (key: number) => {
    setCoaching((list) => list.filter((x) => x.key !== key));
  };
  const dismissLadder = () => {
    setLadder(null);
  };
  return { coaching, dismiss, ladder, dismissLadder };
}

/** "for 24 hours" when the window is known. */
function within(windowHours: number | null): string {
  return windowHours === null ? '' : ` within ${windowHours} hours`;
}

/**
 * The ladder's rung on air: a countdown as a prominent amber banner with its timer (then, once it ran
 * out, what counts still), a warning as one amber line, the suspension that ended the LIVE in red.
 */
export function LadderBanner({ ladder, onDismiss }: { ladder: LadderCoaching | null; onDismiss: () => void }) {
  if (ladder === null) return null;
  switch (ladder.step) {
    case 'clear':
      return null;
    case 'countdown':
      return ladder.countdownEndsAtMs === null ? null : <CountdownBanner key={ladder.key} ladder={ladder} endsAtMs={ladder.countdownEndsAtMs} onDismiss={onDismiss} />;
    case 'warning':
      return (
        <section className="ladder-banner warning" aria-labelledby="ladder-banner-title">
          <header>
            <strong id="ladder-banner-title">{ladder.strikes <= 1 ? 'Strike 1: a warning' : `${ladder.strikes} strikes count now`}</strong>
            <button type="button" className="close small" aria-label="Dismiss the strike note" onClick={onDismiss}>×</button>
          </header>
          <p>
            Only you see this. Another promise of something for gifts, follows or shares{within(ladder.windowHours)} starts a countdown to adjust; the{' '}
            {ordinal(ladder.strikesToSuspend)} strike ends this LIVE and suspends going LIVE.
          </p>
        </section>
      );
    case 'suspended': {
      const s = ladder.suspension;
      return (
        <section className="ladder-banner suspended-banner" role="alert" aria-labelledby="ladder-banner-title">
          <header><strong id="ladder-banner-title">Your LIVE was ended by Livegift’s safety rules</strong></header>
          <p>
            Going LIVE is suspended {s === null || s.untilMs === null ? 'until a moderator lifts it' : `until ${dateTime(s.untilMs)}`}
            {s !== null && s.reason !== '' ? <>: {s.reason}</> : null}.
          </p>
          <p><Link to="/studio">Open your studio</Link> to see your standing and appeal once if you think this is wrong.</p>
        </section>
      );
    }
  }
}

function CountdownBanner({ ladder, endsAtMs, onDismiss }: { ladder: LadderCoaching; endsAtMs: number; onDismiss: () => void }) {
  const leftMs = useCountdown(endsAtMs);
  const running = leftMs > 0;
  const next = ladder.strikes + 1 >= ladder.strikesToSuspend;
  return (
    <section className={`ladder-banner countdown ${running ? '' : 'over'}`} aria-labelledby="ladder-banner-title">
      <header>
        <strong id="ladder-banner-title">{running ? 'Countdown to adjust' : 'The countdown is over'}</strong>
        {running ? <CountdownClock leftMs={leftMs} className="big" /> : <button type="button" className="close small" aria-label="Dismiss the countdown note" onClick={onDismiss}>×</button>}
      </header>
      {running ? (
        <p>
          Keep your words clean for <span className="num">{countdownText(leftMs)}</span> — another promise of something for gifts ends this LIVE and suspends going LIVE.
        </p>
      ) : (
        <p>
          Thanks for adjusting. Your {ladder.strikes} strikes still count{within(ladder.windowHours)}:{' '}
          {next ? 'the next promise ends this LIVE.' : `another promise starts a new countdown, and the ${ordinal(ladder.strikesToSuspend)} strike ends this LIVE.`}
        </p>
      )}
      <p className="ladder-banner-fine">Only you see this · strike {ladder.strikes} of {ladder.strikesToSuspend}</p>
    </section>
  );
}

/** The cards; a suggestion tapped becomes the phrase the gift feed thanks with. */
export function CoachingCards({ coaching, onDismiss, onPhrase }: { coaching: readonly Coaching[]; onDismiss: (key: number) => void; onPhrase: (phrase: string) => void }) {
  if (coaching.length === 0) return null;
  return (
    <section className="coaching" aria-label="Coaching, only you see this">
      {coaching.map((c) => (
        <div key={c.key} className="coach" role="alert">
          <header>
            <strong>Only you can see this</strong>
            <button type="button" className="close small" aria-label="Dismiss this coaching" onClick={() => { onDismiss(c.key); }}>×</button>
          </header>
          <p>{COACH_SOURCE[c.source]}: “{c.excerpt}”</p>
          <p>{c.why}</p>
          <p className="coach-try">
            Say instead:{' '}
            {c.suggestions.map((s) => (
              <button key={s} type="button" className="chip" onClick={() => { onPhrase(s); }} aria-label={`Thank with “${s}”`}>{s}</button>
            ))}
          </p>
        </div>
      ))}
    </section>
  );
}
