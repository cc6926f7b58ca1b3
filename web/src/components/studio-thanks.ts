// Thanking gifters from the studio: the phrase the creator picked (a suggested one or their own
// words), one-tap thanks over the room socket, "Thank all" for the top gifters, and who was thanked
// from this page (from the acks, in memory only: the server stores a thank-you to a gifter, and the
// summary reads whom the creator thanked from it).
import { useState } from 'react';
import { THANKS_PHRASES } from '../../../src/domain/thanks.js';
import type { PublicUser } from '../../../src/protocol/accounts.js';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';
import { explain } from '../api.js';

/** The choice among the phrases that means "my own words". */
export const OWN_WORDS = 'own';
/** Thank all thanks at most this many gifters (each thank-you is a line in everyone's chat). */
export const THANK_ALL_MAX = 20;

export interface Thanks {
  /** Thanked from this page during the LIVE (acked by the room). */
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

export function useThanks(room: LiveRoomClient | null): Thanks {
  const [thanked, setThanked] = useState<ReadonlySet<string>>(new Set());
  const [thanking, setThanking] = useState<ReadonlySet<string>>(new Set());
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
    setThanking((s) => new Set(s).add(user.id));
    try {
      await room.thank({ toUserId: user.id, text });
      setThanked((s) => new Set(s).add(user.id));
    } catch (e) {
      setError(`${user.displayName} was not thanked: ${explain(e)}`);
    } finally {
      setThanking((s) => {
        const next = new Set(s);
        next.delete(user.id);
        return next;
      });
    }
  };

  const thankAll = async (users: readonly PublicUser[]): Promise<void> => {
    // One after the other: each is a line in everyone's chat, in the order given.
    for (const user of users.slice(0, THANK_ALL_MAX)) await thank(user);
  };

  return { thanked, thanking, phrase, setPhrase, ownWords, setOwnWords, error, thank, thankAll };
}
