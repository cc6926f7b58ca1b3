// The moderators' queue (the Moderation tab of /admin, for moderators and admins): open reports,
// newest first — or the resolved ones — each with its context as the server gives it: what was
// reported (the LIVE, the line as the reporter saw it, their note), the reported user's standing
// (strikes in all with the newest ones, open reports, a suspension, a ban), what their LIVE received in
// gifts, the lines of theirs the server has, and the actions (mod-actions.tsx). A decision shows its
// result in the report's card, with the guideline found when it differs from the one reported.
import { useEffect, useRef, useState } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import type { ModerationReasons, ModReport, ModUser, ReportQueue, Strike } from '../../../src/protocol/moderation.js';
import { api, explain } from '../api.js';
import { Link } from '../router.js';
import { formatCount, formatWhen } from './balance-format.js';
import { LoadError, Skeleton, useLoader } from './load.js';
import { ModActions, type ActionDone } from './mod-actions.js';
import { dateTime } from './studio-time.js';
import { reasonLabel, strikeWords, useModerationReasons } from './moderation-words.js';
import { SaidText } from './said-text.js';
import { StatusPill } from './status-pill.js';
import '../styles/moderation.css';

const PAGE = 20;
type Status = 'open' | 'resolved';

export function ModQueue({ me }: { me: Me }) {
  const [status, setStatus] = useState<Status>('open');
  const queue = useLoader(() => api.modReports({ status, limit: PAGE }), status);
  const reasonsLoader = useModerationReasons();
  const reasons = reasonsLoader.loaded.state === 'ready' ? reasonsLoader.loaded.value : null;
  const [more, setMore] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const [results, setResults] = useState<ReadonlyMap<string, string>>(new Map());

  const loadMore = (page: ReportQueue) => {
    if (page.nextCursor === null) return;
    setMore({ busy: true, error: null });
    api.modReports({ status, limit: PAGE, cursor: page.nextCursor }).then(
      (next) => {
        queue.set((q) => ({ reports: [...q.reports, ...next.reports], nextCursor: next.nextCursor }));
        setMore({ busy: false, error: null });
      },
      (e: unknown) => { setMore({ busy: false, error: explain(e) }); },
    );
  };

  // A decision updates its report, and the standing of that user on every card about them.
  const applied = (reportId: string, done: ActionDone) => {
    const subject: ModUser | null | undefined = done.subject ?? done.report?.subject;
    queue.set((q) => ({
      ...q,
      reports: q.reports.map((r) => {
        const updated = r.id === reportId && done.report ? done.report : r;
        return subject && updated.subject?.id === subject.id ? { ...updated, subject } : updated;
      }),
    }));
    setResults((m) => new Map(m).set(reportId, done.message));
  };

  const show = (next: Status) => {
    setResults(new Map());
    setStatus(next);
  };

  return (
    <section aria-labelledby="mod-title" className="mod-queue">
      <div className="section-head">
        <h2 id="mod-title">Reports</h2>
        <div className="filters" role="group" aria-label="Which reports">
          <button type="button" className="button small ghost" aria-pressed={status === 'open'} onClick={() => { show('open'); }}>Open</button>
          <button type="button" className="button small ghost" aria-pressed={status === 'resolved'} onClick={() => { show('resolved'); }}>Resolved</button>
          <button type="button" className="button small ghost" onClick={() => { setResults(new Map()); queue.reload(); }}>Refresh</button>
        </div>
      </div>
      <p className="muted fine-print">
        {status === 'open' ? 'Newest first. A decision on a report closes the other open reports about the same thing.' : 'Decided reports, newest first.'}
      </p>
      {queue.loaded.state === 'loading' ? (
        <Skeleton rows={3} label="Loading reports" />
      ) : queue.loaded.state === 'error' ? (
        <LoadError message={queue.loaded.message} onRetry={() => { queue.reload(); }} />
      ) : queue.loaded.value.reports.length === 0 ? (
        <p className="empty muted">{status === 'open' ? 'No open reports. Viewers’ reports of LIVEs and chat lines land here.' : 'No decided reports yet.'}</p>
      ) : (
        <>
          <ul className="mod-reports" aria-label={status === 'open' ? 'Open reports' : 'Resolved reports'}>
            {queue.loaded.value.reports.map((r) => (
              <ReportCard key={r.id} report={r} me={me} reasons={reasons} result={results.get(r.id) ?? null} onDone={(done) => { applied(r.id, done); }} />
            ))}
          </ul>
          {more.error !== null ? <p className="error" role="alert">{more.error}</p> : null}
          {queue.loaded.value.nextCursor !== null ? (
            <button type="button" className="button ghost wide" disabled={more.busy} onClick={() => { if (queue.loaded.state === 'ready') loadMore(queue.loaded.value); }}>
              {more.busy ? 'Loading…' : 'Show older reports'}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}

const KIND: Readonly<Record<ModReport['target']['kind'], string>> = { live: 'LIVE', message: 'Chat message', user: 'Account' };

function ReportCard({ report, me, reasons, result, onDone }: { report: ModReport; me: Me; reasons: ModerationReasons | null; result: string | null; onDone: (done: ActionDone) => void }) {
  const titleId = `report-${report.id}`;
  const who = report.subject?.displayName ?? 'a deleted account';
  const resultRef = useRef<HTMLParagraphElement>(null);
  // The dialog that acted has closed and its button may be gone: the result takes the focus.
  useEffect(() => {
    if (result !== null) resultRef.current?.focus();
  }, [result]);
  return (
    <li className="mod-report" aria-labelledby={titleId}>
      <header className="mod-report-head">
        <h3 id={titleId}>{KIND[report.target.kind]} by {who}</h3>
        <span className="badges">
          <StatusPill tone="bad">{reasonLabel(reasons, report.reason)}</StatusPill>
          {report.status === 'resolved' ? <StatusPill tone="ok">Resolved</StatusPill> : <StatusPill tone="wait">Open</StatusPill>}
        </span>
      </header>
      <p className="muted fine-print mod-meta">
        Reported {formatWhen(report.createdAtMs)} by {report.reporter ? `${report.reporter.displayName} (@${report.reporter.handle})` : 'a deleted account'}
      </p>
      {report.target.text !== null ? (
        <blockquote className="mod-quote"><span className="visually-hidden">The reported line: </span>“{report.target.text}”</blockquote>
      ) : null}
      {report.note !== null ? <p className="mod-note"><strong>Reporter’s note:</strong> {report.note}</p> : null}
      <Context report={report} />
      <History strikes={report.recentStrikes} strikesTotal={report.strikesTotal} lines={report.recentChat} reasons={reasons} />
      {report.resolution ? (
        <p className="mod-resolution">
          <strong>Decided:</strong> {DECIDED[report.resolution.action]} by {report.resolution.byId === me.id ? 'you' : 'a moderator'}, {formatWhen(report.resolution.atMs)}
          {report.resolution.reason !== null && report.resolution.reason !== report.reason
            ? ` — reported as ${reasonLabel(reasons, report.reason)}, found ${reasonLabel(reasons, report.resolution.reason)}`
            : ''}
          {report.resolution.note !== null ? ` — “${report.resolution.note}”` : ''}
        </p>
      ) : null}
      {result !== null ? <p ref={resultRef} tabIndex={-1} className="ok-text mod-result" role="status">{result}</p> : null}
      <ModActions report={report} me={me} reasons={reasons} onDone={onDone} />
    </li>
  );
}

function Context({ report }: { report: ModReport }) {
  const { subject, live, liveGifts } = report;
  return (
    <dl className="mod-context">
      <div>
        <dt>Reported user</dt>
        <dd>{subject ? <>{subject.displayName} <span className="muted">@{subject.handle}{subject.role !== 'user' ? ` · ${subject.role}` : ''}</span></> : 'Deleted'}</dd>
      </div>
      <div>
        <dt>Strikes</dt>
        <dd><span className="num">{formatCount(report.strikesTotal)}</span> in all</dd>
      </div>
      <div>
        <dt>Open reports</dt>
        <dd className="num">{formatCount(report.openReports)}</dd>
      </div>
      <div className={subject?.liveSuspension ? 'span-2' : undefined}>
        <dt>Going LIVE</dt>
        <dd>{subject?.liveSuspension ? <Suspension suspension={subject.liveSuspension} /> : <StatusPill tone="plain">Allowed</StatusPill>}</dd>
      </div>
      {subject?.banned === true ? (
        <div>
          <dt>Account</dt>
          <dd><StatusPill tone="bad">{`Banned${subject.banReason !== null ? `: ${subject.banReason}` : ''}`}</StatusPill></dd>
        </div>
      ) : null}
      {live ? (
        <div className="wide">
          <dt>LIVE</dt>
          <dd>
            <Link to={`/live/${live.id}`}>“{live.title}”</Link>{' '}
            <span className="muted">
              {live.status === 'live' ? `on air since ${formatWhen(live.startedAtMs)}` : `ended ${live.endedAtMs !== null ? formatWhen(live.endedAtMs) : ''}${ENDED_BY[live.endedBy ?? 'creator']}`}
            </span>
          </dd>
        </div>
      ) : null}
      {liveGifts ? (
        <div className="wide">
          <dt>Gifts in that LIVE</dt>
          <dd>
            <span className="num">{formatCount(liveGifts.gifters)}</span> {plural(liveGifts.gifters, 'gifter')} · <span className="num">{formatCount(liveGifts.giftsCount)}</span> {plural(liveGifts.giftsCount, 'gift')} ·{' '}
            <span className="num gold-text">{formatCount(liveGifts.coinsSpent)}</span> {plural(liveGifts.coinsSpent, 'coin')} · <span className="num diamond-text">{formatCount(liveGifts.diamondsEarned)}</span> {plural(liveGifts.diamondsEarned, 'diamond')}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

/** Who ended a LIVE, after "ended <when>" (the creator's own end says nothing more). */
const ENDED_BY: Readonly<Record<NonNullable<NonNullable<ModReport['live']>['endedBy']>, string>> = {
  creator: '',
  moderator: ' by a moderator',
  safety: ' by Livegift’s safety rules',
  auto: ' when the creator went away',
};

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function Suspension({ suspension }: { suspension: NonNullable<ModUser['liveSuspension']> }) {
  return (
    <span className="mod-suspension">
      <StatusPill tone="wait">Suspended</StatusPill> {suspension.untilMs === null ? 'permanently' : `until ${dateTime(suspension.untilMs)}`}
      {suspension.reason !== '' ? <span className="muted">{suspension.reason}</span> : null}
    </span>
  );
}

const DECIDED: Readonly<Record<NonNullable<ModReport['resolution']>['action'], string>> = {
  dismiss: 'Dismissed',
  warn: 'Warned',
  suspend: 'Suspended from going LIVE',
  ban: 'Banned',
};

function History({ strikes, strikesTotal, lines, reasons }: { strikes: readonly Strike[]; strikesTotal: number; lines: ModReport['recentChat']; reasons: ModerationReasons | null }) {
  if (strikes.length === 0 && lines.length === 0) return null;
  return (
    <div className="mod-history">
      {strikes.length > 0 ? (
        <details>
          <summary>
            {strikesTotal === 1 ? '1 strike in all' : `${formatCount(strikesTotal)} strikes in all`}
            {strikesTotal > strikes.length ? ` (the newest ${strikes.length})` : ''}
          </summary>
          <StrikeList strikes={strikes} reasons={reasons} />
        </details>
      ) : null}
      {lines.length > 0 ? (
        <details>
          <summary>Their lines on record ({lines.length})</summary>
          <ul>
            {lines.map((l) => (
              <li key={`${l.atMs}:${l.text}`}>
                <span className="muted">{formatWhen(l.atMs)} · {l.seenIn === 'report' ? 'copied by a reporter' : 'caught by the gift-baiting check'}</span>
                <span>“{l.text}”</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

/** Strikes as moderators read them: when, where, for what, and what was said with the promise marked. */
export function StrikeList({ strikes, reasons, label }: { strikes: readonly Strike[]; reasons: ModerationReasons | null; label?: string }) {
  return (
    <ul className="mod-strikes" aria-label={label}>
      {strikes.map((s) => {
        const w = strikeWords(s, reasons, 'their');
        return (
          <li key={s.id}>
            <span className="muted">{formatWhen(s.createdAtMs)} · {w.source} · {w.rule}</span>
            {s.source === 'moderator' ? (
              <>
                <span>“{s.text}”</span>
                {s.excerpt !== null ? <span className="muted">About: “{s.excerpt}”</span> : null}
              </>
            ) : (
              <SaidText text={s.text} excerpt={s.excerpt} />
            )}
          </li>
        );
      })}
    </ul>
  );
}
