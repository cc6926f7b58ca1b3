// What a moderator can do about one report: Dismiss it, Warn the reported user (a strike they see),
// Suspend their going LIVE (24 h … 30 days or permanently, for a Community Guidelines reason, with a
// note), Lift a suspension; admins also Ban the account for fraud and Unban it. Every action opens a
// dialog that says what will happen and asks to confirm; the answer comes back to the queue in words.
//
// Dismiss, Warn, Suspend and Ban on an open report resolve it (POST /v1/mod/reports/:id/resolve, which
// closes the other open reports on the same target too). Warn, Suspend and Ban ask which guideline the
// moderator found, the reported one first: another is sent as the resolution's `reason`, and the
// strike, suspension or ban names it. The actions on a report already closed act on the account
// directly and leave the report as it is.
import { useState, type ReactNode, type SyntheticEvent } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import type { GuidelineReason, ModerationReasons, ModReport, ModUser } from '../../../src/protocol/moderation.js';
import { api, explain } from '../api.js';
import { Modal } from './modal.js';
import { hoursInWords, reasonLabel } from './moderation-words.js';
import { dateTime } from './studio-time.js';

type Action = 'dismiss' | 'warn' | 'suspend' | 'lift' | 'ban' | 'unban';

/** What an action changed: the report as it is now, or the user's standing, and what to say. */
export interface ActionDone {
  readonly report?: ModReport;
  readonly subject?: ModUser;
  readonly message: string;
}

const NOTE_MAX = 500;
const BAN_REASON_MAX = 300;
/** The suspension lengths offered when the server's list is not there. */
const FALLBACK_HOURS = [24, 72, 168, 720];

export function ModActions({ report, me, reasons, onDone }: { report: ModReport; me: Me; reasons: ModerationReasons | null; onDone: (done: ActionDone) => void }) {
  const [open, setOpen] = useState<Action | null>(null);
  const subject = report.subject;
  if (subject === null) return <p className="muted fine-print">The reported account no longer exists.</p>;
  if (subject.id === me.id) return <p className="muted fine-print">This report is about you: another moderator decides it.</p>;
  if (subject.role !== 'user' && me.role !== 'admin') return <p className="muted fine-print">Only an admin can act on a moderator or admin.</p>;

  const isOpen = report.status === 'open';
  const buttons: { id: Action; label: string; danger?: boolean }[] = [];
  if (isOpen) buttons.push({ id: 'dismiss', label: 'Dismiss' }, { id: 'warn', label: 'Warn' });
  buttons.push({ id: 'suspend', label: subject.liveSuspension ? 'Change suspension' : 'Suspend going LIVE', danger: true });
  if (subject.liveSuspension) buttons.push({ id: 'lift', label: 'Lift suspension' });
  if (me.role === 'admin' && subject.role !== 'admin') buttons.push(subject.banned ? { id: 'unban', label: 'Unban' } : { id: 'ban', label: 'Ban for fraud', danger: true });

  return (
    <>
      <div className="row-actions mod-buttons" role="group" aria-label={`Actions on the report about ${subject.displayName}`}>
        {buttons.map((b) => (
          <button key={b.id} type="button" className={`button small ${b.danger === true ? 'danger' : 'ghost'}`} aria-haspopup="dialog" onClick={() => { setOpen(b.id); }}>
            {b.label}
          </button>
        ))}
      </div>
      {open !== null ? (
        <ActionDialog
          action={open}
          report={report}
          subject={subject}
          reasons={reasons}
          onClose={() => { setOpen(null); }}
          onDone={(done) => {
            setOpen(null);
            onDone(done);
          }}
        />
      ) : null}
    </>
  );
}

interface DialogProps {
  readonly action: Action;
  readonly report: ModReport;
  readonly subject: ModUser;
  readonly reasons: ModerationReasons | null;
  readonly onClose: () => void;
  readonly onDone: (done: ActionDone) => void;
}

function ActionDialog({ action, report, subject, reasons, onClose, onDone }: DialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [hours, setHours] = useState<number | 'permanent'>(24);
  const [reason, setReason] = useState<GuidelineReason>(report.reason);
  const [banReason, setBanReason] = useState('');
  const name = subject.displayName;
  const isOpen = report.status === 'open';
  const label = (id: string) => reasonLabel(reasons, id);
  // A ban decided from an open report reads "<the guideline found>: <yours>" (the server joins them).
  const banPrefix = isOpen ? `${label(reason)}: ` : '';
  const viaReport = action === 'suspend' || action === 'ban' ? isOpen : true;
  // The guideline found, sent only when it is not the one reported.
  const found = reason !== report.reason ? { reason } : {};
  const asks = isOpen && (action === 'warn' || action === 'suspend' || action === 'ban');
  const length = hours === 'permanent' ? 'permanently' : `for ${hoursInWords(hours)}`;
  const closes = reason !== report.reason ? `The report closes, recorded as ${label(reason)} (reported as ${label(report.reason)}).` : 'The report closes.';

  const text: Record<Action, { title: string; confirm: string; what: ReactNode }> = {
    dismiss: { title: 'Dismiss this report?', confirm: 'Dismiss report', what: <>No action is taken on {name}. Other open reports about the same thing close too.</> },
    warn: {
      title: `Warn ${name}?`,
      confirm: `Warn ${name}`,
      what: (
        <>
          {name} gets a strike for {label(reason)}, with your note, on their studio’s standing.{' '}
          {reason === 'gift_baiting'
            ? 'It counts on the gift-baiting ladder like the automatic strikes: it may start a countdown, or end their LIVE and suspend them if one is running.'
            : 'Nothing else changes.'}{' '}
          {closes}
        </>
      ),
    },
    suspend: {
      title: `Suspend ${name} from going LIVE?`,
      confirm: hours === 'permanent' ? 'Suspend permanently' : `Suspend for ${hoursInWords(hours)}`,
      what: (
        <>
          {name} cannot go LIVE {length}, for {label(reason)}{subject.liveSuspension ? ' (this replaces the suspension in force)' : ''}. A LIVE they have on air ends at once, and its viewers are told a moderator ended it.{' '}
          {viaReport ? closes : ''}
        </>
      ),
    },
    lift: { title: `Lift ${name}’s suspension?`, confirm: 'Lift suspension', what: <>{name} can go LIVE again right away. The report stays as it is.</> },
    ban: {
      title: `Ban ${name}’s account for fraud?`,
      confirm: `Ban ${name}`,
      what: <>{name} is signed out everywhere and can no longer buy coins, send or receive gifts, redeem diamonds or go LIVE. Their diamonds are held and a LIVE on air ends. {isOpen ? closes : ''}</>,
    },
    unban: { title: `Unban ${name}?`, confirm: `Unban ${name}`, what: <>{name} can use their account again; the hold the ban put on their diamonds is released.</> },
  };
  const { title, confirm, what } = text[action];

  async function act(): Promise<ActionDone> {
    const n = note.trim() === '' ? {} : { note: note.trim() };
    const others = (count: number) => (count === 0 ? '' : count === 1 ? ' 1 other report about the same thing closed too.' : ` ${count} other reports about the same thing closed too.`);
    const endedNow = (after: ModReport) => (report.live?.status === 'live' && after.live?.status === 'ended' ? ' Their LIVE on air was ended.' : '');
    switch (action) {
      case 'dismiss': {
        const r = await api.resolveReport(report.id, { action: 'dismiss', ...n });
        return { report: r.report, message: `Dismissed: no action on ${name}.${others(r.othersClosed)}` };
      }
      case 'warn': {
        const r = await api.resolveReport(report.id, { action: 'warn', ...n, ...found });
        return { report: r.report, message: `Warned ${name}: the strike is on their standing.${others(r.othersClosed)}` };
      }
      case 'suspend': {
        const len = hours === 'permanent' ? { permanent: true as const } : { durationHours: hours };
        if (viaReport) {
          const r = await api.resolveReport(report.id, { action: 'suspend', ...len, ...n, ...found });
          return { report: r.report, message: `${suspendedWords(r.report.subject, name)}${endedNow(r.report)}${others(r.othersClosed)}` };
        }
        const o = await api.suspendLive(subject.id, { ...len, reason, ...n });
        return { subject: o.user, message: `${suspendedWords(o.user, name)}${o.endedLiveId !== null ? ' Their LIVE on air was ended.' : ''}${isOpen ? ' The report is still open.' : ''}` };
      }
      case 'lift': {
        const user = await api.liftSuspension(subject.id, n);
        return { subject: user, message: `${name} can go LIVE again.` };
      }
      case 'ban': {
        const why = banReason.trim();
        if (isOpen) {
          const r = await api.resolveReport(report.id, { action: 'ban', note: why, ...found });
          return { report: r.report, message: `Banned ${name}: signed out everywhere, diamonds held.${endedNow(r.report)}${others(r.othersClosed)}` };
        }
        const o = await api.banUser(subject.id, { reason: why });
        return { subject: o.user, message: `Banned ${name}: signed out everywhere, diamonds held.${o.endedLiveId !== null ? ' Their LIVE on air was ended.' : ''}` };
      }
      case 'unban': {
        const user = await api.unbanUser(subject.id, n);
        return { subject: user, message: `${name} is no longer banned.` };
      }
    }
  }

  async function submit(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    if (action === 'ban' && banReason.trim() === '') {
      setError('Say why: the user reads the reason when they try to spend.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onDone(await act());
    } catch (e) {
      setError(`Nothing was changed. ${explain(e)}`);
      setBusy(false);
    }
  }

  const presets = reasons?.suspensionHours ?? FALLBACK_HOURS;
  return (
    <Modal labelledBy="mod-dialog-title" describedBy="mod-dialog-what" onClose={() => { if (!busy) onClose(); }}>
      <form className="form mod-dialog" onSubmit={(e) => void submit(e)} noValidate>
        <h2 id="mod-dialog-title">{title}</h2>
        {action === 'suspend' ? (
          <fieldset className="segmented">
            <legend>How long</legend>
            {[...presets, 'permanent' as const].map((h) => (
              <label key={h}>
                <input type="radio" name="suspend-hours" checked={hours === h} onChange={() => { setHours(h); }} />
                {h === 'permanent' ? 'Permanent' : hoursInWords(h).replace(' hours', ' h')}
              </label>
            ))}
          </fieldset>
        ) : null}
        {asks || action === 'suspend' ? (
          <label>
            {asks ? (
              <>
                Found guideline <small className="muted">(the Community Guidelines reason you found; reported as {label(report.reason)})</small>
              </>
            ) : (
              'Community Guidelines reason'
            )}
            <select value={reason} onChange={(e) => { setReason(e.target.value as GuidelineReason); }}>
              {(reasons?.reasons ?? [{ id: report.reason, label: label(report.reason) }]).map((r) => (
                <option key={r.id} value={r.id}>{r.label}{r.id === report.reason && isOpen ? ' (reported)' : ''}</option>
              ))}
            </select>
          </label>
        ) : null}
        {action === 'ban' ? (
          <label>
            Why (the user reads it{isOpen ? `, after “${banPrefix.slice(0, -2)}”` : ''})
            <textarea value={banReason} maxLength={BAN_REASON_MAX - banPrefix.length} rows={2} required onChange={(e) => { setBanReason(e.target.value); }} />
          </label>
        ) : (
          <label>
            {action === 'warn' || action === 'suspend' ? `Note ${name} reads (optional)` : 'Note for the audit log (optional)'}
            <textarea value={note} maxLength={NOTE_MAX} rows={2} onChange={(e) => { setNote(e.target.value); }} />
          </label>
        )}
        <p id="mod-dialog-what" className="mod-what">{what}</p>
        {error !== null ? <p className="error" role="alert">{error}</p> : null}
        <div className="button-row">
          <button type="submit" className={`button ${action === 'suspend' || action === 'ban' ? 'danger' : ''}`} disabled={busy}>{busy ? 'Working…' : confirm}</button>
          <button type="button" className="button ghost" disabled={busy} onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Modal>
  );
}

/** "Mira Sol cannot go LIVE until Jun 6, 2026, 2:01 PM." — or permanently. */
export function suspendedWords(user: ModUser | null, name: string): string {
  const s = user?.liveSuspension;
  if (!s) return `${name} can go LIVE.`;
  return s.untilMs === null ? `${name} cannot go LIVE, permanently.` : `${name} cannot go LIVE until ${dateTime(s.untilMs)}.`;
}
