// The app: the session, the top bar, and the page for the current address.
import type { ReactNode } from 'react';
import { HomePage } from './pages/home.js';
import { LogInPage, SignUpPage } from './pages/auth.js';
import { LivePage } from './pages/live.js';
import { Link, match, useLocation } from './router.js';
import { SessionProvider, useSession } from './session.js';
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
            <span className="who" title={`@${me.handle}`}>{me.displayName}</span>
            <button type="button" className="button ghost small" onClick={() => void logOut()}>Log out</button>
          </>
        )}
      </nav>
    </header>
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
