// Before a LIVE: the LIVE Gifts toggle (with why it cannot be on), a title, how the video will come
// (this browser's camera or OBS: the `stream` part, studio-stream.tsx) and Go LIVE — or, instead of
// the form, why going LIVE is not possible now (a suspension, its reason and its end: studio-standing;
// a banned account). The toggle shows on air too, while LIVE Gifts are off.
import { useState, type ReactNode, type SyntheticEvent } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import type { Live } from '../../../src/protocol/lives.js';
import { api, explain, LivegiftError } from '../api.js';
import { useSession } from '../session.js';
import { activeSuspension, SuspendedNotice } from './studio-standing.js';
import { dateTime } from './studio-time.js';

/**
 * The Go LIVE form; `onStarted` gets the LIVE on air (a new one, or one already on air elsewhere);
 * `stream` is the camera/OBS choice, shown between the title and the button.
 */
export function GoLive({ me, onStarted, stream }: { me: Me; onStarted: (live: Live) => void; stream?: ReactNode }) {
  const { refresh } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const suspension = activeSuspension(me);
  const blocked = me.banned || suspension !== null;

  async function start(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const title = new FormData(event.currentTarget).get('title');
    setBusy(true);
    setError(null);
    try {
      onStarted(await api.startLive({ title: typeof title === 'string' ? title.trim() : '' }));
    } catch (e) {
      // Already on air (from another device): open that LIVE's dashboard instead.
      const liveId = e instanceof LivegiftError && e.code === 'already_live' ? e.details?.liveId : undefined;
      const onAir = typeof liveId === 'string' ? await api.live(liveId).catch(() => null) : null;
      if (onAir?.status === 'live') onStarted(onAir);
      else {
        const why = refusal(e);
        setError(why.charAt(0).toUpperCase() + why.slice(1));
        // Suspended since this page read the account: reading it again puts the notice in the form's place.
        if (e instanceof LivegiftError && e.code === 'live_suspended') void refresh();
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel go-live" aria-labelledby="go-live-title">
      <h2 id="go-live-title">Go LIVE</h2>
      {suspension ? <SuspendedNotice suspension={suspension} /> : null}
      {me.banned && !suspension ? (
        <p className="notice" id="go-live-why">Your account is suspended, so it cannot go LIVE. Contact support if you think this is a mistake.</p>
      ) : null}
      <GiftsToggle me={me} />
      {!blocked && !me.giftsEnabled ? (
        <p className="notice soft" id="go-live-why">LIVE Gifts are off: viewers will not be able to send you gifts in this LIVE. Turn them on above to collect diamonds.</p>
      ) : null}
      {blocked ? null : (
        <>
          <form className="form" onSubmit={(e) => void start(e)}>
            <label>
              Title
              <input name="title" required maxLength={100} placeholder="What are you doing LIVE today?" />
              <small className="muted">Shown on the home page. Promising rewards for gifts or follows is not allowed.</small>
            </label>
            {stream}
            {error !== null ? <p className="error" role="alert">{error}</p> : null}
            <button type="submit" className="button wide" disabled={busy}>{busy ? 'Going LIVE…' : 'Go LIVE'}</button>
          </form>
          <p className="muted hint">Once you are LIVE, your overlay link for OBS (gifts drawn over your video) appears here.</p>
        </>
      )}
    </section>
  );
}

/** Why the server refused, in words; a suspension with its end date in the reader's own time. */
function refusal(error: unknown): string {
  if (error instanceof LivegiftError && error.code === 'live_suspended') {
    const until = error.details?.untilMs;
    const reason = error.details?.reason;
    return `going LIVE is suspended ${typeof until === 'number' ? `until ${dateTime(until)}` : 'permanently'} for a Community Guidelines violation${typeof reason === 'string' && reason !== '' ? ` (${reason})` : ''}.`;
  }
  return explain(error);
}

/** The LIVE Gifts switch, with what on and off mean, and why the server refused a change. */
export function GiftsToggle({ me }: { me: Me }) {
  const { signedIn } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = () => {
    setBusy(true);
    setError(null);
    api.setGiftsEnabled(!me.giftsEnabled).then(
      (updated) => {
        signedIn(updated);
        setBusy(false);
      },
      (e: unknown) => {
        setError(`Cannot turn LIVE Gifts ${me.giftsEnabled ? 'off' : 'on'}: ${refusal(e)}`);
        setBusy(false);
      },
    );
  };
  return (
    <div className="toggle-row">
      <div>
        <strong id="gifts-toggle-label">LIVE Gifts</strong>
        <p className="muted hint" id="gifts-toggle-help">
          {me.giftsEnabled ? 'On: viewers can send you gifts, and you collect diamonds.' : 'Off: your LIVEs show no gift panel.'}
        </p>
      </div>
      <button
        type="button"
        role="switch"
        className="switch"
        aria-checked={me.giftsEnabled}
        aria-labelledby="gifts-toggle-label"
        aria-describedby="gifts-toggle-help"
        disabled={busy}
        onClick={toggle}
      >
        <span aria-hidden="true" />
      </button>
      {error !== null ? <p className="error toggle-error" role="alert">{error}</p> : null}
    </div>
  );
}
