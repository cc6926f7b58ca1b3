// The RoomBus of several nodes: Redis pub/sub, one channel `<prefix><liveId>` per LIVE. Redis hands
// one channel's messages to every subscriber in publish order, so every node that has the room open
// sees the same inputs in the same order (while its subscription is up: pub/sub keeps nothing for a
// node that was disconnected). Two connections: a subscribed one may not publish.
//
// Bounded: at most `publishInFlightMax` publishes wait for Redis (including ioredis's offline queue
// while it reconnects); past that a publish is dropped and logged. Received messages are handled
// synchronously, so nothing piles up on this side.
import { Redis } from 'ioredis';
import type { RoomBus } from '../app/ports.js';

export interface RedisRoomBusLog {
  warn(details: object, message: string): void;
}

export interface RedisRoomBusOptions {
  readonly url: string;
  /** Channel of a LIVE = prefix + LIVE id (default `livegift:room:`); tests use a unique one. */
  readonly channelPrefix?: string;
  readonly publishInFlightMax?: number;
  readonly log?: RedisRoomBusLog;
}

const silent: RedisRoomBusLog = { warn: () => undefined };

export class RedisRoomBus implements RoomBus {
  readonly scope = 'cluster';
  readonly channelPrefix: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, (payload: string) => void>();
  private readonly publishInFlightMax: number;
  private readonly log: RedisRoomBusLog;
  private inFlight = 0;
  private dropped = 0;
  private closed = false;

  constructor(options: RedisRoomBusOptions) {
    this.channelPrefix = options.channelPrefix ?? 'livegift:room:';
    this.publishInFlightMax = options.publishInFlightMax ?? 10_000;
    this.log = options.log ?? silent;
    const redisOptions = { maxRetriesPerRequest: 2, connectTimeout: 5_000 };
    this.publisher = new Redis(options.url, { ...redisOptions, connectionName: 'livegift-room-pub' });
    this.subscriber = new Redis(options.url, { ...redisOptions, connectionName: 'livegift-room-sub' });
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error: unknown) => {
        this.log.warn({ err: error }, 'the Redis room bus connection failed');
      });
    }
    this.subscriber.on('message', (channel: string, payload: string) => {
      const handler = this.handlers.get(channel);
      if (!handler) return;
      try {
        handler(payload);
      } catch (error) {
        this.log.warn({ err: error, channel }, 'a room bus message could not be handled');
      }
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
      await this.publisher.publish(this.channel(liveId), payload);
    } catch (error) {
      this.dropped += 1;
      this.log.warn({ err: error, liveId }, 'room bus publish failed');
    } finally {
      this.inFlight -= 1;
    }
  }

  async subscribe(liveId: string, onMessage: (payload: string) => void): Promise<void> {
    if (this.closed) return;
    const channel = this.channel(liveId);
    this.handlers.set(channel, onMessage);
    try {
      await this.subscriber.subscribe(channel);
    } catch (error) {
      this.log.warn({ err: error, liveId }, 'room bus subscribe failed');
    }
  }

  async unsubscribe(liveId: string): Promise<void> {
    const channel = this.channel(liveId);
    if (!this.handlers.delete(channel) || this.closed) return;
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
    this.handlers.clear();
    await Promise.all(
      [this.publisher, this.subscriber].map(async (connection) => {
        if (connection.status === 'ready') await connection.quit().catch(() => undefined);
        connection.disconnect();
      }),
    );
  }

  private channel(liveId: string): string {
    return this.channelPrefix + liveId;
  }
}
