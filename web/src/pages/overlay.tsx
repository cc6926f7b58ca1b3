// The OBS overlay: a browser source that draws a LIVE's gift animations — big gifts one at a time,
// combos as banners — on a transparent page, so they are composited into the stream itself. No top
// bar, no chat, no buttons. It reads the room with the read-only overlay token in its address
// (`?token=`), which sees gifts only and is not counted as a viewer.
import { useEffect, useState } from 'react';
import type { Live } from '../../../src/protocol/lives.js';
import { LivegiftClient } from '../../../src/sdk/livegift-client.js';
import { LiveRoomClient, type RoomConnectionState } from '../../../src/sdk/room-client.js';
import { api, explain, LivegiftError } from '../api.js';
import { useCatalog } from '../components/catalog.js';
import { BigGiftPlayer, GiftBanners, useGiftStage, useRoomGiftStage } from '../components/gift-stage.js';
import '../styles/studio.css';

type Check =
  | { readonly state: 'checking' }
  | { readonly state: 'ready'; readonly live: Live; readonly token: string }
  | { readonly state: 'refused'; readonly title: string; readonly detail: string };

/** How long to wait before checking again when Livegift could not be reached. */
const RETRY_MS = 5_000;

export function OverlayPage({ liveId }: { liveId: string }) {
  const [check, setCheck] = useState<Check>({ state: 'checking' });
  const [attempt, setAttempt] = useState(0);
  useTransparentPage();

  useEffect(() => {
    const token = new URLSearchParams(location.search).get('token');
    if (token === null || token.trim() === '') {
      setCheck({ state: 'refused', title: 'This overlay link has no token', detail: 'Copy the overlay link from your Livegift studio again: it ends with “?token=…”.' });
      return;
    }
    let cancelled = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    Promise.all([tokenWorks(token), api.live(liveId)]).then(
      ([works, live]) => {
        if (cancelled) return;
        if (!works) setCheck(revoked());
        else if (live.status !== 'live') setCheck(ended());
        else setCheck({ state: 'ready', live, token });
      },
      (error: unknown) => {
        if (cancelled) return;
        if (error instanceof LivegiftError && error.status === 404) {
          setCheck({ state: 'refused', title: 'No such LIVE', detail: 'Copy the overlay link of your current LIVE from your Livegift studio.' });
          return;
        }
        // Livegift could not be reached (or had a hiccup): say so, and look again shortly.
        setCheck({ state: 'refused', title: 'Waiting for Livegift…', detail: explain(error) });
        retry = setTimeout(() => {
          setAttempt((n) => n + 1);
        }, RETRY_MS);
      },
    );
    return () => {
      cancelled = true;
      if (retry !== undefined) clearTimeout(retry);
    };
  }, [liveId, attempt]);

  if (check.state === 'checking') return <div className="overlay" aria-busy="true" />;
  if (check.state === 'refused') return <OverlayMessage title={check.title} detail={check.detail} />;
  return <OverlayRoom live={check.live} token={check.token} onRefused={setCheck} />;
}

function OverlayRoom({ live, token, onRefused }: { live: Live; token: string; onRefused: (check: Check) => void }) {
  const [room, setRoom] = useState<LiveRoomClient | null>(null);
  const [state, setState] = useState<RoomConnectionState>('connecting');
  const stage = useRoomGiftStage(room, useCatalog());
  const { banners, playing } = useGiftStage(stage);

  useEffect(() => {
    const client = new LiveRoomClient({ baseUrl: location.origin, liveId: live.id, token });
    const offs = [
      client.onState(setState),
      client.on('live.ended', () => {
        onRefused(ended());
      }),
    ];
    setRoom(client);
    return () => {
      for (const off of offs) off();
      client.close();
    };
  }, [live.id, token, onRefused]);

  // Connects once the stage has subscribed (its effect is declared above), so no gift is missed.
  useEffect(() => {
    room?.connect().catch(() => undefined);
  }, [room]);

  // A browser cannot see why a socket was refused: when the room keeps failing, check the token
  // again, so a token revoked mid-LIVE says so instead of "reconnecting" forever.
  useEffect(() => {
    if (state !== 'reconnecting') return;
    let cancelled = false;
    tokenWorks(token).then(
      (works) => {
        if (!cancelled && !works) onRefused(revoked());
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [state, token, onRefused]);

  return (
    <main className="overlay" data-room={state} aria-label={`Gift overlay of ${live.creator.displayName}’s LIVE`}>
      <GiftBanners banners={banners} />
      <BigGiftPlayer playing={playing} />
      {state === 'reconnecting' ? <p className="overlay-status" role="status">Livegift overlay: reconnecting…</p> : null}
    </main>
  );
}

function OverlayMessage({ title, detail }: { title: string; detail: string }) {
  return (
    <div className="overlay">
      <section className="overlay-message" role="alert">
        <h1>{title}</h1>
        <p>{detail}</p>
      </section>
    </div>
  );
}

function revoked(): Check {
  return {
    state: 'refused',
    title: 'This overlay link does not work',
    detail: 'Its token was revoked or mistyped. Open your Livegift studio, copy the overlay link again and paste it into your OBS browser source.',
  };
}

function ended(): Check {
  return { state: 'refused', title: 'This LIVE has ended', detail: 'Each LIVE has its own overlay link: copy the new one from your Livegift studio when you go LIVE.' };
}

/**
 * Whether the token is one Livegift knows and has not revoked. An overlay token may not read the
 * account, so /v1/me answers it 403 — but a token nobody knows gets 401, which is what we look for.
 */
async function tokenWorks(token: string): Promise<boolean> {
  try {
    await new LivegiftClient({ baseUrl: location.origin, token }).me();
    return true;
  } catch (error) {
    if (error instanceof LivegiftError && error.status === 401) return false;
    if (error instanceof LivegiftError && error.status === 403) return true;
    throw error;
  }
}

/** The overlay is composited over the video in OBS: the page itself must let it show through. */
function useTransparentPage(): void {
  useEffect(() => {
    const root = document.documentElement;
    root.classList.add('lg-overlay');
    return () => {
      root.classList.remove('lg-overlay');
    };
  }, []);
}
