// The viewer's LIVE page: the stage with everything floating over it — creator and top gifters, the
// viewer count, small gifts as stacked banners whose combo count grows, big gifts full screen one
// at a time, chat fading upward (the creator's thank-yous highlighted), hearts — fed by the room
// socket (the SDK's LiveRoomClient, which reconnects and resumes by itself).
import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import type { Gift } from '../../../src/protocol/gifts.js';
import type { Live, LiveSummary } from '../../../src/protocol/lives.js';
import type { ComboUpdatedData, GiftSentData, LeaderboardEntry } from '../../../src/protocol/room.js';
import { LiveRoomClient, type RoomConnectionState } from '../../../src/sdk/room-client.js';
import { api, explain } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { initials } from './home.js';

interface Banner {
  readonly key: string;
  readonly sender: string;
  readonly giftName: string;
  readonly artUrl: string;
  readonly count: number;
  readonly shownAt: number;
}
interface ChatLine {
  readonly key: number;
  readonly who: string;
  readonly text: string;
  readonly kind: 'chat' | 'creator' | 'thanks';
}
interface BigGift {
  readonly key: string;
  readonly sender: string;
  readonly name: string;
  readonly artUrl: string;
  readonly count: number;
}

const BANNERS_MAX = 3;
const BANNER_MS = 4_000;
const CHAT_MAX = 6;
const BIG_GIFT_MS = 3_000;

export function LivePage({ liveId }: { liveId: string }) {
  const { me } = useSession();
  const [live, setLive] = useState<Live | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [state, setState] = useState<RoomConnectionState>('connecting');
  const [viewers, setViewers] = useState(0);
  const [top, setTop] = useState<LeaderboardEntry[]>([]);
  const [banners, setBanners] = useState<Banner[]>([]);
  const [chat, setChat] = useState<ChatLine[]>([]);
  const [queue, setQueue] = useState<BigGift[]>([]);
  const [hearts, setHearts] = useState<number[]>([]);
  const [ended, setEnded] = useState<LiveSummary | null>(null);
  const room = useRef<LiveRoomClient | null>(null);
  const chatKey = useRef(0);
  // The catalog, to draw combo banners (a combo names its gift by id).
  const catalog = useRef(new Map<string, Gift>());

  useEffect(() => {
    api.catalog().then(
      (gifts) => {
        catalog.current = new Map(gifts.map((g) => [g.id, g]));
      },
      () => undefined,
    );
  }, []);

  useEffect(() => {
    let cancelled = false;
    api.live(liveId).then(
      (l) => {
        if (!cancelled) setLive(l);
      },
      (error: unknown) => {
        if (!cancelled) {
          setLive(null);
          setLoadError(explain(error));
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [liveId]);

  useEffect(() => {
    if (!live || live.status !== 'live') return;
    const client = new LiveRoomClient({ baseUrl: location.origin, liveId, viewerKey: viewerKey() });
    room.current = client;
    const addChat = (line: Omit<ChatLine, 'key'>) => {
      setChat((lines) => [...lines, { ...line, key: chatKey.current++ }].slice(-CHAT_MAX));
    };
    const showBanner = (banner: Banner) => {
      setBanners((list) => [banner, ...list.filter((b) => b.key !== banner.key)].slice(0, BANNERS_MAX));
    };
    const offs = [
      client.onState(setState),
      client.on('snapshot', (e) => {
        setViewers(e.data.viewers);
        setTop(e.data.leaderboard.top);
      }),
      client.on('viewers.changed', (e) => { setViewers(e.data.viewers); }),
      client.on('leaderboard.changed', (e) => { setTop(e.data.top); }),
      client.on('gift.sent', (e) => {
        const g: GiftSentData = e.data;
        setQueue((q) => [...q, { key: g.transferId, sender: g.sender.displayName, name: g.gift.name, artUrl: g.gift.artUrl, count: g.count }]);
      }),
      client.on('combo.updated', (e) => {
        const c: ComboUpdatedData = e.data;
        const gift = catalog.current.get(c.giftId);
        showBanner({ key: c.comboId, sender: c.sender.displayName, giftName: gift?.name ?? giftName(c.giftId), artUrl: gift?.artUrl ?? `/assets/gifts/${c.giftId}.svg`, count: c.comboCount, shownAt: Date.now() });
      }),
      client.on('chat.message', (e) => { addChat({ who: e.data.sender.displayName, text: e.data.text, kind: e.data.isCreator ? 'creator' : 'chat' }); }),
      client.on('thanks.sent', (e) => { addChat({ who: e.data.from.displayName, text: `${e.data.text} — to ${e.data.to.displayName}`, kind: 'thanks' }); }),
      client.on('live.ended', (e) => { setEnded(e.data.summary); }),
    ];
    client.connect().catch(() => undefined);
    return () => {
      for (const off of offs) off();
      client.close();
      room.current = null;
    };
  }, [live, liveId]);

  // Banners leave after a few seconds without a new tap.
  useEffect(() => {
    if (banners.length === 0) return;
    const timer = setInterval(() => {
      setBanners((list) => list.filter((b) => Date.now() - b.shownAt < BANNER_MS));
    }, 500);
    return () => { clearInterval(timer); };
  }, [banners.length]);

  // Big gifts play one at a time.
  const playing = queue[0];
  useEffect(() => {
    if (!playing) return;
    const timer = setTimeout(() => { setQueue((q) => q.slice(1)); }, BIG_GIFT_MS);
    return () => { clearTimeout(timer); };
  }, [playing]);

  if (live === undefined) return <div className="stage loading" aria-busy="true" aria-label="Loading the LIVE" />;
  if (live === null) {
    return (
      <section className="card narrow center">
        <h1>This LIVE cannot be opened</h1>
        <p className="error" role="alert">{loadError}</p>
        <Link to="/" className="button">See who is LIVE</Link>
      </section>
    );
  }
  if (ended ?? live.status === 'ended') return <Goodbye live={live} summary={ended ?? live.summary} />;

  const sendHeart = () => {
    setHearts((h) => [...h, Date.now()].slice(-12));
    room.current?.like(1).catch(() => undefined);
  };

  return (
    <div className="live-layout">
      <section className="stage" aria-label={`${live.title}, LIVE by ${live.creator.displayName}`}>
        <div className="stage-art" aria-hidden="true">
          <span className="avatar huge">{initials(live.creator.displayName)}</span>
        </div>
        <header className="stage-top">
          <div className="host">
            <span className="avatar">{initials(live.creator.displayName)}</span>
            <div>
              <div className="host-name">{live.creator.displayName}</div>
              <div className="host-title">{live.title}</div>
            </div>
          </div>
          <div className="stage-right">
            <span className="pill num" aria-label={`${viewers} watching`}><EyeIcon /> {viewers.toLocaleString('en-US')}</span>
            <Link to="/" className="close" aria-label="Leave the LIVE">×</Link>
          </div>
        </header>
        {top.length > 0 ? (
          <ol className="top-gifters" aria-label="Top gifters">
            {top.slice(0, 3).map((entry) => (
              <li key={entry.user.id} title={`${entry.user.displayName}: ${entry.coins} coins`}>
                <span className="avatar small">{initials(entry.user.displayName)}</span>
              </li>
            ))}
          </ol>
        ) : null}
        {state === 'reconnecting' ? <div className="reconnecting" role="status">Reconnecting…</div> : null}

        <ul className="banners" aria-live="polite" aria-label="Gifts">
          {banners.map((b) => (
            <li key={b.key} className="banner">
              <span className="avatar small">{initials(b.sender)}</span>
              <span className="banner-text"><strong>{b.sender}</strong><span>sent {b.giftName}</span></span>
              <img src={b.artUrl} alt="" width={40} height={40} />
              <span key={b.count} className="combo num">×{b.count}</span>
            </li>
          ))}
        </ul>

        {playing ? (
          <div key={playing.key} className="big-gift" role="status" aria-label={`${playing.sender} sent ${playing.name}`}>
            <img src={playing.artUrl} alt="" width={220} height={220} />
            <p><strong>{playing.sender}</strong> sent {playing.name}{playing.count > 1 ? ` ×${playing.count}` : ''}</p>
          </div>
        ) : null}

        <ul className="chat" aria-live="polite" aria-label="Chat">
          {chat.map((line) => (
            <li key={line.key} className={`chat-line ${line.kind}`}>
              <strong>{line.who}</strong> {line.text}
            </li>
          ))}
        </ul>

        <div className="hearts" aria-hidden="true">
          {hearts.map((h) => <span key={h} className="heart">♥</span>)}
        </div>

        <footer className="stage-bottom">
          {me ? <ChatBox room={room.current} /> : <Link to={`/login?next=/live/${liveId}`} className="comment-login">Log in to chat</Link>}
          <button type="button" className="round like" aria-label="Send a heart" onClick={sendHeart}>♥</button>
        </footer>
      </section>
    </div>
  );
}

function ChatBox({ room }: { room: LiveRoomClient | null }) {
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
    <form className="comment" onSubmit={submit}>
      <input aria-label="Add comment" placeholder="Add comment…" value={text} maxLength={200} onChange={(e) => { setText(e.target.value); }} />
      {error !== null ? <span className="comment-error" role="alert">{error}</span> : null}
    </form>
  );
}

function Goodbye({ live, summary }: { live: Live; summary: LiveSummary | null }) {
  return (
    <section className="card narrow center goodbye">
      <span className="avatar big">{initials(live.creator.displayName)}</span>
      <h1>The LIVE has ended</h1>
      <p className="muted">Thanks for watching {live.creator.displayName}’s “{live.title}”.</p>
      {summary ? (
        <dl className="stats">
          <div><dt>Viewers</dt><dd className="num">{summary.uniqueViewers.toLocaleString('en-US')}</dd></div>
          <div><dt>Gifters</dt><dd className="num">{summary.gifters.toLocaleString('en-US')}</dd></div>
          <div><dt>Gifts</dt><dd className="num">{summary.giftsCount.toLocaleString('en-US')}</dd></div>
        </dl>
      ) : null}
      <Link to="/" className="button wide">See who else is LIVE</Link>
    </section>
  );
}

function EyeIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2.4">
      <path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z" />
      <circle cx="12" cy="12" r="3" />
    </svg>
  );
}

/** The gift's name from its id ("rose" → "Rose") until the catalog is loaded. */
function giftName(id: string): string {
  return id.replace(/[-_]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

/** A stable key for an anonymous viewer on this browser, so reconnecting does not count them twice. */
function viewerKey(): string {
  const stored = localStorage.getItem('livegift.viewerKey');
  if (stored !== null && /^[\w-]{8,64}$/.test(stored)) return stored;
  const key = crypto.randomUUID();
  localStorage.setItem('livegift.viewerKey', key);
  return key;
}
