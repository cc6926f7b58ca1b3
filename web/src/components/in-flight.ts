// Which items have a request on its way (a button per item shows it busy): `run` marks the id for
// as long as its work lasts, whatever the outcome.
import { useCallback, useState } from 'react';

export function useInFlight(): { readonly ids: ReadonlySet<string>; readonly run: <T>(id: string, work: () => Promise<T>) => Promise<T> } {
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());
  const run = useCallback(async <T,>(id: string, work: () => Promise<T>): Promise<T> => {
    setIds((s) => new Set(s).add(id));
    try {
      return await work();
    } finally {
      setIds((s) => {
        const next = new Set(s);
        next.delete(id);
        return next;
      });
    }
  }, []);
  return { ids, run };
}
