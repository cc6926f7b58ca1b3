// The app: the session, the top bar, and the page for the current address.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Me } from '../../src/protocol/accounts.js';
import { HomePage } from './pages/home.js';
import { LogInPage, SignUpPage } from './pages/auth.js';
import { LivePage } from './pages/live.js';
import { StudioPage } from './pages/studio.js';
import { LiveSummaryPage } from './pages/summary.js';
import { OverlayPage } from './pages/overlay.js';
import { BalancePage } from './pages/balance.js';
import { AdminPage } from './pages/admin.js';
import { Link, match, useLocation } from './router.js';
import { SessionProvider, useSession } from './session.js';
import { api } from './api.js';
import { Coins } from './components/coins.js';

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const { path } = useLocation();
  // The OBS overlay is its own transparent page: no top bar, no session needed (the token is in the URL).
  const overlay = match('/overlay/:id', path);
  if (overlay?.id !== undefined) return <OverlayPage key={overlay.id} liveId={overlay.id} />;
  return (
    <>
      <TopBar />
      <main className="page">{pageFor(path)}</main>
    </>
  );
}

function pageFor(path: string): ReactNode {
  if (match('/', path)) return <HomePage />;
  if (match('/login', path)) return <LogInPage />;
  if (match('/signup', path)) return <SignUpPage />;
  const live = match('/live/:id', path);
  if (live?.id !== undefined) return <LivePage key={live.id} liveId={live.id} />;
  if (match('/studio', path)) return <StudioPage />;
  const summary = match('/studio/lives/:id', path);
  if (summary?.id !== undefined) return <LiveSummaryPage key={summary.id} liveId={summary.id} />;
  if (match('/balance', path)) return <BalancePage />;
  if (match('/admin', path)) return <AdminPage />;
  return <NotFound />;
}

function TopBar() {
  const { me, logOut } = useSession();
  return (
    <header className="topbar">
      <Link to="/" className="brand" aria-label="Livegift home">
        <span className="brand-mark" aria-hidden="true">◆</span> Livegift
      </Link>
      <nav className="topbar-right" aria-label="Account">
        {me === undefined ? null : me === null ? (
          <>
            <Link to="/login" className="button ghost small">Log in</Link>
            <Link to="/signup" className="button small">Sign up</Link>
          </>
        ) : (
          <>
            {me.adult ? <Coins /> : null}
            {me.adult ? (
              <>
                <Link to="/studio" className="button ghost small wide-only">Studio</Link>
                <Link to="/balance" className="button ghost small wide-only">Balance</Link>
              </>
            ) : null}
            <AccountMenu me={me} logOut={logOut} />
          </>
        )}
      </nav>
    </header>
  );
}

/** Who is signed in, and everything about their account, behind one button (it fits a phone). */
function AccountMenu({ me, logOut }: { me: Me; logOut: () => Promise<void> }) {
  const { refresh } = useSession();
  const [open, setOpen] = useState(false);
  // Ends every session of this account (phones, other browsers, this one); then the session reloads
  // and finds nobody signed in here either.
  const logOutEverywhere = async () => {
    await api.logOutEverywhere().catch(() => undefined);
    await refresh();
  };
  const box = useRef<HTMLDivElement>(null);
  // Closes on every navigation, one that changes only the query too (/admin → /admin?tab=moderation).
  const { path, query } = useLocation();
  const address = `${path}?${query.toString()}`;
  useEffect(() => {
    setOpen(false);
  }, [address]);
  useEffect(() => {
    if (!open) return;
    const outside = (event: PointerEvent) => {
      if (!box.current?.contains(event.target as Node)) setOpen(false);
    };
    const escape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      box.current?.querySelector('button')?.focus();
    };
    document.addEventListener('pointerdown', outside);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('pointerdown', outside);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);
  return (
    <div className="account-menu" ref={box}>
      <button type="button" className="button ghost small" aria-expanded={open} aria-controls="account-menu-list" onClick={() => { setOpen((o) => !o); }}>
        <span className="avatar-initial" aria-hidden="true">{me.displayName.slice(0, 1).toUpperCase()}</span>
        <span className="who">{me.displayName}</span>
        <span className="sr-only">Account menu</span>
        <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <ul id="account-menu-list" className="account-menu-list">
          <li className="muted account-menu-handle">@{me.handle}</li>
          <li><Link to="/studio">Creator studio</Link></li>
          <li><Link to="/balance">Balance and payouts</Link></li>
          {me.role === 'admin' ? <li><Link to="/admin">Admin</Link></li> : null}
          {me.role !== 'user' ? <li><Link to="/admin?tab=moderation">Moderation</Link></li> : null}
          <li><button type="button" className="linklike" onClick={() => void logOut()}>Log out</button></li>
          <li><button type="button" className="linklike" onClick={() => void logOutEverywhere()}>Log out everywhere</button></li>
        </ul>
      ) : null}
    </div>
  );
}

function NotFound() {
  return (
    <section className="card narrow center">
      <h1>Nothing here</h1>
      <p className="muted">This page does not exist (any more).</p>
      <Link to="/" className="button">Go to the LIVEs on air</Link>
    </section>
  );
}
