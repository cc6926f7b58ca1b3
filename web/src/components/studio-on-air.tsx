// The creator's LIVE on air: its title and time on air with End LIVE (and a last chance to thank),
// viewers / gifters / coins in cards, coaching in amber, the stage preview (the same gift show the
// viewers and the OBS overlay get), the gift feed with one-tap thanks, top gifters, chat and the
// overlay link. One room socket feeds it all; when the LIVE ends, by End LIVE or otherwise, the
// studio moves on to the LIVE's summary. The preview plays the LIVE's own video once it is on air,
// and "Your video" (studio-stream.tsx) sends the camera or shows OBS's settings and whether its
// stream arrives.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import type { Live } from '../../../src/protocol/lives.js';
import type { LeaderboardEntry } from '../../../src/protocol/room.js';
import { LiveRoomClient, type RoomConnectionState } from '../../../src/sdk/room-client.js';
import { api, explain } from '../api.js';
import { initials } from '../pages/home.js';
import { navigate } from '../router.js';
import { useCatalog } from './catalog.js';
import { BigGiftPlayer, GiftBanners, useGiftStage, useRoomGiftStage } from './gift-stage.js';
import { CreatorChat, useStudioChat } from './studio-chat.js';
import { CoachingCards, LadderBanner, useCoaching } from './studio-coaching.js';
import { GiftFeed, TopGifters, unthankedOf, useGiftFeed } from './studio-gift-feed.js';
import { GiftsToggle } from './studio-go-live.js';
import { OverlayLink } from './studio-overlay-link.js';
import { ON_AIR_KEY } from './studio-storage.js';
import { useThanks } from './studio-thanks.js';
import { Elapsed } from './studio-time.js';
import { followCounters } from './room-counters.js';
import type { CameraSession } from './studio-camera.js';
import { OnAirStream, STREAM_POLL_MS, useStreamSettings, type StreamSource } from './studio-stream.js';
import { useRoomVideo, VideoPlayer } from './video-player.js';

export function OnAir({ live, me, camera, source, onSource }: { live: Live; me: Me; camera: CameraSession; source: StreamSource; onSource: (source: StreamSource) => void }) {
  const [room, setRoom] = useState<LiveRoomClient | null>(null);
  const [state, setState] = useState<RoomConnectionState>('connecting');
  const [viewers, setViewers] = useState(live.viewers);
  const [top, setTop] = useState<LeaderboardEntry[]>([]);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const [ending, setEnding] = useState(false);
  const [endError, setEndError] = useState<string | null>(null);
  const left = useRef(false);
  const catalog = useCatalog();
  // Each part subscribes to the room itself; all of them before the room connects (below).
  const stage = useRoomGiftStage(room, catalog);
  const { banners, playing } = useGiftStage(stage);
  const feed = useGiftFeed(room);
  const chat = useStudioChat(room);
  const { coaching, dismiss, ladder, dismissLadder } = useCoaching(room);
  const thanks = useThanks(room, live.id);
  const video = useRoomVideo(room, live.video);
  const stream = useStreamSettings(STREAM_POLL_MS);

  // Off to the summary, once: after End LIVE, or when a moderator or the system ended it.
  const toSummary = useCallback(() => {
    if (left.current) return;
    left.current = true;
    localStorage.removeItem(ON_AIR_KEY);
    navigate(`/studio/lives/${live.id}`, { replace: true });
  }, [live.id]);

  useEffect(() => {
    const client = new LiveRoomClient({ baseUrl: location.origin, liveId: live.id });
    const offs = [
      client.onState(setState),
      followCounters(client, { viewers: setViewers, top: setTop }),
      client.on('live.ended', toSummary),
    ];
    setRoom(client);
    return () => {
      for (const off of offs) off();
      client.close();
    };
  }, [live.id, toSummary]);

  // Connects once every part above has subscribed (effects run in the order they are declared).
  useEffect(() => {
    room?.connect().catch(() => undefined);
  }, [room]);

  const unthanked = unthankedOf(top, thanks);
  const end = () => {
    setEnding(true);
    setEndError(null);
    api.endLive(live.id).then(toSummary, (e: unknown) => {
      setEndError(explain(e));
      setEnding(false);
    });
  };
  const coins = top.reduce((sum, e) => sum + e.coins, 0);

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
                <button type="button" className="button ghost small" onClick={() => void thanks.thankAll(unthanked)} disabled={thanks.thanking.size > 0}>Thank all</button>
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

      <LadderBanner ladder={ladder} onDismiss={dismissLadder} />

      <dl className="stat-cards live-stats">
        <div><dt>Viewers</dt><dd className="num">{viewers.toLocaleString('en-US')}</dd></div>
        <div><dt>Gifters</dt><dd className="num">{top.length.toLocaleString('en-US')}</dd></div>
        <div><dt>Coins gifted</dt><dd className="num gold">{coins.toLocaleString('en-US')}</dd></div>
      </dl>

      <CoachingCards coaching={coaching} onDismiss={dismiss} onPhrase={thanks.setPhrase} />

      <div className="on-air-grid">
        <section className="stage preview" aria-label="Stage preview">
          <div className="stage-art" aria-hidden="true"><span className="avatar huge">{initials(me.displayName)}</span></div>
          <VideoPlayer
            video={video}
            label="Your LIVE as viewers see it"
            mode="preview"
            waitingNote={stream.settings?.video.available === false ? null : 'Your video shows here a few seconds after it starts arriving.'}
          />
          <span className="preview-label">Preview</span>
          <GiftBanners banners={banners} />
          <BigGiftPlayer playing={playing} />
        </section>

        <div className="on-air-side">
          <OnAirStream stream={stream} camera={camera} source={source} onSource={onSource} liveId={live.id} video={video} />
          <GiftFeed feed={feed} catalog={catalog} thanks={thanks} />
          <TopGifters top={top} thanks={thanks} />
          <CreatorChat room={room} lines={chat} />
          <OverlayLink me={me} liveId={live.id} />
        </div>
      </div>
    </div>
  );
}
