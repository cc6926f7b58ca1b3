// Admin: the gift catalog editor, users (standing and role), the moderators' report and appeals queues, every
// creator's payouts, the ledger reconciliation and the audit log, one tab each (the tab is in the
// address: /admin?tab=users). Admins get every tab; moderators get the Moderation tab only (their
// account menu links to /admin?tab=moderation); everyone else is told plainly that this page is not
// for them.
import type { KeyboardEvent } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import { CatalogEditor } from '../components/admin-catalog.js';
import { AuditLog, ReconcilePanel } from '../components/admin-ledger.js';
import { PayoutsAdmin } from '../components/admin-payouts.js';
import { UsersAdmin } from '../components/admin-users.js';
import { Skeleton } from '../components/load.js';
import { ModerationArea } from '../components/moderation-area.js';
import { Link, navigate, useLocation } from '../router.js';
import { useSession } from '../session.js';
import '../styles/account.css';

const TABS = [
  { id: 'catalog', label: 'Catalog' },
  { id: 'users', label: 'Users' },
  { id: 'moderation', label: 'Moderation' },
  { id: 'payouts', label: 'Payouts' },
  { id: 'ledger', label: 'Ledger' },
  { id: 'audit', label: 'Audit log' },
] as const;
type TabId = (typeof TABS)[number]['id'];
type Tab = (typeof TABS)[number];
/** What a moderator (not an admin) may open here. */
const MODERATOR_TABS: readonly Tab[] = TABS.filter((t) => t.id === 'moderation');

export function AdminPage() {
  const { me } = useSession();
  if (me === undefined) {
    return (
      <section className="card narrow">
        <Skeleton rows={3} label="Loading" />
      </section>
    );
  }
  if (me === null) {
    return (
      <section className="card narrow center" aria-labelledby="admin-login">
        <h1 id="admin-login">Admin</h1>
        <p className="muted">Log in with an admin account to manage Livegift.</p>
        <Link to="/login?next=/admin" className="button wide">Log in</Link>
      </section>
    );
  }
  if (me.role === 'user') {
    return (
      <section className="card narrow center" aria-labelledby="admins-only">
        <span className="lock" aria-hidden="true">🔒</span>
        <h1 id="admins-only">Admins only</h1>
        <p>This page is for Livegift admins: the gift catalog, users, payouts and the audit log.</p>
        <p className="muted">
          You are signed in as @{me.handle}. If you should have access, ask an admin to change your role.
        </p>
        <Link to="/" className="button wide">Back to the LIVEs</Link>
      </section>
    );
  }
  return <Admin me={me} />;
}

function Admin({ me }: { me: Me }) {
  const { query } = useLocation();
  const asked = query.get('tab');
  const admin = me.role === 'admin';
  const tabs = admin ? TABS : MODERATOR_TABS;
  const home = tabs[0]?.id ?? 'catalog';
  const tab: TabId = tabs.find((t) => t.id === asked)?.id ?? home;
  const go = (id: TabId) => {
    navigate(id === 'catalog' ? '/admin' : `/admin?tab=${id}`, { replace: true });
  };
  // Arrow keys move between tabs, as in every tab list.
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const i = tabs.findIndex((t) => t.id === tab);
    const next = tabs[(i + step + tabs.length) % tabs.length];
    if (next) {
      go(next.id);
      document.getElementById(`tab-${next.id}`)?.focus();
    }
  };

  return (
    <div className="account-page admin">
      <header className="account-head">
        <h1>{admin ? 'Admin' : 'Moderation'}</h1>
        <p className="muted">{admin ? 'Catalog, users, reports and appeals, payouts and the books of this Livegift.' : 'Reports from viewers and appeals of suspensions, and what to do about them.'}</p>
      </header>
      <div className="tabs" role="tablist" aria-label={admin ? 'Admin sections' : 'Moderation sections'} onKeyDown={onKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className="tab"
            onClick={() => { go(t.id); }}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="card account-card" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'catalog' ? <CatalogEditor /> : null}
        {tab === 'users' ? <UsersAdmin me={me} /> : null}
        {tab === 'moderation' ? <ModerationArea me={me} /> : null}
        {tab === 'payouts' ? <PayoutsAdmin /> : null}
        {tab === 'ledger' ? <ReconcilePanel /> : null}
        {tab === 'audit' ? <AuditLog me={me} /> : null}
      </div>
    </div>
  );
}
