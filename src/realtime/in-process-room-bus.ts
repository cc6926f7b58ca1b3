// The RoomBus of a single node: a publish is numbered, kept and handed to this node's own subscriber
// at once, in order (delivery is synchronous, so nothing waits in a queue). Each room keeps its
// latest inputs (at most `historyMax`, none older than `historyMs`), so a room that this node drops
// and opens again within that time continues its numbering and resume points stay good. A room
// with no subscriber and nothing kept is forgotten.
import type { RoomBus, RoomFeed, RoomInput } from '../app/ports.js';

export interface InProcessRoomBusOptions {
  /** The bus's clock (default Date.now). */
  readonly nowMs?: () => number;
  readonly historyMax?: number;
  readonly historyMs?: number;
  readonly onHandlerError?: (error: unknown, liveId: string) => void;
}

interface Channel {
  readonly epoch: string;
  seq: number;
  /** Kept inputs, oldest first; `first` indexes the oldest still kept (compacted now and then). */
  history: RoomInput[];
  first: number;
  handler: ((input: RoomInput) => void) | null;
}

export class InProcessRoomBus implements RoomBus {
  readonly scope = 'process';
  private readonly channels = new Map<string, Channel>();
  private readonly nowMs: () => number;
  private readonly historyMax: number;
  private readonly historyMs: number;
  private readonly onHandlerError: (error: unknown, liveId: string) => void;

  constructor(options: InProcessRoomBusOptions = {}) {
    this.nowMs = options.nowMs ?? Date.now;
    this.historyMax = options.historyMax ?? 10_000;
    this.historyMs = options.historyMs ?? 120_000;
    this.onHandlerError = options.onHandlerError ?? (() => undefined);
  }

  publish(liveId: string, payload: string): Promise<void> {
    const channel = this.channel(liveId);
    channel.seq += 1;
    const input: RoomInput = { epoch: channel.epoch, seq: channel.seq, ts: this.nowMs(), payload };
    channel.history.push(input);
    this.prune(channel, input.ts);
    if (channel.handler) {
      try {
        channel.handler(input);
      } catch (error) {
        this.onHandlerError(error, liveId);
      }
    }
    return Promise.resolve();
  }

  subscribe(liveId: string, onInput: (input: RoomInput) => void): Promise<RoomFeed> {
    const channel = this.channel(liveId);
    channel.handler = onInput;
    this.prune(channel, this.nowMs());
    return Promise.resolve({ epoch: channel.epoch, seq: channel.seq, history: channel.history.slice(channel.first) });
  }

  unsubscribe(liveId: string): Promise<void> {
    const channel = this.channels.get(liveId);
    if (channel) channel.handler = null;
    this.forgetIdle();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.channels.clear();
    return Promise.resolve();
  }

  private channel(liveId: string): Channel {
    let channel = this.channels.get(liveId);
    if (!channel) {
      channel = { epoch: newEpoch(), seq: 0, history: [], first: 0, handler: null };
      this.channels.set(liveId, channel);
    }
    return channel;
  }

  private prune(channel: Channel, nowMs: number): void {
    const { history } = channel;
    while (channel.first < history.length) {
      const oldest = history[channel.first];
      if (oldest === undefined || (history.length - channel.first <= this.historyMax && nowMs - oldest.ts <= this.historyMs)) break;
      channel.first += 1;
    }
    // Compact once the dropped part is as large as what is kept: amortized O(1) per publish.
    if (channel.first > 0 && channel.first >= history.length - channel.first) {
      channel.history = history.slice(channel.first);
      channel.first = 0;
    }
  }

  /** Rooms nobody subscribes to whose inputs have all aged out are forgotten (their epoch too). */
  private forgetIdle(): void {
    const nowMs = this.nowMs();
    for (const [liveId, channel] of this.channels) {
      if (channel.handler) continue;
      this.prune(channel, nowMs);
      if (channel.first >= channel.history.length) this.channels.delete(liveId);
    }
  }
}

/** A new room incarnation: time-ordered, unique enough, without ':' (it is written in resume points). */
export function newEpoch(): string {
  return `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}
