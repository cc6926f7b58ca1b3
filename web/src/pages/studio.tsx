// The creator's studio. Before a LIVE: the LIVE Gifts toggle (with why it cannot be on), a title and
// Go LIVE — or why going LIVE is not possible now (age, a suspension and its end). On air: the stage
// preview, gifts arriving in a feed with a one-tap Thank on each gifter, viewers, top gifters,
// private coaching in amber when a title or line baits for gifts, the OBS overlay link, and End LIVE
// (which opens the LIVE's summary). Below, the creator's past LIVEs, each linking to its summary.
import { useCallback, useEffect, useRef, useState, type SyntheticEvent } from 'react';
import { THANKS_PHRASES } from '../../../src/domain/thanks.js';
import type { Me, PublicUser } from '../../../src/protocol/accounts.js';
import type { Live } from '../../../src/protocol/lives.js';
import type { CoachWarningData, ComboUpdatedData, GiftSentData, LeaderboardEntry } from '../../../src/protocol/room.js';
import { LiveRoomClient, type RoomConnectionState } from '../../../src/sdk/room-client.js';
import { api, explain, LivegiftError } from '../api.js';
import { GiftShow, giftName, useCatalog } from '../components/stage.js';
import { Link, navigate } from '../router.js';
import { useSession } from '../session.js';
import { initials } from './home.js';
import '../styles/studio.css';

/** The LIVE this browser started last, to find it again after a reload. */
const ON_AIR_KEY = 'livegift.studio.liveId';
/** The overlay token this browser made (its secret is shown only once by the API). */
const OVERLAY_TOKEN_KEY = 'livegift.studio.overlayToken';
/** Gifters thanked during a LIVE, by LIVE id: the summary shows them as thanked. */
export const THANKED_KEY_PREFIX = 'livegift.studio.thanked.';

const FEED_MAX = 50;
const CHAT_MAX = 30;
const COACH_MAX = 3;
/** Thank all thanks at most this many gifters (each thank-you is a line in everyone's chat). */
const THANK_ALL_MAX = 20;
const OWN_WORDS = 'own';

export function StudioPage() {
  const { me } = useSession();
  if (me === undefined) return <div className="studio" aria-busy="true" aria-label="Loading your studio"><div className="panel skeleton tall" /></div>;
  if (me === null) {
    return (
      <section className="card narrow center">
        <h1>Your creator studio</h1>
        <p className="muted">Log in to go LIVE, see your gifts the moment they arrive and thank your gifters.</p>
        <Link to="/login?next=/studio" className="button wide">Log in</Link>
        <p className="muted">New here? <Link to="/signup">Create an account</Link></p>
      </section>
    );
  }
  if (!me.adult) {
    return (
      <section className="card narrow" aria-labelledby="studio-minor">
        <h1 id="studio-minor">Your creator studio</h1>
        <p className="notice">
          Going LIVE and collecting diamonds are for people 18 and older, and your account says you are under 18. They open
          by themselves on your 18th birthday.
        </p>
        <p className="muted">Until then you can watch LIVEs, chat and send hearts.</p>
        <Link to="/" className="button wide">Watch LIVEs</Link>
      </section>
    );
  }
  return <Studio me={me} />;
}

function Studio({ me }: { me: Me }) {
  const [onAir, setOnAir] = useState<Live | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLoadError(null);
    findOnAir(me.id).then(
      (live) => {
        if (!cancelled) setOnAir(live);
      },
      (error: unknown) => {
        if (!cancelled) setLoadError(explain(error));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [me.id, attempt]);

  const started = useCallback((live: Live) => {
    localStorage.setItem(ON_AIR_KEY, live.id);
    setOnAir(live);
  }, []);

  return (
    <div className="studio">
      <header className="studio-head">
        <div>
          <h1>Creator studio</h1>
          <p className="muted">@{me.handle}</p>
        </div>
        {onAir ? <span className="live-badge static">LIVE</span> : null}
      </header>
      {loadError !== null ? (
        <div className="panel center">
          <p className="error" role="alert">{loadError}</p>
          <button type="button" className="button" onClick={() => { setAttempt((n) => n + 1); }}>Try again</button>
        </div>
      ) : onAir === undefined ? (
        <div className="panel skeleton tall" aria-busy="true" aria-label="Loading your studio" />
      ) : onAir ? (
        <>
          <OnAir key={onAir.id} live={onAir} me={me} />
          <PastLives handle={me.handle} />
        </>
      ) : (
        <div className="studio-split">
          <GoLive me={me} onStarted={started} />
          <PastLives handle={me.handle} />
        </div>
      )}
    </div>
  );
}

/** The creator's LIVE on air, if any: the one this browser started, else the on-air list. */
async function findOnAir(creatorId: string): Promise<Live | null> {
  const remembered = localStorage.getItem(ON_AIR_KEY);
  if (remembered !== null) {
    try {
      const live = await api.live(remembered);
      if (live.status === 'live' && live.creator.id === creatorId) return live;
    } catch (error) {
      if (!(error instanceof LivegiftError && error.status === 404)) throw error;
    }
    localStorage.removeItem(ON_AIR_KEY);
  }
  // Started elsewhere (another device, the API): it is on the on-air list. One that is not on the
  // first page is found when Go LIVE answers already_live.
  const page = await api.lives({ limit: 100 });
  return page.lives.find((l) => l.status === 'live' && l.creator.id === creatorId) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Before a LIVE

function GoLive({ me, onStarted }: { me: Me; onStarted: (live: Live) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const suspension = activeSuspension(me);
  const blocked = me.banned || suspension !== null;

  async function start(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const title = new FormData(event.currentTarget).get('title');
    setBusy(true);
    setError(null);
    try {
      onStarted(await api.startLive({ title: typeof title === 'string' ? title.trim() : '' }));
    } catch (e) {
      // Already on air (from another device): open that LIVE's dashboard instead.
      const liveId = e instanceof LivegiftError && e.code === 'already_live' ? e.details?.liveId : undefined;
      const onAir = typeof liveId === 'string' ? await api.live(liveId).catch(() => null) : null;
      if (onAir?.status === 'live') onStarted(onAir);
      else setError(refusal(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel go-live" aria-labelledby="go-live-title">
      <h2 id="go-live-title">Go LIVE</h2>
      <GiftsToggle me={me} />
      {suspension ? (
        <p className="notice" id="go-live-why">
          Going LIVE is suspended {suspension.untilMs === null ? 'permanently' : `until ${dateTime(suspension.untilMs)}`} for a Community Guidelines
          violation{suspension.reason !== '' ? `: ${suspension.reason}` : ''}. You can still watch and chat.
        </p>
      ) : me.banned ? (
        <p className="notice" id="go-live-why">Your account is suspended, so it cannot go LIVE. Contact support if you think this is a mistake.</p>
      ) : !me.giftsEnabled ? (
        <p className="notice soft" id="go-live-why">LIVE Gifts are off: viewers will not be able to send you gifts in this LIVE. Turn them on above to collect diamonds.</p>
      ) : null}
      <form className="form" onSubmit={(e) => void start(e)}>
        <label>
          Title
          <input name="title" required maxLength={100} placeholder="What are you doing LIVE today?" disabled={blocked} aria-describedby={blocked ? 'go-live-why' : undefined} />
          <small className="muted">Shown on the home page. Promising rewards for gifts or follows is not allowed.</small>
        </label>
        {error !== null ? <p className="error" role="alert">{error}</p> : null}
        <button type="submit" className="button wide" disabled={busy || blocked}>{busy ? 'Going LIVE…' : 'Go LIVE'}</button>
      </form>
      <p className="muted hint">Stream from OBS or any RTMP encoder; once you are LIVE, your overlay link for OBS appears here.</p>
    </section>
  );
}

/** Why the server refused, in words; a suspension with its end date in the reader's own time. */
function refusal(error: unknown): string {
  if (error instanceof LivegiftError && error.code === 'live_suspended') {
    const until = error.details?.untilMs;
    const reason = error.details?.reason;
    return `going LIVE is suspended ${typeof until === 'number' ? `until ${dateTime(until)}` : 'permanently'} for a Community Guidelines violation${typeof reason === 'string' && reason !== '' ? ` (${reason})` : ''}.`;
  }
  return explain(error);
}

/** A LIVE suspension still in force, or null. */
function activeSuspension(me: Me): { untilMs: number | null; reason: string } | null {
  const s = me.liveSuspension;
  if (s === null) return null;
  if (s.untilMs !== null && s.untilMs <= Date.now()) return null;
  return s;
}

function GiftsToggle({ me }: { me: Me }) {
  const { signedIn } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = () => {
    setBusy(true);
    setError(null);
    api.setGiftsEnabled(!me.giftsEnabled).then(
      (updated) => {
        signedIn(updated);
        setBusy(false);
      },
      (e: unknown) => {
        setError(`Cannot turn LIVE Gifts ${me.giftsEnabled ? 'off' : 'on'}: ${refusal(e)}`);
        setBusy(false);
      },
    );
  };
  return (
    <div className="toggle-row">
      <div>
        <strong id="gifts-toggle-label">LIVE Gifts</strong>
        <p className="muted hint" id="gifts-toggle-help">
          {me.giftsEnabled ? 'On: viewers can send you gifts, and you collect diamonds.' : 'Off: your LIVEs show no gift panel.'}
        </p>
      </div>
      <button
        type="button"
        role="switch"
        className="switch"
        aria-checked={me.giftsEnabled}
        aria-labelledby="gifts-toggle-label"
        aria-describedby="gifts-toggle-help"
        disabled={busy}
        onClick={toggle}
      >
        <span aria-hidden="true" />
      </button>
      {error !== null ? <p className="error toggle-error" role="alert">{error}</p> : null}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// On air

interface FeedItem {
  /** The combo's id: the row grows with the combo. */
  readonly key: string;
  readonly sender: PublicUser;
  readonly giftName: string;
  readonly artUrl: string;
  readonly count: number;
  readonly coins: number;
}

interface ChatLine {
  readonly key: number;
  readonly who: string;
  readonly text: string;
  readonly kind: 'chat' | 'creator' | 'thanks';
}

interface Coaching extends CoachWarningData {
  readonly key: number;
}

function OnAir({ live, me }: { live: Live; me: Me }) {
  const [room, setRoom] = useState<LiveRoomClient | null>(null);
  const [state, setState] = useState<RoomConnectionState>('connecting');
  const [viewers, setViewers] = useState(live.viewers);
  const [top, setTop] = useState<LeaderboardEntry[]>([]);
  const [feed, setFeed] = useState<FeedItem[]>([]);
  const [chat, setChat] = useState<ChatLine[]>([]);
  const [coaching, setCoaching] = useState<Coaching[]>([]);
  const [thanked, setThanked] = useState<ReadonlySet<string>>(() => readThanked(live.id));
  const [thanking, setThanking] = useState<ReadonlySet<string>>(new Set());
  const [phrase, setPhrase] = useState<string>(THANKS_PHRASES[1]);
  const [ownWords, setOwnWords] = useState('');
  const [thankError, setThankError] = useState<string | null>(null);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const [ending, setEnding] = useState(false);
  const [endError, setEndError] = useState<string | null>(null);
  const keys = useRef(0);
  const left = useRef(false);
  const catalog = useCatalog();

  // Off to the summary, once: after End LIVE, or when a moderator or the system ended it.
  const toSummary = useCallback(() => {
    if (left.current) return;
    left.current = true;
    localStorage.removeItem(ON_AIR_KEY);
    navigate(`/studio/lives/${live.id}`, { replace: true });
  }, [live.id]);

  useEffect(() => {
    const client = new LiveRoomClient({ baseUrl: location.origin, liveId: live.id });
    const addChat = (line: Omit<ChatLine, 'key'>) => {
      setChat((lines) => [...lines, { ...line, key: keys.current++ }].slice(-CHAT_MAX));
    };
    const addFeed = (item: FeedItem) => {
      setFeed((items) => {
        // A combo only grows: an event that arrives late (or twice) never shrinks its row.
        const was = items.find((i) => i.key === item.key);
        const row = was ? { ...item, count: Math.max(was.count, item.count), coins: Math.max(was.coins, item.coins) } : item;
        return [row, ...items.filter((i) => i.key !== item.key)].slice(0, FEED_MAX);
      });
    };
    // One row per combo (a big gift is a combo of its own): a snapshot's recent sends fold into the
    // rows their combo events make, and a repeated event changes nothing.
    const sent = (g: GiftSentData): FeedItem => ({ key: g.comboId, sender: g.sender, giftName: g.gift.name, artUrl: g.gift.artUrl, count: g.comboCount, coins: g.gift.coins * g.comboCount });
    const combo = (c: ComboUpdatedData): FeedItem => {
      const gift = catalog.current.get(c.giftId);
      return { key: c.comboId, sender: c.sender, giftName: gift?.name ?? giftName(c.giftId), artUrl: gift?.artUrl ?? `/assets/gifts/${c.giftId}.svg`, count: c.comboCount, coins: c.coins };
    };
    const offs = [
      client.onState(setState),
      client.on('snapshot', (e) => {
        setViewers(e.data.viewers);
        setTop(e.data.leaderboard.top);
        // After a (re)connection: what the room still shows, oldest first so the newest ends on top.
        for (const g of e.data.recentGifts) addFeed(sent(g));
        for (const c of e.data.activeCombos) addFeed(combo(c));
      }),
      client.on('viewers.changed', (e) => { setViewers(e.data.viewers); }),
      client.on('leaderboard.changed', (e) => { setTop(e.data.top); }),
      client.on('gift.sent', (e) => { addFeed(sent(e.data)); }),
      client.on('combo.updated', (e) => { addFeed(combo(e.data)); }),
      client.on('chat.message', (e) => { addChat({ who: e.data.sender.displayName, text: e.data.text, kind: e.data.isCreator ? 'creator' : 'chat' }); }),
      client.on('thanks.sent', (e) => { addChat({ who: e.data.from.displayName, text: `${e.data.text} — to ${e.data.to.displayName}`, kind: 'thanks' }); }),
      client.on('coach.warning', (e) => {
        setCoaching((list) => [{ ...e.data, key: keys.current++ }, ...list].slice(0, COACH_MAX));
      }),
      client.on('live.ended', toSummary),
    ];
    setRoom(client);
    return () => {
      for (const off of offs) off();
      client.close();
    };
  }, [live.id, toSummary, catalog]);

  // Connects once the stage preview has subscribed too (children's effects run first).
  useEffect(() => {
    room?.connect().catch(() => undefined);
  }, [room]);

  const thankText = phrase === OWN_WORDS ? ownWords.trim() : phrase;

  const thank = async (user: PublicUser): Promise<void> => {
    if (!room) return;
    if (thankText === '') {
      setThankError('Write your own words first, or pick a suggested phrase.');
      return;
    }
    setThankError(null);
    setThanking((s) => new Set(s).add(user.id));
    try {
      await room.thank({ toUserId: user.id, text: thankText });
      setThanked((s) => {
        const next = new Set(s).add(user.id);
        writeThanked(live.id, next);
        return next;
      });
    } catch (e) {
      setThankError(`${user.displayName} was not thanked: ${explain(e)}`);
    } finally {
      setThanking((s) => {
        const next = new Set(s);
        next.delete(user.id);
        return next;
      });
    }
  };

  const unthanked = top.filter((e) => !thanked.has(e.user.id)).slice(0, THANK_ALL_MAX);
  const thankAll = async (): Promise<void> => {
    // One after the other: each is a line in everyone's chat, in leaderboard order.
    for (const entry of unthanked) await thank(entry.user);
  };

  const end = () => {
    setEnding(true);
    setEndError(null);
    api.endLive(live.id).then(toSummary, (e: unknown) => {
      setEndError(explain(e));
      setEnding(false);
    });
  };

  const coins = top.reduce((sum, e) => sum + e.coins, 0);
  const thankedCount = top.filter((e) => thanked.has(e.user.id)).length;

  return (
    <div className="on-air">
      <section className="panel on-air-head" aria-label="Your LIVE">
        <div className="on-air-title">
          <strong>{live.title}</strong>
          <span className="muted">On air for <Elapsed sinceMs={live.startedAtMs} /></span>
        </div>
        <button type="button" className="button end" onClick={() => { setConfirmEnd(true); }} disabled={ending}>End LIVE</button>
        {confirmEnd ? (
          <div className="end-confirm" role="group" aria-labelledby="end-confirm-title">
            <p id="end-confirm-title"><strong>End your LIVE now?</strong> Viewers see a goodbye card, and you get your summary.</p>
            {unthanked.length > 0 ? (
              <p className="muted">
                {unthanked.length === 1 ? '1 gifter has' : `${unthanked.length} gifters have`} not been thanked yet. Thank-yous show in the LIVE’s chat, so
                send them before you end.{' '}
                <button type="button" className="button ghost small" onClick={() => void thankAll()} disabled={thanking.size > 0}>Thank all</button>
              </p>
            ) : null}
            {endError !== null ? <p className="error" role="alert">{endError}</p> : null}
            <div className="actions">
              <button type="button" className="button end" onClick={end} disabled={ending}>{ending ? 'Ending…' : 'End LIVE now'}</button>
              {/* Focus lands on the safe choice: a stray Enter keeps the LIVE on air. */}
              <button type="button" className="button ghost" autoFocus onClick={() => { setConfirmEnd(false); }} disabled={ending}>Keep going</button>
            </div>
          </div>
        ) : null}
        {state === 'reconnecting' ? <p className="reconnecting-note" role="status">Reconnecting to your LIVE… gifts are safe and will show when it is back.</p> : null}
      </section>

      {!me.giftsEnabled ? (
        <section className="panel" aria-label="LIVE Gifts are off">
          <GiftsToggle me={me} />
        </section>
      ) : null}

      <dl className="stat-cards live-stats">
        <div><dt>Viewers</dt><dd className="num">{viewers.toLocaleString('en-US')}</dd></div>
        <div><dt>Gifters</dt><dd className="num">{top.length.toLocaleString('en-US')}</dd></div>
        <div><dt>Coins gifted</dt><dd className="num gold">{coins.toLocaleString('en-US')}</dd></div>
      </dl>

      {coaching.length > 0 ? (
        <section className="coaching" aria-label="Coaching, only you see this">
          {coaching.map((c) => (
            <article key={c.key} className="coach" role="alert">
              <header>
                <strong>Only you can see this</strong>
                <button type="button" className="close small" aria-label="Dismiss this coaching" onClick={() => { setCoaching((list) => list.filter((x) => x.key !== c.key)); }}>×</button>
              </header>
              <p>{COACH_SOURCE[c.source]}: “{c.excerpt}”</p>
              <p>{c.why}</p>
              <p className="coach-try">
                Say instead:{' '}
                {c.suggestions.map((s) => (
                  <button key={s} type="button" className="chip" onClick={() => { setPhrase(s); }} aria-label={`Thank with “${s}”`}>{s}</button>
                ))}
              </p>
            </article>
          ))}
        </section>
      ) : null}

      <div className="on-air-grid">
        <section className="stage preview" aria-label="Stage preview">
          <div className="stage-art" aria-hidden="true"><span className="avatar huge">{initials(me.displayName)}</span></div>
          <span className="preview-label">Preview</span>
          <GiftShow room={room} />
        </section>

        <div className="on-air-side">
          <section className="panel" aria-labelledby="feed-title">
            <h2 id="feed-title">Gifts</h2>
            <fieldset className="phrases">
              <legend>Thank with</legend>
              {[...THANKS_PHRASES, OWN_WORDS].map((p) => (
                <label key={p} className={`chip${phrase === p ? ' on' : ''}`}>
                  <input type="radio" name="phrase" value={p} checked={phrase === p} onChange={() => { setPhrase(p); }} />
                  {p === OWN_WORDS ? 'Own words…' : p}
                </label>
              ))}
              {phrase === OWN_WORDS ? (
                <input className="own-words" aria-label="Your own thank-you" placeholder="Your own thank-you" maxLength={200} value={ownWords} onChange={(e) => { setOwnWords(e.target.value); }} />
              ) : null}
            </fieldset>
            {thankError !== null ? <p className="error" role="alert">{thankError}</p> : null}
            {feed.length === 0 ? (
              <p className="empty muted">No gifts yet. When a viewer sends one, it shows here at once — tap Thank to thank them in the chat.</p>
            ) : (
              <ul className="feed" aria-label="Gift feed" aria-live="polite">
                {feed.map((item) => (
                  <li key={item.key} className="feed-row">
                    <span className="avatar small" aria-hidden="true">{initials(item.sender.displayName)}</span>
                    <span className="feed-what">
                      <strong>{item.sender.displayName}</strong>
                      <span className="muted">sent {item.giftName}{item.count > 1 ? ` ×${item.count}` : ''}</span>
                    </span>
                    <img src={item.artUrl} alt="" width={36} height={36} />
                    <span className="feed-coins num" aria-label={`${item.coins} coins`}><span className="coin-icon" aria-hidden="true" /> {item.coins.toLocaleString('en-US')}</span>
                    <ThankButton user={item.sender} thanked={thanked.has(item.sender.id)} busy={thanking.has(item.sender.id)} onThank={(u) => void thank(u)} />
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section className="panel" aria-labelledby="top-title">
            <div className="panel-head">
              <h2 id="top-title">Top gifters</h2>
              {unthanked.length > 0 ? (
                <button type="button" className="button small" onClick={() => void thankAll()} disabled={thanking.size > 0}>Thank all ({unthanked.length})</button>
              ) : top.length > 0 ? <span className="thanked">All thanked ✓</span> : null}
            </div>
            {top.length === 0 ? (
              <p className="empty muted">Your biggest gifters of this LIVE will be ranked here.</p>
            ) : (
              <ol className="ranking">
                {top.slice(0, 10).map((entry, i) => (
                  <li key={entry.user.id}>
                    <span className="rank num">{i + 1}</span>
                    <span className="avatar small" aria-hidden="true">{initials(entry.user.displayName)}</span>
                    <span className="ranking-name">{entry.user.displayName}</span>
                    <span className="feed-coins num"><span className="coin-icon" aria-hidden="true" /> {entry.coins.toLocaleString('en-US')}</span>
                  </li>
                ))}
              </ol>
            )}
            {thankedCount > 0 ? <p className="muted hint">{thankedCount} of {top.length} thanked in this LIVE.</p> : null}
          </section>

          <CreatorChat room={room} lines={chat} />
          <OverlayLink me={me} liveId={live.id} />
        </div>
      </div>
    </div>
  );
}

const COACH_SOURCE: Readonly<Record<CoachWarningData['source'], string>> = {
  title: 'Your LIVE title',
  chat: 'Your message',
  thanks: 'Your thank-you',
};

function ThankButton({ user, thanked, busy, onThank }: { user: PublicUser; thanked: boolean; busy: boolean; onThank: (user: PublicUser) => void }) {
  if (thanked) return <span className="thanked" aria-label={`${user.displayName} thanked`}>Thanked ✓</span>;
  return (
    <button type="button" className="button small" aria-label={`Thank ${user.displayName}`} disabled={busy} onClick={() => { onThank(user); }}>
      {busy ? '…' : 'Thank'}
    </button>
  );
}

function CreatorChat({ room, lines }: { room: LiveRoomClient | null; lines: readonly ChatLine[] }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    const line = text.trim();
    if (line === '' || !room) return;
    setText('');
    setError(null);
    room.sendChat(line).catch((e: unknown) => { setError(explain(e)); });
  };
  return (
    <section className="panel" aria-labelledby="chat-title">
      <h2 id="chat-title">Chat</h2>
      {lines.length === 0 ? (
        <p className="empty muted">Chat lines show here as they come in. Say hello!</p>
      ) : (
        <ul className="studio-chat" aria-live="polite" aria-label="Chat">
          {lines.map((line) => (
            <li key={line.key} className={`chat-line ${line.kind}`}><strong>{line.who}</strong> {line.text}</li>
          ))}
        </ul>
      )}
      <form className="studio-say" onSubmit={submit}>
        <input aria-label="Say something to your viewers" placeholder="Say something to your viewers…" maxLength={200} value={text} onChange={(e) => { setText(e.target.value); }} />
        <button type="submit" className="button small">Send</button>
      </form>
      {error !== null ? <p className="error" role="alert">{error}</p> : null}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// The OBS overlay link

interface StoredToken {
  readonly id: string;
  readonly token: string;
  readonly userId: string;
}

function OverlayLink({ me, liveId }: { me: Me; liveId: string }) {
  const [stored, setStored] = useState<StoredToken | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  // A token kept from before is used only while the account still lists it unrevoked.
  useEffect(() => {
    let cancelled = false;
    const kept = readStoredToken(me.id);
    if (!kept) {
      setStored(null);
      return;
    }
    api.apiTokens().then(
      (tokens) => {
        if (cancelled) return;
        const alive = tokens.some((t) => t.id === kept.id && t.revokedAtMs === null);
        if (!alive) localStorage.removeItem(OVERLAY_TOKEN_KEY);
        setStored(alive ? kept : null);
      },
      () => {
        if (!cancelled) setStored(kept);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [me.id]);

  const make = async (replacing: StoredToken | null) => {
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      const created = await api.createApiToken({ name: 'OBS overlay', scopes: ['overlay'] });
      const next: StoredToken = { id: created.apiToken.id, token: created.token, userId: me.id };
      localStorage.setItem(OVERLAY_TOKEN_KEY, JSON.stringify(next));
      setStored(next);
      // A new link retires the old one, so a link shared by mistake stops working.
      if (replacing) await api.revokeApiToken(replacing.id).catch(() => undefined);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };

  const url = stored ? `${location.origin}/overlay/${encodeURIComponent(liveId)}?token=${encodeURIComponent(stored.token)}` : null;
  const copy = () => {
    if (url === null) return;
    navigator.clipboard.writeText(url).then(
      () => { setCopied(true); },
      () => { setError('Your browser did not let us copy: select the address and copy it yourself.'); },
    );
  };

  return (
    <section className="panel" aria-labelledby="overlay-title">
      <h2 id="overlay-title">OBS overlay</h2>
      <p className="muted hint">
        Add this address to OBS as a <em>Browser source</em>: your gifts play over your video, on a transparent background. It can only
        watch gifts — it cannot chat, send or spend.
      </p>
      {stored === undefined ? (
        <div className="skeleton line" aria-busy="true" />
      ) : url === null ? (
        <button type="button" className="button" onClick={() => void make(null)} disabled={busy}>{busy ? 'Making…' : 'Make overlay link'}</button>
      ) : (
        <>
          <div className="copy-row">
            <input readOnly aria-label="Overlay address" value={url} onFocus={(e) => { e.currentTarget.select(); }} />
            <button type="button" className="button small" onClick={copy}>{copied ? 'Copied ✓' : 'Copy'}</button>
          </div>
          <button type="button" className="link-button" onClick={() => void make(stored ?? null)} disabled={busy}>Make a new link (the old one stops working)</button>
        </>
      )}
      {error !== null ? <p className="error" role="alert">{error}</p> : null}
    </section>
  );
}

function readStoredToken(userId: string): StoredToken | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(OVERLAY_TOKEN_KEY) ?? 'null');
    if (typeof value !== 'object' || value === null) return null;
    const { id, token, userId: owner } = value as Record<string, unknown>;
    return typeof id === 'string' && typeof token === 'string' && owner === userId ? { id, token, userId } : null;
  } catch {
    return null;
  }
}

/** The gifters this browser thanked in a LIVE. */
export function readThanked(liveId: string): ReadonlySet<string> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(THANKED_KEY_PREFIX + liveId) ?? '[]');
    return new Set(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').slice(0, 1000) : []);
  } catch {
    return new Set();
  }
}

function writeThanked(liveId: string, ids: ReadonlySet<string>): void {
  localStorage.setItem(THANKED_KEY_PREFIX + liveId, JSON.stringify([...ids].slice(0, 1000)));
}

// ---------------------------------------------------------------------------------------------
// Past LIVEs

type PastLoad = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; lives: Live[]; next: string | null };

function PastLives({ handle }: { handle: string }) {
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
                <Link to={`/studio/lives/${l.id}`} className="past-row" aria-label={`${l.title}, ${dateTime(l.startedAtMs)}: open its summary`}>
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

// ---------------------------------------------------------------------------------------------

/** Time on air, ticking every second. */
function Elapsed({ sinceMs }: { sinceMs: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => { setNow(Date.now()); }, 1000);
    return () => { clearInterval(timer); };
  }, []);
  return <span className="num">{clock(Math.max(0, now - sinceMs))}</span>;
}

/** 754_000 → "12:34"; an hour and more → "1:02:34". */
function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** 3_725_000 → "1 h 2 min"; 95_000 → "1 min 35 s"; 120_000 → "2 min". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return s % 60 > 0 ? `${m} min ${s % 60} s` : `${m} min`;
  return `${s} s`;
}

export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}
