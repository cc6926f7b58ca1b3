// Sign up (with date of birth) and log in. Under-18 accounts are told plainly what they can and
// cannot do, instead of finding buttons missing later.
import { useState, type SyntheticEvent } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import { api, explain } from '../api.js';
import { Link, navigate } from '../router.js';
import { useSession } from '../session.js';

/** A text field of a submitted form ('' when absent). */
function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

export function SignUpPage() {
  const { signedIn } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [minor, setMinor] = useState<Me | null>(null);

  async function submit(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => field(form, name).trim();
    setBusy(true);
    setError(null);
    try {
      const me = await api.signUp({ email: text('email'), password: field(form, 'password'), handle: text('handle'), displayName: text('displayName'), birthDate: text('birthDate') });
      signedIn(me);
      if (me.adult) navigate('/');
      else setMinor(me);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  }

  if (minor) return <UnderEighteen me={minor} />;
  return (
    <section className="card narrow">
      <h1>Create your account</h1>
      <form onSubmit={(e) => void submit(e)} className="form">
        <label>Email<input name="email" type="email" autoComplete="email" required /></label>
        <label>Handle<input name="handle" autoComplete="username" required minLength={3} maxLength={24} pattern="[A-Za-z0-9_.]{3,24}" title="3 to 24 letters, digits, dots or underscores" /></label>
        <label>Display name<input name="displayName" autoComplete="nickname" required maxLength={50} /></label>
        <label>Password<input name="password" type="password" autoComplete="new-password" required minLength={10} /></label>
        <label>
          Date of birth<input name="birthDate" type="date" required max={new Date().toISOString().slice(0, 10)} />
          <small className="muted">Gifting and going LIVE are for people 18 and older.</small>
        </label>
        {error !== null ? <p className="error" role="alert">{error}</p> : null}
        <button type="submit" className="button wide" disabled={busy}>{busy ? 'Creating…' : 'Sign up'}</button>
      </form>
      <p className="muted center">Already have an account? <Link to="/login">Log in</Link></p>
    </section>
  );
}

/** What an under-18 account can do, said at once. */
export function UnderEighteen({ me }: { me: Me }) {
  return (
    <section className="card narrow" aria-labelledby="minor-title">
      <h1 id="minor-title">Welcome, {me.displayName}</h1>
      <p>You can watch LIVEs, chat and send hearts.</p>
      <p className="notice">
        Because you are under 18, buying coins, sending gifts, going LIVE and collecting diamonds are not available on your
        account. They open by themselves on your 18th birthday.
      </p>
      <Link to="/" className="button wide">Watch LIVEs</Link>
    </section>
  );
}

export function LogInPage() {
  const { signedIn } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      signedIn(await api.logIn({ login: field(form, 'login').trim(), password: field(form, 'password') }));
      const next = new URLSearchParams(location.search).get('next');
      navigate(next !== null && next.startsWith('/') && !next.startsWith('//') ? next : '/');
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card narrow">
      <h1>Log in</h1>
      <form onSubmit={(e) => void submit(e)} className="form">
        <label>Handle or email<input name="login" autoComplete="username" required /></label>
        <label>Password<input name="password" type="password" autoComplete="current-password" required /></label>
        {error !== null ? <p className="error" role="alert">{error}</p> : null}
        <button type="submit" className="button wide" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
      <p className="muted center">New here? <Link to="/signup">Create an account</Link></p>
    </section>
  );
}
