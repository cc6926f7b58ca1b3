// The creator's past LIVEs in the studio: each with its date, duration, gifters and diamonds, linking
// to its summary.
import { useEffect, useState } from 'react';
import type { Live } from '../../../src/protocol/lives.js';
import { api, explain } from '../api.js';
import { Link } from '../router.js';
import { dateTime, duration } from './studio-time.js';

type PastLoad = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; lives: Live[]; next: string | null };

/** The creator's past LIVEs, newest first, ten at a time, each opening its summary. */
export function PastLives({ handle }: { handle: string }) {
  const [load, setLoad] = useState<PastLoad>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [more, setMore] = useState(false);

  useEffect(() => {
    let cancelled = false;
    setLoad({ state: 'loading' });
    api.creatorLives(handle, { limit: 10 }).then(
      (page) => {
        if (!cancelled) setLoad({ state: 'ready', lives: page.lives, next: page.nextCursor });
      },
      (error: unknown) => {
        if (!cancelled) setLoad({ state: 'error', message: explain(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [handle, attempt]);

  const showMore = (lives: Live[], cursor: string) => {
    setMore(true);
    api.creatorLives(handle, { limit: 10, cursor }).then(
      (page) => {
        setLoad({ state: 'ready', lives: [...lives, ...page.lives], next: page.nextCursor });
        setMore(false);
      },
      (error: unknown) => {
        setLoad({ state: 'error', message: explain(error) });
        setMore(false);
      },
    );
  };

  return (
    <section aria-labelledby="past-title" className="past">
      <h2 id="past-title">Past LIVEs</h2>
      {load.state === 'loading' ? (
        <ul className="past-list" aria-busy="true" aria-label="Loading your past LIVEs">
          {[0, 1].map((i) => <li key={i} className="past-row skeleton" />)}
        </ul>
      ) : load.state === 'error' ? (
        <div className="panel center">
          <p className="error" role="alert">{load.message}</p>
          <button type="button" className="button" onClick={() => { setAttempt((n) => n + 1); }}>Try again</button>
        </div>
      ) : load.lives.length === 0 ? (
        <p className="panel empty muted">No past LIVEs yet. When a LIVE ends, its summary — viewers, gifters, diamonds — is kept here.</p>
      ) : (
        <>
          <ul className="past-list">
            {load.lives.map((l) => (
              <li key={l.id}>
                <Link to={`/studio/lives/${l.id}`} className="past-row">
                  <span className="past-title">
                    <strong>{l.title}</strong>
                    <span className="muted hint">{dateTime(l.startedAtMs)}{l.summary ? ` · ${duration(l.summary.durationMs)}` : ''}</span>
                  </span>
                  {l.summary ? (
                    <span className="past-numbers">
                      <span><span className="num">{l.summary.gifters.toLocaleString('en-US')}</span> gifters</span>
                      <span className="diamonds"><span className="num">{l.summary.diamondsEarned.toLocaleString('en-US')}</span> ◆</span>
                    </span>
                  ) : <span className="muted hint">Summary coming</span>}
                </Link>
              </li>
            ))}
          </ul>
          {load.next !== null ? (
            <button type="button" className="button ghost" disabled={more} onClick={() => { if (load.next !== null) showMore(load.lives, load.next); }}>
              {more ? 'Loading…' : 'Show more'}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}
