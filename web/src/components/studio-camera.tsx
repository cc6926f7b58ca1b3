// Going LIVE from the browser: the creator's camera and microphone (a preview, a choice of devices
// applied at once, and in plain words what to do when the browser refuses or finds none), sent to
// the server while the LIVE is on air.
//
// Why MediaRecorder over a WebSocket, and not WebRTC: our server stays the single place a stream
// comes in. The browser's recording (WebM, H.264 when the browser can, else VP8) goes into the same
// ffmpeg → HLS path as an OBS stream, so viewers, the overlay and the studio's preview see one kind
// of video whichever way it was made, and there is no TURN/STUN server or SFU to run beside
// Livegift. The cost is a little more delay than WebRTC (roughly 1–3 s more: the recorder cuts
// 250 ms chunks and the server segments them), which a LIVE with gifts and chat tolerates well.
//
// One CameraSession lives as long as the studio page (outside React: the stream, the socket and the
// recorder outlive renders, and the Go LIVE form hands the camera to the on-air view). The server
// counts each new socket as a new stream, so every (re)connection starts a new MediaRecorder, whose
// first chunk carries the WebM header the server needs.
import { useEffect, useId, useRef, useState, useSyncExternalStore } from 'react';
import '../styles/video.css';

/** What the recorder is asked for, best first: H.264 is copied by the server, VP8 is re-encoded. */
const MIME_TYPES = ['video/webm;codecs=h264,opus', 'video/webm;codecs=vp8,opus'] as const;
/** A chunk every 250 ms: a short delay, and few enough messages. */
const TIMESLICE_MS = 250;
const VIDEO_BITS_PER_SECOND = 2_500_000;
const AUDIO_BITS_PER_SECOND = 128_000;
/** One keyframe a second, so the server can cut one-second segments (Chromium reads this option). */
const KEYFRAME_EVERY_MS = 1_000;
/**
 * Bytes the socket may hold unsent. Past this the connection cannot carry the video (about 10 s of
 * it): the stream restarts rather than fall ever further behind.
 */
const UNSENT_MAX_BYTES = 3_000_000;
/** Pauses between reconnections: 1 s, 2 s, 4 s … at most 10 s. */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 10_000;
/**
 * The ingest's refusals (src/video/browser-ingest.ts) that another try cannot fix: the LIVE is over,
 * the account may not go LIVE, the server has no video, another stream (OBS) is already arriving,
 * the recording's format was refused. Anything else — a drop, a server restart — is tried again.
 */
const FINAL_CODES: ReadonlySet<string> = new Set(['live_not_on_air', 'unauthenticated', 'live_suspended', 'video_unavailable', 'stream_busy', 'validation_failed']);
/** This browser's refusal of a recording format: the next format is tried. */
const FORMAT_CODES: ReadonlySet<string> = new Set(['unsupported_mime']);
/** WebSocket close codes a page may use: 1000, or 4000–4999 for its own reasons. */
const CLOSE_DONE = 1000;
const CLOSE_TOO_SLOW = 4000;
const CLOSE_RECORDER_FAILED = 4001;

export interface DeviceChoice {
  readonly id: string;
  readonly label: string;
}

export type PreviewState =
  | { readonly status: 'off' }
  | { readonly status: 'starting' }
  | { readonly status: 'on'; readonly stream: MediaStream }
  | { readonly status: 'denied' }
  | { readonly status: 'no-device' }
  | { readonly status: 'busy' }
  | { readonly status: 'unsupported' }
  | { readonly status: 'failed'; readonly message: string };

export type SendState =
  | { readonly status: 'idle' }
  | { readonly status: 'connecting' }
  | { readonly status: 'sending'; readonly sinceMs: number }
  | { readonly status: 'reconnecting'; readonly attempt: number; readonly reason: string | null }
  | { readonly status: 'stopped'; readonly message: string }
  | { readonly status: 'unsupported' };

export interface CameraSnapshot {
  readonly preview: PreviewState;
  readonly cameras: readonly DeviceChoice[];
  readonly mics: readonly DeviceChoice[];
  readonly cameraId: string | null;
  readonly micId: string | null;
  readonly send: SendState;
}

type Refusal = { readonly code: string; readonly message: string };

export class CameraSession {
  private snapshot: CameraSnapshot = { preview: { status: 'off' }, cameras: [], mics: [], cameraId: null, micId: null, send: { status: 'idle' } };
  private readonly listeners = new Set<() => void>();
  private stream: MediaStream | null = null;
  /** Bumped by every preview start and release: a late getUserMedia answer of an older one is dropped. */
  private previewRun = 0;
  /** The LIVE to send to, while the studio is on air with the camera. */
  private target: string | null = null;
  private socket: WebSocket | null = null;
  private recorder: MediaRecorder | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private mimeIndex = 0;
  private watchingDevices = false;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): CameraSnapshot => this.snapshot;

  /** Asks for the camera and microphone (the chosen ones, if any) and shows them. */
  async startPreview(): Promise<void> {
    const media = typeof navigator === 'undefined' ? undefined : (navigator.mediaDevices as MediaDevices | undefined);
    if (media === undefined || typeof media.getUserMedia !== 'function') {
      this.set({ preview: { status: 'unsupported' } });
      return;
    }
    const run = ++this.previewRun;
    if (this.snapshot.preview.status !== 'on') this.set({ preview: { status: 'starting' } });
    try {
      const stream = await openMedia(media, this.snapshot.cameraId, this.snapshot.micId);
      if (run !== this.previewRun) {
        stopTracks(stream);
        return;
      }
      this.useStream(stream);
      await this.listDevices();
    } catch (error) {
      if (run !== this.previewRun) return;
      this.dropStream();
      this.set({ preview: previewRefusal(error) });
    }
  }

  /** Switches camera or microphone at once (while sending, the stream restarts with them). */
  chooseDevices(choice: { cameraId?: string; micId?: string }): void {
    this.set({ cameraId: choice.cameraId ?? this.snapshot.cameraId, micId: choice.micId ?? this.snapshot.micId });
    if (this.snapshot.preview.status === 'on') void this.startPreview();
  }

  /** Sends the camera to this LIVE whenever it is on (null: stop sending). */
  sendTo(liveId: string | null): void {
    if (liveId === this.target) return;
    this.stopSending();
    this.target = liveId;
    this.attempt = 0;
    if (liveId !== null && this.stream !== null) this.connect();
  }

  /** After a refusal: try sending again. */
  retrySending(): void {
    if (this.target === null) return;
    this.stopSending();
    this.attempt = 0;
    this.mimeIndex = 0;
    if (this.stream !== null) this.connect();
  }

  /** Everything off: no more sending, the camera and microphone released (leaving the studio). */
  release(): void {
    this.target = null;
    this.stopSending();
    this.previewRun += 1;
    this.dropStream();
    if (this.watchingDevices) {
      navigator.mediaDevices.removeEventListener('devicechange', this.devicesChanged);
      this.watchingDevices = false;
    }
    this.set({ preview: { status: 'off' }, send: { status: 'idle' } });
  }

  // -------------------------------------------------------------------------------------------
  // The camera

  private useStream(stream: MediaStream): void {
    const previous = this.stream;
    this.stream = stream;
    const video = stream.getVideoTracks()[0];
    const audio = stream.getAudioTracks()[0];
    if (video) {
      video.addEventListener('ended', () => {
        if (this.stream !== stream) return;
        this.stopSending();
        this.dropStream();
        this.set({ preview: { status: 'failed', message: 'Your camera stopped sending a picture (was it unplugged, or taken by another app?).' } });
      });
    }
    this.set({
      preview: { status: 'on', stream },
      cameraId: video?.getSettings().deviceId ?? this.snapshot.cameraId,
      micId: audio?.getSettings().deviceId ?? this.snapshot.micId,
    });
    if (previous !== null && previous !== stream) stopTracks(previous);
    // New devices mean a new recording: the server takes it as a new stream.
    if (this.target !== null) {
      this.stopSending();
      this.attempt = 0;
      this.connect();
    }
  }

  private dropStream(): void {
    if (this.stream !== null) stopTracks(this.stream);
    this.stream = null;
  }

  private readonly devicesChanged = (): void => {
    void this.listDevices();
  };

  private async listDevices(): Promise<void> {
    if (!this.watchingDevices) {
      navigator.mediaDevices.addEventListener('devicechange', this.devicesChanged);
      this.watchingDevices = true;
    }
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    const named = (kind: MediaDeviceKind, word: string) =>
      devices.filter((d) => d.kind === kind && d.deviceId !== '').map((d, i) => ({ id: d.deviceId, label: d.label !== '' ? d.label : `${word} ${String(i + 1)}` }));
    this.set({ cameras: named('videoinput', 'Camera'), mics: named('audioinput', 'Microphone') });
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  private connect(): void {
    const liveId = this.target;
    const stream = this.stream;
    if (liveId === null || stream === null) return;
    const mimeType = supportedMimeTypes()[this.mimeIndex];
    if (mimeType === undefined) {
      this.set({ send: { status: 'unsupported' } });
      return;
    }
    if (this.attempt === 0) this.set({ send: { status: 'connecting' } });
    const url = `${location.origin.replace(/^http/, 'ws')}/v1/lives/${encodeURIComponent(liveId)}/ingest?mime=${encodeURIComponent(mimeType)}`;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.retryLater(null);
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    let refusal: Refusal | null = null;
    let tooSlow = false;

    socket.onopen = () => {
      if (this.socket !== socket) return;
      try {
        this.recorder = this.record(socket, stream, mimeType, () => { tooSlow = true; });
      } catch {
        // This browser will not record this format after all: the next one.
        refusal = { code: 'unsupported_mime', message: 'This browser could not record that format.' };
        socket.close(CLOSE_DONE);
      }
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      const message = parseIngestMessage(event.data);
      if (message?.type === 'ingest.ready') {
        this.attempt = 0;
        this.set({ send: { status: 'sending', sinceMs: Date.now() } });
      } else if (message?.type === 'ingest.error') {
        refusal = { code: message.code, message: message.message };
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopRecorder();
      if (this.target === null) return;
      if (refusal !== null && FORMAT_CODES.has(refusal.code) && this.mimeIndex + 1 < supportedMimeTypes().length) {
        this.mimeIndex += 1;
        this.connect();
      } else if (refusal !== null && FINAL_CODES.has(refusal.code)) {
        this.set({ send: { status: 'stopped', message: refusal.message } });
      } else {
        this.retryLater(tooSlow ? 'Your connection could not keep up with the video.' : (refusal?.message ?? null));
      }
    };
  }

  private record(socket: WebSocket, stream: MediaStream, mimeType: string, onTooSlow: () => void): MediaRecorder {
    const options: MediaRecorderOptions & { videoKeyFrameIntervalDuration?: number } = {
      mimeType,
      videoBitsPerSecond: VIDEO_BITS_PER_SECOND,
      audioBitsPerSecond: AUDIO_BITS_PER_SECOND,
      videoKeyFrameIntervalDuration: KEYFRAME_EVERY_MS,
    };
    const recorder = new MediaRecorder(stream, options);
    recorder.ondataavailable = (event) => {
      if (socket.readyState !== WebSocket.OPEN || event.data.size === 0) return;
      if (socket.bufferedAmount > UNSENT_MAX_BYTES) {
        onTooSlow();
        socket.close(CLOSE_TOO_SLOW, 'too slow');
        return;
      }
      socket.send(event.data);
    };
    recorder.onerror = () => {
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(CLOSE_RECORDER_FAILED, 'recorder failed');
    };
    recorder.start(TIMESLICE_MS);
    return recorder;
  }

  private retryLater(reason: string | null): void {
    this.attempt += 1;
    const delayMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.attempt - 1, 10));
    this.set({ send: { status: 'reconnecting', attempt: this.attempt, reason } });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delayMs);
  }

  private stopSending(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    this.stopRecorder();
    if (socket !== null && (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)) socket.close(CLOSE_DONE, 'stopped');
    if (this.snapshot.send.status !== 'idle') this.set({ send: { status: 'idle' } });
  }

  private stopRecorder(): void {
    const recorder = this.recorder;
    this.recorder = null;
    if (recorder === null) return;
    recorder.ondataavailable = null;
    recorder.onerror = null;
    if (recorder.state !== 'inactive') recorder.stop();
  }

  private set(change: Partial<CameraSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of [...this.listeners]) listener();
  }
}

/** The studio's camera session, released when the studio closes (or the page goes away). */
export function useCameraSession(): CameraSession {
  const [session] = useState(() => new CameraSession());
  useEffect(() => {
    const leave = () => { session.release(); };
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      leave();
    };
  }, [session]);
  return session;
}

export function useCamera(session: CameraSession): CameraSnapshot {
  return useSyncExternalStore(session.subscribe, session.getSnapshot);
}

/**
 * The camera's preview and devices, or what to do when there is none; on air (`sending`), how the
 * video is getting to the server. `onUseObs` offers the other way to stream.
 */
export function CameraSetup({ camera, sending, onUseObs }: { camera: CameraSession; sending: boolean; onUseObs: (() => void) | null }) {
  const snap = useCamera(camera);
  const { preview } = snap;
  const id = useId();

  // Already allowed on this site: the preview comes back by itself.
  useEffect(() => {
    if (camera.getSnapshot().preview.status !== 'off') return;
    let cancelled = false;
    // Not every browser has the Permissions API, nor knows the name "camera" (the catch).
    const permissions = (navigator as Partial<Navigator>).permissions;
    permissions?.query({ name: 'camera' }).then(
      (status) => {
        if (!cancelled && status.state === 'granted' && camera.getSnapshot().preview.status === 'off') void camera.startPreview();
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [camera]);

  const useObs = onUseObs ? <button type="button" className="button ghost small" onClick={onUseObs}>Use OBS instead</button> : null;
  const tryAgain = <button type="button" className="button small" onClick={() => void camera.startPreview()}>Try again</button>;

  return (
    <div className="camera">
      {preview.status === 'on' ? (
        <div className="camera-box on">
          <CameraPreview stream={preview.stream} />
          {sending ? <SendBadge send={snap.send} /> : null}
        </div>
      ) : preview.status === 'off' || preview.status === 'starting' ? (
        <div className="camera-box">
          <CameraIcon />
          <p className="camera-box-title">{preview.status === 'starting' ? 'Waiting for your browser…' : 'Your camera is off'}</p>
          <button type="button" className="button small" onClick={() => void camera.startPreview()} disabled={preview.status === 'starting'}>
            {preview.status === 'starting' ? 'Asking…' : 'Turn on camera and microphone'}
          </button>
          <p className="muted hint">
            {preview.status === 'starting'
              ? 'If your browser asks, choose Allow.'
              : sending
                ? 'Your video goes out as soon as the camera is on.'
                : 'Your browser asks first. Nothing is sent until you go LIVE.'}
          </p>
        </div>
      ) : (
        <div className="camera-problem" role="alert">
          {preview.status === 'denied' ? (
            <>
              <p><strong>Your browser blocked the camera and microphone for Livegift.</strong></p>
              <ol>
                <li>Click the camera icon (or the padlock) at the left of the address bar.</li>
                <li>Set <em>Camera</em> and <em>Microphone</em> to <em>Allow</em>.</li>
                <li>Come back here and press Try again.</li>
              </ol>
              <p className="muted hint">On a phone: your browser’s menu → Settings → Site settings → Camera and Microphone.</p>
            </>
          ) : preview.status === 'no-device' ? (
            <p><strong>No camera was found.</strong> Connect one (or close the app that hides it) and try again — or stream with OBS.</p>
          ) : preview.status === 'busy' ? (
            <p><strong>Your camera is in use by another app</strong> (a video call?). Close it and try again.</p>
          ) : preview.status === 'unsupported' ? (
            <p><strong>This browser cannot share a camera on this page.</strong> Open Livegift over https in a current Chrome, Edge, Firefox or Safari — or stream with OBS.</p>
          ) : (
            <p><strong>The camera did not start.</strong> {preview.message}</p>
          )}
          <div className="actions">{preview.status === 'unsupported' ? null : tryAgain}{useObs}</div>
        </div>
      )}

      {preview.status === 'on' ? (
        <div className="camera-devices">
          <div>
            <label htmlFor={`${id}-camera`}>Camera</label>
            <select id={`${id}-camera`} value={snap.cameraId ?? ''} onChange={(e) => { camera.chooseDevices({ cameraId: e.target.value }); }}>
              {snap.cameras.length === 0 ? <option value="">Default camera</option> : null}
              {snap.cameras.map((d) => <option key={d.id} value={d.id}>{d.label}</option>)}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-mic`}>Microphone</label>
            <select id={`${id}-mic`} value={snap.micId ?? ''} onChange={(e) => { camera.chooseDevices({ micId: e.target.value }); }}>
              {snap.mics.length === 0 ? <option value="">{snap.micId === null ? 'No microphone' : 'Default microphone'}</option> : null}
              {snap.mics.map((d) => <option key={d.id} value={d.id}>{d.label}</option>)}
            </select>
          </div>
        </div>
      ) : null}

      {sending && preview.status === 'on' ? <SendStatus send={snap.send} onRetry={() => { camera.retrySending(); }} /> : null}
      {!sending && preview.status === 'on' ? <p className="muted hint">This is your preview. Your video goes out when you go LIVE.</p> : null}
    </div>
  );
}

function CameraPreview({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = stream;
    el.play().catch(() => undefined);
    return () => {
      el.srcObject = null;
    };
  }, [stream]);
  // Mirrored, as people expect to see themselves; the video sent is not.
  return <video ref={ref} className="camera-preview" aria-label="Your camera preview" muted playsInline autoPlay />;
}

function SendBadge({ send }: { send: SendState }) {
  const text = send.status === 'sending' ? 'LIVE' : send.status === 'connecting' ? 'Connecting…' : send.status === 'reconnecting' ? 'Reconnecting…' : send.status === 'idle' ? null : 'Not sending';
  if (text === null) return null;
  return <span className={`camera-badge ${send.status}`} aria-hidden="true">{text}</span>;
}

/** How the video is getting to the server, in words, with Try again after a refusal. */
function SendStatus({ send, onRetry }: { send: SendState; onRetry: () => void }) {
  switch (send.status) {
    case 'idle':
      return <p className="send-status" role="status">Getting ready to send…</p>;
    case 'connecting':
      return <p className="send-status" role="status"><span className="video-spinner" aria-hidden="true" />Connecting your video…</p>;
    case 'sending':
      return <p className="send-status ok" role="status"><span className="dot" aria-hidden="true" />Sending video — viewers see you in a few seconds.</p>;
    case 'reconnecting':
      return (
        <p className="send-status warn" role="status">
          <span className="video-spinner" aria-hidden="true" />
          Connection lost — reconnecting{send.attempt > 1 ? ` (try ${String(send.attempt)})` : ''}…{send.reason !== null ? ` ${send.reason}` : ''} Viewers see “Reconnecting” meanwhile.
        </p>
      );
    case 'stopped':
      return (
        <div className="send-status bad" role="alert">
          <p>Your video is not being sent: {send.message}</p>
          <button type="button" className="button small" onClick={onRetry}>Try again</button>
        </div>
      );
    case 'unsupported':
      return <p className="send-status bad" role="alert">This browser cannot record video for a LIVE. Use OBS, or a current Chrome, Edge or Firefox.</p>;
  }
}

function CameraIcon() {
  return (
    <svg width="40" height="40" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round">
      <rect x="2.5" y="6" width="13" height="12" rx="3" />
      <path d="m15.5 10.5 6-3.5v10l-6-3.5z" />
    </svg>
  );
}

/** The recording formats this browser can make, best first. */
function supportedMimeTypes(): string[] {
  if (typeof MediaRecorder === 'undefined') return [];
  return MIME_TYPES.filter((type) => MediaRecorder.isTypeSupported(type));
}

/** The camera and microphone; without a microphone, the camera alone; a vanished device: the default. */
async function openMedia(media: MediaDevices, cameraId: string | null, micId: string | null): Promise<MediaStream> {
  const video = (id: string | null): MediaTrackConstraints => ({
    ...(id !== null ? { deviceId: { exact: id } } : {}),
    width: { ideal: 1280 },
    height: { ideal: 720 },
    frameRate: { ideal: 30 },
  });
  const audio = (id: string | null): MediaTrackConstraints => ({ ...(id !== null ? { deviceId: { exact: id } } : {}), echoCancellation: true, noiseSuppression: true });
  try {
    return await media.getUserMedia({ video: video(cameraId), audio: audio(micId) });
  } catch (error) {
    const name = error instanceof DOMException ? error.name : '';
    if (name === 'OverconstrainedError' && (cameraId !== null || micId !== null)) return openMedia(media, null, null);
    if (name === 'NotFoundError') return media.getUserMedia({ video: video(cameraId) });
    throw error;
  }
}

function previewRefusal(error: unknown): PreviewState {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return { status: 'denied' };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return { status: 'no-device' };
    case 'NotReadableError':
    case 'AbortError':
      return { status: 'busy' };
    default:
      return { status: 'failed', message: error instanceof Error ? error.message : 'Try again.' };
  }
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

type IngestMessage = { readonly type: 'ingest.ready' } | { readonly type: 'ingest.error'; readonly code: string; readonly message: string };

/** The server's text messages on the ingest socket; anything else is ignored. */
function parseIngestMessage(text: string): IngestMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { type, code, message } = value as Record<string, unknown>;
  if (type === 'ingest.ready') return { type };
  if (type === 'ingest.error') {
    return { type, code: typeof code === 'string' ? code : 'error', message: typeof message === 'string' && message !== '' ? message : 'The server refused the video.' };
  }
  return null;
}
