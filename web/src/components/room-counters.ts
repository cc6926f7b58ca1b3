// A room's counters as a page shows them: the viewers watching now and the top gifters, from the
// snapshot and then their updates. The viewer's LIVE page and the creator's studio both follow them.
import type { LeaderboardEntry } from '../../../src/protocol/room.js';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';

/** Calls `viewers` and `top` with each new value; returns the unsubscribe. */
export function followCounters(room: LiveRoomClient, set: { readonly viewers: (viewers: number) => void; readonly top: (top: LeaderboardEntry[]) => void }): () => void {
  const offs = [
    room.on('snapshot', (e) => {
      set.viewers(e.data.viewers);
      set.top(e.data.leaderboard.top);
    }),
    room.on('viewers.changed', (e) => { set.viewers(e.data.viewers); }),
    room.on('leaderboard.changed', (e) => { set.top(e.data.top); }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
