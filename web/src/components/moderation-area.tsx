// The Moderation tab of /admin: the report queue or the appeals queue, chosen with a switch whose
// choice is in the address (/admin?tab=moderation&queue=appeals), the open appeals counted on it.
import type { Me } from '../../../src/protocol/accounts.js';
import { api } from '../api.js';
import { navigate, useLocation } from '../router.js';
import { useLoader } from './load.js';
import { ModAppeals } from './mod-appeals.js';
import { ModQueue } from './mod-queue.js';
import '../styles/ladder.css';

/** Open appeals counted on the switch, at most (then "50+"). */
const COUNT_MAX = 50;

export function ModerationArea({ me }: { me: Me }) {
  const { query } = useLocation();
  const queue = query.get('queue') === 'appeals' ? 'appeals' : 'reports';
  const open = useLoader(() => api.modAppeals({ status: 'open', limit: COUNT_MAX }), 'open-appeals');
  const count = open.loaded.state === 'ready' ? open.loaded.value.appeals.filter((a) => a.appeal.status === 'open').length : null;
  const more = open.loaded.state === 'ready' && open.loaded.value.nextCursor !== null;
  const go = (next: 'reports' | 'appeals') => {
    navigate(next === 'reports' ? '/admin?tab=moderation' : '/admin?tab=moderation&queue=appeals', { replace: true });
  };
  return (
    <>
      <div className="queue-switch" role="group" aria-label="Moderation queues">
        <button type="button" aria-pressed={queue === 'reports'} onClick={() => { go('reports'); }}>Reports</button>
        <button type="button" aria-pressed={queue === 'appeals'} onClick={() => { go('appeals'); }}>
          Appeals
          {count !== null && count > 0 ? (
            <>
              <span className="queue-count num" aria-hidden="true">{more ? `${COUNT_MAX}+` : count}</span>
              <span className="visually-hidden">{` (${more ? `more than ${COUNT_MAX}` : count} open)`}</span>
            </>
          ) : null}
        </button>
      </div>
      {queue === 'reports' ? <ModQueue me={me} /> : <ModAppeals me={me} onDecided={() => { open.reload({ quiet: true }); }} />}
    </>
  );
}
