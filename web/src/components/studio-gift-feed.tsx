// The studio's gifts on air: a feed with one row per combo (a big gift is a combo of its own) that
// grows as the combo does, each with a one-tap Thank in the phrase picked above it; and the LIVE's
// top gifters with "Thank all".
import { useEffect, useState } from 'react';
import { THANKS_PHRASES } from '../../../src/domain/thanks.js';
import type { Gift } from '../../../src/protocol/gifts.js';
import type { PublicUser } from '../../../src/protocol/accounts.js';
import type { ComboUpdatedData, GiftSentData, LeaderboardEntry } from '../../../src/protocol/room.js';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';
import { initials } from '../pages/home.js';
import { giftLook } from './catalog.js';
import { OWN_WORDS, THANK_ALL_MAX, type Thanks } from './studio-thanks.js';

/** Rows of the feed, at most (the newest on top). */
const FEED_MAX = 50;

export interface FeedItem {
  /** The combo's id: the row grows with the combo. */
  readonly key: string;
  readonly sender: PublicUser;
  readonly giftId: string;
  /** The gift's name and art as the room sent them; null for a combo (it names its gift by id only). */
  readonly look: { readonly name: string; readonly artUrl: string } | null;
  readonly count: number;
  readonly coins: number;
}

/**
 * The feed of a room (null: not there yet), from its gift.sent and combo.updated events and, after a
 * (re)connection, what the snapshot still shows. Call it before the effect that connects the room.
 */
export function useGiftFeed(room: LiveRoomClient | null): readonly FeedItem[] {
  const [feed, setFeed] = useState<readonly FeedItem[]>([]);
  useEffect(() => {
    if (!room) return;
    const add = (item: FeedItem) => {
      setFeed((items) => {
        // A combo only grows: an event that arrives late (or twice) never shrinks its row.
        const was = items.find((i) => i.key === item.key);
        const row = was ? { ...item, look: item.look ?? was.look, count: Math.max(was.count, item.count), coins: Math.max(was.coins, item.coins) } : item;
        return [row, ...items.filter((i) => i.key !== item.key)].slice(0, FEED_MAX);
      });
    };
    // One row per combo: a snapshot's recent sends fold into the rows their combo events make, and
    // a repeated event changes nothing.
    const sent = (g: GiftSentData): FeedItem => ({ key: g.comboId, sender: g.sender, giftId: g.gift.id, look: { name: g.gift.name, artUrl: g.gift.artUrl }, count: g.comboCount, coins: g.gift.coins * g.comboCount });
    const combo = (c: ComboUpdatedData): FeedItem => ({ key: c.comboId, sender: c.sender, giftId: c.giftId, look: null, count: c.comboCount, coins: c.coins });
    const offs = [
      room.on('snapshot', (e) => {
        // Oldest first, so the newest ends on top.
        for (const g of e.data.recentGifts) add(sent(g));
        for (const c of e.data.activeCombos) add(combo(c));
      }),
      room.on('gift.sent', (e) => { add(sent(e.data)); }),
      room.on('combo.updated', (e) => { add(combo(e.data)); }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [room]);
  return feed;
}

/** The feed panel: the phrase to thank with, then the rows. */
export function GiftFeed({ feed, catalog, thanks }: { feed: readonly FeedItem[]; catalog: ReadonlyMap<string, Gift> | null; thanks: Thanks }) {
  const { phrase, setPhrase, ownWords, setOwnWords } = thanks;
  return (
    <section className="panel" aria-labelledby="feed-title">
      <h2 id="feed-title">Gifts</h2>
      <fieldset className="phrases">
        <legend>Thank with</legend>
        {[...THANKS_PHRASES, OWN_WORDS].map((p) => (
          <label key={p} className={`chip${phrase === p ? ' on' : ''}`}>
            <input type="radio" name="phrase" value={p} checked={phrase === p} onChange={() => { setPhrase(p); }} />
            {p === OWN_WORDS ? 'Own words…' : p}
          </label>
        ))}
        {phrase === OWN_WORDS ? (
          <input className="own-words" aria-label="Your own thank-you" placeholder="Your own thank-you" maxLength={200} value={ownWords} onChange={(e) => { setOwnWords(e.target.value); }} />
        ) : null}
      </fieldset>
      {thanks.error !== null ? <p className="error" role="alert">{thanks.error}</p> : null}
      {feed.length === 0 ? (
        <p className="empty muted">No gifts yet. When a viewer sends one, it shows here at once — tap Thank to thank them in the chat.</p>
      ) : (
        <ul className="feed" aria-label="Gift feed" aria-live="polite">
          {feed.map((item) => {
            const look = item.look ?? giftLook(catalog, item.giftId);
            return (
              <li key={item.key} className="feed-row">
                <span className="avatar small" aria-hidden="true">{initials(item.sender.displayName)}</span>
                <span className="feed-what">
                  <strong>{item.sender.displayName}</strong>
                  <span className="muted">sent {look.name}{item.count > 1 ? ` ×${item.count}` : ''}</span>
                </span>
                <img src={look.artUrl} alt="" width={36} height={36} />
                <span className="feed-coins num" role="img" aria-label={`${item.coins} coins`}><span className="coin-icon" aria-hidden="true" /> {item.coins.toLocaleString('en-US')}</span>
                <ThankButton user={item.sender} thanks={thanks} />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** The LIVE's biggest gifters (the room's leaderboard), with "Thank all" for those not thanked yet. */
export function TopGifters({ top, thanks }: { top: readonly LeaderboardEntry[]; thanks: Thanks }) {
  const unthanked = unthankedOf(top, thanks);
  const thankedCount = top.filter((e) => thanks.thanked.has(e.user.id)).length;
  return (
    <section className="panel" aria-labelledby="top-title">
      <div className="panel-head">
        <h2 id="top-title">Top gifters</h2>
        {unthanked.length > 0 ? (
          <button type="button" className="button small" onClick={() => void thanks.thankAll(unthanked)} disabled={thanks.thanking.size > 0}>Thank all ({unthanked.length})</button>
        ) : top.length > 0 ? <span className="thanked">All thanked ✓</span> : null}
      </div>
      {top.length === 0 ? (
        <p className="empty muted">Your biggest gifters of this LIVE will be ranked here.</p>
      ) : (
        <ol className="ranking">
          {top.slice(0, 10).map((entry, i) => (
            <li key={entry.user.id}>
              <span className="rank num">{i + 1}</span>
              <span className="avatar small" aria-hidden="true">{initials(entry.user.displayName)}</span>
              <span className="ranking-name">{entry.user.displayName}</span>
              <span className="feed-coins num"><span className="coin-icon" aria-hidden="true" /> {entry.coins.toLocaleString('en-US')}</span>
            </li>
          ))}
        </ol>
      )}
      {thankedCount > 0 ? <p className="muted hint">{thankedCount} of {top.length} thanked in this LIVE.</p> : null}
    </section>
  );
}

/** The top gifters not thanked yet, in leaderboard order, as many as Thank all thanks. */
export function unthankedOf(top: readonly LeaderboardEntry[], thanks: Pick<Thanks, 'thanked'>): PublicUser[] {
  return top.filter((e) => !thanks.thanked.has(e.user.id)).slice(0, THANK_ALL_MAX).map((e) => e.user);
}

function ThankButton({ user, thanks }: { user: PublicUser; thanks: Thanks }) {
  if (thanks.thanked.has(user.id)) return <span className="thanked" aria-label={`${user.displayName} thanked`}>Thanked ✓</span>;
  const busy = thanks.thanking.has(user.id);
  return (
    <button type="button" className="button small" aria-label={`Thank ${user.displayName}`} disabled={busy} onClick={() => void thanks.thank(user)}>
      {busy ? '…' : 'Thank'}
    </button>
  );
}
