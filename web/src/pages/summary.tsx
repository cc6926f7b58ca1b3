// The summary of one LIVE, for its creator: big numbers in cards — duration, viewers, gifters,
// gifts, diamonds — then the top gifters, and thanking them: Thank all (every gifter, with a
// suggested phrase or the creator's own words) or one at a time. The server keeps whom the creator
// thanked, in the LIVE's room or here after it (one thank-you per gifter, the first stands), so
// Thanked ✓ — "in the LIVE" when it was sent before the end — holds on every device; each gifter
// sees their thank-you on the LIVE's goodbye card. Own words that bait for gifts are coached in
// amber, privately, as in the room. The summary is written by the server when the LIVE ends; until
// then the page says it is still on air.
import { useEffect, useRef, useState } from 'react';
import { THANKS_PHRASES, type ThanksPhrase } from '../../../src/domain/thanks.js';
import type { PublicUser } from '../../../src/protocol/accounts.js';
import type { Live, LiveSummary, LiveThanks, ThankGiftersBody, ThankGiftersResult } from '../../../src/protocol/lives.js';
import { api, explain } from '../api.js';
import { useInFlight } from '../components/in-flight.js';
import { useLoader } from '../components/load.js';
import { CoachingCards, type Coaching } from '../components/studio-coaching.js';
import { SafetyEndNotice } from '../components/studio-standing.js';
import { dateTime, duration } from '../components/studio-time.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { initials } from './home.js';
import '../styles/studio.css';

/** The phrase choice that means "my own words". */
const OWN_WORDS = 'own';
/** Thank all asks the server again while gifters remain (it thanks up to 1,000 per call), at most this often. */
const THANK_ALL_CALLS_MAX = 20;

export function LiveSummaryPage({ liveId }: { liveId: string }) {
  const { me } = useSession();
  const { loaded, reload } = useLoader(() => api.live(liveId), liveId);

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
        <button type="button" className="button" onClick={() => { reload(); }}>Try again</button>
        <p><Link to="/studio">Back to your studio</Link></p>
      </section>
    );
  }
  const live = loaded.value;
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
        <button type="button" className="button" onClick={() => { reload(); }}>Look again</button>
      </section>
    );
  }
  return <Summary live={live} summary={live.summary} mine={mine} />;
}

function Summary({ live, summary, mine }: { live: Live; summary: LiveSummary; mine: boolean }) {
  // Everyone thanked, in the LIVE or after it, is in the server's list; Thank all thanks the others.
  const thanks = useSummaryThanks(live.id, mine);
  const unthanked = Math.max(0, summary.gifters - thanks.total);
  return (
    <div className="studio summary">
      <header className="studio-head">
        <div>
          <p className="eyebrow">LIVE summary</p>
          <h1>{live.title}</h1>
          <p className="muted">
            {live.creator.displayName} · {dateTime(live.startedAtMs)}
            {live.endedBy === 'moderator' ? ' · ended by a moderator' : live.endedBy === 'safety' ? ' · ended by Livegift’s safety rules' : live.endedBy === 'auto' ? ' · ended when you went away' : ''}
          </p>
        </div>
      </header>
      {(live.endedBy === 'moderator' || live.endedBy === 'safety') && live.endReason !== null ? <p className="notice">Why it was ended: {live.endReason}</p> : null}
      {mine && live.endedBy === 'safety' ? <SafetyEndNotice /> : null}

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
        <div className="panel-head">
          <h2 id="summary-top">Top gifters</h2>
          {mine && summary.gifters > 0 && thanks.state === 'ready' ? (
            unthanked > 0 ? (
              <button type="button" className="button small" onClick={() => void thanks.thankAll()} disabled={thanks.busy}>
                {thanks.busy ? 'Thanking…' : `Thank all (${unthanked.toLocaleString('en-US')})`}
              </button>
            ) : <span className="thanked">All thanked ✓</span>
          ) : null}
        </div>
        {mine && summary.gifters > 0 ? <ThankWith thanks={thanks} choose={thanks.state !== 'ready' || unthanked > 0} /> : null}
        {summary.topGifters.length === 0 ? (
          <p className="empty muted">Nobody sent a gift in this LIVE. Gifts come with time — keep the chat warm and thank people who show up.</p>
        ) : (
          <ol className="ranking">
            {summary.topGifters.map((g, i) => (
              <li key={g.user.id}>
                <span className="rank num">{i + 1}</span>
                <span className="avatar small" aria-hidden="true">{initials(g.user.displayName)}</span>
                <span className="ranking-name">
                  <span>{g.user.displayName}</span>
                  <span className="muted hint">{g.gifts.toLocaleString('en-US')} {g.gifts === 1 ? 'gift' : 'gifts'}</span>
                </span>
                <span className="feed-coins num"><span className="coin-icon" aria-hidden="true" /> {g.coins.toLocaleString('en-US')}</span>
                {mine ? <GifterThanks user={g.user} thanks={thanks} endedAtMs={live.endedAtMs} /> : null}
              </li>
            ))}
          </ol>
        )}
        {mine && summary.gifters > 0 ? (
          <p className="muted hint thank-all-note">
            {thanks.state === 'ready'
              ? `${Math.min(thanks.total, summary.gifters).toLocaleString('en-US')} of ${summary.gifters.toLocaleString('en-US')} ${summary.gifters === 1 ? 'gifter' : 'gifters'} thanked. `
              : null}
            Each gifter sees your thank-you when they open this LIVE.
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

/** The phrase chips and own words (while someone is left to thank), coaching and errors, above the ranking. */
function ThankWith({ thanks, choose }: { thanks: SummaryThanks; choose: boolean }) {
  return (
    <>
      {choose ? <PhraseChoice thanks={thanks} /> : null}
      <CoachingCards coaching={thanks.coaching} onDismiss={thanks.dismissCoaching} onPhrase={thanks.setPhrase} />
      {thanks.state === 'error' ? (
        <p className="error" role="alert">
          Whom you thanked could not be loaded: {thanks.loadError}{' '}
          <button type="button" className="link-button" onClick={thanks.reload}>Try again</button>
        </p>
      ) : null}
      {thanks.error !== null ? <p className="error" role="alert">{thanks.error}</p> : null}
    </>
  );
}

function PhraseChoice({ thanks }: { thanks: SummaryThanks }) {
  return (
    <fieldset className="phrases" disabled={thanks.busy}>
      <legend>Thank with</legend>
      {[...THANKS_PHRASES, OWN_WORDS].map((p) => (
        <label key={p} className={`chip${thanks.phrase === p ? ' on' : ''}`}>
          <input type="radio" name="summary-phrase" value={p} checked={thanks.phrase === p} onChange={() => { thanks.setPhrase(p); }} />
          {p === OWN_WORDS ? 'Own words…' : p}
        </label>
      ))}
      {thanks.phrase === OWN_WORDS ? (
        <input className="own-words" aria-label="Your own thank-you" placeholder="Your own thank-you" maxLength={200} value={thanks.ownWords} onChange={(e) => { thanks.setOwnWords(e.target.value); }} />
      ) : null}
    </fieldset>
  );
}

/** Thanked ✓ (from the server: "in the LIVE" when sent before its end), else a Thank button. */
function GifterThanks({ user, thanks, endedAtMs }: { user: PublicUser; thanks: SummaryThanks; endedAtMs: number | null }) {
  const sent = thanks.byGifter.get(user.id);
  if (sent && endedAtMs !== null && sent.createdAtMs < endedAtMs) {
    return (
      <span className="thanked" aria-label={`${user.displayName} thanked in the LIVE`} title={`Thanked in the LIVE’s chat: “${sent.text}”`}>
        Thanked ✓ <span className="in-room">in the LIVE</span>
      </span>
    );
  }
  if (sent) return <span className="thanked" aria-label={`${user.displayName} thanked`} title={`“${sent.text}”`}>Thanked ✓</span>;
  if (thanks.state !== 'ready') return null;
  const busy = thanks.thanking.has(user.id);
  return (
    <button type="button" className="button small" aria-label={`Thank ${user.displayName}`} disabled={busy || thanks.busy} onClick={() => void thanks.thankOne(user)}>
      {busy ? '…' : 'Thank'}
    </button>
  );
}

interface SummaryThanks {
  readonly state: 'loading' | 'error' | 'ready';
  readonly loadError: string | null;
  readonly reload: () => void;
  /** The server's thank-yous of this LIVE (sent in it or after it), by gifter id. */
  readonly byGifter: ReadonlyMap<string, LiveThanks>;
  /** Gifters thanked for this LIVE, in all (the server's count). */
  readonly total: number;
  /** A suggested phrase, or OWN_WORDS. */
  readonly phrase: string;
  readonly setPhrase: (phrase: string) => void;
  readonly ownWords: string;
  readonly setOwnWords: (words: string) => void;
  readonly coaching: readonly Coaching[];
  readonly dismissCoaching: (key: number) => void;
  readonly error: string | null;
  /** Thank all is running. */
  readonly busy: boolean;
  /** Gifters whose own Thank is on its way. */
  readonly thanking: ReadonlySet<string>;
  readonly thankAll: () => Promise<void>;
  readonly thankOne: (user: PublicUser) => Promise<void>;
}

/** Whom the creator thanked, in the LIVE or after it (from the server), and sending more. */
function useSummaryThanks(liveId: string, mine: boolean): SummaryThanks {
  const [state, setState] = useState<SummaryThanks['state']>('loading');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [byGifter, setByGifter] = useState<ReadonlyMap<string, LiveThanks>>(new Map());
  const [total, setTotal] = useState(0);
  const [phrase, setPhrase] = useState<string>(THANKS_PHRASES[1]);
  const [ownWords, setOwnWords] = useState('');
  const [coaching, setCoaching] = useState<readonly Coaching[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { ids: thanking, run } = useInFlight();
  const coachKeys = useRef(0);

  useEffect(() => {
    if (!mine) return;
    let cancelled = false;
    setState('loading');
    // The first page (1,000, oldest first) holds every thank-you of all but the largest LIVEs.
    api.liveThanks(liveId).then(
      (page) => {
        if (cancelled) return;
        setByGifter(new Map(page.thanks.map((t) => [t.to.id, t])));
        setTotal(page.total);
        setState('ready');
      },
      (e: unknown) => {
        if (cancelled) return;
        setLoadError(explain(e));
        setState('error');
      },
    );
    return () => {
      cancelled = true;
    };
  }, [liveId, mine, attempt]);

  /** The body to send, or null (and why) when own words are empty. */
  const message = (): { phrase: ThanksPhrase } | { text: string } | null => {
    const chosen = THANKS_PHRASES.find((p) => p === phrase);
    if (chosen !== undefined) return { phrase: chosen };
    const text = ownWords.trim();
    if (text === '') {
      setError('Write your own words first, or pick a suggested phrase.');
      return null;
    }
    return { text };
  };

  const apply = (result: ThankGiftersResult): void => {
    setByGifter((map) => {
      const next = new Map(map);
      for (const t of [...result.thanked, ...result.alreadyThanked]) next.set(t.to.id, t);
      return next;
    });
    setTotal((n) => n + result.thanked.length);
    const found = result.coaching;
    if (found) setCoaching((list) => [{ ...found, source: 'thanks' as const, key: coachKeys.current++ }, ...list].slice(0, 3));
  };

  const send = async (body: ThankGiftersBody): Promise<ThankGiftersResult> => {
    const result = await api.thankGifters(liveId, body);
    apply(result);
    return result;
  };

  const thankAll = async (): Promise<void> => {
    const m = message();
    if (m === null) return;
    setError(null);
    setBusy(true);
    try {
      // The server thanks every gifter not thanked yet, up to 1,000 a call, and says how many remain.
      for (let call = 0; call < THANK_ALL_CALLS_MAX; call++) {
        const result = await send(m);
        if (result.remaining === 0) break;
      }
    } catch (e) {
      setError(`Not everyone was thanked: ${explain(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const thankOne = async (user: PublicUser): Promise<void> => {
    const m = message();
    if (m === null) return;
    setError(null);
    await run(user.id, async () => {
      try {
        await send({ ...m, gifterIds: [user.id] });
      } catch (e) {
        setError(`${user.displayName} was not thanked: ${explain(e)}`);
      }
    });
  };

  return {
    state,
    loadError,
    reload: () => { setAttempt((n) => n + 1); },
    byGifter,
    total,
    phrase,
    setPhrase,
    ownWords,
    setOwnWords,
    coaching,
    dismissCoaching: (key) => { setCoaching((list) => list.filter((c) => c.key !== key)); },
    error,
    busy,
    thanking,
    thankAll,
    thankOne,
  };
}
