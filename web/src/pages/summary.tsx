// The summary of one LIVE, for its creator: big numbers in cards — duration, viewers, gifters,
// gifts, diamonds — then the top gifters and whether each was thanked. The summary is written by the
// server when the LIVE ends; until then the page says the LIVE is still on air.
import { useEffect, useState } from 'react';
import type { Live, LiveSummary } from '../../../src/protocol/lives.js';
import { api, explain } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { initials } from './home.js';
import { dateTime, duration, readThanked } from './studio.js';
import '../styles/studio.css';

type Loaded = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; live: Live };

export function LiveSummaryPage({ liveId }: { liveId: string }) {
  const { me } = useSession();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLoaded({ state: 'loading' });
    api.live(liveId).then(
      (live) => {
        if (!cancelled) setLoaded({ state: 'ready', live });
      },
      (error: unknown) => {
        if (!cancelled) setLoaded({ state: 'error', message: explain(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [liveId, attempt]);

  if (loaded.state === 'loading') {
    return (
      <div className="studio" aria-busy="true" aria-label="Loading the summary">
        <div className="stat-cards">{[0, 1, 2, 3, 4].map((i) => <div key={i} className="skeleton card-skeleton" />)}</div>
      </div>
    );
  }
  if (loaded.state === 'error') {
    return (
      <section className="card narrow center">
        <h1>This summary cannot be opened</h1>
        <p className="error" role="alert">{loaded.message}</p>
        <button type="button" className="button" onClick={() => { setAttempt((n) => n + 1); }}>Try again</button>
        <p><Link to="/studio">Back to your studio</Link></p>
      </section>
    );
  }
  const { live } = loaded;
  const mine = me != null && me.id === live.creator.id;
  if (live.status === 'live') {
    return (
      <section className="card narrow center">
        <h1>“{live.title}” is still on air</h1>
        <p className="muted">Its summary is written when it ends.</p>
        {mine ? <Link to="/studio" className="button wide">Open your LIVE dashboard</Link> : <Link to={`/live/${live.id}`} className="button wide">Watch it</Link>}
      </section>
    );
  }
  if (live.summary === null) {
    return (
      <section className="card narrow center">
        <h1>The summary is being prepared</h1>
        <p className="muted">“{live.title}” has just ended; its numbers are being counted from the ledger. This takes a moment.</p>
        <button type="button" className="button" onClick={() => { setAttempt((n) => n + 1); }}>Look again</button>
      </section>
    );
  }
  return <Summary live={live} summary={live.summary} mine={mine} />;
}

function Summary({ live, summary, mine }: { live: Live; summary: LiveSummary; mine: boolean }) {
  const thanked = mine ? readThanked(live.id) : new Set<string>();
  const unthanked = summary.topGifters.filter((g) => !thanked.has(g.user.id)).length;
  return (
    <div className="studio summary">
      <header className="studio-head">
        <div>
          <p className="eyebrow">LIVE summary</p>
          <h1>{live.title}</h1>
          <p className="muted">
            {live.creator.displayName} · {dateTime(live.startedAtMs)}
            {live.endedBy === 'moderator' ? ' · ended by a moderator' : live.endedBy === 'auto' ? ' · ended when you went away' : ''}
          </p>
        </div>
      </header>
      {live.endedBy === 'moderator' && live.endReason !== null ? <p className="notice">Why it was ended: {live.endReason}</p> : null}

      <dl className="stat-cards summary-stats">
        <div><dt>Duration</dt><dd className="num">{duration(summary.durationMs)}</dd></div>
        <div>
          <dt>Viewers</dt>
          <dd className="num">{summary.uniqueViewers.toLocaleString('en-US')}</dd>
          <dd className="sub muted">peak {summary.peakViewers.toLocaleString('en-US')} at once</dd>
        </div>
        <div className="accent"><dt>Gifters</dt><dd className="num">{summary.gifters.toLocaleString('en-US')}</dd></div>
        <div>
          <dt>Gifts</dt>
          <dd className="num">{summary.giftsCount.toLocaleString('en-US')}</dd>
          <dd className="sub muted"><span className="num">{summary.coinsSpent.toLocaleString('en-US')}</span> coins</dd>
        </div>
        <div><dt>Diamonds</dt><dd className="num diamonds">◆ {summary.diamondsEarned.toLocaleString('en-US')}</dd></div>
      </dl>

      <section className="panel" aria-labelledby="summary-top">
        <h2 id="summary-top">Top gifters</h2>
        {summary.topGifters.length === 0 ? (
          <p className="empty muted">Nobody sent a gift in this LIVE. Gifts come with time — keep the chat warm and thank people who show up.</p>
        ) : (
          <ol className="ranking">
            {summary.topGifters.map((g, i) => (
              <li key={g.user.id}>
                <span className="rank num">{i + 1}</span>
                <span className="avatar small" aria-hidden="true">{initials(g.user.displayName)}</span>
                <span className="ranking-name">
                  {g.user.displayName}
                  <span className="muted hint"> · {g.gifts.toLocaleString('en-US')} {g.gifts === 1 ? 'gift' : 'gifts'}</span>
                </span>
                <span className="feed-coins num"><span className="coin-icon" aria-hidden="true" /> {g.coins.toLocaleString('en-US')}</span>
                {mine && thanked.has(g.user.id) ? <span className="thanked">Thanked ✓</span> : null}
              </li>
            ))}
          </ol>
        )}
        {mine && summary.topGifters.length > 0 ? (
          <p className="muted hint thank-all-note">
            {unthanked === 0
              ? 'You thanked all your top gifters during the LIVE.'
              : 'Thank-yous show in your LIVE’s chat, so they can be sent only while you are on air: next time, tap Thank all on your dashboard before you end.'}
          </p>
        ) : null}
      </section>

      {mine ? (
        <div className="actions">
          <Link to="/studio" className="button">Back to your studio</Link>
          <Link to="/balance" className="button ghost">See your diamonds</Link>
        </div>
      ) : null}
    </div>
  );
}
