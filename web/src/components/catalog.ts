// The gift catalog as the web app reads it: once per page, for the gift panel (with a retry the
// viewer can press) and for whatever draws room events (a combo event names its gift by id only).
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Gift } from '../../../src/protocol/gifts.js';
import { api, explain } from '../api.js';

export type CatalogState =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly message: string }
  | { readonly status: 'ready'; readonly gifts: readonly Gift[] };

/** How long to wait before reading a catalog that failed again, when nobody is there to press retry. */
const QUIET_RETRY_MS = 5_000;
/** Quiet retries, at most: after that the page draws gifts by their ids (see giftLook). */
const QUIET_RETRIES_MAX = 12;

/** The catalog, with a retry; the stage reads it too (to draw combos and tell big gifts). */
export function useGiftCatalog(): { catalog: CatalogState; retry: () => void } {
  const [catalog, setCatalog] = useState<CatalogState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let cancelled = false;
    api.catalog().then(
      (gifts) => {
        if (!cancelled) setCatalog({ status: 'ready', gifts });
      },
      (error: unknown) => {
        if (!cancelled) setCatalog({ status: 'error', message: explain(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);
  const retry = useCallback(() => {
    setCatalog({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);
  return { catalog, retry };
}

/**
 * The catalog by gift id, or null until it is loaded — for pages with no gift panel (the studio,
 * the OBS overlay), which read it again by themselves when it fails: an overlay runs for hours.
 */
export function useCatalog(): ReadonlyMap<string, Gift> | null {
  const { catalog, retry } = useGiftCatalog();
  const [retries, setRetries] = useState(0);
  useEffect(() => {
    if (catalog.status !== 'error' || retries >= QUIET_RETRIES_MAX) return;
    const timer = setTimeout(() => {
      setRetries((n) => n + 1);
      retry();
    }, QUIET_RETRY_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [catalog, retries, retry]);
  const gifts = catalog.status === 'ready' ? catalog.gifts : null;
  return useMemo(() => (gifts === null ? null : new Map(gifts.map((g) => [g.id, g]))), [gifts]);
}

/** A gift's name and art from its id: the catalog's, else made up from the id until it is loaded. */
export function giftLook(catalog: ReadonlyMap<string, Gift> | null, id: string): { readonly name: string; readonly artUrl: string } {
  const gift = catalog?.get(id);
  return gift ? { name: gift.name, artUrl: gift.artUrl } : { name: giftName(id), artUrl: `/assets/gifts/${id}.svg` };
}

/** The gift's name from its id ("finger-heart" → "Finger heart") until the catalog is loaded. */
export function giftName(id: string): string {
  return id.replace(/[-_]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}
