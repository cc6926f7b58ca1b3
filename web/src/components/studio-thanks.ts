// Thanking gifters from the studio: the phrase the creator picked (a suggested one or their own
// words), one-tap thanks over the room socket, "Thank all" for the top gifters, and who has been
// thanked: read from the server when the studio opens (the record of thank-yous: a reload or another
// device keeps the marks), then from the acks of this page.
import { useEffect, useState } from 'react';
import { THANKS_PHRASES } from '../../../src/domain/thanks.js';
import type { PublicUser } from '../../../src/protocol/accounts.js';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';
import { api, explain } from '../api.js';
import { useInFlight } from './in-flight.js';

/** The choice among the phrases that means "my own words". */
export const OWN_WORDS = 'own';
/** Thank all thanks at most this many gifters (each thank-you is a line in everyone's chat). */
export const THANK_ALL_MAX = 20;

export interface Thanks {
  /** Thanked during this LIVE: stored on the server, or acked by the room since this page opened. */
  readonly thanked: ReadonlySet<string>;
  /** Gifters whose thank-you is on its way. */
  readonly thanking: ReadonlySet<string>;
  /** A suggested phrase, or OWN_WORDS. */
  readonly phrase: string;
  readonly setPhrase: (phrase: string) => void;
  readonly ownWords: string;
  readonly setOwnWords: (words: string) => void;
  readonly error: string | null;
  readonly thank: (user: PublicUser) => Promise<void>;
  /** Thanks these gifters one after the other (at most THANK_ALL_MAX), in the order given. */
  readonly thankAll: (users: readonly PublicUser[]) => Promise<void>;
}

export function useThanks(room: LiveRoomClient | null, liveId: string): Thanks {
  const [thanked, setThanked] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    let cancelled = false;
    // The first page is up to 1,000 gifters: as many as the studio shows marks for.
    api.liveThanks(liveId).then(
      (page) => {
        if (!cancelled) setThanked((s) => new Set([...s, ...page.thanks.map((t) => t.to.id)]));
      },
      () => undefined, // the marks are a convenience; thanking works without them
    );
    return () => {
      cancelled = true;
    };
  }, [liveId]);
  const { ids: thanking, run } = useInFlight();
  const [phrase, setPhrase] = useState<string>(THANKS_PHRASES[1]);
  const [ownWords, setOwnWords] = useState('');
  const [error, setError] = useState<string | null>(null);
  const text = phrase === OWN_WORDS ? ownWords.trim() : phrase;

  const thank = async (user: PublicUser): Promise<void> => {
    if (!room) return;
    if (text === '') {
      setError('Write your own words first, or pick a suggested phrase.');
      return;
    }
    setError(null);
    await run(user.id, async () => {
      try {
        await room.thank({ toUserId: user.id, text });
        setThanked((s) => new Set(s).add(user.id));
      } catch (e) {
        setError(`${user.displayName} was not thanked: ${explain(e)}`);
      }
    });
  };

  const thankAll = async (users: readonly PublicUser[]): Promise<void> => {
    // One after the other: each is a line in everyone's chat, in the order given.
    for (const user of users.slice(0, THANK_ALL_MAX)) await thank(user);
  };

  return { thanked, thanking, phrase, setPhrase, ownWords, setOwnWords, error, thank, thankAll };
}
