// The viewer's LIVE page: the stage with everything floating over it — creator and top gifters, the
// viewer count, small gifts as stacked banners whose combo count grows, big gifts full screen one
// at a time, chat fading upward (the creator's thank-yous highlighted), hearts — fed by the room
// socket (the SDK's LiveRoomClient, which reconnects and resumes by itself). The gift icon opens the
// gift panel (and recharge) over the stage; the viewer's own gifts show at once (components/gift-*).
// The flag in the top bar reports the LIVE, the flag on a chat line (or a long press) reports the line
// (components/report-dialog.tsx); a LIVE a moderator or the safety rules ended says so, and why, on
// the goodbye card (the reason comes with live.ended; GET /v1/lives/:id shares a moderator's only).
// The creator's video plays behind it all (components/video-player.tsx) once their stream arrives.
import { useEffect, useRef, useState } from 'react';
import type { Live, LiveSummary, LiveThanks } from '../../../src/protocol/lives.js';
import type { LeaderboardEntry } from '../../../src/protocol/room.js';
import type { LiveVideo } from '../../../src/protocol/video.js';
import { LiveRoomClient, type RoomConnectionState } from '../../../src/sdk/room-client.js';
import { api, explain } from '../api.js';
import { GiftBlockedSheet, GiftButton, GiftPanel, giftBlockFor, useGiftCatalog, type GiftChoice } from '../components/gift-panel.js';
import { GiftSender } from '../components/gift-sender.js';
import { BigGiftPlayer, feedGiftStage, GiftBanners, GiftStage, useGiftStage } from '../components/gift-stage.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { initials } from './home.js';
import { useChatSend } from '../components/chat-send.js';
import { followCounters } from '../components/room-counters.js';
import { ChatLines, FlagIcon, type ChatLine } from '../components/live-chat.js';
import { endedByText } from '../components/moderation-words.js';
import { ReportDialog, type ReportSubject } from '../components/report-dialog.js';
import { followVideo, VideoPlayer } from '../components/video-player.js';

const CHAT_MAX = 6;
/** How long a refused gift's reason stays on the stage. */
const NOTICE_MS = 6_000;
/**
 * How long "The creator is getting ready…" shows while a LIVE has no video yet; after that a LIVE
 * without a stream (or on a server without video) looks as it always did: the animated stage.
 */
const GETTING_READY_MS = 2 * 60_000;

export function LivePage({ liveId }: { liveId: string }) {
  const { me } = useSession();
  const [live, setLive] = useState<Live | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [state, setState] = useState<RoomConnectionState>('connecting');
  const [viewers, setViewers] = useState(0);
  const [top, setTop] = useState<LeaderboardEntry[]>([]);
  const [chat, setChat] = useState<ChatLine[]>([]);
  const [hearts, setHearts] = useState<number[]>([]);
  const [ended, setEnded] = useState<LiveSummary | null>(null);
  // Who ended it and why, as the room said it to everyone.
  const [endNote, setEndNote] = useState<EndNote | null>(null);
  // The picture's state as the room last said it (null: as GET /v1/lives/:id said it).
  const [video, setVideo] = useState<LiveVideo | null>(null);
  // A desktop shows chat and the top gifters beside the phone-shaped stage (UI.md).
  const wide = useWide(1000);
  const [sheet, setSheet] = useState<'gifts' | 'blocked' | null>(null);
  // What is being reported, and the control that asked (focus goes back to it when the sheet closes).
  const [report, setReport] = useState<{ subject: ReportSubject; opener: HTMLElement } | null>(null);
  const reportButton = useRef<HTMLButtonElement>(null);
  const [giftChoice, setGiftChoice] = useState<GiftChoice>({ giftId: null, quantity: 1 });
  const room = useRef<LiveRoomClient | null>(null);
  const chatKey = useRef(0);
  const giftButton = useRef<HTMLButtonElement>(null);
  const [stage] = useState(() => new GiftStage());
  const [sender] = useState(() => new GiftSender({ liveId, stage, room: () => room.current }));
  const { banners, playing, notice } = useGiftStage(stage);
  const { catalog, retry: retryCatalog } = useGiftCatalog();

  useEffect(() => {
    if (catalog.status === 'ready') stage.setCatalog(catalog.gifts);
  }, [catalog, stage]);

  // A closed sheet gives focus back to the gift button that opened it.
  const sheetWasOpen = useRef(false);
  useEffect(() => {
    if (sheet === null && sheetWasOpen.current && report === null) giftButton.current?.focus();
    sheetWasOpen.current = sheet !== null;
  }, [sheet, report]);

  // A refused gift's reason leaves the stage after a while.
  useEffect(() => {
    if (notice === null) return;
    const timer = setTimeout(() => { stage.clearNotice(); }, NOTICE_MS);
    return () => { clearTimeout(timer); };
  }, [notice, stage]);

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
    const offs = [
      client.onState(setState),
      followCounters(client, { viewers: setViewers, top: setTop }),
      feedGiftStage(stage, client),
      followVideo(client, setVideo),
      client.on('chat.message', (e) => { addChat({ who: e.data.sender.displayName, text: e.data.text, kind: e.data.isCreator ? 'creator' : 'chat', senderId: e.data.sender.id, said: e.data.text }); }),
      client.on('thanks.sent', (e) => { addChat({ who: e.data.from.displayName, text: `${e.data.text} — to ${e.data.to.displayName}`, kind: 'thanks', senderId: e.data.from.id, said: e.data.text }); }),
      client.on('live.ended', (e) => {
        setEnded(e.data.summary);
        setEndNote({ endedBy: e.data.endedBy, reason: e.data.reason });
        // Who ended it (and, when the server shares it, why) is on the LIVE itself.
        api.live(liveId).then((after) => { setLive(after); }, () => undefined);
      }),
    ];
    client.connect().catch(() => undefined);
    return () => {
      for (const off of offs) off();
      client.close();
      room.current = null;
    };
  }, [live, liveId, stage]);

  // The stream ended for good: the LIVE has ended (its live.ended is on its way), the goodbye card shows.
  const videoEnded = video?.state === 'ended';
  useEffect(() => {
    if (!videoEnded) return;
    api.live(liveId).then((after) => { if (after.status === 'ended') setLive(after); }, () => undefined);
  }, [videoEnded, liveId]);

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
  if (ended ?? live.status === 'ended') return <Goodbye live={live} summary={ended ?? live.summary} endNote={endNote} />;

  const sendHeart = () => {
    setHearts((h) => [...h, Date.now()].slice(-12));
    room.current?.like(1).catch(() => undefined);
  };
  const block = giftBlockFor(me, live);
  const openGifts = () => {
    if (me === undefined) return; // the session is still loading: a moment later the button knows
    setSheet(block ? 'blocked' : 'gifts');
  };
  const closeSheet = () => { setSheet(null); };
  const openReport = (subject: ReportSubject, opener: HTMLElement) => {
    setSheet(null);
    setReport({ subject, opener });
  };
  const reportLine = (line: ChatLine, opener: HTMLElement) => {
    openReport({ kind: 'message', liveId, senderId: line.senderId, senderName: line.who, text: line.said }, opener);
  };
  const closeReport = () => {
    const opener = report?.opener;
    setReport(null);
    (opener?.isConnected === true ? opener : reportButton.current)?.focus();
  };
  const mine = me?.id === live.creator.id;

  return (
    <div className="live-layout">
      <section className="stage" aria-label={`${live.title}, LIVE by ${live.creator.displayName}`}>
        <div className="stage-art" aria-hidden="true">
          <span className="avatar huge">{initials(live.creator.displayName)}</span>
        </div>
        <VideoPlayer
          video={video ?? live.video}
          label={`${live.creator.displayName}’s LIVE video`}
          mode="viewer"
          waitingNote="The creator is getting ready…"
          waitingNoteForMs={GETTING_READY_MS}
          startedAtMs={live.startedAtMs}
          roomOnline={state !== 'reconnecting'}
        />
        <header className="stage-top">
          <div className="host">
            <span className="avatar">{initials(live.creator.displayName)}</span>
            <div>
              <h1 className="host-name">{live.creator.displayName}</h1>
              <div className="host-title">{live.title}</div>
            </div>
          </div>
          <div className="stage-right">
            {mine ? null : (
              <button
                ref={reportButton}
                type="button"
                className="close report-live"
                aria-label="Report this LIVE"
                title="Report this LIVE"
                aria-expanded={report?.subject.kind === 'live'}
                onClick={(e) => { openReport({ kind: 'live', liveId, creatorName: live.creator.displayName, title: live.title }, e.currentTarget); }}
              >
                <FlagIcon size={16} />
              </button>
            )}
            <span className="pill num" role="img" aria-label={`${viewers} watching`}><EyeIcon /> {viewers.toLocaleString('en-US')}</span>
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

        <GiftBanners banners={banners} />
        <BigGiftPlayer playing={playing} />

        {wide ? null : <ChatLines chat={chat} meId={me?.id ?? null} onReport={reportLine} />}

        <div className="hearts" aria-hidden="true">
          {hearts.map((h) => <span key={h} className="heart">♥</span>)}
        </div>

        <footer className="stage-bottom">
          {me ? <ChatBox room={room.current} /> : <Link to={`/login?next=/live/${liveId}`} className="comment-login">Log in to chat</Link>}
          <button type="button" className="round like" aria-label="Send a heart" onClick={sendHeart}>♥</button>
          <GiftButton ref={giftButton} block={block} expanded={sheet !== null} onClick={openGifts} />
        </footer>

        {notice !== null && sheet === null ? (
          <p key={notice.key} className="gift-notice" role="alert">
            {notice.text}
            <button type="button" className="sheet-icon" aria-label="Dismiss" onClick={() => { stage.clearNotice(); }}>×</button>
          </p>
        ) : null}
        {sheet === 'gifts' && me ? (
          <GiftPanel choice={giftChoice} onChoice={setGiftChoice} catalog={catalog} onRetry={retryCatalog} sender={sender} stage={stage} me={{ id: me.id, handle: me.handle, displayName: me.displayName }} creatorName={live.creator.displayName} onClose={closeSheet} />
        ) : null}
        {sheet === 'blocked' && block ? <GiftBlockedSheet block={block} next={`/live/${liveId}`} onClose={closeSheet} /> : null}
        {report !== null ? <ReportDialog subject={report.subject} onClose={closeReport} /> : null}
      </section>
      {wide ? (
        <aside className="live-side" aria-label="Chat and top gifters">
          <section className="side-card">
            <h2>Top gifters</h2>
            {top.length === 0 ? (
              <p className="muted">No gifts yet. The first gifter leads the board.</p>
            ) : (
              <ol className="side-board">
                {top.slice(0, 10).map((entry, i) => (
                  <li key={entry.user.id}>
                    <span className="side-rank num">{i + 1}</span>
                    <span className="avatar small">{initials(entry.user.displayName)}</span>
                    <span className="side-name">{entry.user.displayName}</span>
                    <span className="side-coins num" role="img" aria-label={`${entry.coins.toLocaleString('en-US')} coins`}>{entry.coins.toLocaleString('en-US')}</span>
                  </li>
                ))}
              </ol>
            )}
          </section>
          <section className="side-card side-chat-card">
            <h2>Chat</h2>
            {chat.length === 0 ? <p className="muted">Say hello — everyone in the LIVE sees it.</p> : null}
            <ChatLines chat={chat} meId={me?.id ?? null} onReport={reportLine} />
          </section>
        </aside>
      ) : null}
    </div>
  );
}

/** True while the window is at least `minWidth` wide (the desktop layout), following resizes. */
function useWide(minWidth: number): boolean {
  const query = `(min-width: ${String(minWidth)}px)`;
  const [wide, setWide] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const changed = () => { setWide(list.matches); };
    list.addEventListener('change', changed);
    changed();
    return () => { list.removeEventListener('change', changed); };
  }, [query]);
  return wide;
}

function ChatBox({ room }: { room: LiveRoomClient | null }) {
  const { text, setText, error, submit } = useChatSend(room);
  return (
    <form className="comment" onSubmit={submit}>
      <input aria-label="Add comment" placeholder="Add comment…" value={text} maxLength={200} onChange={(e) => { setText(e.target.value); }} />
      {error !== null ? <span className="comment-error" role="alert">{error}</span> : null}
    </form>
  );
}

/** While the goodbye card is shown, it asks this often whether the creator thanked the viewer … */
const THANKS_POLL_MS = 5_000;
/** … for this long after it opened (creators thank from their summary in the minutes after the end). */
const THANKS_POLL_FOR_MS = 3 * 60_000;

interface EndNote {
  readonly endedBy: Live['endedBy'];
  readonly reason: string | null;
}

function Goodbye({ live, summary, endNote }: { live: Live; summary: LiveSummary | null; endNote: EndNote | null }) {
  const { me } = useSession();
  const thanks = useCreatorThanks(live.id, me != null && me.id !== live.creator.id);
  const endedBy = endNote?.endedBy ?? live.endedBy;
  const reason = endNote?.reason ?? live.endReason;
  return (
    <section className="card narrow center goodbye">
      <span className="avatar big">{initials(live.creator.displayName)}</span>
      <h1>The LIVE has ended</h1>
      {endedBy === 'moderator' || endedBy === 'safety' ? <p className="notice goodbye-why" role="status">{endedByText(endedBy, reason)}</p> : null}
      <p className="muted">Thanks for watching {live.creator.displayName}’s “{live.title}”.</p>
      {thanks ? (
        <p className="goodbye-thanks" role="status">
          <strong>{thanks.from.displayName} thanked you:</strong> “{thanks.text}”
        </p>
      ) : null}
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

/**
 * The creator's thank-you to the signed-in viewer for this LIVE, one record whether it was sent in
 * the room during the LIVE or from their summary after the end: asked at once when the card opens
 * (so an in-LIVE thank-you shows as the LIVE ends, and a LIVE opened days later shows it too), then
 * every THANKS_POLL_MS until it comes or THANKS_POLL_FOR_MS have passed.
 */
function useCreatorThanks(liveId: string, ask: boolean): LiveThanks | null {
  const [thanks, setThanks] = useState<LiveThanks | null>(null);
  useEffect(() => {
    if (!ask) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const untilMs = Date.now() + THANKS_POLL_FOR_MS;
    const again = () => {
      if (!stopped && Date.now() + THANKS_POLL_MS <= untilMs) timer = setTimeout(poll, THANKS_POLL_MS);
    };
    const poll = () => {
      api.myLiveThanks(liveId).then(
        (found) => {
          if (stopped) return;
          if (found) setThanks(found);
          else again();
        },
        again,
      );
    };
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [liveId, ask]);
  return thanks;
}

function EyeIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2.4">
      <path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z" />
      <circle cx="12" cy="12" r="3" />
    </svg>
  );
}

/** A stable key for an anonymous viewer on this browser, so reconnecting does not count them twice. */
function viewerKey(): string {
  const stored = localStorage.getItem('livegift.viewerKey');
  if (stored !== null && /^[\w-]{8,64}$/.test(stored)) return stored;
  const key = crypto.randomUUID();
  localStorage.setItem('livegift.viewerKey', key);
  return key;
}
