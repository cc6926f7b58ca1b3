// Loading state for the pages: a value read from the API, loading, or an error in words; reload shows the skeleton again, a quiet reload (polling) keeps the
// current value on screen until the new one arrives.
import { useCallback, useEffect, useRef, useState } from 'react';
import { explain } from '../api.js';

export type Loaded<T> = { readonly state: 'loading' } | { readonly state: 'error'; readonly message: string } | { readonly state: 'ready'; readonly value: T };

export interface Loader<T> {
  readonly loaded: Loaded<T>;
  /** Reads again; `quiet` keeps what is shown (and keeps it on a failure) instead of the skeleton. */
  readonly reload: (options?: { quiet?: boolean }) => void;
  /** Replaces the value with one the page already has (e.g. the answer of an edit). */
  readonly set: (update: (value: T) => T) => void;
}

/** Reads `load()` now, again whenever `key` changes, and on reload(). */
export function useLoader<T>(load: () => Promise<T>, key: string): Loader<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const quiet = useRef(false);
  const latest = useRef(load);
  useEffect(() => {
    latest.current = load;
  });
  useEffect(() => {
    let cancelled = false;
    const isQuiet = quiet.current;
    quiet.current = false;
    if (!isQuiet) setLoaded({ state: 'loading' });
    latest.current().then(
      (value) => {
        if (!cancelled) setLoaded({ state: 'ready', value });
      },
      (error: unknown) => {
        if (!cancelled) setLoaded((prev) => (isQuiet && prev.state === 'ready' ? prev : { state: 'error', message: explain(error) }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [key, tick]);
  const reload = useCallback((options?: { quiet?: boolean }) => {
    quiet.current = options?.quiet === true;
    setTick((n) => n + 1);
  }, []);
  const set = useCallback((update: (value: T) => T) => {
    setLoaded((prev) => (prev.state === 'ready' ? { state: 'ready', value: update(prev.value) } : prev));
  }, []);
  return { loaded, reload, set };
}

/** A failed read, in words, with a way to try again. */
export function LoadError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div className="load-error">
      <p className="error" role="alert">{message}</p>
      <button type="button" className="button ghost small" onClick={onRetry}>Try again</button>
    </div>
  );
}

/** Grey bars where content is coming. */
export function Skeleton({ rows = 3, label }: { rows?: number; label: string }) {
  return (
    <div className="skeleton-list" aria-busy="true" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => <span key={i} className="skeleton-bar" />)}
    </div>
  );
}
