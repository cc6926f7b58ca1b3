// Reporting a LIVE or one of its chat lines, in a bottom sheet over the stage (the LIVE keeps playing
// above it): what is reported, a Community Guidelines reason, an optional note for the moderators,
// Send; then a plain thank-you. Someone signed out is asked to log in first. The server keeps one
// open report per reporter and target, so sending twice is harmless.
import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import type { GuidelineReason } from '../../../src/protocol/moderation.js';
import { api, explain } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { LoadError, Skeleton } from './load.js';
import { useModerationReasons } from './moderation-words.js';
import { Sheet } from './gift-sheet.js';
import '../styles/moderation.css';

/** The longest note the server keeps (MODERATION_NOTE_MAX). */
const NOTE_MAX = 500;

export type ReportSubject =
  | { readonly kind: 'live'; readonly liveId: string; readonly creatorName: string; readonly title: string }
  | { readonly kind: 'message'; readonly liveId: string; readonly senderId: string; readonly senderName: string; readonly text: string };

export function ReportDialog({ subject, onClose }: { subject: ReportSubject; onClose: () => void }) {
  const { me } = useSession();
  const title = subject.kind === 'live' ? 'Report this LIVE' : 'Report a message';
  return (
    <Sheet labelledBy="report-title" className="report-sheet" onClose={onClose}>
      <header className="sheet-head">
        <h2 id="report-title">{title}</h2>
        <button type="button" className="sheet-icon" aria-label="Close" onClick={onClose}>×</button>
      </header>
      <ReportedThing subject={subject} />
      {me === undefined ? (
        <Skeleton rows={2} label="Loading" />
      ) : me === null ? (
        <>
          <p>Log in to report: moderators act on reports from Livegift accounts, and nobody is told who reported them.</p>
          <div className="sheet-actions">
            <Link to={`/login?next=${encodeURIComponent(`/live/${subject.liveId}`)}`} className="button wide" data-autofocus>Log in</Link>
            <Link to={`/signup?next=${encodeURIComponent(`/live/${subject.liveId}`)}`} className="button ghost wide">Sign up</Link>
          </div>
        </>
      ) : (
        <ReportForm subject={subject} onClose={onClose} />
      )}
    </Sheet>
  );
}

function ReportedThing({ subject }: { subject: ReportSubject }) {
  return subject.kind === 'live' ? (
    <p className="report-what">“{subject.title}”, LIVE by {subject.creatorName}</p>
  ) : (
    <blockquote className="report-what">
      <strong>{subject.senderName}</strong> {subject.text}
    </blockquote>
  );
}

function ReportForm({ subject, onClose }: { subject: ReportSubject; onClose: () => void }) {
  const reasons = useModerationReasons();
  const [reason, setReason] = useState<GuidelineReason | null>(null);
  const [note, setNote] = useState('');
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const done = useRef<HTMLButtonElement>(null);

  // The Send button is gone once the report is in: focus moves to the way out.
  useEffect(() => {
    if (sent) done.current?.focus();
  }, [sent]);

  async function send(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    if (reason === null) {
      setError('Choose what is wrong, so the right moderator looks at it.');
      return;
    }
    setSending(true);
    setError(null);
    const target = subject.kind === 'live'
      ? { kind: 'live' as const, liveId: subject.liveId }
      : { kind: 'message' as const, liveId: subject.liveId, senderId: subject.senderId, text: subject.text };
    try {
      await api.report({ target, reason, ...(note.trim() !== '' ? { note: note.trim() } : {}) });
      setSent(true);
    } catch (e) {
      setError(`Your report was not sent. ${explain(e)}`);
    } finally {
      setSending(false);
    }
  }

  if (sent) {
    return (
      <div className="sheet-state report-sent">
        <p role="status"><strong>Thanks — our moderators will look at it.</strong></p>
        <p className="muted">Nobody is told who reported. You can keep watching, or leave the LIVE if you would rather not.</p>
        <button ref={done} type="button" className="button wide" onClick={onClose}>Done</button>
      </div>
    );
  }
  if (reasons.loaded.state === 'loading') return <Skeleton rows={3} label="Loading the reasons" />;
  if (reasons.loaded.state === 'error') return <LoadError message={reasons.loaded.message} onRetry={() => { reasons.reload(); }} />;

  return (
    <form className="report-form" onSubmit={(e) => void send(e)} noValidate>
      <fieldset className="reason-chips">
        <legend>What is wrong?</legend>
        {reasons.loaded.value.reasons.map((r) => (
          <label key={r.id} className="reason-chip">
            <input type="radio" name="reason" value={r.id} checked={reason === r.id} onChange={() => { setReason(r.id); setError(null); }} />
            {r.label}
          </label>
        ))}
      </fieldset>
      <label className="report-note">
        <span>Anything a moderator should know? <span className="muted">(optional)</span></span>
        <textarea value={note} maxLength={NOTE_MAX} rows={2} onChange={(e) => { setNote(e.target.value); }} aria-describedby="report-note-count" />
        <small id="report-note-count" className="muted">{NOTE_MAX - note.length} of {NOTE_MAX} characters left</small>
      </label>
      {error !== null ? <p className="error sheet-error" role="alert">{error}</p> : null}
      <button type="submit" className="button wide" disabled={sending}>{sending ? 'Sending…' : 'Send report'}</button>
    </form>
  );
}
