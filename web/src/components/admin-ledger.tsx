// The ledger and the audit log on the admin page: run a reconciliation (every balance recomputed
// from the transfers, conservation per asset, the hash chain) and see it clean or each difference;
// read the append-only audit log, newest first, narrowed to one subject, older entries on demand.
import { useEffect, useState, type SyntheticEvent } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import type { AuditEntry, ReconcileReport } from '../../../src/protocol/admin.js';
import type { z } from 'zod';
import { api, explain } from '../api.js';
import { formatCount, formatWhen } from './balance-format.js';
import { LoadError, Skeleton } from './load.js';

type Report = z.infer<typeof ReconcileReport>;
type Entry = z.infer<typeof AuditEntry>;

export function ReconcilePanel() {
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setBusy(true);
    setError(null);
    try {
      setReport(await api.reconcile());
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="reconcile-title">
      <div className="section-head">
        <h2 id="reconcile-title">Ledger reconciliation</h2>
        <button type="button" className="button small" disabled={busy} onClick={() => void run()}>{busy ? 'Checking…' : report ? 'Run again' : 'Run reconciliation'}</button>
      </div>
      <p className="muted fine-print">
        Recomputes every balance from the transfers alone, checks that debits equal credits for each asset, and verifies the hash
        chain. It reads the whole ledger, so it can take a while on a large one.
      </p>
      {error !== null ? <p className="error" role="alert">{error}</p> : null}
      {report === null ? null : report.ok ? (
        <div className="tracker ok" role="status">
          <span className="tracker-dot" aria-hidden="true" />
          <p className="tracker-text">
            <strong>Clean.</strong> {formatCount(report.transfers)} transfers and {formatCount(report.accounts)} accounts checked; every balance matches and the
            hash chain is intact up to transfer #{report.head.seq}.
          </p>
        </div>
      ) : (
        <div className="tracker bad" role="alert">
          <span className="tracker-dot" aria-hidden="true" />
          <div className="tracker-text">
            <p><strong>{formatCount(report.problems.length)} difference{report.problems.length === 1 ? '' : 's'} found</strong> in {formatCount(report.transfers)} transfers.</p>
            <ul className="problems">
              {report.problems.map((p, i) => (
                <li key={i}><code>{p.kind}</code> {p.detail}</li>
              ))}
            </ul>
          </div>
        </div>
      )}
      {report !== null && Object.keys(report.totals).length > 0 ? (
        <dl className="totals" aria-label="Posted totals per asset">
          {Object.entries(report.totals).map(([asset, total]) => (
            <div key={asset}><dt>{asset}</dt><dd className="num">{formatCount(Number(total))}</dd></div>
          ))}
        </dl>
      ) : null}
    </section>
  );
}

type Log = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; entries: Entry[]; next: number | null; more: boolean };
const PAGE = 30;

export function AuditLog({ me }: { me: Me }) {
  const [subjectText, setSubjectText] = useState('');
  const [subject, setSubject] = useState('');
  const [log, setLog] = useState<Log>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLog({ state: 'loading' });
    api.audit({ limit: PAGE, ...(subject !== '' ? { subject } : {}) }).then(
      (page) => {
        if (!cancelled) setLog({ state: 'ready', entries: page.entries, next: page.nextBeforeSeq, more: false });
      },
      (e: unknown) => {
        if (!cancelled) setLog({ state: 'error', message: explain(e) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [subject, attempt]);

  async function older() {
    if (log.state !== 'ready' || log.next === null) return;
    setLog({ ...log, more: true });
    try {
      const page = await api.audit({ limit: PAGE, beforeSeq: log.next, ...(subject !== '' ? { subject } : {}) });
      setLog((l) => (l.state === 'ready' ? { state: 'ready', entries: [...l.entries, ...page.entries], next: page.nextBeforeSeq, more: false } : l));
    } catch (e) {
      setLog({ state: 'error', message: explain(e) });
    }
  }

  function filter(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubject(subjectText.trim());
  }

  const actor = (id: string | null) => (id === null ? 'system' : id === me.id ? 'you' : `user ${id.slice(-6)}`);

  return (
    <section aria-labelledby="audit-title">
      <div className="section-head">
        <h2 id="audit-title">Audit log</h2>
        <button type="button" className="button ghost small" onClick={() => { setAttempt((n) => n + 1); }}>Refresh</button>
      </div>
      <form className="filters" onSubmit={filter} role="search">
        <label className="field grow">
          <span className="visually-hidden">Subject</span>
          <input value={subjectText} onChange={(e) => { setSubjectText(e.target.value); }} placeholder="Subject, e.g. ledger or user:<id>" aria-label="Only this subject" spellCheck={false} />
        </label>
        <button type="submit" className="button ghost small">Filter</button>
        {subject !== '' ? <button type="button" className="button ghost small" onClick={() => { setSubject(''); setSubjectText(''); }}>Clear</button> : null}
      </form>
      {log.state === 'loading' ? (
        <Skeleton rows={5} label="Loading the audit log" />
      ) : log.state === 'error' ? (
        <LoadError message={log.message} onRetry={() => { setAttempt((n) => n + 1); }} />
      ) : log.entries.length === 0 ? (
        <p className="empty muted">{subject !== '' ? `Nothing recorded about ${subject}.` : 'Nothing recorded yet.'}</p>
      ) : (
        <>
          <ol className="rows audit" aria-label="Audit entries">
            {log.entries.map((e) => (
              <li key={e.seq} className="row audit-row">
                <span className="row-main">
                  <span><code className="action">{e.action}</code> <span className="subject">{e.subject}</span></span>
                  <span className="muted">
                    #{e.seq} · {formatWhen(e.atMs)} · by <span title={e.actorId ?? 'a job or a webhook'}>{actor(e.actorId)}</span>
                  </span>
                  {Object.keys(e.details).length > 0 ? <code className="details">{JSON.stringify(e.details)}</code> : null}
                </span>
              </li>
            ))}
          </ol>
          {log.next !== null ? (
            <button type="button" className="button ghost wide" disabled={log.more} onClick={() => void older()}>{log.more ? 'Loading…' : 'Older entries'}</button>
          ) : null}
        </>
      )}
    </section>
  );
}
