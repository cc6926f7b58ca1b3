// Running combos on this node: the last send of each (viewer, LIVE, gift). Bounded: entries older
// than the combo window are swept, and the map never holds more than `max` entries.
import { COMBO_WINDOW_MS, nextCombo, type ComboState } from '../domain/gifts.js';

export class ComboTracker {
  private readonly combos = new Map<string, ComboState>();

  constructor(private readonly max = 100_000) {}

  /** Joins or starts the combo for this send; call only for combo-able gifts. */
  join(key: string, sendId: string, count: number, nowMs: number): ComboState {
    const next = nextCombo(this.combos.get(key), sendId, count, nowMs);
    this.combos.delete(key); // re-insert: the Map keeps insertion order, oldest first
    this.combos.set(key, next);
    if (this.combos.size > this.max) this.sweep(nowMs);
    return next;
  }

  /** Undoes a join whose send was refused, if no later send joined the same combo since. */
  undo(key: string, joined: ComboState, count: number): void {
    const current = this.combos.get(key);
    if (current !== joined) return;
    if (current.count <= count) this.combos.delete(key);
    else this.combos.set(key, { ...current, count: current.count - count });
  }

  private sweep(nowMs: number): void {
    for (const [key, state] of this.combos) {
      if (this.combos.size <= this.max && nowMs - state.lastAtMs <= COMBO_WINDOW_MS) break;
      this.combos.delete(key);
    }
  }
}
