// The gift catalog editor of the admin page: every gift (retired and scheduled ones too) with its
// art, price and state; edit a gift's name, price, art, animation, availability and schedule in
// place; add a new gift. Changes take effect at once (no deploy); gifts already sent keep their price.
import { useState, type SyntheticEvent } from 'react';
import type { AdminCatalog } from '../../../src/protocol/admin.js';
import type { Gift } from '../../../src/protocol/gifts.js';
import { api, explain } from '../api.js';
import { formatCount, formatWhen } from './balance-format.js';
import { LoadError, Skeleton, useLoader } from './load.js';
import { StatusPill } from './status-pill.js';

type GiftUpdate = Parameters<typeof api.updateGift>[1];
type GiftCreate = Parameters<typeof api.createGift>[0];

function giftState(g: Gift, nowMs: number): { label: string; tone: 'ok' | 'wait' | 'bad' | 'plain' } {
  if (g.retiredAtMs !== null) return { label: 'Retired', tone: 'bad' };
  if (g.available) return { label: 'Available', tone: 'ok' };
  if (g.availableFromMs !== null && g.availableFromMs > nowMs) return { label: 'Scheduled', tone: 'wait' };
  return { label: 'Ended', tone: 'plain' };
}

/** "/assets/gifts/rose.svg" → "rose.svg". */
function fileOf(url: string | null): string {
  return url === null ? '' : url.slice(url.lastIndexOf('/') + 1);
}

/** ms → the value of a datetime-local input, in the reader's time zone. */
function toLocalInput(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(text: string): number | null {
  if (text.trim() === '') return null;
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? ms : null;
}

function field(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v.trim() : '';
}

export function CatalogEditor() {
  const catalog = useLoader(() => api.adminCatalog(), 'catalog');
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  if (catalog.loaded.state === 'loading') return <Skeleton rows={5} label="Loading the gift catalog" />;
  if (catalog.loaded.state === 'error') return <LoadError message={catalog.loaded.message} onRetry={() => { catalog.reload(); }} />;
  const { gifts, artFiles }: AdminCatalog = catalog.loaded.value;
  const nowMs = Date.now();

  const replace = (gift: Gift) => {
    catalog.set((c) => ({ ...c, gifts: c.gifts.some((g) => g.id === gift.id) ? c.gifts.map((g) => (g.id === gift.id ? gift : g)) : [...c.gifts, gift].sort((a, b) => a.sortOrder - b.sortOrder) }));
  };

  return (
    <section aria-labelledby="catalog-title">
      <div className="section-head">
        <h2 id="catalog-title">Gift catalog</h2>
        {!creating ? <button type="button" className="button small" onClick={() => { setCreating(true); setSaved(null); }}>Add a gift</button> : null}
      </div>
      <p className="muted fine-print">Prices and availability change at once for new sends. Gifts already sent keep the price they were sent at.</p>
      {saved !== null ? <p className="ok-text" role="status">{saved}</p> : null}
      {creating ? (
        <NewGiftForm
          artFiles={artFiles}
          onCancel={() => { setCreating(false); }}
          onCreated={(gift) => {
            replace(gift);
            setCreating(false);
            setSaved(`${gift.name} was added to the catalog.`);
          }}
        />
      ) : null}
      {gifts.length === 0 ? (
        <p className="empty muted">The catalog is empty. Add the first gift.</p>
      ) : (
        <ul className="rows gift-rows" aria-label="Gifts">
          {gifts.map((g) => {
            const state = giftState(g, nowMs);
            return (
              <li key={g.id} className={`row gift-row${editing === g.id ? ' open' : ''}`} aria-label={g.name}>
                <img className="gift-art" src={g.artUrl} alt="" width={48} height={48} loading="lazy" />
                <span className="row-main">
                  <strong>{g.name}</strong>
                  <span className="muted">
                    {g.id} · {g.animation === 'fullscreen' ? 'full screen' : 'sticker'}
                    {g.comboable ? ' · combo' : ''}
                    {g.availableFromMs !== null ? ` · from ${formatWhen(g.availableFromMs)}` : ''}
                    {g.availableUntilMs !== null ? ` · until ${formatWhen(g.availableUntilMs)}` : ''}
                  </span>
                </span>
                <span className="row-side">
                  <span className="coins small-coins num" role="img" aria-label={`${formatCount(g.coins)} coins`}>
                    <span className="coin-icon" aria-hidden="true" />
                    {formatCount(g.coins)}
                  </span>
                  <StatusPill tone={state.tone}>{state.label}</StatusPill>
                  {editing !== g.id ? (
                    <button type="button" className="button ghost small" aria-label={`Edit ${g.name}`} onClick={() => { setEditing(g.id); setSaved(null); }}>Edit</button>
                  ) : null}
                </span>
                {editing === g.id ? (
                  <EditGiftForm
                    gift={g}
                    artFiles={artFiles}
                    onCancel={() => { setEditing(null); }}
                    onSaved={(gift) => {
                      replace(gift);
                      setEditing(null);
                      setSaved(`${gift.name} was saved.`);
                    }}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function ArtSelect({ name, label, files, value, optional }: { name: string; label: string; files: readonly string[]; value: string; optional?: boolean }) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={value}>
        {optional === true ? <option value="">None</option> : null}
        {files.map((f) => <option key={f} value={f}>{f}</option>)}
      </select>
    </label>
  );
}

function EditGiftForm({ gift, artFiles, onSaved, onCancel }: { gift: Gift; artFiles: readonly string[]; onSaved: (g: Gift) => void; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const patch: GiftUpdate = {};
    const name = field(form, 'name');
    if (name !== gift.name) patch.name = name;
    const coins = Number(field(form, 'coins'));
    if (!Number.isInteger(coins) || coins < 1) {
      setError('The price is a whole number of coins, 1 or more.');
      return;
    }
    if (coins !== gift.coins) patch.coins = coins;
    const art = field(form, 'art');
    if (art !== fileOf(gift.artUrl)) patch.art = art;
    const scene = field(form, 'scene');
    if (scene !== fileOf(gift.sceneUrl)) patch.scene = scene === '' ? null : scene;
    const animation = field(form, 'animation') === 'fullscreen' ? 'fullscreen' : 'sticker';
    if (animation !== gift.animation) patch.animation = animation;
    const comboable = form.get('comboable') === 'on';
    if (comboable !== gift.comboable) patch.comboable = comboable;
    const retired = form.get('available') !== 'on';
    if (retired !== (gift.retiredAtMs !== null)) patch.retired = retired;
    const from = fromLocalInput(field(form, 'availableFrom'));
    if (from !== gift.availableFromMs && toLocalInput(from) !== toLocalInput(gift.availableFromMs)) patch.availableFromMs = from;
    const until = fromLocalInput(field(form, 'availableUntil'));
    if (until !== gift.availableUntilMs && toLocalInput(until) !== toLocalInput(gift.availableUntilMs)) patch.availableUntilMs = until;
    const sortOrder = Number(field(form, 'sortOrder'));
    if (Number.isInteger(sortOrder) && sortOrder !== gift.sortOrder) patch.sortOrder = sortOrder;
    if (Object.keys(patch).length === 0) {
      onCancel();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.updateGift(gift.id, patch));
    } catch (e) {
      setError(explain(e));
      setBusy(false);
    }
  }

  return (
    <form className="form gift-form" onSubmit={(e) => void save(e)} aria-label={`Edit ${gift.name}`}>
      <div className="form-grid">
        <label>Name<input name="name" defaultValue={gift.name} required maxLength={40} /></label>
        <label>Price in coins<input name="coins" type="number" inputMode="numeric" min={1} max={10_000_000} step={1} defaultValue={gift.coins} required /></label>
        <ArtSelect name="art" label="Art" files={artFiles} value={fileOf(gift.artUrl)} />
        <ArtSelect name="scene" label="Full-screen scene" files={artFiles} value={fileOf(gift.sceneUrl)} optional />
        <label>
          Animation
          <select name="animation" defaultValue={gift.animation}>
            <option value="sticker">Sticker (banner)</option>
            <option value="fullscreen">Full screen</option>
          </select>
        </label>
        <label>Order in the panel<input name="sortOrder" type="number" min={0} max={1_000_000} step={1} defaultValue={gift.sortOrder} /></label>
        <label><span>Available from <small className="muted">(optional)</small></span><input name="availableFrom" type="datetime-local" defaultValue={toLocalInput(gift.availableFromMs)} /></label>
        <label><span>Available until <small className="muted">(optional)</small></span><input name="availableUntil" type="datetime-local" defaultValue={toLocalInput(gift.availableUntilMs)} /></label>
      </div>
      <div className="checks">
        <label className="check"><input type="checkbox" name="available" defaultChecked={gift.retiredAtMs === null} /> Available to send (unchecked: retired)</label>
        <label className="check"><input type="checkbox" name="comboable" defaultChecked={gift.comboable} /> Repeated sends form a combo</label>
      </div>
      {error !== null ? <p className="error" role="alert">{error}</p> : null}
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
        <button type="button" className="button ghost" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function NewGiftForm({ artFiles, onCreated, onCancel }: { artFiles: readonly string[]; onCreated: (g: Gift) => void; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const scene = field(form, 'scene');
    const body: GiftCreate = {
      id: field(form, 'id').toLowerCase(),
      name: field(form, 'name'),
      coins: Number(field(form, 'coins')),
      art: field(form, 'art'),
      scene: scene === '' ? null : scene,
      animation: field(form, 'animation') === 'fullscreen' ? 'fullscreen' : 'sticker',
      comboable: form.get('comboable') === 'on',
      availableFromMs: fromLocalInput(field(form, 'availableFrom')),
      availableUntilMs: fromLocalInput(field(form, 'availableUntil')),
    };
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.createGift(body));
    } catch (e) {
      setError(explain(e));
      setBusy(false);
    }
  }

  return (
    <form className="form gift-form card-inset" onSubmit={(e) => void create(e)} aria-label="Add a gift">
      <h3>New gift</h3>
      <div className="form-grid">
        <label>
          Id
          <input name="id" required maxLength={40} pattern="[a-z0-9][a-z0-9\-]{0,39}" title="lower-case letters, digits and dashes" spellCheck={false} />
          <small className="muted">Lower-case letters, digits and dashes; it never changes.</small>
        </label>
        <label>Name<input name="name" required maxLength={40} /></label>
        <label>Price in coins<input name="coins" type="number" inputMode="numeric" min={1} max={10_000_000} step={1} required /></label>
        <ArtSelect name="art" label="Art" files={artFiles} value={artFiles[0] ?? ''} />
        <ArtSelect name="scene" label="Full-screen scene" files={artFiles} value="" optional />
        <label>
          Animation
          <select name="animation" defaultValue="sticker">
            <option value="sticker">Sticker (banner)</option>
            <option value="fullscreen">Full screen</option>
          </select>
        </label>
        <label><span>Available from <small className="muted">(optional)</small></span><input name="availableFrom" type="datetime-local" /></label>
        <label><span>Available until <small className="muted">(optional)</small></span><input name="availableUntil" type="datetime-local" /></label>
      </div>
      <div className="checks">
        <label className="check"><input type="checkbox" name="comboable" defaultChecked /> Repeated sends form a combo</label>
      </div>
      {error !== null ? <p className="error" role="alert">{error}</p> : null}
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>{busy ? 'Adding…' : 'Add gift'}</button>
        <button type="button" className="button ghost" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
