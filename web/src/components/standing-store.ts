// The signed-in creator's standing (GET /v1/me/standing), shared by every part of the page that shows
// it — the suspension notice in the Go LIVE panel, the "Your standing" panel, the summary after a
// LIVE the safety rules ended — so the page reads it once, and an appeal made in one place shows in
// all of them.
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { Standing } from '../../../src/protocol/moderation.js';
import { api, explain } from '../api.js';
import type { Loaded, Loader } from './load.js';

/** Parts that mount together within this long share one read. */
const FRESH_MS = 2_000;

interface Entry {
  /** Whose standing, and the account state it was read for (a new suspension reads it again). */
  readonly key: string;
  readonly loaded: Loaded<Standing>;
  readonly readAtMs: number;
  readonly seq: number;
}

const LOADING: Loaded<Standing> = { state: 'loading' };
let entry: Entry | null = null;
let seqs = 0;
const listeners = new Set<() => void>();

function emit(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

function read(key: string, quiet: boolean): void {
  const seq = ++seqs;
  const before = entry?.key === key ? entry.loaded : LOADING;
  entry = { key, seq, readAtMs: Date.now(), loaded: quiet && before.state === 'ready' ? before : LOADING };
  emit();
  const settle = (loaded: Loaded<Standing>) => {
    // Only the newest read lands: an older answer may say less than a newer one.
    if (entry?.seq !== seq) return;
    entry = { ...entry, loaded };
    emit();
  };
  api.myStanding().then(
    (value) => { settle({ state: 'ready', value }); },
    (error: unknown) => { settle(quiet && before.state === 'ready' ? before : { state: 'error', message: explain(error) }); },
  );
}

/**
 * The standing for `key` (the user id and their suspension as the account says it, so a suspension
 * or lift noticed elsewhere reads it again), read when the first part asking for it mounts.
 */
export function useStanding(key: string): Loader<Standing> {
  const loaded = useSyncExternalStore(subscribe, () => (entry?.key === key ? entry.loaded : LOADING));
  useEffect(() => {
    if (entry?.key === key && Date.now() - entry.readAtMs < FRESH_MS) return;
    read(key, entry?.key === key);
  }, [key]);
  const reload = useCallback((options?: { quiet?: boolean }) => { read(key, options?.quiet === true); }, [key]);
  const set = useCallback(
    (update: (value: Standing) => Standing) => {
      if (entry?.key !== key || entry.loaded.state !== 'ready') return;
      entry = { ...entry, loaded: { state: 'ready', value: update(entry.loaded.value) } };
      emit();
    },
    [key],
  );
  return { loaded, reload, set };
}

/** The key useStanding reads by, from the account. */
export function standingKey(me: { readonly id: string; readonly liveSuspension: { readonly untilMs: number | null } | null }): string {
  return `${me.id}:${me.liveSuspension === null ? 'open' : String(me.liveSuspension.untilMs)}`;
}
