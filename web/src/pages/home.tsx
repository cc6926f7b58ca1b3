// Home: the LIVEs on air now (title, creator, viewers), and the viewer's coins in the top bar.
import { useEffect, useState } from 'react';
import type { Live } from '../../../src/protocol/lives.js';
import { api, explain } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

type Loaded = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; lives: Live[] };

export function HomePage() {
  const { me } = useSession();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLoaded({ state: 'loading' });
    api.lives({ limit: 50 }).then(
      (page) => {
        if (!cancelled) setLoaded({ state: 'ready', lives: page.lives.filter((l) => l.status === 'live') });
      },
      (error: unknown) => {
        if (!cancelled) setLoaded({ state: 'error', message: explain(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  return (
    <>
      <section className="hero">
        <h1>{me ? `Hi ${me.displayName}` : 'LIVE now on Livegift'}</h1>
        <p className="muted">Watch, chat, and send gifts that appear on the LIVE at once.</p>
      </section>
      <section aria-labelledby="on-air">
        <h2 id="on-air">On air now</h2>
        {loaded.state === 'loading' ? (
          <ul className="live-grid" aria-busy="true" aria-label="Loading LIVEs">
            {[0, 1, 2].map((i) => <li key={i} className="live-card skeleton" />)}
          </ul>
        ) : loaded.state === 'error' ? (
          <div className="card center">
            <p className="error" role="alert">{loaded.message}</p>
            <button type="button" className="button" onClick={() => { setAttempt((n) => n + 1); }}>Try again</button>
          </div>
        ) : loaded.lives.length === 0 ? (
          <div className="card center">
            <p>Nobody is LIVE right now.</p>
            <p className="muted">Come back soon — or go LIVE yourself from your studio.</p>
          </div>
        ) : (
          <ul className="live-grid">
            {loaded.lives.map((live) => (
              <li key={live.id}>
                {/* Named by what it shows, in the same order: "<title> [by] <creator>[,] <n> watching"
                    (every card here is LIVE: the badge is for the eye). */}
                <Link to={`/live/${live.id}`} className="live-card">
                  <span className="live-badge" aria-hidden="true">LIVE</span>
                  <span className="avatar big" aria-hidden="true">{initials(live.creator.displayName)}</span>
                  <span className="live-title">{live.title}</span>
                  <span className="live-meta">
                    <span><span className="sr-only">by </span>{live.creator.displayName}<span className="sr-only">,</span></span>
                    <span className="num">{live.viewers.toLocaleString('en-US')} watching</span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <footer className="footer muted">
        <a href="/docs">API reference</a> · <a href="/openapi.json">OpenAPI</a>
      </footer>
    </>
  );
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).slice(0, 2);
  return parts.map((p) => p.charAt(0).toUpperCase()).join('') || '?';
}
