// How the creator's video gets to Livegift, in the Go LIVE panel and on air: a choice between the
// camera of this browser (studio-camera.tsx) and OBS or any RTMP encoder. For OBS: the server URL
// and the stream key (masked, Reveal, Copy; Rotate after a confirm, since the encoder using the old
// key is cut), the encoder settings to use, and on air whether the stream is arriving (asked again
// every few seconds). A server that cannot make video (no ffmpeg) says so, and that the LIVE still
// works with gifts and chat.
import { useCallback, useEffect, useState } from 'react';
import type { LiveVideo, StreamSettings } from '../../../src/protocol/video.js';
import { api, explain } from '../api.js';
import { CameraSetup, type CameraSession } from './studio-camera.js';
import { Modal } from './modal.js';
import '../styles/moderation.css';
import '../styles/video.css';

export type StreamSource = 'camera' | 'obs';

/** The creator's last choice in this browser. */
const SOURCE_KEY = 'livegift.studio.source';
/** How often the on-air panel asks whether the stream is arriving. */
export const STREAM_POLL_MS = 4_000;
/** How long "Copied ✓" stays on a button. */
const COPIED_MS = 2_000;

/** The camera/OBS choice, remembered in this browser (camera the first time: nothing to install). */
export function useStreamSource(): [StreamSource, (source: StreamSource) => void] {
  const [source, setSourceState] = useState<StreamSource>(() => (localStorage.getItem(SOURCE_KEY) === 'obs' ? 'obs' : 'camera'));
  const setSource = useCallback((next: StreamSource) => {
    localStorage.setItem(SOURCE_KEY, next);
    setSourceState(next);
  }, []);
  return [source, setSource];
}

export interface StreamSettingsState {
  /** undefined while loading for the first time. */
  readonly settings: StreamSettings | undefined;
  readonly error: string | null;
  readonly retry: () => void;
  /** Takes an answer the server gave elsewhere (a rotated key). */
  readonly replace: (settings: StreamSettings) => void;
}

/** GET /v1/me/stream, and again every `pollMs` while mounted (null: once). */
export function useStreamSettings(pollMs: number | null): StreamSettingsState {
  const [settings, setSettings] = useState<StreamSettings | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      api.streamSettings().then(
        (answer) => {
          if (stopped) return;
          setSettings(answer);
          setError(null);
          if (pollMs !== null) timer = setTimeout(load, pollMs);
        },
        (e: unknown) => {
          if (stopped) return;
          setError(explain(e));
          // A poll that failed keeps the last answer and tries again; the first load waits for Try again.
          if (pollMs !== null) timer = setTimeout(load, pollMs);
        },
      );
    };
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [pollMs, attempt]);
  const retry = useCallback(() => {
    setError(null);
    setAttempt((n) => n + 1);
  }, []);
  return { settings, error, retry, replace: setSettings };
}

/** In the Go LIVE form: the choice, then the camera preview or the OBS settings to set up first. */
export function GoLiveStream({ camera, source, onSource }: { camera: CameraSession; source: StreamSource; onSource: (source: StreamSource) => void }) {
  const stream = useStreamSettings(null);
  return <StreamPanel stream={stream} camera={camera} source={source} onSource={onSource} liveId={null} />;
}

/** On air: the same choice, the camera sending to this LIVE or OBS's settings and whether its stream arrives. */
export function OnAirStream({ stream, camera, source, onSource, liveId, video }: {
  stream: StreamSettingsState;
  camera: CameraSession;
  source: StreamSource;
  onSource: (source: StreamSource) => void;
  liveId: string;
  video: LiveVideo;
}) {
  const chosen = effectiveSource(stream.settings, source);
  const sendCamera = chosen === 'camera' && stream.settings?.video.available === true;
  useEffect(() => {
    if (!sendCamera) return;
    camera.sendTo(liveId);
    return () => { camera.sendTo(null); };
  }, [camera, liveId, sendCamera]);
  return (
    <section className="panel stream-panel" aria-labelledby="stream-title">
      <div className="panel-head">
        <h2 id="stream-title">Your video</h2>
        <VideoStateBadge video={video} />
      </div>
      <StreamPanel stream={stream} camera={camera} source={source} onSource={onSource} liveId={liveId} />
    </section>
  );
}

/** The camera or OBS: OBS while its stream arrives, else whichever is chosen and this server offers. */
function effectiveSource(settings: StreamSettings | undefined, source: StreamSource): StreamSource {
  if (!settings) return source;
  if (settings.publishing?.via === 'rtmp') return 'obs';
  const camera = settings.ingest.browser;
  const obs = settings.ingest.rtmpUrl !== null;
  if (source === 'camera' && !camera && obs) return 'obs';
  if (source === 'obs' && !obs && camera) return 'camera';
  return source;
}

function StreamPanel({ stream, camera, source, onSource, liveId }: {
  stream: StreamSettingsState;
  camera: CameraSession;
  source: StreamSource;
  onSource: (source: StreamSource) => void;
  liveId: string | null;
}) {
  const { settings, error, retry, replace } = stream;
  if (settings === undefined) {
    return error !== null ? (
      <div className="stream-load-error">
        <p className="error" role="alert">Your stream settings did not load: {error}</p>
        <button type="button" className="button small ghost" onClick={retry}>Try again</button>
      </div>
    ) : (
      <div className="skeleton line" aria-busy="true" aria-label="Loading your stream settings" />
    );
  }
  if (!settings.video.available) {
    return (
      <p className="notice soft stream-unavailable">
        <strong>This server cannot make video.</strong> {settings.video.reason ?? 'It has no video encoder (ffmpeg).'} Your LIVE still works: viewers see your
        animated stage, your gifts and the chat.
      </p>
    );
  }
  const chosen = effectiveSource(settings, source);
  // One stream at a time: while OBS streams, the camera would be refused.
  const obsStreaming = settings.publishing?.via === 'rtmp';
  const cameraOffered = settings.ingest.browser && !obsStreaming;
  const obsOffered = settings.ingest.rtmpUrl !== null;
  return (
    <div className="stream">
      <fieldset className="stream-choice">
        <legend>How will you stream?</legend>
        <label className={chosen === 'camera' ? 'on' : undefined}>
          <input type="radio" name="stream-source" value="camera" checked={chosen === 'camera'} disabled={!cameraOffered} onChange={() => { onSource('camera'); }} />
          <span className="stream-choice-name">Camera (this browser)</span>
          <span className="stream-choice-help">{obsStreaming ? 'Not while OBS is streaming.' : cameraOffered ? 'Your webcam and microphone, from this page.' : 'Not offered by this server.'}</span>
        </label>
        <label className={chosen === 'obs' ? 'on' : undefined}>
          <input type="radio" name="stream-source" value="obs" checked={chosen === 'obs'} disabled={!obsOffered} onChange={() => { onSource('obs'); }} />
          <span className="stream-choice-name">OBS or another encoder</span>
          <span className="stream-choice-help">{obsOffered ? 'Scenes, screen capture, a better camera.' : 'Not offered by this server.'}</span>
        </label>
      </fieldset>
      {chosen === 'camera' ? (
        <CameraSetup camera={camera} sending={liveId !== null} onUseObs={obsOffered ? () => { onSource('obs'); } : null} />
      ) : (
        <ObsSettings settings={settings} onAir={liveId !== null} onRotated={replace} />
      )}
      {error !== null ? <p className="muted hint" role="status">Could not check your stream just now ({error}); trying again.</p> : null}
    </div>
  );
}

/** The server, the key and the encoder settings for OBS; on air, whether the stream is arriving. */
function ObsSettings({ settings, onAir, onRotated }: { settings: StreamSettings; onAir: boolean; onRotated: (settings: StreamSettings) => void }) {
  const { ingest, recommended: r, publishing } = settings;
  const [revealed, setRevealed] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [rotateError, setRotateError] = useState<string | null>(null);
  const [rotated, setRotated] = useState(false);
  const rtmpUrl = ingest.rtmpUrl ?? '';

  const rotate = () => {
    setRotating(true);
    setRotateError(null);
    api.rotateStreamKey().then(
      (next) => {
        onRotated(next);
        setRotating(false);
        setConfirming(false);
        setRotated(true);
      },
      (e: unknown) => {
        setRotateError(explain(e));
        setRotating(false);
      },
    );
  };

  const lines: [string, string][] = [
    ['Encoder', r.encoder],
    ['Rate control', r.rateControl],
    ['Bitrate', `${r.videoBitrateKbps.toLocaleString('en-US')} Kbps`],
    ['Keyframe interval', `${r.keyframeIntervalS} s`],
    ['CPU usage preset', r.preset],
    ['Profile', r.profile],
    ['Tune', r.tune],
    ['Resolution', `${r.resolution}, ${r.fps} fps`],
    ['Audio bitrate', `${r.audioBitrateKbps} Kbps`],
  ];
  const settingsText = lines.map(([k, v]) => `${k}: ${v}`).join('\n');

  return (
    <div className="obs">
      {onAir ? <ArrivingStatus publishing={publishing} /> : <p className="muted hint">Set OBS up now. Once you are LIVE, press <em>Start Streaming</em> in OBS.</p>}
      <p className="obs-where muted">In OBS: Settings → Stream → Service <em>Custom…</em></p>
      <div className="obs-field">
        <label htmlFor="obs-server">Server</label>
        <div className="copy-row">
          <input id="obs-server" readOnly value={rtmpUrl} onFocus={(e) => { e.currentTarget.select(); }} />
          <CopyButton text={rtmpUrl} label="Copy server" shown="Copy" />
        </div>
      </div>
      <div className="obs-field">
        <label htmlFor="obs-key">Stream key</label>
        <div className="copy-row">
          <input id="obs-key" readOnly type={revealed ? 'text' : 'password'} value={ingest.streamKey} autoComplete="off" spellCheck={false} onFocus={(e) => { e.currentTarget.select(); }} />
          <button type="button" className="button small ghost" aria-pressed={revealed} onClick={() => { setRevealed((v) => !v); }}>{revealed ? 'Hide' : 'Reveal'}</button>
          <CopyButton text={ingest.streamKey} label="Copy key" shown="Copy" />
        </div>
        <p className="muted hint">
          Keep it secret: anyone with it can stream as you.{' '}
          <button type="button" className="link-button" onClick={() => { setConfirming(true); setRotated(false); }}>Rotate key</button>
        </p>
        {rotated ? <p className="stream-done" role="status">New key made — paste it into OBS (Settings → Stream) before you stream again.</p> : null}
      </div>
      <details className="obs-recommended" open={!onAir}>
        <summary>Recommended settings (Settings → Output, Advanced)</summary>
        <dl>
          {lines.map(([k, v]) => (
            <div key={k}><dt>{k}</dt><dd>{v}</dd></div>
          ))}
        </dl>
        <CopyButton text={settingsText} label="Copy settings" ghost />
      </details>
      {confirming ? (
        <Modal labelledBy="rotate-title" describedBy="rotate-what" onClose={() => { if (!rotating) setConfirming(false); }}>
          <div className="mod-dialog rotate-dialog">
            <h2 id="rotate-title">Rotate your stream key?</h2>
            <p id="rotate-what" className="mod-what">
              Your current key stops working at once{publishing?.via === 'rtmp' ? ': OBS is streaming with it now, and that stream is cut' : ''}. Paste the
              new key into OBS (Settings → Stream) before you stream again.
            </p>
            {rotateError !== null ? <p className="error" role="alert">{rotateError}</p> : null}
            <div className="button-row">
              <button type="button" className="button end" onClick={rotate} disabled={rotating}>{rotating ? 'Rotating…' : 'Rotate key'}</button>
              {/* Focus lands on the safe choice: a stray Enter keeps the key. */}
              <button type="button" className="button ghost" autoFocus onClick={() => { setConfirming(false); }} disabled={rotating}>Keep this key</button>
            </div>
          </div>
        </Modal>
      ) : null}
    </div>
  );
}

/** Whether the encoder's stream is arriving now, from the settings' `publishing`. */
function ArrivingStatus({ publishing }: { publishing: StreamSettings['publishing'] }) {
  if (publishing === null) {
    return (
      <p className="send-status" role="status">
        <span className="dot idle" aria-hidden="true" />Not receiving your stream yet — press <em>Start Streaming</em> in OBS.
      </p>
    );
  }
  return (
    <p className="send-status ok" role="status">
      <span className="dot" aria-hidden="true" />
      {publishing.via === 'rtmp' ? 'Receiving your stream from OBS' : 'Receiving your camera from a browser'} since {new Date(publishing.sinceMs).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' })}.
    </p>
  );
}

/** The LIVE's picture as viewers get it, in a word. */
function VideoStateBadge({ video }: { video: LiveVideo }) {
  const words: Record<LiveVideo['state'], string> = { waiting: 'No video yet', live: 'Video on air', reconnecting: 'Reconnecting', ended: 'Ended' };
  return <span className={`video-state ${video.state}`}>{words[video.state]}</span>;
}

/** Copies `text`; `label` names what (its accessible name), `shown` is the word on the button. */
function CopyButton({ text, label, shown = label, ghost = false }: { text: string; label: string; shown?: string; ghost?: boolean }) {
  const [copied, setCopied] = useState(false);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => { setCopied(false); }, COPIED_MS);
    return () => { clearTimeout(timer); };
  }, [copied]);
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => {
        setCopied(true);
        setFailed(false);
      },
      () => { setFailed(true); },
    );
  };
  return (
    <>
      <button type="button" className={`button small${ghost ? ' ghost' : ''}`} aria-label={copied ? `${label}: copied` : label} onClick={copy}>
        {copied ? 'Copied ✓' : shown}
      </button>
      {failed ? <span className="error copy-failed" role="alert">Your browser did not let us copy: select the text and copy it yourself.</span> : null}
    </>
  );
}
