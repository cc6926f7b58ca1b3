// Private coaching in amber: when the creator's title, chat line or thank-you baited for gifts, the
// room tells only their sockets (coach.warning) why that is against the rules and what to say instead.
import { useEffect, useRef, useState } from 'react';
import type { CoachWarningData } from '../../../src/protocol/room.js';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';

/** Cards shown at once, at most (the newest on top). */
const COACH_MAX = 3;

export interface Coaching extends CoachWarningData {
  readonly key: number;
}

const COACH_SOURCE: Readonly<Record<CoachWarningData['source'], string>> = {
  title: 'Your LIVE title',
  chat: 'Your message',
  thanks: 'Your thank-you',
};

/** The coaching of a room (null: not there yet), with a way to dismiss one. Call it before the room connects. */
export function useCoaching(room: LiveRoomClient | null): { coaching: readonly Coaching[]; dismiss: (key: number) => void } {
  const [coaching, setCoaching] = useState<readonly Coaching[]>([]);
  const keys = useRef(0);
  useEffect(() => {
    if (!room) return;
    return room.on('coach.warning', (e) => {
      setCoaching((list) => [{ ...e.data, key: keys.current++ }, ...list].slice(0, COACH_MAX));
    });
  }, [room]);
  const dismiss = (key: number) => {
    setCoaching((list) => list.filter((x) => x.key !== key));
  };
  return { coaching, dismiss };
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
