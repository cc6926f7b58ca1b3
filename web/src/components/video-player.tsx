// A LIVE's picture on its stage: the HLS the server makes from the creator's stream (OBS or the
// studio's camera), behind the gift animations and everything else that floats over the stage.
// hls.js plays it where the browser has Media Source Extensions; Safari (iOS) plays HLS natively.
//
// It follows the LIVE's video state (`LiveVideo`, from GET /v1/lives/:id, the room's snapshot and
// `video.changed`): `waiting` keeps today's animated stage (with a "getting ready" note for a
// while), `live` plays, `reconnecting` keeps the last frame under a banner saying when the LIVE ends
// if the stream does not come back, `ended` draws nothing (the page shows its goodbye card).
//
// Playback tries hard to stay close to live and to heal by itself: low-latency settings (two
// segments behind the live edge, catching up at up to 1.5× when it falls five behind), a network
// error loads again with a growing pause, a media error is recovered in place, and a watchdog
// reloads the playlist when the picture stops moving for several seconds while the LIVE is on air.
// It starts muted (browsers only autoplay muted video) with a "Tap to unmute"; the choice holds
// for the rest of the browser session.
import type Hls from 'hls.js';
import type { HlsConfig } from 'hls.js';
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { LiveVideo } from '../../../src/protocol/video.js';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';
import '../styles/video.css';

/**
 * hls.js tuned for a LIVE: little delay, a small back buffer (a phone's memory), no web worker (the
 * page's CSP allows scripts from 'self' only, and hls.js makes its worker from a blob: URL; our
 * streams are H.264/AAC, light enough to demux on the main thread).
 */
const HLS_CONFIG: Partial<HlsConfig> = {
  enableWorker: false,
  lowLatencyMode: true,
  liveSyncDurationCount: 2,
  liveMaxLatencyDurationCount: 5,
  maxLiveSyncPlaybackRate: 1.5,
  backBufferLength: 10,
  maxBufferLength: 10,
};

/**
 * hls.js, loaded the first time a LIVE has video (it is most of a player's weight, and most pages
 * never need it); null where it cannot load, and the browser's own HLS is tried instead.
 */
let hlsModule: Promise<typeof Hls | null> | null = null;
function loadHls(): Promise<typeof Hls | null> {
  hlsModule ??= import('hls.js').then(
    (m) => m.default,
    () => {
      hlsModule = null; // a later LIVE may try again
      return null;
    },
  );
  return hlsModule;
}

/** Pauses before loading again after a network error: 1 s, 2 s, 4 s … at most 10 s. */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 10_000;
/** Media errors recovered in place within this window, at most, before the player is rebuilt. */
const MEDIA_RECOVERIES_MAX = 3;
const MEDIA_RECOVERY_WINDOW_MS = 30_000;
/** The picture counts as stalled when currentTime has not moved for this long while live. */
const STALL_MS = 6_000;
const WATCHDOG_EVERY_MS = 1_000;
/** The viewer's sound choice, for the rest of the browser session. */
const SOUND_KEY = 'livegift.video.sound';

/**
 * Follows a room's video state: the snapshot's (first, and after each reconnection) and every
 * `video.changed`. Subscribe before the room connects. Returns the function that stops it.
 *
 * @example const stop = followVideo(room, setVideo); // … later: stop();
 */
export function followVideo(room: LiveRoomClient, onVideo: (video: LiveVideo) => void): () => void {
  const offs = [
    room.on('snapshot', (e) => { onVideo(e.data.video); }),
    room.on('video.changed', (e) => { onVideo(e.data); }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/**
 * The video state of a LIVE: `initial` (from GET /v1/lives/:id) until the room says otherwise.
 * Call it before the effect that connects the room, so it hears the first snapshot.
 */
export function useRoomVideo(room: LiveRoomClient | null, initial: LiveVideo): LiveVideo {
  const [fromRoom, setFromRoom] = useState<LiveVideo | null>(null);
  useEffect(() => (room ? followVideo(room, setFromRoom) : undefined), [room]);
  return fromRoom ?? initial;
}

export interface VideoPlayerProps {
  readonly video: LiveVideo;
  /** What the video is, for screen readers, e.g. "Mira Sol's LIVE video". */
  readonly label: string;
  /** `viewer`: sound controls; `preview` (the creator's own stage): always muted, no controls. */
  readonly mode: 'viewer' | 'preview';
  /** Said over the animated stage while the stream has not started; null says nothing. */
  readonly waitingNote: string | null;
  /** How long the note stays after waiting began (a LIVE without video then looks as it always did); unset: always. */
  readonly waitingNoteForMs?: number;
  /** When the LIVE began: when waiting began, for a LIVE whose stream never came (its video has no sinceMs). */
  readonly startedAtMs?: number;
  /** False while the room's socket is reconnecting: the page's own banner says so, and this one's state is stale. */
  readonly roomOnline?: boolean;
}

/** The stage's video layer and its notes; place it first inside the stage, before the overlays. */
export function VideoPlayer({ video, label, mode, waitingNote, waitingNoteForMs, startedAtMs, roomOnline = true }: VideoPlayerProps) {
  const ref = useRef<HTMLVideoElement>(null);
  // While reconnecting the playlist is gone from the state; the last frame stays on its old address.
  const lastUrl = useRef<string | null>(null);
  if (video.state === 'live' && video.playlistUrl !== null) lastUrl.current = video.playlistUrl;
  if (video.state === 'waiting' || video.state === 'ended') lastUrl.current = null;
  const url = video.state === 'live' || video.state === 'reconnecting' ? lastUrl.current : null;
  const live = video.state === 'live';
  // A new stream after a drop is a new playlist: the player starts afresh (keyed by its start).
  const streamKey = live ? `${url ?? ''}@${String(video.sinceMs ?? 0)}` : null;
  const playing = useHlsPlayback(ref, url, live, streamKey);
  const [soundOn, setSoundOn] = useSound(ref, mode === 'viewer', url !== null);
  const showWaitingNote = useWaitingNote(video, waitingNote, waitingNoteForMs, startedAtMs);

  return (
    <>
      <div className={`stage-video${url !== null && playing ? ' showing' : ''}`}>
        {url !== null ? (
          // Muted and inline: the only way browsers autoplay. The sound control is ours, over the stage.
          <video ref={ref} data-testid="live-video" aria-label={label} muted playsInline autoPlay disablePictureInPicture />
        ) : null}
      </div>
      {live && url !== null && !playing ? (
        <p className="video-note" role="status"><span className="video-spinner" aria-hidden="true" />Starting the video…</p>
      ) : null}
      {video.state === 'waiting' && showWaitingNote && waitingNote !== null ? (
        <p className="video-note" role="status">{waitingNote}</p>
      ) : null}
      {video.state === 'reconnecting' && roomOnline ? <ReconnectingBanner endsAtMs={video.reconnectEndsAtMs} mode={mode} /> : null}
      {mode === 'viewer' && url !== null ? (
        soundOn ? (
          <button type="button" className="video-sound on" aria-label="Mute the LIVE" title="Mute" onClick={() => { setSoundOn(false); }}>
            <SpeakerIcon on />
          </button>
        ) : (
          <button type="button" className="video-sound" onClick={() => { setSoundOn(true); }}>
            <SpeakerIcon on={false} /> Tap to unmute
          </button>
        )
      ) : null}
    </>
  );
}

function ReconnectingBanner({ endsAtMs, mode }: { endsAtMs: number | null; mode: 'viewer' | 'preview' }) {
  const at = endsAtMs !== null ? new Date(endsAtMs).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' }) : null;
  const who = mode === 'viewer' ? 'the stream doesn’t' : 'your stream doesn’t';
  return (
    <p className="video-reconnecting" role="status">
      <strong>Reconnecting…</strong> {at !== null ? `the LIVE ends at ${at} if ${who} come back` : `the LIVE ends soon if ${who} come back`}
    </p>
  );
}

/** Whether the waiting note shows now: from the start of waiting for `forMs` (or always). */
function useWaitingNote(video: LiveVideo, note: string | null, forMs: number | undefined, startedAtMs: number | undefined): boolean {
  const fromMs = video.sinceMs ?? startedAtMs ?? null;
  const untilMs = forMs === undefined || fromMs === null ? null : fromMs + forMs;
  const [, setTick] = useState(0);
  const waiting = video.state === 'waiting' && note !== null;
  useEffect(() => {
    if (!waiting || untilMs === null) return;
    const leftMs = untilMs - Date.now();
    if (leftMs <= 0) return;
    const timer = setTimeout(() => { setTick((n) => n + 1); }, leftMs + 50);
    return () => { clearTimeout(timer); };
  }, [waiting, untilMs]);
  return waiting && (untilMs === null || Date.now() < untilMs);
}

/**
 * The viewer's sound: muted until they ask (remembered for the session). A remembered "on" is tried
 * first; a browser that refuses unmuted autoplay gets the muted picture and the "Tap to unmute".
 */
function useSound(ref: RefObject<HTMLVideoElement | null>, allowed: boolean, mounted: boolean): [boolean, (on: boolean) => void] {
  const [soundOn, setSoundOnState] = useState(() => allowed && sessionStorage.getItem(SOUND_KEY) === 'on');
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.muted = !soundOn;
    if (!soundOn || !el.paused) return;
    // Unmuted autoplay without a tap this page: the browser may refuse; fall back to muted.
    el.play().catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'NotAllowedError') {
        el.muted = true;
        setSoundOnState(false);
        el.play().catch(() => undefined);
      }
    });
  }, [ref, soundOn, mounted]);
  const setSoundOn = (on: boolean) => {
    sessionStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
    setSoundOnState(on);
    const el = ref.current;
    if (el) {
      // Inside the tap itself, so the browser counts it as the viewer's choice.
      el.muted = !on;
      if (el.paused) el.play().catch(() => undefined);
    }
  };
  return [allowed && soundOn, setSoundOn];
}

/**
 * Plays `url` in the video element while it is set; `live` says the stream is on air (errors and
 * stalls are healed only then: while reconnecting the last frame stays); a new `streamKey` starts
 * afresh. Answers whether a picture is showing.
 */
function useHlsPlayback(ref: RefObject<HTMLVideoElement | null>, url: string | null, live: boolean, streamKey: string | null): boolean {
  const [playing, setPlaying] = useState(false);
  const liveRef = useRef(live);
  liveRef.current = live;
  // The player of the last stream stays through `reconnecting` (its key goes null), not past a new one.
  const keyRef = useRef<string | null>(null);
  if (streamKey !== null) keyRef.current = streamKey;
  const key = url === null ? null : keyRef.current;

  useEffect(() => {
    const el = ref.current;
    if (!el || url === null) return;
    setPlaying(false);
    let disposed = false;
    let stop: (() => void) | null = null;
    void loadHls().then((HlsClass) => {
      if (!disposed) stop = startPlayback(el, url, HlsClass, () => liveRef.current, setPlaying);
    });
    return () => {
      disposed = true;
      stop?.();
    };
  }, [ref, url, key]);

  return url !== null && playing;
}

/**
 * Starts playing `url` in `el`, healing errors and stalls while `isLive()`; answers the function
 * that stops it. hls.js where it is supported, else the browser's own HLS (Safari).
 */
function startPlayback(el: HTMLVideoElement, url: string, HlsClass: typeof Hls | null, isLive: () => boolean, setPlaying: (playing: boolean) => void): () => void {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  let retries = 0;
  const backoffMs = () => Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(retries++, 10));
  const play = () => { el.play().catch(() => undefined); };

  let reload: () => void;
  let dispose: () => void;
  if (HlsClass?.isSupported() === true) {
    let hls: Hls | null = null;
    let recoveries: number[] = [];
    const create = () => {
      const player = new HlsClass(HLS_CONFIG);
      hls = player;
      player.on(HlsClass.Events.MANIFEST_PARSED, play);
      player.on(HlsClass.Events.FRAG_BUFFERED, () => { retries = 0; });
      player.on(HlsClass.Events.ERROR, (_event, data) => {
        if (!data.fatal || hls !== player) return;
        if (!isLive()) {
          // Reconnecting: keep the last frame, load nothing until the stream is back.
          player.stopLoad();
          return;
        }
        switch (data.type) {
          case HlsClass.ErrorTypes.NETWORK_ERROR:
            // The playlist may not exist yet (the first segments are being made) or the network
            // dropped: load again after a growing pause. Without a parsed playlist, from the start.
            later(() => {
              if (hls !== player) return;
              if (player.levels.length === 0) player.loadSource(url);
              else player.startLoad(-1);
            }, backoffMs());
            break;
          case HlsClass.ErrorTypes.MEDIA_ERROR: {
            const now = Date.now();
            recoveries = [...recoveries.filter((t) => now - t < MEDIA_RECOVERY_WINDOW_MS), now];
            if (recoveries.length <= MEDIA_RECOVERIES_MAX) player.recoverMediaError();
            else later(rebuild, backoffMs());
            break;
          }
          case HlsClass.ErrorTypes.MUX_ERROR:
          case HlsClass.ErrorTypes.KEY_SYSTEM_ERROR:
          case HlsClass.ErrorTypes.OTHER_ERROR:
            // Anything else that stops playback: a new player, after a pause.
            later(rebuild, backoffMs());
            break;
        }
      });
      player.loadSource(url);
      player.attachMedia(el);
    };
    const rebuild = () => {
      hls?.destroy();
      hls = null;
      setPlaying(false);
      create();
    };
    create();
    reload = rebuild;
    dispose = () => {
      hls?.destroy();
      hls = null;
    };
  } else {
    // Safari plays HLS itself; an error loads the playlist again after a pause.
    const load = () => {
      el.src = url;
      el.load();
      play();
    };
    const onError = () => { if (isLive()) later(load, backoffMs()); };
    const onPlaying = () => { retries = 0; };
    el.addEventListener('error', onError);
    el.addEventListener('playing', onPlaying);
    load();
    reload = () => {
      setPlaying(false);
      load();
    };
    dispose = () => {
      el.removeEventListener('error', onError);
      el.removeEventListener('playing', onPlaying);
      el.removeAttribute('src');
      el.load();
    };
  }

  const onPicture = () => { setPlaying(true); };
  el.addEventListener('playing', onPicture);
  el.addEventListener('loadeddata', onPicture);

  // The watchdog: on air, unpaused, and the picture has not moved for STALL_MS → load afresh.
  let lastTime = -1;
  let movedAtMs = Date.now();
  const watchdog = setInterval(() => {
    const now = Date.now();
    if (!isLive() || el.paused || el.currentTime !== lastTime) {
      lastTime = el.currentTime;
      movedAtMs = now;
      return;
    }
    if (now - movedAtMs >= STALL_MS) {
      movedAtMs = now;
      reload();
    }
  }, WATCHDOG_EVERY_MS);

  return () => {
    clearInterval(watchdog);
    for (const timer of timers) clearTimeout(timer);
    el.removeEventListener('playing', onPicture);
    el.removeEventListener('loadeddata', onPicture);
    dispose();
  };
}

function SpeakerIcon({ on }: { on: boolean }) {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M11 5 6 9H3v6h3l5 4V5z" fill="currentColor" />
      {on ? <path d="M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13" /> : <path d="m16 9 6 6M22 9l-6 6" />}
    </svg>
  );
}
