// The gift show of a LIVE, fed by its room socket: small gifts as stacked banners whose combo count
// grows, big gifts one at a time from a queue, each for a few seconds. The OBS overlay draws only
// this (on a transparent page); the creator's studio shows it as the stage preview.
//
// A twin of the banner and big-gift parts of pages/live.tsx (same markup and class names, so
// styles.css draws both alike), kept apart while live.tsx is being reworked; fold them together.
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { Gift } from '../../../src/protocol/gifts.js';
import type { ComboUpdatedData, GiftSentData } from '../../../src/protocol/room.js';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';
import { api } from '../api.js';
import { initials } from '../pages/home.js';

export interface Banner {
  readonly key: string;
  readonly sender: string;
  readonly giftName: string;
  readonly artUrl: string;
  readonly count: number;
  readonly shownAt: number;
}

export interface BigGift {
  readonly key: string;
  readonly sender: string;
  readonly name: string;
  readonly artUrl: string;
  /** The gift's full-screen scene, when the catalog has one. */
  readonly sceneUrl: string | null;
  readonly count: number;
}

const BANNERS_MAX = 3;
const BANNER_MS = 4_000;
const BIG_GIFT_MS = 3_000;
/** Big gifts waiting their turn, at most: a flood of big gifts skips the oldest rather than lag minutes behind. */
const QUEUE_MAX = 20;

/** The catalog by gift id (combo events name their gift by id only); empty until it is loaded. */
export function useCatalog(): RefObject<Map<string, Gift>> {
  const catalog = useRef(new Map<string, Gift>());
  useEffect(() => {
    api.catalog().then(
      (gifts) => {
        catalog.current = new Map(gifts.map((g) => [g.id, g]));
      },
      () => undefined,
    );
  }, []);
  return catalog;
}

/** Banners and the big gift playing now, from a room's gift.sent and combo.updated events. */
export function useGiftShow(room: LiveRoomClient | null): { banners: Banner[]; playing: BigGift | undefined } {
  const catalog = useCatalog();
  const [banners, setBanners] = useState<Banner[]>([]);
  const [queue, setQueue] = useState<BigGift[]>([]);

  useEffect(() => {
    if (!room) return;
    const offs = [
      room.on('gift.sent', (e) => {
        const g: GiftSentData = e.data;
        const scene = catalog.current.get(g.gift.id)?.sceneUrl ?? null;
        setQueue((q) => [...q, { key: g.transferId, sender: g.sender.displayName, name: g.gift.name, artUrl: g.gift.artUrl, sceneUrl: scene, count: g.count }].slice(-QUEUE_MAX));
      }),
      room.on('combo.updated', (e) => {
        const c: ComboUpdatedData = e.data;
        const gift = catalog.current.get(c.giftId);
        const banner: Banner = { key: c.comboId, sender: c.sender.displayName, giftName: gift?.name ?? giftName(c.giftId), artUrl: gift?.artUrl ?? `/assets/gifts/${c.giftId}.svg`, count: c.comboCount, shownAt: Date.now() };
        setBanners((list) => [banner, ...list.filter((b) => b.key !== banner.key)].slice(0, BANNERS_MAX));
      }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [room, catalog]);

  // Banners leave after a few seconds without a new tap.
  useEffect(() => {
    if (banners.length === 0) return;
    const timer = setInterval(() => {
      setBanners((list) => list.filter((b) => Date.now() - b.shownAt < BANNER_MS));
    }, 500);
    return () => {
      clearInterval(timer);
    };
  }, [banners.length]);

  // Big gifts play one at a time.
  const playing = queue[0];
  useEffect(() => {
    if (!playing) return;
    const timer = setTimeout(() => {
      setQueue((q) => q.slice(1));
    }, BIG_GIFT_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [playing]);

  return { banners, playing };
}

/** The banners and the big gift of a room, drawn over whatever is under them. */
export function GiftShow({ room }: { room: LiveRoomClient | null }) {
  const { banners, playing } = useGiftShow(room);
  return (
    <>
      <ul className="banners" aria-live="polite" aria-label="Gifts">
        {banners.map((b) => (
          <li key={b.key} className="banner">
            <span className="avatar small">{initials(b.sender)}</span>
            <span className="banner-text"><strong>{b.sender}</strong><span>sent {b.giftName}</span></span>
            <img src={b.artUrl} alt="" width={40} height={40} />
            <span key={b.count} className="combo num">×{b.count}</span>
          </li>
        ))}
      </ul>
      {playing ? (
        <div key={playing.key} className="big-gift" role="status" aria-label={`${playing.sender} sent ${playing.name}`}>
          {playing.sceneUrl !== null ? <img className="big-gift-scene" src={playing.sceneUrl} alt="" /> : null}
          <img className="big-gift-art" src={playing.artUrl} alt="" width={220} height={220} />
          <p><strong>{playing.sender}</strong> sent {playing.name}{playing.count > 1 ? ` ×${playing.count}` : ''}</p>
        </div>
      ) : null}
    </>
  );
}

/** The gift's name from its id ("finger-heart" → "Finger heart") until the catalog is loaded. */
export function giftName(id: string): string {
  return id.replace(/[-_]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}
