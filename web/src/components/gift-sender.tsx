// Sends the viewer's gifts, one tap = one send with its own client id, and keeps the coin balance
// they see honest while sends are in flight.
//
// Each tap goes over the room socket (`gift.send`, answered by `gift.ack`); the room client itself
// re-sends an unanswered tap with the SAME id after a reconnection. If no answer comes in time, the
// tap is retried over HTTP (POST /v1/gifts), again with the same id: the server's ledger keeps every
// id, so a retry answers `duplicate` and never charges twice.
//
// The balance shown is min(wallet read, lowest balance an ack reported) minus the coins of taps not
// answered yet: gifts only lower a balance, so the lowest reported one is the latest; a purchase
// resets that (the next wallet read is the truth). Once nothing is in flight, every balance on
// screen is re-read (walletChanged).
import { useSyncExternalStore } from 'react';
import type { PublicUser } from '../../../src/protocol/accounts.js';
import type { Gift, SentGift } from '../../../src/protocol/gifts.js';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';
import { newClientId } from '../../../src/sdk/livegift-client.js';
import { api, explain, LivegiftError } from '../api.js';
import { walletChanged } from './coins.js';
import { reviewWords } from './review-words.js';
import type { GiftStage } from './gift-stage.js';

export type SendOutcome =
  | { readonly ok: true; readonly sent: SentGift }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly shortfallCoins: number | null };

export interface SenderSnapshot {
  /** Coins of taps sent and not answered yet. */
  readonly pendingCoins: number;
  /** The lowest balance an answer reported since the last purchase; null when none. */
  readonly floorCoins: number | null;
}

export interface GiftSenderOptions {
  readonly liveId: string;
  readonly stage: GiftStage;
  /** The room's socket client, when the page has one. */
  readonly room: () => LiveRoomClient | null;
}

export class GiftSender {
  private snapshot: SenderSnapshot = { pendingCoins: 0, floorCoins: null };
  private inFlight = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: GiftSenderOptions) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): SenderSnapshot => this.snapshot;

  /** The balance to show, from a wallet read (undefined while loading, null when unreadable). */
  balance(walletCoins: number | null | undefined): number | null | undefined {
    if (walletCoins == null) return walletCoins;
    const known = this.snapshot.floorCoins === null ? walletCoins : Math.min(walletCoins, this.snapshot.floorCoins);
    return Math.max(0, known - this.snapshot.pendingCoins);
  }

  /**
   * Sends one tap now: it shows on the stage at once, and `done` tells how it ended.
   * `streakKey` is the id of the first tap of the combo streak this tap continues (none: a new one).
   */
  send(gift: Gift, count: number, sender: PublicUser, streakKey: string | null): { id: string; done: Promise<SendOutcome> } {
    const id = newClientId();
    const coins = gift.coins * count;
    this.options.stage.ownSent({ id, gift, count, sender, streakKey: streakKey ?? id });
    this.inFlight += 1;
    this.update({ pendingCoins: this.snapshot.pendingCoins + coins });
    const done = this.deliver(id, gift.id, count).then(
      (sent): SendOutcome => {
        this.options.stage.ownApplied(id, sent);
        const floor = this.snapshot.floorCoins;
        this.update({ floorCoins: floor === null ? sent.balanceCoins : Math.min(floor, sent.balanceCoins) });
        return { ok: true, sent };
      },
      (error: unknown): SendOutcome => {
        const outcome = refusal(error, gift, count);
        this.options.stage.ownRefused(id, outcome.message);
        return outcome;
      },
    );
    void done.finally(() => {
      this.inFlight -= 1;
      this.update({ pendingCoins: this.snapshot.pendingCoins - coins });
      if (this.inFlight === 0) walletChanged();
    });
    return { id, done };
  }

  /** Coins were bought: the next wallet read is the balance again. */
  purchased(): void {
    this.update({ floorCoins: null });
    walletChanged();
  }

  private async deliver(id: string, giftId: string, count: number): Promise<SentGift> {
    const room = this.options.room();
    if (room && room.state !== 'closed') {
      try {
        return await room.sendGift({ id, giftId, count });
      } catch (error) {
        // No answer over the socket: ask over HTTP with the same id (never a second charge).
        if (!(error instanceof LivegiftError && (error.code === 'timeout' || error.code === 'closed'))) throw error;
      }
    }
    return api.sendGift({ id, liveId: this.options.liveId, giftId, count });
  }

  private update(change: Partial<SenderSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of [...this.listeners]) listener();
  }
}

/** Re-renders on every change of the sender's pending coins or reported balance. */
export function useSenderSnapshot(sender: GiftSender): SenderSnapshot {
  return useSyncExternalStore(sender.subscribe, sender.getSnapshot);
}

/** Why a tap was refused, in words, with the coins missing when that was the reason. */
function refusal(error: unknown, gift: Gift, count: number): Extract<SendOutcome, { ok: false }> {
  const code = error instanceof LivegiftError ? error.code : 'network';
  const what = count > 1 ? `${gift.name} ×${count}` : gift.name;
  if (code === 'insufficient_coins' && error instanceof LivegiftError) {
    const shortfall = Number(error.details?.shortfallCoins ?? Number.NaN);
    const missing = Number.isFinite(shortfall) && shortfall > 0 ? shortfall : null;
    return {
      ok: false,
      code,
      shortfallCoins: missing,
      message: `${what} was not sent: you need ${missing === null ? 'more coins' : `${missing.toLocaleString('en-US')} more ${missing === 1 ? 'coin' : 'coins'}`}. Recharge to send it.`,
    };
  }
  if (code === 'live_not_on_air' || code === 'closed') return { ok: false, code, shortfallCoins: null, message: `${what} was not sent: this LIVE has ended.` };
  if (code === 'gifting_frozen' && error instanceof LivegiftError) {
    return { ok: false, code, shortfallCoins: null, message: `${what} was not sent. ${reviewWords(error.message, 'Gifting is paused until our team reviews your account.')}` };
  }
  return { ok: false, code, shortfallCoins: null, message: `${what} was not sent. ${explain(error)}` };
}
