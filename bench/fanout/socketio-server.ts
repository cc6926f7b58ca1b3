// The baseline under test: a Socket.IO 4.8 room that shows gifts the way our rooms do, minus the
// ledger. Socket.IO at its fastest: WebSocket transport only, no per-message deflate, no HTTP
// compression, the default in-memory adapter, and the same `ws` 8 server our rooms use
// (`wsEngine`), so the difference measured is the framework, not the WebSocket library.
//
// What it does per gift, to emit the same frames as our rooms (docs/BENCHMARKS.md, "Fan-out"):
// validates `gift.send` with the same schema, answers with an ack shaped like ours, shows a send worth
// ≥ the big-gift coins at once as `gift.sent` (P0), folds smaller ones into `combo.updated` per
// (sender, gift) with the same 3-second combo window, flushed at most every 100 ms (P1), and sends
// `viewers.changed` (≤ 1 Hz) and a top-10 `leaderboard.changed` (≤ 2 Hz). It keeps no ledger, no
// presence rows, no resume buffer of its own and sends no snapshot: a reconnecting client gets what
// Socket.IO gives it (nothing, or the missed packets with connectionStateRecovery).
// Usage: node --expose-gc --import tsx bench/fanout/socketio-server.ts <big gift coins> [recovery]
import { createServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { WebSocketServer } from 'ws';
import { COMBO_WINDOW_MS } from '../../src/domain/gifts.js';
import { DEFAULT_GIFTS } from '../../src/domain/default-catalog.js';
import type { PublicUser } from '../../src/protocol/accounts.js';
import { GiftSendMessage, type ComboUpdatedData, type GiftAckData, type LeaderboardEntry, type RoomEventMap, type RoomGift } from '../../src/protocol/room.js';
import { reportStartFailure, serveBenchChannel } from './server-channel.js';

const ROOM = 'live';
const COMBO_FLUSH_MS = 100;
const VIEWERS_EVERY_MS = 1_000;
const LEADERBOARD_EVERY_MS = 500;
const LEADERBOARD_SIZE = 10;
/** Bounds, as our room log has them: gifters remembered and combos running at once. */
const GIFTERS_MAX = 10_000;
const COMBOS_MAX = 1_000;

/** The events this room sends: the same names and `data` as src/protocol/room.ts, without `type` in the body. */
type Shown = 'gift.sent' | 'combo.updated' | 'viewers.changed' | 'leaderboard.changed';
type ServerToClient = { [K in Shown]: (envelope: { seq: number; ts: number; data: RoomEventMap[K] }) => void };
interface ClientToServer {
  'gift.send': (data: unknown, ack?: (answer: GiftAckData) => void) => void;
}
interface SocketData {
  sender: PublicUser | null;
}
type RoomSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;

const CATALOG = new Map<string, RoomGift>(
  DEFAULT_GIFTS.map((g) => [g.id, { id: g.id, name: g.name, coins: Number(g.coins), artUrl: `/assets/gifts/${g.art}`, animation: g.animation }]),
);

interface Combo {
  data: ComboUpdatedData;
  lastAtMs: number;
  dirty: boolean;
}

/** One LIVE's display state, folded like src/realtime/room-log.ts folds it (no resume buffer). */
class SocketIoRoom {
  private seq = 0;
  private viewers = 0;
  private viewersSent = 0;
  private viewersSentAtMs = 0;
  private readonly gifters = new Map<string, LeaderboardEntry>();
  private leaderboardDirty = false;
  private leaderboardSentAtMs = 0;
  private leaderboardVersion = 0;
  /** Running combos by (sender, gift), and what is shown of them by combo id. */
  private readonly running = new Map<string, { comboId: string; count: number; lastAtMs: number }>();
  private readonly combos = new Map<string, Combo>();

  constructor(private readonly io: Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>, private readonly bigGiftMinCoins: number) {}

  join(socket: RoomSocket): void {
    void socket.join(ROOM);
    this.viewers += 1;
    socket.on('disconnect', () => {
      this.viewers -= 1;
    });
    socket.on('gift.send', (raw, ack) => {
      const answer = this.send(socket, raw);
      if (typeof ack === 'function') ack(answer);
    });
  }

  private send(socket: RoomSocket, raw: unknown): GiftAckData {
    const parsed = GiftSendMessage.shape.data.safeParse(raw);
    const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : '';
    if (!parsed.success) return { id, error: { code: 'validation_failed', message: 'That message is not one this room understands.' } };
    const sender = socket.data.sender;
    if (sender === null) return { id, error: { code: 'unauthenticated', message: 'Sign in to send gifts.' } };
    const gift = CATALOG.get(parsed.data.giftId);
    if (gift === undefined) return { id, error: { code: 'gift_unavailable', message: `The gift ${parsed.data.giftId} is not available.` } };
    const { count } = parsed.data;
    const nowMs = Date.now();
    const coins = gift.coins * count;
    const key = `${sender.id}|${gift.id}`;
    const previous = this.running.get(key);
    const combo = gift.coins < this.bigGiftMinCoins && previous !== undefined && nowMs - previous.lastAtMs <= COMBO_WINDOW_MS
      ? { comboId: previous.comboId, count: previous.count + count, lastAtMs: nowMs }
      : { comboId: id, count, lastAtMs: nowMs };
    this.running.delete(key);
    this.running.set(key, combo);
    if (this.running.size > COMBOS_MAX * 10) this.running.delete(this.running.keys().next().value ?? '');
    this.addToLeaderboard(sender, coins);
    if (coins >= this.bigGiftMinCoins) {
      this.seq += 1;
      this.io.to(ROOM).emit('gift.sent', { seq: this.seq, ts: nowMs, data: { sender, gift, count, comboId: combo.comboId, comboCount: combo.count, coins, transferId: id } });
    } else {
      const shown = this.combos.get(combo.comboId);
      if (shown) {
        shown.data = { ...shown.data, comboCount: Math.max(shown.data.comboCount, combo.count), coins: shown.data.coins + coins };
        shown.lastAtMs = nowMs;
        shown.dirty = true;
      } else {
        if (this.combos.size >= COMBOS_MAX) this.finish(this.combos.keys().next().value ?? '', nowMs);
        this.combos.set(combo.comboId, { data: { comboId: combo.comboId, sender, giftId: gift.id, comboCount: combo.count, coins, final: false }, lastAtMs: nowMs, dirty: true });
      }
    }
    return {
      id,
      result: { status: 'applied', transferId: id, liveId: ROOM, giftId: gift.id, count, coins, balanceCoins: 0, diamonds: coins, comboId: combo.comboId, comboCount: combo.count, atMs: nowMs },
    };
  }

  /** Every 100 ms: combo updates, finished combos, and the counters when due. */
  tick(): void {
    const nowMs = Date.now();
    for (const [comboId, combo] of [...this.combos]) {
      if (nowMs - combo.lastAtMs > COMBO_WINDOW_MS) this.finish(comboId, nowMs);
      else if (combo.dirty) {
        combo.dirty = false;
        this.seq += 1;
        this.io.to(ROOM).emit('combo.updated', { seq: this.seq, ts: nowMs, data: combo.data });
      }
    }
    if (this.viewers !== this.viewersSent && nowMs - this.viewersSentAtMs >= VIEWERS_EVERY_MS) {
      this.viewersSent = this.viewers;
      this.viewersSentAtMs = nowMs;
      this.io.to(ROOM).emit('viewers.changed', { seq: this.seq, ts: nowMs, data: { viewers: this.viewers } });
    }
    if (this.leaderboardDirty && nowMs - this.leaderboardSentAtMs >= LEADERBOARD_EVERY_MS) {
      this.leaderboardDirty = false;
      this.leaderboardSentAtMs = nowMs;
      this.leaderboardVersion += 1;
      const top = [...this.gifters.values()].sort((a, b) => b.coins - a.coins || a.user.id.localeCompare(b.user.id)).slice(0, LEADERBOARD_SIZE);
      this.io.to(ROOM).emit('leaderboard.changed', { seq: this.seq, ts: nowMs, data: { version: this.leaderboardVersion, top } });
    }
  }

  private finish(comboId: string, nowMs: number): void {
    const combo = this.combos.get(comboId);
    if (!combo) return;
    this.combos.delete(comboId);
    this.seq += 1;
    this.io.to(ROOM).emit('combo.updated', { seq: this.seq, ts: nowMs, data: { ...combo.data, final: true } });
  }

  private addToLeaderboard(sender: PublicUser, coins: number): void {
    const entry = this.gifters.get(sender.id);
    if (entry === undefined && this.gifters.size >= GIFTERS_MAX) return;
    this.gifters.set(sender.id, { user: sender, coins: (entry?.coins ?? 0) + coins });
    this.leaderboardDirty = true;
  }
}

async function main(): Promise<void> {
  const [bigGiftMinCoins, mode] = process.argv.slice(2);
  if (bigGiftMinCoins === undefined) throw new Error('usage: socketio-server.ts <big gift coins> [recovery]');
  const http = createServer();
  const io = new Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>(http, {
    transports: ['websocket'],
    perMessageDeflate: false,
    httpCompression: false,
    serveClient: false,
    wsEngine: WebSocketServer,
    ...(mode === 'recovery' ? { connectionStateRecovery: { maxDisconnectionDuration: 120_000, skipMiddlewares: true } } : {}),
  });
  const room = new SocketIoRoom(io, Number(bigGiftMinCoins));
  io.on('connection', (socket) => {
    const auth = socket.handshake.auth as { user?: unknown };
    socket.data.sender = typeof auth.user === 'string' ? { id: auth.user, handle: auth.user, displayName: auth.user.toUpperCase() } : null;
    room.join(socket);
  });
  const timer = setInterval(() => {
    room.tick();
  }, COMBO_FLUSH_MS);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('the server is not listening on a TCP port');
  serveBenchChannel(address.port, async () => {
    clearInterval(timer);
    await io.close();
  });
}

main().catch(reportStartFailure);
