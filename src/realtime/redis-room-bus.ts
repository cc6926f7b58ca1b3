// The RoomBus of several nodes, on Redis. Per LIVE:
// - `<prefix>{<liveId>}:state`, a hash with the room's `epoch` and the last input `seq`;
// - `<prefix>{<liveId>}:log`, a stream of the latest inputs (entry id `<seq>-0`), trimmed to about
//   `historyMax` entries;
// - the pub/sub channel `<prefix><liveId>`, on which each input is announced as
//   `<epoch> <seq> <ts> <payload>`.
// One Lua script numbers an input, stamps it with Redis's clock, appends it to the stream and
// publishes it, atomically: the channel carries inputs in seq order, and every node that watches
// the room (the publisher included) receives the same inputs in the same order. A node that
// subscribes reads the state and the stream after its subscription is live, so it misses nothing;
// if a message is lost on the way (pub/sub keeps nothing for a node that was disconnected), the
// next one shows a gap and the missing inputs are read back from the stream. Both keys expire a
// day after the room's last input; a room that comes back after that starts a new epoch.
//
// Bounded: at most `publishInFlightMax` publishes wait for Redis (including ioredis's offline queue
// while it reconnects); past that a publish is dropped and logged.
import { Redis } from 'ioredis';
import type { RoomBus, RoomFeed, RoomInput } from '../app/ports.js';
import { newEpoch } from './in-process-room-bus.js';

export interface RedisRoomBusLog {
  warn(details: object, message: string): void;
}

export interface RedisRoomBusOptions {
  readonly url: string;
  /** Channel of a LIVE = prefix + LIVE id (default `livegift:room:`); tests use a unique one. */
  readonly channelPrefix?: string;
  readonly publishInFlightMax?: number;
  /** Inputs kept per room for nodes that open it late (default 10,000, trimmed approximately). */
  readonly historyMax?: number;
  readonly log?: RedisRoomBusLog;
}

const silent: RedisRoomBusLog = { warn: () => undefined };

/** A room's keys live a day past its last input. */
const ROOM_TTL_MS = 24 * 60 * 60 * 1000;

// KEYS: state, log. ARGV: candidate epoch, ttl ms. Creates the room's epoch if it has none.
const ENSURE_EPOCH = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
  redis.call('DEL', KEYS[2])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return epoch`;

const PUBLISH_SCRIPT = `${ENSURE_EPOCH.replace('return epoch', '')}
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local t = redis.call('TIME')
local ts = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], seq .. '-0', 'e', epoch, 't', string.format('%d', ts), 'p', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PUBLISH', ARGV[5], epoch .. ' ' .. seq .. ' ' .. string.format('%d', ts) .. ' ' .. ARGV[3])
return seq`;

const FEED_SCRIPT = `${ENSURE_EPOCH.replace('return epoch', '')}
return {epoch, redis.call('HGET', KEYS[1], 'seq'), redis.call('XRANGE', KEYS[2], '-', '+')}`;

type StreamEntry = [id: string, fields: string[]];

interface Subscription {
  readonly onInput: (input: RoomInput) => void;
  /** Null until the feed was read; messages wait in `early` meanwhile. */
  epoch: string | null;
  seq: number;
  early: RoomInput[];
  /** Messages are handled one after another (a gap is filled from the stream first). */
  chain: Promise<void>;
}

export class RedisRoomBus implements RoomBus {
  readonly scope = 'cluster';
  readonly channelPrefix: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly publishInFlightMax: number;
  private readonly historyMax: number;
  private readonly log: RedisRoomBusLog;
  private inFlight = 0;
  private dropped = 0;
  private closed = false;

  constructor(options: RedisRoomBusOptions) {
    this.channelPrefix = options.channelPrefix ?? 'livegift:room:';
    this.publishInFlightMax = options.publishInFlightMax ?? 10_000;
    this.historyMax = options.historyMax ?? 10_000;
    this.log = options.log ?? silent;
    const redisOptions = { maxRetriesPerRequest: 2, connectTimeout: 5_000 };
    this.publisher = new Redis(options.url, { ...redisOptions, connectionName: 'livegift-room-pub' });
    this.subscriber = new Redis(options.url, { ...redisOptions, connectionName: 'livegift-room-sub' });
    this.publisher.defineCommand('livegiftRoomPublish', { numberOfKeys: 2, lua: PUBLISH_SCRIPT });
    this.publisher.defineCommand('livegiftRoomFeed', { numberOfKeys: 2, lua: FEED_SCRIPT });
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error: unknown) => {
        this.log.warn({ err: error }, 'the Redis room bus connection failed');
      });
    }
    this.subscriber.on('message', (channel: string, message: string) => {
      this.onMessage(channel, message);
    });
  }

  /** Publishes were dropped because too many waited for Redis (since start). */
  get droppedPublishes(): number {
    return this.dropped;
  }

  async publish(liveId: string, payload: string): Promise<void> {
    if (this.closed) return;
    if (this.inFlight >= this.publishInFlightMax) {
      this.dropped += 1;
      this.log.warn({ liveId, inFlight: this.inFlight }, 'room bus publish dropped: too many wait for Redis');
      return;
    }
    this.inFlight += 1;
    try {
      await this.script('livegiftRoomPublish', liveId, [newEpoch(), String(ROOM_TTL_MS), payload, String(this.historyMax), this.channel(liveId)]);
    } catch (error) {
      this.dropped += 1;
      this.log.warn({ err: error, liveId }, 'room bus publish failed');
    } finally {
      this.inFlight -= 1;
    }
  }

  async subscribe(liveId: string, onInput: (input: RoomInput) => void): Promise<RoomFeed> {
    if (this.closed) throw new Error('the room bus is closed');
    const channel = this.channel(liveId);
    const subscription: Subscription = { onInput, epoch: null, seq: 0, early: [], chain: Promise.resolve() };
    this.subscriptions.set(channel, subscription);
    let answer: [string, string, StreamEntry[]];
    try {
      // Subscribed first, read second: whatever is published in between is in both, and skipped once.
      await this.subscriber.subscribe(channel);
      answer = (await this.script('livegiftRoomFeed', liveId, [newEpoch(), String(ROOM_TTL_MS)])) as [string, string, StreamEntry[]];
    } catch (error) {
      if (this.subscriptions.get(channel) === subscription) await this.unsubscribe(liveId);
      throw error;
    }
    const [epoch, seqText, entries] = answer;
    const history = entries.map(inputOf).filter((input): input is RoomInput => input !== null && input.epoch === epoch);
    const feed: RoomFeed = { epoch, seq: Number(seqText), history };
    if (this.subscriptions.get(channel) !== subscription) return feed; // replaced or unsubscribed meanwhile
    subscription.epoch = epoch;
    subscription.seq = feed.seq;
    for (const input of subscription.early) this.enqueue(liveId, subscription, input);
    subscription.early = [];
    return feed;
  }

  async unsubscribe(liveId: string): Promise<void> {
    const channel = this.channel(liveId);
    if (!this.subscriptions.delete(channel) || this.closed) return;
    try {
      await this.subscriber.unsubscribe(channel);
    } catch (error) {
      this.log.warn({ err: error, liveId }, 'room bus unsubscribe failed');
    }
  }

  /** Stops both connections (politely when they are up). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscriptions.clear();
    await Promise.all(
      [this.publisher, this.subscriber].map(async (connection) => {
        if (connection.status === 'ready') await connection.quit().catch(() => undefined);
        connection.disconnect();
      }),
    );
  }

  private onMessage(channel: string, message: string): void {
    const subscription = this.subscriptions.get(channel);
    if (!subscription) return;
    const input = parseMessage(message);
    if (input === null) {
      this.log.warn({ channel }, 'a room bus message is not one this node understands');
      return;
    }
    if (subscription.epoch === null) subscription.early.push(input);
    else this.enqueue(channel.slice(this.channelPrefix.length), subscription, input);
  }

  /** Hands an input on in order: skips what was delivered, fills a gap from the stream first. */
  private enqueue(liveId: string, subscription: Subscription, input: RoomInput): void {
    subscription.chain = subscription.chain
      .then(async () => {
        if (input.epoch === subscription.epoch && input.seq <= subscription.seq) return;
        if (input.epoch === subscription.epoch && input.seq > subscription.seq + 1) {
          for (const missed of await this.read(liveId, subscription.seq + 1, input.seq - 1)) {
            if (missed.epoch === input.epoch && missed.seq > subscription.seq) this.deliver(liveId, subscription, missed);
          }
        }
        this.deliver(liveId, subscription, input);
      })
      .catch((error: unknown) => {
        this.log.warn({ err: error, liveId }, 'room bus inputs could not be read back');
        this.deliver(liveId, subscription, input); // delivered with its gap: the room knows what that means
      });
  }

  private deliver(liveId: string, subscription: Subscription, input: RoomInput): void {
    if (this.subscriptions.get(this.channel(liveId)) !== subscription) return;
    subscription.epoch = input.epoch;
    subscription.seq = input.seq;
    try {
      subscription.onInput(input);
    } catch (error) {
      this.log.warn({ err: error, liveId }, 'a room bus message could not be handled');
    }
  }

  private async read(liveId: string, fromSeq: number, toSeq: number): Promise<RoomInput[]> {
    const entries = (await this.publisher.xrange(this.key(liveId, 'log'), `${fromSeq}-0`, `${toSeq}-0`)) as StreamEntry[];
    return entries.map(inputOf).filter((input): input is RoomInput => input !== null);
  }

  private script(name: 'livegiftRoomPublish' | 'livegiftRoomFeed', liveId: string, args: string[]): Promise<unknown> {
    const run = (this.publisher as unknown as Record<string, (...a: string[]) => Promise<unknown>>)[name];
    if (!run) throw new Error(`script ${name} is not defined`);
    return run.call(this.publisher, this.key(liveId, 'state'), this.key(liveId, 'log'), ...args);
  }

  private channel(liveId: string): string {
    return this.channelPrefix + liveId;
  }

  /** Keys with the LIVE id as hash tag: one room's keys share a Redis Cluster slot. */
  private key(liveId: string, part: 'state' | 'log'): string {
    return `${this.channelPrefix}{${liveId}}:${part}`;
  }
}

/** `<epoch> <seq> <ts> <payload>` → an input, or null. */
function parseMessage(message: string): RoomInput | null {
  const a = message.indexOf(' ');
  const b = message.indexOf(' ', a + 1);
  const c = message.indexOf(' ', b + 1);
  if (a <= 0 || b <= a || c <= b) return null;
  const seq = Number(message.slice(a + 1, b));
  const ts = Number(message.slice(b + 1, c));
  if (!Number.isSafeInteger(seq) || seq < 1 || !Number.isSafeInteger(ts)) return null;
  return { epoch: message.slice(0, a), seq, ts, payload: message.slice(c + 1) };
}

/** A stream entry (`<seq>-0`, fields e, t, p) → an input, or null. */
function inputOf([id, fields]: StreamEntry): RoomInput | null {
  const seq = Number(id.slice(0, id.indexOf('-')));
  let epoch: string | undefined;
  let ts: number | undefined;
  let payload: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    if (fields[i] === 'e') epoch = value;
    else if (fields[i] === 't') ts = Number(value);
    else if (fields[i] === 'p') payload = value;
  }
  if (!Number.isSafeInteger(seq) || seq < 1 || epoch === undefined || ts === undefined || !Number.isSafeInteger(ts) || payload === undefined) return null;
  return { epoch, seq, ts, payload };
}
