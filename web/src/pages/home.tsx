// Home: the LIVEs on air now (title, creator, viewers), the creators a signed-in viewer watched (to
// follow up on), and the viewer's coins in the top bar.
import { api } from '../api.js';
import { useLoader } from '../components/load.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

export function HomePage() {
  const { me } = useSession();
  const { loaded, reload } = useLoader(async () => (await api.lives({ limit: 50 })).lives.filter((l) => l.status === 'live'), 'on-air');

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
          <RetryCard message={loaded.message} onRetry={reload} />
        ) : loaded.value.length === 0 ? (
          <div className="card center">
            <p>Nobody is LIVE right now.</p>
            <p className="muted">Come back soon — or go LIVE yourself from your studio.</p>
          </div>
        ) : (
          <ul className="live-grid">
            {loaded.value.map((live) => (
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
      {me ? <CreatorsYouWatched userId={me.id} /> : null}
      <footer className="footer muted">
        <a href="/docs">API reference</a> · <a href="/openapi.json">OpenAPI</a>
      </footer>
    </>
  );
}

/** The creators whose LIVEs this user watched: LIVE now (a link to it), else when their last LIVE was. */
/** A list that could not load: why, and a way to try again. */
function RetryCard({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div className="card center">
      <p className="error" role="alert">{message}</p>
      <button type="button" className="button" onClick={() => { onRetry(); }}>Try again</button>
    </div>
  );
}

function CreatorsYouWatched({ userId }: { userId: string }) {
  const { loaded, reload } = useLoader(async () => (await api.myCreators({ limit: 12 })).creators, userId);

  return (
    <section aria-labelledby="watched" className="watched">
      <h2 id="watched">Creators you watched</h2>
      {loaded.state === 'loading' ? (
        <ul className="creator-list" aria-busy="true" aria-label="Loading creators">
          {[0, 1, 2].map((i) => <li key={i} className="creator-card skeleton" />)}
        </ul>
      ) : loaded.state === 'error' ? (
        <RetryCard message={loaded.message} onRetry={reload} />
      ) : loaded.value.length === 0 ? (
        <div className="card center">
          <p>Creators you watch show up here.</p>
          <p className="muted">Open a LIVE above to start.</p>
        </div>
      ) : (
        <ul className="creator-list">
          {loaded.value.map((c) => (
            <li key={c.creator.id}>
              {c.onAir ? (
                <Link to={`/live/${c.onAir.liveId}`} className="creator-card">
                  <span className="avatar" aria-hidden="true">{initials(c.creator.displayName)}</span>
                  <span className="creator-text">
                    <span className="creator-name">{c.creator.displayName}</span>
                    <span className="creator-status">
                      <span className="creator-live">LIVE now</span> · {c.onAir.title} · <span className="num">{c.onAir.viewers.toLocaleString('en-US')} watching</span>
                    </span>
                  </span>
                </Link>
              ) : (
                <div className="creator-card">
                  <span className="avatar" aria-hidden="true">{initials(c.creator.displayName)}</span>
                  <span className="creator-text">
                    <span className="creator-name">{c.creator.displayName}</span>
                    <span className="creator-status muted">{c.lastLive ? `Last LIVE ${timeAgo(c.lastLive.endedAtMs)}` : 'Not LIVE now'}</span>
                  </span>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [['year', 31_536_000_000], ['month', 2_592_000_000], ['week', 604_800_000], ['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000]];

/** "5 minutes ago", "yesterday"; under a minute, "just now". */
export function timeAgo(atMs: number, nowMs: number = Date.now()): string {
  const elapsedMs = Math.max(nowMs - atMs, 0);
  for (const [unit, ms] of UNITS) if (elapsedMs >= ms) return RELATIVE.format(-Math.floor(elapsedMs / ms), unit);
  return 'just now';
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).slice(0, 2);
  return parts.map((p) => p.charAt(0).toUpperCase()).join('') || '?';
}
