// The RoomBus of a single node: a publish is handed to this node's own subscriber at once, in order.
// Nothing is queued (delivery is synchronous), so there is nothing to bound.
import type { RoomBus } from '../app/ports.js';

export class InProcessRoomBus implements RoomBus {
  readonly scope = 'process';
  private readonly handlers = new Map<string, (payload: string) => void>();

  constructor(private readonly onHandlerError: (error: unknown, liveId: string) => void = () => undefined) {}

  publish(liveId: string, payload: string): Promise<void> {
    const handler = this.handlers.get(liveId);
    if (handler) {
      try {
        handler(payload);
      } catch (error) {
        this.onHandlerError(error, liveId);
      }
    }
    return Promise.resolve();
  }

  subscribe(liveId: string, onMessage: (payload: string) => void): Promise<void> {
    this.handlers.set(liveId, onMessage);
    return Promise.resolve();
  }

  unsubscribe(liveId: string): Promise<void> {
    this.handlers.delete(liveId);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.handlers.clear();
    return Promise.resolve();
  }
}
