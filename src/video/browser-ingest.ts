// Going LIVE from the studio page: the browser records camera and microphone with MediaRecorder and
// sends the WebM chunks over a WebSocket, `/v1/lives/:id/ingest?mime=<the recorder's mimeType>`;
// each socket is one stream into the same HLS packager OBS streams use (src/video/video-node.ts).
//
// Why not WebRTC: our server stays the single ingest — the same HLS path, the same refusal rules, no
// STUN/TURN/SFU to run for a self-hosted server — at the cost of a second or two more delay than
// WebRTC would give the publisher's leg (viewers watch HLS either way).
//
// Only the LIVE's creator, signed in with a session (or a token with lives:write), from our own pages
// (the cross-site check every cookie-authenticated socket passes), while the LIVE is on air and the
// account may go LIVE. Without credentials, or from another site, the handshake is refused (401,
// 403); any other refusal comes over the socket — `{"type":"ingest.error","code","message"}`, then
// close — so the studio can say why. `{"type":"ingest.ready"}` once the server takes the stream.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Principal } from '../app/authenticate.js';
import type { StreamAuthorization } from '../app/stream-lifecycle.js';
import { socketCaller } from '../http/auth.js';
import type { VideoNode } from './video-node.js';

export const INGEST_PATH = /^\/v1\/lives\/([\w-]{1,64})\/ingest$/;
/** A MediaRecorder chunk at 250 ms of a few Mbit/s is well under this. */
const CHUNK_MAX_BYTES = 8 * 1024 * 1024;
const WEBM = /^video\/webm(;|$)/i;

export interface BrowserIngestServices {
  authenticate(input: { bearer?: string | undefined; sessionSecret?: string | undefined }): Promise<Principal | null>;
  getLive(input: { liveId: string }): Promise<{ readonly status: 'live' | 'ended'; readonly creatorId: string }>;
  getUser(id: string): Promise<(Parameters<BrowserIngestServices['mayStream']>[0]) | null>;
  mayStream(user: { readonly id: string; readonly birthDate: string; readonly bannedAtMs: number | null; readonly banReason: string | null; readonly liveSuspendedUntilMs: number | null; readonly liveSuspensionReason: string | null }, nowMs: number): StreamAuthorization;
  readonly clock: { nowMs(): number };
}

export class BrowserIngest {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: CHUNK_MAX_BYTES, clientTracking: true });

  constructor(
    private readonly app: FastifyInstance,
    private readonly video: VideoNode,
    private readonly services: BrowserIngestServices,
    private readonly log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void },
  ) {
    app.server.on('upgrade', this.onUpgrade);
  }

  close(): void {
    this.app.server.off('upgrade', this.onUpgrade);
    for (const ws of this.wss.clients) ws.close(1001, 'server stopping');
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const liveId = INGEST_PATH.exec(url.pathname)?.[1];
    if (liveId === undefined) return; // the room gateway's, or nobody's
    this.accept(request, socket, head, liveId, url).catch((error: unknown) => {
      this.log.warn({ err: error, liveId }, 'a studio stream could not be opened');
      refuse(socket, 500, 'Internal Server Error');
    });
  };

  private async accept(request: IncomingMessage, socket: Duplex, head: Buffer, liveId: string, url: URL): Promise<void> {
    socket.on('error', () => {
      socket.destroy();
    });
    const caller = await socketCaller(request, { publicOrigin: this.app.publicOrigin, authenticate: (input) => this.services.authenticate(input) });
    if (!caller.ok) {
      refuse(socket, caller.status, caller.text);
      return;
    }
    const principal = caller.principal;
    if (principal === null) {
      refuse(socket, 401, 'Unauthorized');
      return;
    }
    const mime = url.searchParams.get('mime') ?? '';
    // A signed-in caller from our pages is answered over the socket, with the reason in words (a
    // refused handshake reaches the page only as a drop, which it would retry).
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      void this.stream(ws, liveId, principal, mime);
    });
  }

  /** Checks who may send what (answering why not over the socket), then pipes the chunks. */
  private async stream(ws: WebSocket, liveId: string, principal: Principal, mime: string): Promise<void> {
    const refusal = await this.refusalOf(liveId, principal, mime);
    if (refusal !== null) {
      ws.send(JSON.stringify({ type: 'ingest.error', ...refusal }));
      ws.close(1008, refusal.code);
      return;
    }
    const opened = await this.video.openBrowserStream(principal.userId, { videoIsH264: /h264|avc1/i.test(mime) }, () => {
      ws.close(1008, 'cut');
    });
    if (!opened.ok) {
      const code = opened.code === 'busy' ? 'stream_busy' : 'video_unavailable';
      ws.send(JSON.stringify({ type: 'ingest.error', code, message: opened.description }));
      ws.close(1008, code);
      return;
    }
    ws.on('message', (data: RawData, isBinary) => {
      if (!isBinary) return;
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (!opened.write(chunk)) ws.close(1011, 'stream stopped');
    });
    ws.on('close', () => {
      opened.end();
    });
    ws.on('error', () => {
      opened.end();
    });
    ws.send(JSON.stringify({ type: 'ingest.ready' }));
  }

  /** Why this caller may not send this LIVE's video now, or null. */
  private async refusalOf(liveId: string, principal: Principal, mime: string): Promise<{ code: string; message: string } | null> {
    if (!principal.scopes.includes('lives:write')) return { code: 'forbidden', message: 'This token cannot go LIVE (it needs the lives:write scope).' };
    const live = await this.services.getLive({ liveId }).catch(() => null);
    if (live === null) return { code: 'not_found', message: 'No such LIVE.' };
    if (live.creatorId !== principal.userId) return { code: 'forbidden', message: 'Only the creator of this LIVE sends its video.' };
    if (live.status !== 'live') return { code: 'live_not_on_air', message: 'This LIVE has ended: start a new one.' };
    if (!WEBM.test(mime)) return { code: 'validation_failed', message: 'Send video/webm from MediaRecorder (H.264 or VP8/VP9 with Opus).' };
    const user = await this.services.getUser(principal.userId);
    if (!user) return { code: 'unauthenticated', message: 'Sign in again.' };
    const may = this.services.mayStream(user, this.services.clock.nowMs());
    return may.ok ? null : { code: 'live_suspended', message: may.description };
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
