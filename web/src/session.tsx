// Who is signed in, for every page: loaded once from /v1/me (the session cookie), updated on sign-up,
// log-in and log-out.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Me } from '../../src/protocol/accounts.js';
import { api, LivegiftError } from './api.js';

interface Session {
  /** undefined while loading; null when nobody is signed in. */
  readonly me: Me | null | undefined;
  readonly refresh: () => Promise<void>;
  readonly signedIn: (me: Me) => void;
  readonly logOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    try {
      setMe(await api.me());
    } catch (error) {
      if (error instanceof LivegiftError && error.status === 401) setMe(null);
      else setMe((current) => current ?? null);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const value = useMemo<Session>(
    () => ({
      me,
      refresh,
      signedIn: setMe,
      logOut: async () => {
        await api.logOut().catch(() => undefined);
        setMe(null);
      },
    }),
    [me, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
