// Every creator's payouts on the admin page, newest first, filtered by status, with who is paid,
// to which account, how many attempts it took, and why a failed one failed. Followed live while any
// payout shown is still on its way.
import { useEffect, useState } from 'react';
import type { AdminPayout } from '../../../src/protocol/admin.js';
import { api, explain } from '../api.js';
import { formatCount, formatMoney, formatWhen } from './balance-format.js';
import { LoadError, Skeleton } from './load.js';
import { StatusPill } from './status-pill.js';

type Status = AdminPayout['status'];
const STATUSES: readonly Status[] = ['requested', 'processing', 'paid', 'failed'];
const LABEL: Readonly<Record<Status, string>> = { requested: 'Requested', processing: 'Processing', paid: 'Paid', failed: 'Failed' };
const PAGE = 25;
const POLL_MS = 5_000;

type List = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; payouts: AdminPayout[]; next: string | null; more: boolean };

export function PayoutsAdmin() {
  const [status, setStatus] = useState<Status | ''>('');
  const [list, setList] = useState<List>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [quiet, setQuiet] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setList({ state: 'loading' });
    api.adminPayouts({ limit: PAGE, ...(status !== '' ? { status } : {}) }).then(
      (page) => {
        if (!cancelled) setList({ state: 'ready', payouts: page.payouts, next: page.nextCursor, more: false });
      },
      (e: unknown) => {
        if (!cancelled) setList({ state: 'error', message: explain(e) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [status, attempt]);

  // While a payout on screen is unfinished, refresh the first page quietly (kept rows stay put).
  const unfinished = list.state === 'ready' && list.payouts.some((p) => p.status === 'requested' || p.status === 'processing');
  useEffect(() => {
    if (!unfinished) return;
    const timer = setTimeout(() => {
      api.adminPayouts({ limit: PAGE, ...(status !== '' ? { status } : {}) }).then(
        (page) => {
          const fresh = new Map(page.payouts.map((p) => [p.id, p]));
          setList((l) => (l.state === 'ready' ? { ...l, payouts: l.payouts.map((p) => fresh.get(p.id) ?? p) } : l));
          setQuiet((n) => n + 1);
        },
        () => { setQuiet((n) => n + 1); },
      );
    }, POLL_MS);
    return () => { clearTimeout(timer); };
  }, [unfinished, status, quiet]);

  async function loadMore() {
    if (list.state !== 'ready' || list.next === null) return;
    setList({ ...list, more: true });
    try {
      const page = await api.adminPayouts({ limit: PAGE, cursor: list.next, ...(status !== '' ? { status } : {}) });
      setList((l) => (l.state === 'ready' ? { state: 'ready', payouts: [...l.payouts, ...page.payouts], next: page.nextCursor, more: false } : l));
    } catch (e) {
      setList({ state: 'error', message: explain(e) });
    }
  }

  return (
    <section aria-labelledby="admin-payouts-title">
      <div className="section-head">
        <h2 id="admin-payouts-title">Payouts</h2>
        <div className="filters">
          <label className="inline-select">
            <span className="muted">Status</span>
            <select value={status} onChange={(e) => { setStatus(e.target.value === '' ? '' : (e.target.value as Status)); }} aria-label="Only this status">
              <option value="">Any</option>
              {STATUSES.map((s) => <option key={s} value={s}>{LABEL[s]}</option>)}
            </select>
          </label>
          <button type="button" className="button ghost small" onClick={() => { setAttempt((n) => n + 1); }}>Refresh</button>
        </div>
      </div>
      {list.state === 'loading' ? (
        <Skeleton rows={4} label="Loading payouts" />
      ) : list.state === 'error' ? (
        <LoadError message={list.message} onRetry={() => { setAttempt((n) => n + 1); }} />
      ) : list.payouts.length === 0 ? (
        <p className="empty muted">{status === '' ? 'No creator has redeemed diamonds yet.' : `No ${LABEL[status].toLowerCase()} payouts.`}</p>
      ) : (
        <>
          <ul className="rows" aria-label="All payouts">
            {list.payouts.map((p) => (
              <li key={p.id} className="row" aria-label={`${p.creator?.displayName ?? 'Unknown creator'}: ${formatMoney(p.amountMinor, p.currency)}, ${LABEL[p.status]}`}>
                <span className="row-main">
                  <strong>
                    {p.creator ? `${p.creator.displayName} ` : 'Unknown creator '}
                    {p.creator ? <span className="muted">@{p.creator.handle}</span> : null}
                  </strong>
                  <span className="muted">
                    {formatCount(p.diamonds)} diamonds → {p.accountLabel ?? 'unknown account'} · {formatWhen(p.createdAtMs)}
                    {p.attempts > 1 ? ` · ${p.attempts} attempts` : ''}
                  </span>
                  {p.failureReason !== null ? <span className="error">{p.failureReason}</span> : null}
                </span>
                <span className="row-side">
                  <span className="num">{formatMoney(p.amountMinor, p.currency)}</span>
                  <StatusPill tone={p.status === 'paid' ? 'ok' : p.status === 'failed' ? 'bad' : 'wait'}>{LABEL[p.status]}</StatusPill>
                </span>
              </li>
            ))}
          </ul>
          {list.next !== null ? (
            <button type="button" className="button ghost wide" disabled={list.more} onClick={() => void loadMore()}>{list.more ? 'Loading…' : 'Show more payouts'}</button>
          ) : null}
        </>
      )}
    </section>
  );
}
