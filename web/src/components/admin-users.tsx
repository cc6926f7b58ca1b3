// Users on the admin page: search by handle, name or email, filter by role, see each user's
// standing (age, LIVE Gifts, LIVE suspension, ban — read-only here; gifting paused and diamonds on
// hold, with their reasons), change their role, and review money risks (admin-user-review.tsx).
import { useEffect, useState } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import type { AdminUser } from '../../../src/protocol/admin.js';
import { api, explain } from '../api.js';
import { formatWhen } from './balance-format.js';
import { LoadError, Skeleton } from './load.js';
import { UserReviewActions, UserReviewNotes } from './admin-user-review.js';
import { StatusPill } from './status-pill.js';

type Role = AdminUser['role'];
const ROLES: readonly Role[] = ['user', 'moderator', 'admin'];
const PAGE = 25;
const SEARCH_DELAY_MS = 300;

type List = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; users: AdminUser[]; next: string | null; more: boolean };

export function UsersAdmin({ me }: { me: Me }) {
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const [list, setList] = useState<List>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // Search once typing pauses, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => { setSearch(text.trim()); }, SEARCH_DELAY_MS);
    return () => { clearTimeout(timer); };
  }, [text]);

  useEffect(() => {
    let cancelled = false;
    setList({ state: 'loading' });
    api.adminUsers({ limit: PAGE, ...(search !== '' ? { q: search } : {}), ...(role !== '' ? { role } : {}) }).then(
      (page) => {
        if (!cancelled) setList({ state: 'ready', users: page.users, next: page.nextCursor, more: false });
      },
      (e: unknown) => {
        if (!cancelled) setList({ state: 'error', message: explain(e) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [search, role, attempt]);

  async function loadMore() {
    if (list.state !== 'ready' || list.next === null) return;
    setList({ ...list, more: true });
    try {
      const page = await api.adminUsers({ limit: PAGE, cursor: list.next, ...(search !== '' ? { q: search } : {}), ...(role !== '' ? { role } : {}) });
      setList((l) => (l.state === 'ready' ? { state: 'ready', users: [...l.users, ...page.users], next: page.nextCursor, more: false } : l));
    } catch (e) {
      setList({ state: 'error', message: explain(e) });
    }
  }

  const replace = (user: AdminUser) => {
    setList((l) => (l.state === 'ready' ? { ...l, users: l.users.map((u) => (u.id === user.id ? user : u)) } : l));
  };

  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <div className="filters" role="search">
        <label className="field grow">
          <span className="visually-hidden">Search users</span>
          <input type="search" placeholder="Search handle, name or email" value={text} onChange={(e) => { setText(e.target.value); }} aria-label="Search users" />
        </label>
        <label className="inline-select">
          <span className="muted">Role</span>
          <select value={role} onChange={(e) => { setRole(e.target.value === '' ? '' : (e.target.value as Role)); }} aria-label="Only this role">
            <option value="">Any</option>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
      </div>
      {list.state === 'loading' ? (
        <Skeleton rows={4} label="Loading users" />
      ) : list.state === 'error' ? (
        <LoadError message={list.message} onRetry={() => { setAttempt((n) => n + 1); }} />
      ) : list.users.length === 0 ? (
        <p className="empty muted">{search !== '' || role !== '' ? 'No user matches. Try part of a handle, a name or an email.' : 'No users yet.'}</p>
      ) : (
        <>
          <ul className="rows" aria-label="Users">
            {list.users.map((u) => <UserRow key={u.id} user={u} isMe={u.id === me.id} onChanged={replace} />)}
          </ul>
          {list.next !== null ? (
            <button type="button" className="button ghost wide" disabled={list.more} onClick={() => void loadMore()}>{list.more ? 'Loading…' : 'Show more users'}</button>
          ) : null}
        </>
      )}
    </section>
  );
}

function UserRow({ user, isMe, onChanged }: { user: AdminUser; isMe: boolean; onChanged: (u: AdminUser) => void }) {
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  // Asking why before holding the diamonds: opened beside the role, answered in the row.
  const [holding, setHolding] = useState(false);

  async function changeRole(role: Role) {
    setBusy(true);
    setNote(null);
    try {
      const updated = await api.setUserRole(user.id, role);
      onChanged(updated);
      setNote({ ok: true, text: `Now ${updated.role}.` });
    } catch (e) {
      setNote({ ok: false, text: explain(e) });
    } finally {
      setBusy(false);
    }
  }

  const s = user.liveSuspension;
  return (
    <li className="row user-row" aria-label={`${user.displayName} @${user.handle}`}>
      <span className="row-main">
        <strong>{user.displayName}{isMe ? <span className="muted"> (you)</span> : null}</strong>
        <span className="muted">@{user.handle} · {user.email} · joined {formatWhen(user.createdAtMs)}</span>
        <span className="badges">
          <StatusPill tone={user.adult ? 'plain' : 'wait'}>{user.adult ? '18+' : 'Under 18'}</StatusPill>
          <StatusPill tone={user.giftsEnabled ? 'ok' : 'plain'}>{user.giftsEnabled ? 'Gifts on' : 'Gifts off'}</StatusPill>
          {s !== null ? (
            <StatusPill tone="wait">{s.untilMs === null ? `LIVE suspended for good: ${s.reason}` : `LIVE suspended until ${formatWhen(s.untilMs)}: ${s.reason}`}</StatusPill>
          ) : null}
          {user.banned ? <StatusPill tone="bad">{`Banned${user.banReason !== null ? `: ${user.banReason}` : ''}`}</StatusPill> : null}
        </span>
        <UserReviewNotes user={user} />
        <UserReviewActions user={user} onChanged={onChanged} holding={holding} onHolding={setHolding} />
        {note !== null ? <span className={note.ok ? 'ok-text' : 'error'} role={note.ok ? 'status' : 'alert'}>{note.text}</span> : null}
      </span>
      <span className="row-side">
        {user.payoutsHeld === null && !holding ? (
          <button type="button" className="button ghost small" onClick={() => { setHolding(true); }}>Hold diamonds</button>
        ) : null}
        <label className="inline-select">
          <span className="visually-hidden">Role of @{user.handle}</span>
          <select
            value={user.role}
            disabled={busy || isMe}
            title={isMe ? 'You cannot change your own role' : undefined}
            aria-label={`Role of @${user.handle}`}
            onChange={(e) => void changeRole(e.target.value as Role)}
          >
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
      </span>
    </li>
  );
}
