// The moderators' appeals queue (the Moderation tab of /admin, beside the reports): creators' appeals
// of a suspension of going LIVE, open ones newest first — or the granted or denied ones — each with
// who appealed and their standing now, the suspension (who decided it, why, from when until when), the
// appeal in their words, the strikes in the 24 hours before it (what was said, the promise marked)
// and their strikes in all. Grant lifts the suspension (and it no longer counts as a repeat); Deny
// lets it run its course; both ask to confirm, take an optional note the creator reads, and show the
// result in the card.
import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import type { Appeal, AppealQueue, ModAppeal, ModerationReasons } from '../../../src/protocol/moderation.js';
import { api, explain } from '../api.js';
import { formatCount, formatWhen } from './balance-format.js';
import { LoadError, Skeleton, useLoader } from './load.js';
import { StrikeList } from './mod-queue.js';
import { Modal } from './modal.js';
import { reasonLabel, SUSPENSION_SOURCE, useModerationReasons } from './moderation-words.js';
import { StatusPill } from './status-pill.js';
import { dateTime } from './studio-time.js';
import '../styles/moderation.css';
import '../styles/ladder.css';

const PAGE = 20;
/** A note is at most this long (the server's MODERATION_NOTE_MAX). */
const NOTE_MAX = 500;
type Status = Appeal['status'];

const STATUS_PILL: Readonly<Record<Status, { tone: 'wait' | 'ok' | 'bad'; label: string }>> = {
  open: { tone: 'wait', label: 'Open' },
  granted: { tone: 'ok', label: 'Granted' },
  denied: { tone: 'bad', label: 'Denied' },
};

const EMPTY: Readonly<Record<Status, string>> = {
  open: 'No open appeals. When a suspended creator appeals, it lands here.',
  granted: 'No granted appeals yet.',
  denied: 'No denied appeals yet.',
};

/** `onDecided` lets the queue switch count the open appeals again. */
export function ModAppeals({ me, onDecided }: { me: Me; onDecided?: () => void }) {
  const [status, setStatus] = useState<Status>('open');
  const queue = useLoader(() => api.modAppeals({ status, limit: PAGE }), status);
  const reasonsLoader = useModerationReasons();
  const reasons = reasonsLoader.loaded.state === 'ready' ? reasonsLoader.loaded.value : null;
  const [more, setMore] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const [results, setResults] = useState<ReadonlyMap<string, string>>(new Map());

  const loadMore = (page: AppealQueue) => {
    if (page.nextCursor === null) return;
    setMore({ busy: true, error: null });
    api.modAppeals({ status, limit: PAGE, cursor: page.nextCursor }).then(
      (next) => {
        queue.set((q) => ({ appeals: [...q.appeals, ...next.appeals], nextCursor: next.nextCursor }));
        setMore({ busy: false, error: null });
      },
      (e: unknown) => { setMore({ busy: false, error: explain(e) }); },
    );
  };

  const applied = (updated: ModAppeal, message: string) => {
    queue.set((q) => ({ ...q, appeals: q.appeals.map((a) => (a.appeal.id === updated.appeal.id ? updated : a)) }));
    setResults((m) => new Map(m).set(updated.appeal.id, message));
    onDecided?.();
  };

  const show = (next: Status) => {
    setResults(new Map());
    setStatus(next);
  };

  return (
    <section aria-labelledby="appeals-title" className="mod-queue mod-appeals">
      <div className="section-head">
        <h2 id="appeals-title">Appeals</h2>
        <div className="filters" role="group" aria-label="Which appeals">
          {(['open', 'granted', 'denied'] as const).map((s) => (
            <button key={s} type="button" className="button small ghost" aria-pressed={status === s} onClick={() => { show(s); }}>{STATUS_PILL[s].label}</button>
          ))}
          <button type="button" className="button small ghost" onClick={() => { setResults(new Map()); queue.reload(); }}>Refresh</button>
        </div>
      </div>
      <p className="muted fine-print">
        {status === 'open'
          ? 'Newest first. A creator appeals a suspension once. Granting lifts it at once, and it no longer counts as a repeat for the next automatic suspension.'
          : `${STATUS_PILL[status].label} appeals, newest first.`}
      </p>
      {queue.loaded.state === 'loading' ? (
        <Skeleton rows={3} label="Loading appeals" />
      ) : queue.loaded.state === 'error' ? (
        <LoadError message={queue.loaded.message} onRetry={() => { queue.reload(); }} />
      ) : queue.loaded.value.appeals.length === 0 ? (
        <p className="empty muted">{EMPTY[status]}</p>
      ) : (
        <>
          <ul className="mod-reports" aria-label={`${STATUS_PILL[status].label} appeals`}>
            {queue.loaded.value.appeals.map((a) => (
              <AppealCard key={a.appeal.id} item={a} me={me} reasons={reasons} result={results.get(a.appeal.id) ?? null} onDone={applied} />
            ))}
          </ul>
          {more.error !== null ? <p className="error" role="alert">{more.error}</p> : null}
          {queue.loaded.value.nextCursor !== null ? (
            <button type="button" className="button ghost wide" disabled={more.busy} onClick={() => { if (queue.loaded.state === 'ready') loadMore(queue.loaded.value); }}>
              {more.busy ? 'Loading…' : 'Show older appeals'}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}

interface CardProps {
  readonly item: ModAppeal;
  readonly me: Me;
  readonly reasons: ModerationReasons | null;
  readonly result: string | null;
  readonly onDone: (updated: ModAppeal, message: string) => void;
}

function AppealCard({ item, me, reasons, result, onDone }: CardProps) {
  const { appeal, user, suspension } = item;
  const titleId = `appeal-${appeal.id}`;
  const name = user?.displayName ?? 'a deleted account';
  const resultRef = useRef<HTMLParagraphElement>(null);
  const [deciding, setDeciding] = useState<'grant' | 'deny' | null>(null);
  // The dialog that decided has closed and its buttons are gone: the result takes the focus.
  useEffect(() => {
    if (result !== null) resultRef.current?.focus();
  }, [result]);
  const pill = STATUS_PILL[appeal.status];

  let mayDecide: string | null = null;
  if (user === null) mayDecide = 'The account that appealed no longer exists.';
  else if (user.id === me.id) mayDecide = 'This appeal is yours: another moderator decides it.';
  else if (user.role !== 'user' && me.role !== 'admin') mayDecide = 'Only an admin can decide about a moderator or admin.';

  return (
    <li className="mod-report mod-appeal" aria-labelledby={titleId}>
      <header className="mod-report-head">
        <h3 id={titleId}>Appeal by {name}</h3>
        <span className="badges">
          {suspension ? <StatusPill tone="plain">{suspension.source === 'ladder' ? 'Automatic suspension' : 'Moderator’s suspension'}</StatusPill> : null}
          <StatusPill tone={pill.tone}>{pill.label}</StatusPill>
        </span>
      </header>
      <p className="muted fine-print mod-meta">
        Appealed {formatWhen(appeal.createdAtMs)}{user ? ` by @${user.handle}` : ''}
      </p>
      <blockquote className="mod-quote appeal-quote"><span className="visually-hidden">Their appeal: </span>“{appeal.text}”</blockquote>
      <dl className="mod-context">
        <div>
          <dt>User</dt>
          <dd>{user ? <>{user.displayName} <span className="muted">@{user.handle}{user.role !== 'user' ? ` · ${user.role}` : ''}</span></> : 'Deleted'}</dd>
        </div>
        <div>
          <dt>Strikes</dt>
          <dd><span className="num">{formatCount(item.strikesTotal)}</span> in all</dd>
        </div>
        <div className={user?.liveSuspension ? 'span-2' : undefined}>
          <dt>Going LIVE now</dt>
          <dd>
            {user?.liveSuspension ? (
              <span className="mod-suspension">
                <StatusPill tone="wait">Suspended</StatusPill> {user.liveSuspension.untilMs === null ? 'permanently' : `until ${dateTime(user.liveSuspension.untilMs)}`}
              </span>
            ) : (
              <StatusPill tone="plain">Allowed</StatusPill>
            )}
            {user?.banned === true ? <> <StatusPill tone="bad">Banned</StatusPill></> : null}
          </dd>
        </div>
        {suspension ? (
          <div className="wide">
            <dt>The suspension appealed</dt>
            <dd>
              <span className="mod-suspension">
                <span>{SUSPENSION_SOURCE[suspension.source]} · {reasonLabel(reasons, suspension.guideline)}</span>
                <span className="muted">{suspension.reason}</span>
                <span className="muted">
                  {dateTime(suspension.startedAtMs)} → {suspension.untilMs === null ? 'permanent' : dateTime(suspension.untilMs)}
                  {suspension.endedAtMs !== null ? ` · ${suspension.overturned ? 'lifted on appeal' : 'lifted early'} ${dateTime(suspension.endedAtMs)}` : ''}
                </span>
              </span>
            </dd>
          </div>
        ) : null}
      </dl>
      <div className="mod-history appeal-strikes">
        <h4>Strikes in the 24 hours before it ({formatCount(item.strikes.length)})</h4>
        {item.strikes.length === 0 ? (
          <p className="muted fine-print">None: this suspension did not follow strikes.</p>
        ) : (
          <StrikeList strikes={item.strikes} reasons={reasons} label={`Strikes before ${name}’s suspension`} />
        )}
      </div>
      {appeal.decision ? (
        <p className="mod-resolution">
          <strong>Decided:</strong> {pill.label} {formatWhen(appeal.decision.atMs)}
          {appeal.decision.note !== null ? ` — “${appeal.decision.note}”` : ''}
        </p>
      ) : null}
      {result !== null ? <p ref={resultRef} tabIndex={-1} className="ok-text mod-result" role="status">{result}</p> : null}
      {appeal.status === 'open' ? (
        mayDecide !== null ? (
          <p className="muted fine-print">{mayDecide}</p>
        ) : (
          <div className="row-actions mod-buttons" role="group" aria-label={`Decide ${name}’s appeal`}>
            <button type="button" className="button small" aria-haspopup="dialog" onClick={() => { setDeciding('grant'); }}>Grant</button>
            <button type="button" className="button small danger" aria-haspopup="dialog" onClick={() => { setDeciding('deny'); }}>Deny</button>
          </div>
        )
      ) : null}
      {deciding !== null ? (
        <DecideDialog
          decision={deciding}
          item={item}
          name={name}
          onClose={() => { setDeciding(null); }}
          onDone={(updated, message) => {
            setDeciding(null);
            onDone(updated, message);
          }}
        />
      ) : null}
    </li>
  );
}

function DecideDialog({ decision, item, name, onClose, onDone }: { decision: 'grant' | 'deny'; item: ModAppeal; name: string; onClose: () => void; onDone: (updated: ModAppeal, message: string) => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const until = item.suspension?.untilMs;
  const runs = until === undefined ? 'as it was decided' : until === null ? 'until a moderator lifts it' : `until ${dateTime(until)}`;

  async function submit(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const updated = await api.decideAppeal(item.appeal.id, { decision, ...(note.trim() === '' ? {} : { note: note.trim() }) });
      const s = updated.user?.liveSuspension;
      const message =
        decision === 'grant'
          ? `Granted: ${s ? `the appeal is granted, but a newer suspension keeps ${name} off air ${s.untilMs === null ? 'permanently' : `until ${dateTime(s.untilMs)}`}.` : `${name} can go LIVE again.`}`
          : `Denied: ${name}’s suspension stands ${runs}.`;
      onDone(updated, message);
    } catch (e) {
      setError(`Nothing was changed. ${explain(e)}`);
      setBusy(false);
    }
  }

  return (
    <Modal labelledBy="appeal-dialog-title" describedBy="appeal-dialog-what" onClose={() => { if (!busy) onClose(); }}>
      <form className="form mod-dialog" onSubmit={(e) => void submit(e)} noValidate>
        <h2 id="appeal-dialog-title">{decision === 'grant' ? `Grant ${name}’s appeal?` : `Deny ${name}’s appeal?`}</h2>
        <label>
          Note {name} reads (optional)
          <textarea value={note} maxLength={NOTE_MAX} rows={3} onChange={(e) => { setNote(e.target.value); }} />
        </label>
        <p id="appeal-dialog-what" className="mod-what">
          {decision === 'grant'
            ? `The suspension is lifted now (if it is still the one in force), and it no longer counts as a repeat for the next automatic suspension. ${name} sees the decision and your note in their studio.`
            : `The suspension runs its course, ${runs}. ${name} sees the decision and your note in their studio; they cannot appeal it again.`}
        </p>
        {error !== null ? <p className="error" role="alert">{error}</p> : null}
        <div className="button-row">
          <button type="submit" className={`button ${decision === 'deny' ? 'danger' : ''}`} disabled={busy}>{busy ? 'Working…' : decision === 'grant' ? 'Grant appeal' : 'Deny appeal'}</button>
          <button type="button" className="button ghost" disabled={busy} onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Modal>
  );
}
