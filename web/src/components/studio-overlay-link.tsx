// The OBS overlay link of a LIVE: a read-only API token (scope `overlay`: it can watch gifts and
// nothing else) in an address to paste into OBS as a browser source. The token's secret is shown
// once by the API, so this browser keeps it; a new link revokes the old one.
import { useEffect, useState } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import { api, explain } from '../api.js';
import { forgetStoredToken, readStoredToken, writeStoredToken, type StoredToken } from './studio-storage.js';

/** The overlay address for this LIVE, made on request, with Copy and "make a new one". */
export function OverlayLink({ me, liveId }: { me: Me; liveId: string }) {
  const [stored, setStored] = useState<StoredToken | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  // A token kept from before is used only while the account still lists it unrevoked.
  useEffect(() => {
    let cancelled = false;
    const kept = readStoredToken(me.id);
    if (!kept) {
      setStored(null);
      return;
    }
    api.apiTokens().then(
      (tokens) => {
        if (cancelled) return;
        const alive = tokens.some((t) => t.id === kept.id && t.revokedAtMs === null);
        if (!alive) forgetStoredToken();
        setStored(alive ? kept : null);
      },
      () => {
        if (!cancelled) setStored(kept);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [me.id]);

  const make = async (replacing: StoredToken | null) => {
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      const created = await api.createApiToken({ name: 'OBS overlay', scopes: ['overlay'] });
      const next: StoredToken = { id: created.apiToken.id, token: created.token, userId: me.id };
      writeStoredToken(next);
      setStored(next);
      // A new link retires the old one, so a link shared by mistake stops working.
      if (replacing) await api.revokeApiToken(replacing.id).catch(() => undefined);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };

  const url = stored ? `${location.origin}/overlay/${encodeURIComponent(liveId)}?token=${encodeURIComponent(stored.token)}` : null;
  const copy = () => {
    if (url === null) return;
    navigator.clipboard.writeText(url).then(
      () => { setCopied(true); },
      () => { setError('Your browser did not let us copy: select the address and copy it yourself.'); },
    );
  };

  return (
    <section className="panel" aria-labelledby="overlay-title">
      <h2 id="overlay-title">OBS overlay</h2>
      <p className="muted hint">
        Add this address to OBS as a <em>Browser source</em>: your gifts play over your video, on a transparent background. It can only
        watch gifts — it cannot chat, send or spend.
      </p>
      {stored === undefined ? (
        <div className="skeleton line" aria-busy="true" />
      ) : url === null ? (
        <button type="button" className="button" onClick={() => void make(null)} disabled={busy}>{busy ? 'Making…' : 'Make overlay link'}</button>
      ) : (
        <>
          <div className="copy-row">
            <input readOnly aria-label="Overlay address" value={url} onFocus={(e) => { e.currentTarget.select(); }} />
            <button type="button" className="button small" onClick={copy}>{copied ? 'Copied ✓' : 'Copy'}</button>
          </div>
          <button type="button" className="link-button" onClick={() => void make(stored ?? null)} disabled={busy}>Make a new link (the old one stops working)</button>
        </>
      )}
      {error !== null ? <p className="error" role="alert">{error}</p> : null}
    </section>
  );
}
