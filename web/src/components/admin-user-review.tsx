// An admin's review of one user: what is under review (gifting paused, diamonds on hold: since when
// and why), and the actions — resume the gifting a chargeback paused, hold the creator's diamonds
// (with a reason the creator reads), release them. Each answer replaces the user on the list, and
// says what changed or why it could not.
import { useState, type SyntheticEvent } from 'react';
import type { AdminUser } from '../../../src/protocol/admin.js';
import { api, explain } from '../api.js';
import { formatWhen } from './balance-format.js';
import { StatusPill } from './status-pill.js';

/** The longest reason the server keeps. */
const REASON_MAX = 300;

/** A badge per review, followed by since when and why. */
export function UserReviewNotes({ user }: { user: AdminUser }) {
  const { giftingFrozen, payoutsHeld } = user;
  if (giftingFrozen === null && payoutsHeld === null) return null;
  return (
    <span className="review-notes">
      {giftingFrozen !== null ? (
        <span className="review-note"><StatusPill tone="bad">Gifting paused</StatusPill> since {formatWhen(giftingFrozen.sinceMs)}: {giftingFrozen.reason}</span>
      ) : null}
      {payoutsHeld !== null ? (
        <span className="review-note"><StatusPill tone="wait">Diamonds on hold</StatusPill> since {formatWhen(payoutsHeld.sinceMs)}: {payoutsHeld.reason}</span>
      ) : null}
    </span>
  );
}

/**
 * Resume gifting and release the diamonds (when under review), and the form that asks why before
 * holding them (`holding`: opened by the row's Hold diamonds button).
 */
export function UserReviewActions({ user, onChanged, holding, onHolding }: { user: AdminUser; onChanged: (u: AdminUser) => void; holding: boolean; onHolding: (open: boolean) => void }) {
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);

  async function update(body: Parameters<typeof api.reviewUser>[1], done: string): Promise<boolean> {
    setBusy(true);
    setNote(null);
    try {
      onChanged(await api.reviewUser(user.id, body));
      setNote({ ok: true, text: done });
      return true;
    } catch (e) {
      setNote({ ok: false, text: explain(e) });
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function hold(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get('reason');
    const reason = typeof value === 'string' ? value.trim() : '';
    if (reason === '') {
      setNote({ ok: false, text: 'Say why: the creator reads the reason.' });
      return;
    }
    if (await update({ payoutsHeld: true, reason }, `Diamonds of @${user.handle} are on hold.`)) onHolding(false);
  }

  return (
    <>
      <span className="row-actions">
        {user.giftingFrozen !== null ? (
          <button type="button" className="button small" disabled={busy} onClick={() => void update({ giftingFrozen: false }, `Gifting resumed for @${user.handle}.`)}>
            Resume gifting
          </button>
        ) : null}
        {user.payoutsHeld !== null ? (
          <button type="button" className="button small" disabled={busy} onClick={() => void update({ payoutsHeld: false }, `Diamonds of @${user.handle} released.`)}>
            Release diamonds
          </button>
        ) : null}
      </span>
      {holding ? (
        <form className="form sub-form hold-form" onSubmit={(e) => void hold(e)} aria-label={`Hold the diamonds of @${user.handle}`}>
          <label>
            <span>Why hold them? <small className="muted">@{user.handle} reads this.</small></span>
            <input name="reason" required maxLength={REASON_MAX} autoComplete="off" placeholder="e.g. Checking gifts from one account" autoFocus />
          </label>
          <div className="button-row">
            <button type="submit" className="button small danger" disabled={busy}>{busy ? 'Holding…' : 'Hold diamonds'}</button>
            <button type="button" className="button ghost small" onClick={() => { onHolding(false); setNote(null); }}>Cancel</button>
          </div>
        </form>
      ) : null}
      {note !== null ? <span className={note.ok ? 'ok-text' : 'error'} role={note.ok ? 'status' : 'alert'}>{note.text}</span> : null}
    </>
  );
}
