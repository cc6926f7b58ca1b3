// The LIVE rooms over WebSocket: `GET /v1/lives/:id/ws?since=<epoch>:<seq>` upgrades to a socket
// that first receives a snapshot (or exactly the events it missed), then every room event.
//
// Who may do what: a session cookie, `Authorization: Bearer lgp_…` or `?token=` (browsers and OBS
// cannot set headers) authenticates like HTTP does; anonymous viewers watch read-only; a token
// without the `gifts:send` scope (an OBS overlay token) is read-only, sees gifts only and is not
// counted as a viewer. Sending a gift over the socket calls the same use case as POST /v1/gifts.
// Chat (`chat.send`) is for signed-in users (tokens need the `read` scope), 1–200 characters and
// under the `chat:user` rate limit; gift sends under `gift.send:user`, one budget with HTTP (both
// counted by the RateLimiter, across nodes when it is Redis's: src/domain/rate-limits.ts); likes
// (`like.send`) for anyone but overlays; thank-yous (`thanks.send`) for the LIVE's creator only,
// stored by the receiving node when they go to a gifter (one record per gifter per LIVE). Each is answered by an `ack` (or an `error` event
// when the frame itself is bad).
//
// Delivery: each room event is serialized and framed once; the same frame is queued on every socket
// it is for, and each socket's frames of one event-loop turn leave in one write (socket-outbox.ts). A
// socket whose unsent backlog passes the high-water mark skips chat and counters (P2, P3), and chat
// past a socket's budget (20 lines/s) is sampled out for that socket; past the hard cap it is
// closed with 4008 and its resume point, so one slow phone never holds the room's memory hostage.
//
// Several nodes: an applied gift, a chat line, likes, a thank-you or a LIVE end is not recorded where
// it happens but published on the RoomBus as a room *input*; the bus numbers it, and every node with
// the room open (the publisher included) records it into its own RoomLog in bus order. Combos flush
// on `tick` inputs, which any node publishes while its room has combos to show, so the rooms of all
// nodes hold the same events under the same epoch and seqs: a client may resume on any node. A
// node subscribes when it opens a room (and replays the inputs the bus still keeps) and
// unsubscribes when it drops it, 2 minutes after the last socket left (see docs/ARCHITECTURE.md,
// "LIVE rooms").
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { z } from 'zod';
import type { Principal } from '../app/authenticate.js';
import type { LiveViewerInput } from '../app/join-live.js';
import type { PresenceChange } from '../app/record-presence.js';
import type { LiveEnd, RoomBus, RoomEvents, RoomInput } from '../app/ports.js';
import type { SentGift } from '../app/send-gift.js';
import type { Services } from '../app/services.js';
import type { LiveSummary } from '../domain/live-summary.js';
import { socketCaller } from '../http/auth.js';
import { toHttpError } from '../http/errors.js';
import { presentGift, presentLiveSummary, presentLiveVideo, presentSentGift } from '../http/present.js';
import { LiveEndedBy, LiveSummary as LiveSummaryData } from '../protocol/lives.js';
import { LiveVideo, type LiveVideo as LiveVideoData } from '../protocol/video.js';
import type { LiveVideoRecord } from '../domain/video.js';
import { detectGiftBaiting } from '../domain/gift-baiting.js';
import { roomText } from '../domain/thanks.js';
import { PERMANENT_MS } from '../domain/users.js';
import type { PublicUser } from '../protocol/accounts.js';
import { ChatMessageData, ClientMessage, CoachWarningData, type CoachLadderData, GiftSentData, ResumePoint, ThanksSentData, type RoomErrorData, type RoomEvent, type RoomEventMap, type RoomEventType } from '../protocol/room.js';
import { InProcessRoomBus } from './in-process-room-bus.js';
import { INGEST_PATH } from '../video/browser-ingest.js';
import { PING_FRAME, SocketOutbox, textFrame, type OutboxTarget } from './socket-outbox.js';
import { rateLimitedError, takeEach, type RateLimiter } from '../app/rate-limiter.js';
import { DEFAULT_RATE_RULES } from '../domain/rate-limits.js';
import { MemoryRateLimiter } from '../platform/memory-rate-limiter.js';
import { ChatBudget, RoomLog, type InputPoint, type RoomOutput, type RoomPriority } from './room-log.js';

const PATH = /^\/v1\/lives\/([\w-]{1,64})\/ws$/;

/** A room input on the RoomBus: node-to-node, validated on receipt like anything from the network. */
/** Gifters a room's leaderboard starts from (the board shows the top 10; the rest may climb). */
const LEADERBOARD_SEED_MAX = 100;

const BusMessage = z.discriminatedUnion('kind', [
  // ledgerSeq: the seq of the gift's coin transfer, so a leaderboard seeded from the ledger counts it once.
  z.object({ kind: z.literal('gift'), gift: GiftSentData, ledgerSeq: z.number().int().nonnegative().nullable().default(null) }),
  // endedBy/reason: absent from inputs published before they existed (an older node on the bus).
  z.object({ kind: z.literal('ended'), summary: LiveSummaryData, endedBy: LiveEndedBy.nullable().default(null), reason: z.string().max(500).nullable().default(null) }),
  // coach: the creator's line promised something for gifts; every node tells the creator's sockets.
  z.object({ kind: z.literal('chat'), chat: ChatMessageData, coach: CoachWarningData.nullable().default(null) }),
  z.object({ kind: z.literal('likes'), count: z.number().int().min(1).max(50) }),
  z.object({ kind: z.literal('thanks'), thanks: ThanksSentData, coach: CoachWarningData.nullable().default(null) }),
  // Time to show the combos that have new sends, and to close the idle ones (see RoomLog.recordTick).
  z.object({ kind: z.literal('tick') }),
  // The picture changed (the ingest node saw the stream arrive, stop or come back).
  z.object({ kind: z.literal('video'), video: LiveVideo }),
]);
type BusMessage = z.infer<typeof BusMessage>;

export interface RoomGatewayOptions {
  readonly services: Services;
  readonly log: FastifyBaseLogger;
  /** Carries room inputs between nodes; an in-process bus (this node only) when absent. */
  readonly bus?: RoomBus;
  /** Counts chat lines and gift sends (on the node's clock, like HTTP); this node's own when absent. */
  readonly rateLimiter?: RateLimiter;
  /** Sends worth at least this many coins are shown one by one (P0). */
  readonly bigGiftMinCoins: number;
  /** Wall-clock time of the delivery rates and the resume buffer (default Date.now). */
  readonly nowMs?: () => number;
  readonly heartbeatMs?: number;
  readonly messageMaxBytes?: number;
  readonly highWaterBytes?: number;
  readonly hardCapBytes?: number;
  readonly roomsMax?: number;
  readonly socketsMax?: number;
  /** How long an empty room (and its resume buffer) is kept, default 2 minutes. */
  readonly roomIdleMs?: number;
}

interface Client extends OutboxTarget {
  readonly liveId: string;
  readonly principal: Principal | null;
  /** Presence key, or null when this socket is not counted as a viewer (overlays). */
  readonly viewer: LiveViewerInput | null;
  readonly giftsOnly: boolean;
  /** The signed-in user is the LIVE's creator. */
  readonly isCreator: boolean;
  /** How much chat this socket may still be given (P2 sampling). */
  readonly chatBudget: ChatBudget;
  /** Who this socket speaks as, once looked up. */
  user: PublicUser | null;
  /** Like messages in the current second, and when that second started. */
  likesInWindow: number;
  likesWindowAtMs: number;
  lastSeq: number;
  alive: boolean;
  sendsInFlight: number;
  cut: boolean;
}

interface Room {
  /** Replaced only when the bus starts a new epoch for the room (it forgot the old one). */
  log: RoomLog;
  readonly clients: Set<Client>;
  emptySinceMs: number;
  /** When this node last published a tick for the room (its clock). */
  tickAtMs: number;
  /** What a socket opening needs of the LIVE, read once when the room opened on this node. */
  /** The LIVE as read when the room opened here (its picture then; the bus keeps the room's current). */
  live: { readonly title: string; readonly creatorId: string; readonly video?: LiveVideoData } | null;
  /** Sockets opened and closed since the last presence batch left, in order. */
  presence: PresenceChange[];
  /** A presence batch is being written. */
  presenceBusy: boolean;
}

/** A room whose subscription is being set up: inputs that arrive meanwhile wait here. */
interface Opening {
  readonly ready: Promise<Room>;
  readonly early: RoomInput[];
}

/** Gift sends one socket may have waiting for the ledger at once. */
const SENDS_IN_FLIGHT_MAX = 16;
const FLUSH_EVERY_MS = 100;
/** How often this node publishes a tick while a room has combos to show (combos flush ≤ 10 Hz). */
const TICK_EVERY_MS = 100;
/**
 * Presence is written at most this often per room: the SQL runs on the event loop, so a burst of
 * 10,000 joins written one by one would be 10,000 upserts, counts and peak updates (each a commit).
 * The count viewers see moves at most once a second anyway (viewers.changed).
 */
const PRESENCE_EVERY_MS = 250;
/** Presence changes written in one call (a few multi-row statements). */
const PRESENCE_BATCH = 2_000;
/** Like messages one socket may send per second. */
const LIKE_MESSAGES_PER_S = 10;
/** How long a socket cut for being too slow may take to read its close frame. */
const CUT_GRACE_MS = 5_000;

export class RoomGateway implements RoomEvents {
  private readonly wss: WebSocketServer;
  private readonly rooms = new Map<string, Room>();
  private readonly outbox = new SocketOutbox();
  private readonly opening = new Map<string, Opening>();
  private sockets = 0;
  private closing = false;
  private readonly nowMs: () => number;
  private readonly bus: RoomBus;
  private readonly limits: Required<Omit<RoomGatewayOptions, 'services' | 'log' | 'nowMs' | 'bus' | 'rateLimiter'>>;
  private readonly rateLimiter: RateLimiter;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.upgrade(request, socket, head).catch((error: unknown) => {
      this.options.log.error({ err: error }, 'a room socket could not be opened');
      refuse(socket, 500, 'Internal Server Error');
    });
  };

  /** Users' ban status as chat last read it (see banned()). */
  private readonly standings = new Map<string, { banned: boolean; atMs: number }>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly options: RoomGatewayOptions,
  ) {
    this.nowMs = options.nowMs ?? Date.now;
    this.rateLimiter = options.rateLimiter ?? new MemoryRateLimiter(DEFAULT_RATE_RULES);
    this.limits = {
      bigGiftMinCoins: options.bigGiftMinCoins,
      heartbeatMs: options.heartbeatMs ?? 20_000,
      messageMaxBytes: options.messageMaxBytes ?? 16 * 1024,
      highWaterBytes: options.highWaterBytes ?? 256 * 1024,
      hardCapBytes: options.hardCapBytes ?? 1024 * 1024,
      roomsMax: options.roomsMax ?? 10_000,
      socketsMax: options.socketsMax ?? 100_000,
      roomIdleMs: options.roomIdleMs ?? 120_000,
    };
    this.bus =
      options.bus ??
      new InProcessRoomBus({
        nowMs: this.nowMs,
        historyMs: this.limits.roomIdleMs,
        onHandlerError: (error, liveId) => {
          options.log.error({ err: error, liveId }, 'a room input could not be applied');
        },
      });
    // Frames up to 4× the message limit are read and answered with an error event; anything larger
    // is cut by ws itself (close 1009) before it is buffered.
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: this.limits.messageMaxBytes * 4, clientTracking: false });
    app.server.on('upgrade', this.onUpgrade);
    this.flushTimer = setInterval(() => {
      this.tick();
    }, FLUSH_EVERY_MS);
    this.flushTimer.unref();
    this.heartbeatTimer = setInterval(() => {
      this.heartbeat();
    }, this.limits.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  /** Announces an applied gift to its room on every node that watches it. Never rejects. */
  async giftSent(sent: SentGift): Promise<void> {
    try {
      if (!this.mayBeWatched(sent.liveId)) return;
      const [sender, gift] = await Promise.all([this.options.services.getUser(sent.senderId), this.options.services.getGift(sent.giftId)]);
      if (!sender || !gift) return;
      const shown = presentGift(gift, this.nowMs());
      await this.publish(sent.liveId, {
        kind: 'gift',
        gift: {
          sender: { id: sender.id, handle: sender.handle, displayName: sender.displayName },
          gift: { id: shown.id, name: shown.name, coins: shown.coins, artUrl: shown.artUrl, animation: shown.animation },
          count: sent.count,
          comboId: sent.comboId,
          comboCount: sent.comboCount,
          coins: Number(sent.coins),
          transferId: sent.transferId,
        },
        ledgerSeq: Number(sent.seq),
      });
    } catch (error) {
      this.options.log.error({ err: error, transferId: sent.transferId }, 'a gift could not be announced to its room');
    }
  }

  /** Announces the LIVE's new picture on every node. Never rejects. */
  async videoChanged(liveId: string, video: LiveVideoRecord): Promise<void> {
    try {
      if (!this.mayBeWatched(liveId)) return;
      await this.publish(liveId, { kind: 'video', video: presentLiveVideo(liveId, 'live', video) });
    } catch (error) {
      this.options.log.error({ err: error, liveId }, 'a LIVE’s picture could not be announced to its room');
    }
  }

  /** Announces the end of a LIVE with its summary on every node. Never rejects; only the first call is sent. */
  async liveEnded(liveId: string, summary: LiveSummary, end: LiveEnd): Promise<void> {
    try {
      if (!this.mayBeWatched(liveId)) return;
      await this.publish(liveId, { kind: 'ended', summary: presentLiveSummary(summary), endedBy: end.endedBy, reason: end.reason });
    } catch (error) {
      this.options.log.error({ err: error, liveId }, 'the end of a LIVE could not be announced to its room');
    }
  }

  /** With a process-wide bus only this node's rooms can hear it; with a cluster bus any node's may. */
  private mayBeWatched(liveId: string): boolean {
    return this.bus.scope === 'cluster' || this.rooms.has(liveId) || this.opening.has(liveId);
  }

  private publish(liveId: string, message: BusMessage): Promise<void> {
    return this.bus.publish(liveId, JSON.stringify(message));
  }

  /** A room input from the bus (this node's own publishes included), applied in bus order. */
  private onInput(liveId: string, input: RoomInput): void {
    const room = this.rooms.get(liveId);
    if (!room) {
      this.opening.get(liveId)?.early.push(input);
      return;
    }
    if (input.epoch !== room.log.epoch) this.restart(liveId, room, input);
    this.apply(liveId, room, input);
  }

  /** Records one input into the room's log and sends what it caused. */
  private apply(liveId: string, room: Room, input: RoomInput): void {
    let parsed: ReturnType<typeof BusMessage.safeParse>;
    try {
      parsed = BusMessage.safeParse(JSON.parse(input.payload));
    } catch {
      this.options.log.warn({ liveId }, 'a room bus message is not JSON');
      return;
    }
    if (!parsed.success) {
      this.options.log.warn({ liveId, issues: parsed.error.issues.slice(0, 3) }, 'a room bus message is not one this node understands');
      return;
    }
    const message = parsed.data;
    const at: InputPoint = { seq: input.seq, ts: input.ts };
    switch (message.kind) {
      case 'gift':
        this.broadcast(room, room.log.recordGift(message.gift, at, message.ledgerSeq));
        break;
      case 'ended':
        this.broadcast(room, room.log.endLive(message.summary, at, { endedBy: message.endedBy, reason: message.reason }));
        break;
      case 'chat':
        this.broadcast(room, room.log.recordChat(message.chat, at));
        if (message.coach) this.coach(room, message.coach, input.ts);
        break;
      case 'likes':
        this.broadcast(room, room.log.recordLikes(message.count, at));
        break;
      case 'thanks':
        this.broadcast(room, room.log.recordThanks(message.thanks, at));
        if (message.coach) this.coach(room, message.coach, input.ts);
        break;
      case 'tick':
        this.broadcast(room, room.log.recordTick(at));
        break;
      case 'video':
        this.broadcast(room, room.log.recordVideo(message.video, at));
        break;
    }
    // Counters due now ride with this input's events: a sweep of a big room costs one write per
    // socket whatever it carries, so a leaderboard that waited for the next timer would cost another.
    if (room.log.pending) this.broadcast(room, room.log.flush(this.nowMs()));
  }

  /** A private coach.warning to every socket of the LIVE's creator in this room (P0: never dropped). */
  private coach(room: Room, data: CoachWarningData, ts: number): void {
    const event: RoomEvent = { type: 'coach.warning', seq: room.log.seq, ts, data };
    const frame = frameOf(event);
    for (const client of room.clients) if (client.isCreator && !client.giftsOnly) this.deliver(room, client, frame, event, 'P0');
  }

  /**
   * The bus forgot the room and numbers it afresh (a new epoch): the room starts over from this
   * input, its leaderboard from the ledger, and every socket gets a snapshot to start from.
   */
  private restart(liveId: string, room: Room, input: RoomInput): void {
    this.options.log.warn({ liveId, from: room.log.epoch, to: input.epoch }, 'the room bus started a new epoch for a room');
    room.log = this.newLog(input.epoch, input.seq - 1);
    this.seedLeaderboard(liveId, room);
    const snapshot = room.log.snapshot(this.nowMs());
    for (const client of room.clients) this.deliver(room, client, null, snapshot, 'P0');
  }

  private newLog(epoch: string, afterInput: number): RoomLog {
    return new RoomLog({ epoch, afterInput, bigGiftMinCoins: this.limits.bigGiftMinCoins, bufferMs: this.limits.roomIdleMs });
  }

  /**
   * The room of a LIVE on this node, opened if needed: subscribed on the bus, with the inputs the
   * bus still keeps replayed, so it holds the same events as on every other node. Rejects when the
   * bus cannot be reached (the socket is refused and its client retries).
   */
  private roomFor(liveId: string): Promise<Room> {
    const room = this.rooms.get(liveId);
    if (room) return Promise.resolve(room);
    const pending = this.opening.get(liveId);
    if (pending) return pending.ready;
    const early: RoomInput[] = [];
    const ready = this.bus
      .subscribe(liveId, (input) => {
        this.onInput(liveId, input);
      })
      .then(
        (feed) => {
          this.opening.delete(liveId);
          const first = feed.history[0]?.seq ?? feed.seq + 1;
          const opened: Room = { log: this.newLog(feed.epoch, first - 1), clients: new Set(), emptySinceMs: this.nowMs(), tickAtMs: Number.NEGATIVE_INFINITY, live: null, presence: [], presenceBusy: false };
          this.rooms.set(liveId, opened);
          // Nobody watches yet: replaying sends nothing, it rebuilds the room's events and state.
          for (const input of [...feed.history, ...early]) {
            if (input.epoch !== opened.log.epoch) this.restart(liveId, opened, input);
            this.apply(liveId, opened, input);
          }
          this.seedLeaderboard(liveId, opened);
          return opened;
        },
        (error: unknown) => {
          this.opening.delete(liveId);
          throw error;
        },
      );
    this.opening.set(liveId, { ready, early });
    return ready;
  }

  private unsubscribe(liveId: string): void {
    this.bus.unsubscribe(liveId).catch((error: unknown) => {
      this.options.log.warn({ err: error, liveId }, 'could not unsubscribe from a room');
    });
  }

  /** Closes every socket with 1001 (going away) and stops the timers; presence is written first. */
  async close(): Promise<void> {
    this.closing = true;
    this.app.server.off('upgrade', this.onUpgrade);
    clearInterval(this.flushTimer);
    clearInterval(this.heartbeatTimer);
    const clients = [...this.rooms.values()].flatMap((r) => [...r.clients]);
    // Presence is written per room in batches, like while the rooms run.
    for (const [liveId, room] of this.rooms) {
      const leaves: PresenceChange[] = [...room.presence, ...[...room.clients].flatMap((c) => (c.viewer ? [{ viewer: c.viewer, action: 'leave' as const }] : []))];
      room.presence = [];
      for (let i = 0; i < leaves.length; i += PRESENCE_BATCH) {
        await this.options.services.recordPresence({ liveId, changes: leaves.slice(i, i + PRESENCE_BATCH) }).catch((error: unknown) => {
          this.options.log.warn({ err: error, liveId }, 'room presence could not be recorded at shutdown');
        });
      }
    }
    const closed = clients.map((c) => new Promise<void>((resolve) => {
      if (c.ws.readyState === WebSocket.CLOSED) resolve();
      else c.ws.once('close', () => { resolve(); });
      this.outbox.flush(c);
      c.ws.close(1001, 'server shutting down');
    }));
    const grace = setTimeout(() => {
      for (const c of clients) c.ws.terminate();
    }, 1000);
    try {
      await Promise.all(closed);
    } finally {
      clearTimeout(grace);
    }
    await Promise.allSettled([...this.rooms.keys()].map((liveId) => this.bus.unsubscribe(liveId)));
    this.rooms.clear();
    await new Promise<void>((resolve) => {
      this.wss.close(() => {
        resolve();
      });
    });
  }

  /** Read through a call: the flag changes while an upgrade awaits authentication. */
  private isClosing(): boolean {
    return this.closing;
  }

  private async liveToOpen(liveId: string): Promise<{ title: string; creatorId: string; video: LiveVideoData } | 'missing' | 'ended'> {
    const live = await this.options.services.getLive({ liveId }).catch(() => null);
    if (!live) return 'missing';
    if (live.status !== 'live') return 'ended';
    return { title: live.title, creatorId: live.creator.id, video: presentLiveVideo(live.id, live.status, live.video) };
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {
      socket.destroy();
    });
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = PATH.exec(url.pathname);
    const liveId = match?.[1];
    if (liveId === undefined) {
      // The studio camera's stream is the video ingest's (src/video/browser-ingest.ts).
      if (INGEST_PATH.test(url.pathname)) return;
      refuse(socket, 404, 'Not Found');
      return;
    }
    if (this.closing) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }

    // A socket riding on the session cookie can send gifts: like an unsafe HTTP request, it must come
    // from our own pages (browsers send Origin on every WebSocket handshake).
    const caller = await socketCaller(request, { publicOrigin: this.app.publicOrigin, queryToken: url.searchParams.get('token'), authenticate: (input) => this.options.services.authenticate(input) });
    if (!caller.ok) {
      refuse(socket, caller.status, caller.text);
      return;
    }
    const principal = caller.principal;

    // A room open on this node and not ended knows its LIVE: a burst of joins reads it once.
    const known = this.rooms.get(liveId);
    const live = known?.live && !known.log.ended ? known.live : await this.liveToOpen(liveId);
    if (live === 'missing') {
      refuse(socket, 404, 'Not Found');
      return;
    }
    if (live === 'ended') {
      refuse(socket, 409, 'Conflict');
      return;
    }
    if (this.sockets >= this.limits.socketsMax || (!this.rooms.has(liveId) && this.rooms.size >= this.limits.roomsMax)) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    let room: Room;
    try {
      room = await this.roomFor(liveId);
    } catch (error) {
      this.options.log.warn({ err: error, liveId }, 'a room could not be opened on the bus');
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    if (this.isClosing() || socket.destroyed) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    if (room.live === null) {
      room.live = live;
      // A room new on this node starts from the picture the database has; the bus keeps it current.
      if (live.video) room.log.setVideo(live.video);
    }

    const since = ResumePoint.safeParse(url.searchParams.get('since') ?? '');
    const anonymousKey = url.searchParams.get('viewerKey');
    const giftsOnly = principal !== null && principal.via === 'token' && !principal.scopes.includes('read') && principal.scopes.includes('overlay');
    const isCreator = principal !== null && principal.userId === live.creatorId;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const viewer: LiveViewerInput | null = giftsOnly
        ? null
        : { liveId, userId: principal?.userId ?? null, anonymousKey: principal ? null : anonymousKey !== null && /^[\w-]{8,64}$/.test(anonymousKey) ? anonymousKey : crypto.randomUUID() };
      const nowMs = this.nowMs();
      this.open(
        room,
        live.title,
        { ws, liveId, principal, viewer, giftsOnly, isCreator, chatBudget: new ChatBudget(nowMs), user: null, likesInWindow: 0, likesWindowAtMs: nowMs, lastSeq: 0, alive: true, sendsInFlight: 0, cut: false, out: [], outBytes: 0, queued: false },
        since.success ? since.data : null,
      );
    });
  }

  /** Registers a socket and sends its first message(s), in the same tick, so it misses nothing. */
  private open(opened: Room, title: string, client: Client, since: ResumePoint | null): void {
    const nowMs = this.nowMs();
    // The room may have been dropped while this socket was upgraded: open it again (its feed replays).
    const room = this.rooms.get(client.liveId) === opened ? opened : null;
    if (!room) {
      client.ws.close(1012, 'room restarted; reconnect');
      return;
    }
    const missed = since ? room.log.since(since.epoch, since.seq, nowMs) : null;
    if (missed) for (const event of missed) this.deliver(room, client, frameOf(event), event, 'P1');
    else {
      const snapshot = room.log.snapshot(nowMs);
      this.deliver(room, client, null, snapshot, 'P0');
    }
    client.lastSeq = room.log.seq;
    // The creator's studio is told at once when the LIVE's title itself baits for gifts.
    const baiting = client.isCreator && !client.giftsOnly ? coachingFor('title', title) : null;
    if (baiting) {
      this.deliver(room, client, null, { type: 'coach.warning', seq: room.log.seq, ts: nowMs, data: baiting }, 'P0');
      // Struck once per LIVE however many sockets or nodes open it (the strike is keyed by the LIVE).
      this.recordStrike(room, client, baiting, title, null).catch((error: unknown) => {
        this.options.log.warn({ err: error, liveId: client.liveId }, 'a strike for a baiting title could not be recorded');
      });
    }
    room.clients.add(client);
    this.sockets += 1;
    const joined = room;

    client.ws.on('pong', () => {
      client.alive = true;
    });
    client.ws.on('error', (error) => {
      this.options.log.debug({ err: error, liveId: client.liveId }, 'room socket error');
    });
    client.ws.on('message', (data, isBinary) => {
      this.onMessage(joined, client, data, isBinary);
    });
    client.ws.on('close', () => {
      joined.clients.delete(client);
      this.sockets -= 1;
      if (joined.clients.size === 0) joined.emptySinceMs = this.nowMs();
      if (client.viewer && !this.closing) this.presence(joined, client.viewer, 'leave');
    });
    if (client.viewer) this.presence(room, client.viewer, 'join');
  }

  /**
   * A room that opens on this node starts its leaderboard from the ledger: the LIVE may have had
   * gifts before (on another node, or before a restart). The first snapshot may come before it;
   * the seeded board follows as a leaderboard.changed.
   */
  private seedLeaderboard(liveId: string, room: Room): void {
    // Called from a promise so that even a synchronous failure only leaves the board unseeded.
    Promise.resolve({ liveId, limit: LEADERBOARD_SEED_MAX }).then((input) => this.options.services.liveLeaderboard(input)).then(
      (board) => {
        if (this.rooms.get(liveId) !== room) return;
        room.log.seedLeaderboard(
          board.top.map((e) => ({ user: e.user, coins: Number(e.coins) })),
          board.throughSeq === null ? null : Number(board.throughSeq),
        );
      },
      (error: unknown) => {
        room.log.abandonLeaderboardSeed();
        this.options.log.warn({ err: error, liveId }, 'the room leaderboard could not be read from the ledger');
      },
    );
  }

  /**
   * Counts a socket in or out of the LIVE's viewers. Changes wait while a batch is written and then
   * leave together (record-presence.ts): a burst of joins costs a few writes and one count.
   */
  private presence(room: Room, viewer: LiveViewerInput, action: 'join' | 'leave'): void {
    room.presence.push({ viewer, action });
    if (!room.presenceBusy) {
      room.presenceBusy = true;
      this.nextPresence(room, viewer.liveId);
    }
  }

  private nextPresence(room: Room, liveId: string): void {
    setTimeout(() => {
      this.writePresence(room, liveId);
    }, PRESENCE_EVERY_MS).unref();
  }

  private writePresence(room: Room, liveId: string): void {
    const changes = room.presence.splice(0, PRESENCE_BATCH);
    if (changes.length === 0 || this.closing) {
      room.presenceBusy = false;
      return;
    }
    const run = this.options.services.recordPresence({ liveId, changes });
    this.applyPresence(room, liveId, 'presence', run);
    void run
      .catch(() => undefined)
      .then(() => {
        if (room.presence.length > 0) this.nextPresence(room, liveId);
        else room.presenceBusy = false;
      });
  }

  private applyPresence(room: Room, liveId: string, action: string, run: Promise<{ viewers: number }>): void {
    run.then(
      (presence) => {
        room.log.setViewers(presence.viewers);
      },
      (error: unknown) => {
        this.options.log.warn({ err: error, liveId, action }, 'room presence could not be recorded');
      },
    );
  }

  private onMessage(room: Room, client: Client, data: RawData, isBinary: boolean): void {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (bytes.length > this.limits.messageMaxBytes) {
      this.sendError(room, client, { code: 'payload_too_large', message: `A message is at most ${this.limits.messageMaxBytes} bytes.` });
      return;
    }
    if (isBinary) {
      this.sendError(room, client, { code: 'validation_failed', message: 'Send JSON text frames.' });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      this.sendError(room, client, { code: 'malformed', message: 'That frame is not JSON.' });
      return;
    }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) {
      this.sendError(room, client, { code: 'validation_failed', message: 'That message is not one this room understands.', details: { issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) } });
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'gift.send':
        this.sendGift(room, client, message.data);
        break;
      case 'chat.send':
        this.chat(room, client, message.data);
        break;
      case 'like.send':
        this.like(room, client, message.data);
        break;
      case 'thanks.send':
        this.thank(room, client, message.data);
        break;
    }
  }

  /** Answers a chat, like or thanks message: `ok`, or the error. */
  private ack(room: Room, client: Client, id: string, error?: RoomErrorData): void {
    this.deliver(room, client, null, { type: 'ack', seq: room.log.seq, ts: this.nowMs(), data: error ? { id, error } : { id, ok: true } }, 'P0');
  }

  /**
   * Publishes a room input for a client's message and acks once the bus took it; `published` then
   * runs on this node only, and its failure never changes the ack.
   */
  private publishFor(room: Room, client: Client, id: string, message: () => Promise<BusMessage | RoomErrorData>, published?: () => Promise<unknown>): void {
    message()
      .then(async (made) => {
        if ('code' in made) {
          this.ack(room, client, id, made);
          return;
        }
        await this.publish(client.liveId, made);
        this.ack(room, client, id);
        published?.().catch((error: unknown) => {
          this.options.log.warn({ err: error, liveId: client.liveId }, 'what follows a published room message failed');
        });
      })
      .catch((error: unknown) => {
        this.options.log.error({ err: error, liveId: client.liveId }, 'a room message could not be published');
        this.ack(room, client, id, { code: 'internal', message: 'Something went wrong; try again.' });
      });
  }

  /**
   * Records a strike against the creator for words the coaching found baiting (src/app/record-strike.ts):
   * the title (`messageId` null) once per LIVE, a chat line or thank-you once per message.
   */
  private async recordStrike(room: Room, client: Client, coach: CoachWarningData, text: string, messageId: string | null): Promise<void> {
    const creatorId = client.principal?.userId;
    if (creatorId === undefined) return;
    const common = { liveId: client.liveId, creatorId, text, finding: { kind: coach.kind, excerpt: coach.excerpt } };
    const { ladder } = await this.options.services.recordStrike(
      coach.source === 'title' || messageId === null ? { ...common, source: 'title' } : { ...common, source: coach.source, messageId },
    );
    // The creator's sockets on this node learn the rung at once: a countdown to show, or the
    // suspension (the LIVE's end reaches everyone as live.ended). A studio on another node reads it
    // from GET /v1/me/standing. A repeat strike changed nothing and says nothing.
    if (ladder) {
      const { standing, suspension } = ladder;
      const untilMs = suspension === null ? null : suspension.untilMs >= PERMANENT_MS ? null : suspension.untilMs;
      const data: CoachLadderData = { ...standing, suspension: suspension === null ? null : { untilMs, reason: suspension.reason } };
      const event: RoomEvent<'coach.ladder'> = { type: 'coach.ladder', seq: room.log.seq, ts: this.nowMs(), data };
      for (const other of room.clients) if (other.isCreator && !other.giftsOnly && other.principal?.userId === creatorId) this.deliver(room, other, null, event, 'P0');
      if (!room.clients.has(client)) this.deliver(room, client, null, event, 'P0');
    }
  }

  /**
   * Whether the user is banned, read at most every STANDING_TTL_MS per user (chat is limited to a
   * few lines a user anyway), so a ban reaches sockets opened before it within seconds.
   */
  private async banned(userId: string): Promise<boolean> {
    const nowMs = this.options.services.clock.nowMs();
    const known = this.standings.get(userId);
    if (known !== undefined && nowMs - known.atMs < STANDING_TTL_MS) return known.banned;
    const user = await this.options.services.getUser(userId);
    if (this.standings.size >= STANDINGS_MAX) this.standings.clear();
    const banned = user === null || user.bannedAtMs !== null;
    this.standings.set(userId, { banned, atMs: nowMs });
    return banned;
  }

  /** Who a socket speaks as (looked up once). */
  private async userOf(client: Client, userId: string): Promise<PublicUser | null> {
    if (client.user) return client.user;
    const user = await this.options.services.getUser(userId);
    if (!user) return null;
    client.user = { id: user.id, handle: user.handle, displayName: user.displayName };
    return client.user;
  }

  private chat(room: Room, client: Client, message: { id: string; text: string }): void {
    const principal = client.principal;
    if (principal === null) {
      this.ack(room, client, message.id, { code: 'unauthenticated', message: 'Sign in to chat.' });
      return;
    }
    if (client.giftsOnly || !principal.scopes.includes('read')) {
      this.ack(room, client, message.id, { code: 'forbidden', message: 'This token lacks the "read" scope.', details: { scope: 'read' } });
      return;
    }
    const text = roomText(message.text);
    if (text === null) {
      this.ack(room, client, message.id, { code: 'validation_failed', message: 'A chat message is 1 to 200 characters.' });
      return;
    }
    // A baiting line of the creator is struck by this node only, the one whose socket received it.
    const coach = client.isCreator ? coachingFor('chat', text) : null;
    this.publishFor(
      room,
      client,
      message.id,
      async () => {
        // Counted per user on the node's clock, every room and node together (a refused line is not published).
        const refused = await takeEach(this.rateLimiter, [{ name: 'chat:user', key: principal.userId }], this.options.services.clock.nowMs());
        if (refused) return rateLimitedError(this.rateLimiter.rules, refused);
        // A socket opened before its user was banned stays open, but its lines stop at once.
        if (await this.banned(principal.userId)) return { code: 'account_suspended', message: 'This account is suspended.' };
        const sender = await this.userOf(client, principal.userId);
        if (!sender) return { code: 'unauthenticated', message: 'Sign in to chat.' };
        return { kind: 'chat', chat: { sender, text, isCreator: client.isCreator }, coach };
      },
      coach ? () => this.recordStrike(room, client, coach, text, message.id) : undefined,
    );
  }

  private like(room: Room, client: Client, message: { id: string; count: number }): void {
    if (client.giftsOnly) {
      this.ack(room, client, message.id, { code: 'forbidden', message: 'An overlay token only watches.' });
      return;
    }
    const nowMs = this.nowMs();
    if (nowMs - client.likesWindowAtMs >= 1000) {
      client.likesWindowAtMs = nowMs;
      client.likesInWindow = 0;
    }
    if (client.likesInWindow >= LIKE_MESSAGES_PER_S) {
      this.ack(room, client, message.id, { code: 'rate_limited', message: 'Too many likes at once.', details: { retryAfterMs: Math.max(1, client.likesWindowAtMs + 1000 - nowMs) } });
      return;
    }
    client.likesInWindow += 1;
    this.publishFor(room, client, message.id, () => Promise.resolve({ kind: 'likes', count: message.count }));
  }

  private thank(room: Room, client: Client, message: { id: string; toUserId: string; phrase: string } | { id: string; toUserId: string; text: string }): void {
    const principal = client.principal;
    if (principal === null) {
      this.ack(room, client, message.id, { code: 'unauthenticated', message: 'Sign in to thank.' });
      return;
    }
    if (!client.isCreator || client.giftsOnly) {
      this.ack(room, client, message.id, { code: 'forbidden', message: 'Only the creator of this LIVE sends thank-yous.' });
      return;
    }
    // As over HTTP (POST /v1/lives/:id/thanks): a token needs the lives:write scope; a session has every scope.
    if (!principal.scopes.includes('lives:write')) {
      this.ack(room, client, message.id, { code: 'forbidden', message: 'This token cannot send thank-yous (it needs the lives:write scope).' });
      return;
    }
    const phrase = 'phrase' in message ? message.phrase : null;
    const text = 'phrase' in message ? message.phrase : roomText(message.text);
    if (text === null) {
      this.ack(room, client, message.id, { code: 'validation_failed', message: 'A thank-you is 1 to 200 characters.' });
      return;
    }
    // Once the room has it, the thank-you is stored (a gifter's first stands), and a baiting one struck,
    // by this node only, the one whose socket received it: the nodes that apply the bus input do not.
    const coach = coachingFor('thanks', text);
    this.publishFor(
      room,
      client,
      message.id,
      async () => {
        const [from, to] = await Promise.all([this.userOf(client, principal.userId), this.options.services.getUser(message.toUserId)]);
        if (!from) return { code: 'unauthenticated', message: 'Sign in to thank.' };
        if (!to) return { code: 'not_found', message: 'No such user.' };
        return { kind: 'thanks', thanks: { from, to: { id: to.id, handle: to.handle, displayName: to.displayName }, text }, coach };
      },
      () =>
        Promise.all([
          this.options.services.recordRoomThanks({ liveId: client.liveId, creatorId: principal.userId, toUserId: message.toUserId, text, phrase }),
          coach ? this.recordStrike(room, client, coach, text, message.id) : null,
        ]),
    );
  }

  private sendGift(room: Room, client: Client, message: { id: string; giftId: string; count: number }): void {
    const ack = (data: RoomEventMap['gift.ack']): void => {
      this.deliver(room, client, null, { type: 'gift.ack', seq: room.log.seq, ts: this.nowMs(), data }, 'P0');
    };
    if (client.principal === null) {
      ack({ id: message.id, error: { code: 'unauthenticated', message: 'Sign in to send gifts.' } });
      return;
    }
    if (!client.principal.scopes.includes('gifts:send')) {
      ack({ id: message.id, error: { code: 'forbidden', message: 'This token lacks the "gifts:send" scope.', details: { scope: 'gifts:send' } } });
      return;
    }
    if (client.sendsInFlight >= SENDS_IN_FLIGHT_MAX) {
      ack({ id: message.id, error: { code: 'rate_limited', message: 'Wait for your earlier gifts to be answered.' } });
      return;
    }
    client.sendsInFlight += 1;
    const senderId = client.principal.userId;
    // The same `gift.send:user` count as POST /v1/gifts, on the same clock: one budget per user.
    takeEach(this.rateLimiter, [{ name: 'gift.send:user', key: senderId }], this.options.services.clock.nowMs())
      .then(async (refused): Promise<RoomEventMap['gift.ack']> => {
        if (refused) return { id: message.id, error: rateLimitedError(this.rateLimiter.rules, refused) };
        const sent = await this.options.services.sendGift({ id: message.id, senderId, liveId: client.liveId, giftId: message.giftId, count: message.count });
        return { id: message.id, result: presentSentGift(sent) };
      })
      .then(
        (answer) => {
          ack(answer);
        },
        (error: unknown) => {
          const known = toHttpError(error);
          if (!known) this.options.log.error({ err: error, liveId: client.liveId }, 'a gift sent over a room socket failed');
          ack({ id: message.id, error: known?.body.error ?? { code: 'internal', message: 'Something went wrong; try again.' } });
        },
      )
      .finally(() => {
        client.sendsInFlight -= 1;
      });
  }

  private sendError(room: Room, client: Client, error: RoomErrorData): void {
    this.deliver(room, client, null, { type: 'error', seq: room.log.seq, ts: this.nowMs(), data: error }, 'P0');
  }

  /** Queues each event, framed once, on every socket of the room. */
  private broadcast(room: Room, outputs: readonly RoomOutput[]): void {
    for (const { event, priority } of outputs) {
      const frame = frameOf(event);
      for (const client of room.clients) this.deliver(room, client, frame, event, priority);
    }
  }

  private deliver(room: Room, client: Client, frame: Buffer | null, event: RoomEvent, priority: RoomPriority): void {
    const ws = client.ws;
    if (client.cut || ws.readyState !== WebSocket.OPEN) return;
    if (client.giftsOnly && !GIFT_EVENTS.has(event.type)) return;
    const backlog = ws.bufferedAmount + client.outBytes;
    if (backlog > this.limits.hardCapBytes) {
      client.cut = true;
      this.outbox.flush(client);
      ws.close(4008, `too slow; resume from ${room.log.epoch}:${client.lastSeq}`);
      // The close frame waits behind the backlog; a client that never reads it is dropped anyway.
      setTimeout(() => {
        ws.terminate();
      }, CUT_GRACE_MS).unref();
      return;
    }
    if ((priority === 'P3' || priority === 'P2') && backlog > this.limits.highWaterBytes) return;
    if (priority === 'P2' && !client.chatBudget.take(this.nowMs())) return;
    this.outbox.push(client, frame ?? frameOf(event));
    if ((priority === 'P0' || priority === 'P1') && event.seq > client.lastSeq) client.lastSeq = event.seq;
  }

  private tick(): void {
    const nowMs = this.nowMs();
    for (const [liveId, room] of this.rooms) {
      if (room.log.pending) this.broadcast(room, room.log.flush(nowMs));
      if (nowMs - room.tickAtMs >= TICK_EVERY_MS && room.log.tickDue(nowMs)) {
        room.tickAtMs = nowMs;
        this.publish(liveId, { kind: 'tick' }).catch((error: unknown) => {
          this.options.log.warn({ err: error, liveId }, 'a room tick could not be published');
        });
      }
      if (room.clients.size === 0 && nowMs - room.emptySinceMs > this.limits.roomIdleMs) {
        this.rooms.delete(liveId);
        this.unsubscribe(liveId);
      }
    }
  }

  private heartbeat(): void {
    for (const [liveId, room] of this.rooms) {
      const viewers: LiveViewerInput[] = [];
      for (const client of room.clients) {
        if (!client.alive) {
          client.ws.terminate();
          continue;
        }
        client.alive = false;
        // The ping goes in the socket's queue: it rides with whatever the sweep writes anyway.
        this.outbox.push(client, PING_FRAME);
        if (client.viewer) viewers.push(client.viewer);
      }
      // One call per room, not one per socket: a single count of the LIVE's viewers per heartbeat.
      if (viewers.length > 0 && !room.log.ended) {
        this.applyPresence(room, liveId, 'heartbeat', this.options.services.recordLiveHeartbeats({ liveId, viewers }));
      }
    }
  }
}

/** How long a user's ban status is trusted before chat reads it again, and how many are kept. */
const STANDING_TTL_MS = 10_000;
const STANDINGS_MAX = 10_000;

const GIFT_EVENTS: ReadonlySet<RoomEventType> = new Set<RoomEventType>(['snapshot', 'gift.sent', 'combo.updated', 'live.ended', 'error', 'gift.ack', 'ack']);

/** The private coaching for a creator's title or line that baits for gifts, or null. */
function coachingFor(source: CoachWarningData['source'], text: string): CoachWarningData | null {
  const finding = detectGiftBaiting(text);
  return finding ? { source, kind: finding.kind, excerpt: finding.excerpt.slice(0, 2_000), why: finding.why, suggestions: [...finding.suggestions] } : null;
}

/** The event as a whole WebSocket frame, built once and written as is to every socket it is for. */
function frameOf(event: RoomEvent): Buffer {
  return textFrame(JSON.stringify(event));
}

/** Answers an upgrade request with a plain HTTP error and closes the connection. */
function refuse(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
