// A LIVE's top gifters from the ledger: what a room's leaderboard starts from when the room opens on
// a node (after a restart, or on a node that did not see the LIVE's earlier gifts), and the tally
// the LIVE summary is computed from.
import { LiveGiftTally } from '../domain/live-summary.js';
import type { LedgerStore, UserStore } from './ports.js';

/** Gift transfers read per page, and the most pages one LIVE may have. */
const PAGE = 1000;
const PAGES_MAX = 10_000;

/** Every gift transfer of a LIVE, tallied. */
export async function tallyLiveGifts(liveId: string, ledger: LedgerStore): Promise<LiveGiftTally> {
  const tally = new LiveGiftTally(liveId);
  for (let page = 0; ; page++) {
    if (page >= PAGES_MAX) throw new Error(`LIVE ${liveId} has more than ${PAGE * PAGES_MAX} gift transfers`);
    const transfers = await ledger.listByRef(`live:${liveId}`, { limit: PAGE, afterSeq: tally.afterSeq });
    tally.add(transfers);
    if (transfers.length < PAGE) return tally;
  }
}

export interface LiveLeaderboard {
  /** The ledger seq of the last gift transfer counted (null: none yet); later gifts are not in `top`. */
  readonly throughSeq: bigint | null;
  readonly top: readonly { readonly user: { readonly id: string; readonly handle: string; readonly displayName: string }; readonly coins: bigint }[];
}

export async function liveLeaderboard(input: { liveId: string; limit: number }, deps: { ledger: LedgerStore; users: UserStore }): Promise<LiveLeaderboard> {
  const tally = await tallyLiveGifts(input.liveId, deps.ledger);
  const top: { user: { id: string; handle: string; displayName: string }; coins: bigint }[] = [];
  for (const g of tally.top(input.limit)) {
    const user = await deps.users.findById(g.userId);
    if (user) top.push({ user: { id: user.id, handle: user.handle, displayName: user.displayName }, coins: g.coins });
  }
  return { throughSeq: tally.afterSeq ?? null, top };
}
