// The creator's studio. Before a LIVE: the LIVE Gifts toggle (with why it cannot be on), a title and
// Go LIVE — or why going LIVE is not possible now (age, a suspension and its end). On air: the stage
// preview, gifts arriving in a feed with a one-tap Thank on each gifter, viewers, top gifters,
// private coaching in amber when a title or line baits for gifts, the OBS overlay link, and End LIVE
// (which opens the LIVE's summary). Below, the creator's past LIVEs, each linking to its summary.
//
// The parts live in components/studio-*.tsx: the Go LIVE form, the on-air dashboard (and its gift
// feed with thanks, coaching, chat and overlay link), the creator's standing (a suspension, strikes
// and how moderation works), the past LIVEs. The account is read again when the studio opens, so a
// suspension decided since the app loaded shows at once. How the video comes (this browser's camera,
// or OBS) is chosen in the Go LIVE form and shown on air (studio-stream, studio-camera); the camera
// lives as long as the studio page, so the preview set up before going LIVE is what goes on air.
import { useCallback, useEffect, useState } from 'react';
import type { Me } from '../../../src/protocol/accounts.js';
import type { Live } from '../../../src/protocol/lives.js';
import { api, explain, LivegiftError } from '../api.js';
import { GoLive } from '../components/studio-go-live.js';
import { OnAir } from '../components/studio-on-air.js';
import { PastLives } from '../components/studio-past-lives.js';
import { StudioStanding } from '../components/studio-standing.js';
import { useCameraSession } from '../components/studio-camera.js';
import { GoLiveStream, useStreamSource } from '../components/studio-stream.js';
import { ON_AIR_KEY } from '../components/studio-storage.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import '../styles/studio.css';

export function StudioPage() {
  const { me } = useSession();
  if (me === undefined) return <div className="studio" aria-busy="true" aria-label="Loading your studio"><div className="panel skeleton tall" /></div>;
  if (me === null) {
    return (
      <section className="card narrow center">
        <h1>Your creator studio</h1>
        <p className="muted">Log in to go LIVE, see your gifts the moment they arrive and thank your gifters.</p>
        <Link to="/login?next=/studio" className="button wide">Log in</Link>
        <p className="muted">New here? <Link to="/signup">Create an account</Link></p>
      </section>
    );
  }
  if (!me.adult) {
    return (
      <section className="card narrow" aria-labelledby="studio-minor">
        <h1 id="studio-minor">Your creator studio</h1>
        <p className="notice">
          Going LIVE and collecting diamonds are for people 18 and older, and your account says you are under 18. They open
          by themselves on your 18th birthday.
        </p>
        <p className="muted">Until then you can watch LIVEs, chat and send hearts.</p>
        <Link to="/" className="button wide">Watch LIVEs</Link>
      </section>
    );
  }
  return <Studio me={me} />;
}

function Studio({ me }: { me: Me }) {
  const { refresh } = useSession();
  const [onAir, setOnAir] = useState<Live | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const camera = useCameraSession();
  const [source, setSource] = useStreamSource();

  useEffect(() => {
    let cancelled = false;
    setLoadError(null);
    findOnAir(me.id).then(
      (live) => {
        if (!cancelled) setOnAir(live);
      },
      (error: unknown) => {
        if (!cancelled) setLoadError(explain(error));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [me.id, attempt]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const started = useCallback((live: Live) => {
    localStorage.setItem(ON_AIR_KEY, live.id);
    setOnAir(live);
  }, []);

  return (
    <div className="studio">
      <header className="studio-head">
        <div>
          <h1>Creator studio</h1>
          <p className="muted">@{me.handle}</p>
        </div>
        {onAir ? <span className="live-badge static">LIVE</span> : null}
      </header>
      {loadError !== null ? (
        <div className="panel center">
          <p className="error" role="alert">{loadError}</p>
          <button type="button" className="button" onClick={() => { setAttempt((n) => n + 1); }}>Try again</button>
        </div>
      ) : onAir === undefined ? (
        <div className="panel skeleton tall" aria-busy="true" aria-label="Loading your studio" />
      ) : onAir ? (
        <>
          <OnAir key={onAir.id} live={onAir} me={me} camera={camera} source={source} onSource={setSource} />
          <PastLives handle={me.handle} />
        </>
      ) : (
        <div className="studio-split">
          <div className="studio-column">
            <GoLive me={me} onStarted={started} stream={<GoLiveStream camera={camera} source={source} onSource={setSource} />} />
            <StudioStanding me={me} />
          </div>
          <PastLives handle={me.handle} />
        </div>
      )}
    </div>
  );
}

/** The creator's LIVE on air, if any: the one this browser started, else the on-air list. */
async function findOnAir(creatorId: string): Promise<Live | null> {
  const remembered = localStorage.getItem(ON_AIR_KEY);
  if (remembered !== null) {
    try {
      const live = await api.live(remembered);
      if (live.status === 'live' && live.creator.id === creatorId) return live;
    } catch (error) {
      if (!(error instanceof LivegiftError && error.status === 404)) throw error;
    }
    localStorage.removeItem(ON_AIR_KEY);
  }
  // Started elsewhere (another device, the API): it is on the on-air list. One that is not on the
  // first page is found when Go LIVE answers already_live.
  const page = await api.lives({ limit: 100 });
  return page.lives.find((l) => l.status === 'live' && l.creator.id === creatorId) ?? null;
}
