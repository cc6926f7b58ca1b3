// The gifts on the LIVE stage: small gifts as stacked banners whose combo count grows, big gifts full
// screen one at a time. Two sources feed it and must never show the same send twice:
//
// - the room (`gift.sent` for big gifts, keyed by the send's id = its transferId; `combo.updated`
//   for small ones, keyed by the combo's id = the id of the combo's first send);
// - the viewer's own taps, shown at once (optimistic), then reconciled with their ack: applied
//   keeps them (the ack names the combo the server put them in), refused withdraws them.
//
// An own banner's count is max(taps not refused, highest combo count the server reported for it):
// while acks are on their way it counts the taps, and once the server has spoken it never shows
// less than the server's number nor a refused tap. The store lives outside React (room handlers and
// in-flight sends outlive renders); components read it through useGiftStage.
//
// Which sends are big is the room's rule: a send worth at least the room's `bigGiftMinCoins`
// (published in every snapshot). Until the first snapshot arrives the stage guesses it from the
// catalog. The viewer's LIVE page, the creator's stage preview and the OBS overlay all draw this.
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { PublicUser } from '../../../src/protocol/accounts.js';
import type { Gift, SentGift } from '../../../src/protocol/gifts.js';
import type { ComboUpdatedData, GiftSentData, SnapshotData } from '../../../src/protocol/room.js';
import type { LiveRoomClient } from '../../../src/sdk/room-client.js';
import { initials } from '../pages/home.js';
import { giftLook } from './catalog.js';

export interface StageBanner {
  readonly key: string;
  readonly sender: string;
  readonly giftName: string;
  readonly artUrl: string;
  readonly count: number;
  readonly shownAt: number;
}

export interface StageBigGift {
  readonly key: string;
  readonly sender: string;
  readonly name: string;
  readonly artUrl: string;
  /** The gift's full-screen scene, when the catalog has one. */
  readonly sceneUrl: string | null;
  readonly count: number;
}

/** One tap of the viewer: one send with its own client id. */
export interface OwnTap {
  readonly id: string;
  readonly gift: Gift;
  readonly count: number;
  readonly sender: PublicUser;
  /** The banner this tap counts towards: the id of the first tap of the streak it belongs to. */
  readonly streakKey: string;
}

export interface StageSnapshot {
  readonly banners: readonly StageBanner[];
  readonly playing: StageBigGift | undefined;
  /** The last refusal of one of the viewer's own sends, in words (a fresh key each time). */
  readonly notice: { readonly key: number; readonly text: string } | null;
}

const BANNERS_MAX = 3;
export const BANNER_MS = 4_000;
export const BIG_GIFT_MS = 3_000;
/**
 * Big gifts on the queue, at most (the one playing included): a flood of big gifts skips the oldest
 * waiting ones rather than lag a minute behind — on the overlay that lag would be in the stream.
 */
const QUEUE_MAX = 20;
/** Ids remembered to recognise a send the room echoes back, at most. */
const REMEMBERED_MAX = 500;
/** The server's default for "big" (BIG_GIFT_MIN_COINS), for the guess before the first snapshot. */
const BIG_FROM_COINS_DEFAULT = 1_000;

interface OwnBanner {
  /** Counts of this banner's taps not refused. */
  optimistic: number;
  /** Highest combo count the server reported for this combo (acks and room events). */
  server: number;
}

interface TapState {
  readonly tap: OwnTap;
  readonly big: boolean;
  bannerKey: string;
}

export class GiftStage {
  private banners: StageBanner[] = [];
  private queue: StageBigGift[] = [];
  private notice: StageSnapshot['notice'] = null;
  private noticeKey = 0;
  private catalog: ReadonlyMap<string, Gift> = new Map();
  /** The room's threshold for big sends, from its snapshot; null until one arrived. */
  private bigFromCoinsExact: number | null = null;
  /** The guess until then: the cheapest full-screen gift of the catalog. */
  private bigFromCoinsGuess = BIG_FROM_COINS_DEFAULT;
  private readonly own = new Map<string, OwnBanner>();
  private readonly taps = new Map<string, TapState>();
  /** Big sends already on the queue (own taps and room events), by transferId. */
  private readonly bigSeen = new Set<string>();
  /** Banner keys a tap was moved away from, to the combo the server put it in. */
  private readonly rekeyed = new Map<string, string>();
  private snapshot: StageSnapshot = { banners: [], playing: undefined, notice: null };
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): StageSnapshot => this.snapshot;

  /** The catalog, to draw combos (a combo names its gift by id) and big gifts' scenes. */
  setCatalog(gifts: Iterable<Gift>): void {
    const list = [...gifts];
    this.catalog = new Map(list.map((g) => [g.id, g]));
    // Before the room has said its threshold: the cheapest full-screen gift is where the catalog puts it.
    const fullscreen = list.filter((g) => g.animation === 'fullscreen').map((g) => g.coins);
    this.bigFromCoinsGuess = fullscreen.length > 0 ? Math.min(...fullscreen) : BIG_FROM_COINS_DEFAULT;
    preloadArt(list);
  }

  /** Whether a send plays full screen on its own — as the room decides: by the coins of the send. */
  isBig(gift: Gift, count: number): boolean {
    const coins = gift.coins * count;
    if (this.bigFromCoinsExact !== null) return coins >= this.bigFromCoinsExact;
    return gift.animation === 'fullscreen' || coins >= this.bigFromCoinsGuess;
  }

  // -------------------------------------------------------------------------------------------
  // The room

  /** A snapshot (the first, or after a reconnection): the room's own threshold for big sends. */
  roomSnapshot(snapshot: Pick<SnapshotData, 'bigGiftMinCoins'>): void {
    this.bigFromCoinsExact = snapshot.bigGiftMinCoins;
  }

  /** A big gift from the room; the viewer's own, already playing or played, is not shown again. */
  roomGiftSent(g: GiftSentData): void {
    if (this.bigSeen.has(g.transferId)) return;
    const own = this.taps.get(g.transferId);
    if (own && !own.big) this.takeFromBanner(own.bannerKey, own.tap.count); // we guessed "small": it is big
    const sceneUrl = this.catalog.get(g.gift.id)?.sceneUrl ?? null;
    this.pushBig({ key: g.transferId, sender: g.sender.displayName, name: g.gift.name, artUrl: g.gift.artUrl, sceneUrl, count: g.count });
    this.emit();
  }

  /** A combo from the room: the banner of that combo grows (never shrinks, never doubles). */
  roomComboUpdated(c: ComboUpdatedData): void {
    const ownTap = this.taps.get(c.comboId);
    if (ownTap?.big) return; // shown full screen already (a guess the room did not share)
    const key = c.comboId;
    const existing = this.banners.find((b) => b.key === key);
    if (c.final && !existing) return; // the end of a combo whose banner has left: nothing to bring back
    const mine = this.own.get(key);
    let count: number;
    if (mine) {
      mine.server = Math.max(mine.server, c.comboCount);
      count = Math.max(mine.optimistic, mine.server);
    } else {
      count = Math.max(existing?.count ?? 0, c.comboCount);
    }
    const look = giftLook(this.catalog, c.giftId);
    this.putBanner(
      {
        key,
        sender: c.sender.displayName,
        giftName: look.name,
        artUrl: look.artUrl,
        count,
        shownAt: c.final && existing ? existing.shownAt : Date.now(),
      },
      !c.final,
    );
    this.emit();
  }

  // -------------------------------------------------------------------------------------------
  // The viewer's own taps

  /** A tap was just sent: show it now, before any answer. */
  ownSent(tap: OwnTap): void {
    const big = this.isBig(tap.gift, tap.count);
    const bannerKey = this.rekeyed.get(tap.streakKey) ?? tap.streakKey;
    this.remember(this.taps, tap.id, { tap, big, bannerKey });
    if (big) {
      this.pushBig({ key: tap.id, sender: tap.sender.displayName, name: tap.gift.name, artUrl: tap.gift.artUrl, sceneUrl: tap.gift.sceneUrl, count: tap.count });
    } else {
      this.addToBanner(bannerKey, tap, tap.count, 0);
    }
    this.emit();
  }

  /** The server applied the tap: it stays; its banner learns the server's combo count. */
  ownApplied(tapId: string, sent: SentGift): void {
    const state = this.taps.get(tapId);
    if (!state || state.big) return;
    if (sent.comboId !== state.bannerKey) {
      // The server put this send in another combo than the streak's (a pause longer than its
      // window, or a tap right after a streak ended): move it there, and the streak's next taps too.
      this.takeFromBanner(state.bannerKey, state.tap.count);
      this.remember(this.rekeyed, state.tap.streakKey, sent.comboId);
      state.bannerKey = sent.comboId;
      this.addToBanner(sent.comboId, state.tap, state.tap.count, sent.comboCount);
    } else {
      const mine = this.own.get(state.bannerKey);
      if (mine) {
        mine.server = Math.max(mine.server, sent.comboCount);
        this.setBannerCount(state.bannerKey, Math.max(mine.optimistic, mine.server));
      }
    }
    this.emit();
  }

  /** The server refused the tap: withdraw what it showed, and say why. */
  ownRefused(tapId: string, reason: string): void {
    const state = this.taps.get(tapId);
    if (state) {
      this.taps.delete(tapId);
      if (state.big) this.queue = this.queue.filter((b) => b.key !== tapId);
      else this.takeFromBanner(state.bannerKey, state.tap.count);
    }
    this.noticeKey += 1;
    this.notice = { key: this.noticeKey, text: reason };
    this.emit();
  }

  clearNotice(): void {
    if (this.notice === null) return;
    this.notice = null;
    this.emit();
  }

  // -------------------------------------------------------------------------------------------
  // Time

  /** Banners leave after a while without a new tap. */
  expireBanners(nowMs: number): void {
    const keep = this.banners.filter((b) => nowMs - b.shownAt < BANNER_MS);
    if (keep.length === this.banners.length) return;
    for (const b of this.banners) if (!keep.includes(b)) this.own.delete(b.key);
    this.banners = keep;
    this.emit();
  }

  /** The big gift on screen has played. */
  bigGiftDone(key: string): void {
    if (this.queue[0]?.key !== key) return;
    this.queue = this.queue.slice(1);
    this.emit();
  }

  // -------------------------------------------------------------------------------------------

  private pushBig(big: StageBigGift): void {
    this.remember(this.bigSeen, big.key);
    this.queue = [...this.queue, big];
    // Keep the one playing; skip the oldest waiting ones past the limit.
    if (this.queue.length > QUEUE_MAX) this.queue = [this.queue[0] as StageBigGift, ...this.queue.slice(this.queue.length - QUEUE_MAX + 1)];
  }

  private addToBanner(key: string, tap: OwnTap, count: number, serverCount: number): void {
    const mine = this.own.get(key) ?? { optimistic: 0, server: 0 };
    mine.optimistic += count;
    mine.server = Math.max(mine.server, serverCount);
    this.own.set(key, mine);
    this.putBanner(
      { key, sender: tap.sender.displayName, giftName: tap.gift.name, artUrl: tap.gift.artUrl, count: Math.max(mine.optimistic, mine.server), shownAt: Date.now() },
      true,
    );
  }

  private takeFromBanner(key: string, count: number): void {
    const mine = this.own.get(key);
    if (!mine) return;
    mine.optimistic = Math.max(0, mine.optimistic - count);
    const shown = Math.max(mine.optimistic, mine.server);
    if (shown === 0) {
      this.own.delete(key);
      this.banners = this.banners.filter((b) => b.key !== key);
    } else {
      this.setBannerCount(key, shown);
    }
  }

  private setBannerCount(key: string, count: number): void {
    this.banners = this.banners.map((b) => (b.key === key && b.count !== count ? { ...b, count } : b));
  }

  /** Updates a banner in place, or puts it on top (a new one, or one that moved) — at most BANNERS_MAX. */
  private putBanner(banner: StageBanner, toTop: boolean): void {
    const index = this.banners.findIndex((b) => b.key === banner.key);
    if (index >= 0 && !toTop) {
      this.banners = this.banners.map((b, i) => (i === index ? banner : b));
      return;
    }
    const rest = this.banners.filter((b) => b.key !== banner.key);
    this.banners = [banner, ...rest].slice(0, BANNERS_MAX);
    for (const dropped of rest.slice(BANNERS_MAX - 1)) this.own.delete(dropped.key);
  }

  private remember<K, V>(store: Map<K, V> | Set<K>, key: K, value?: V): void {
    if (store instanceof Map) store.set(key, value as V);
    else store.add(key);
    if (store.size > REMEMBERED_MAX) {
      const oldest = store.keys().next();
      if (oldest.done !== true) store.delete(oldest.value);
    }
  }

  private emit(): void {
    this.snapshot = { banners: this.banners, playing: this.queue[0], notice: this.notice };
    for (const listener of [...this.listeners]) listener();
  }
}

/**
 * Feeds a stage from a room: the threshold of big sends from each snapshot, big gifts from
 * `gift.sent`, small ones from `combo.updated`. Returns the function that stops it.
 *
 * @example const stop = feedGiftStage(stage, room); // … later: stop();
 */
export function feedGiftStage(stage: GiftStage, room: LiveRoomClient): () => void {
  const offs = [
    room.on('snapshot', (e) => { stage.roomSnapshot(e.data); }),
    room.on('gift.sent', (e) => { stage.roomGiftSent(e.data); }),
    room.on('combo.updated', (e) => { stage.roomComboUpdated(e.data); }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/**
 * A stage of the room's gifts only (the studio's preview, the OBS overlay): fed by `room` (null:
 * not there yet) and drawn with `catalog` (null: not loaded yet). Call it before the effect that
 * connects the room, so the stage hears the first snapshot.
 */
export function useRoomGiftStage(room: LiveRoomClient | null, catalog: ReadonlyMap<string, Gift> | null): GiftStage {
  const [stage] = useState(() => new GiftStage());
  useEffect(() => {
    if (catalog) stage.setCatalog(catalog.values());
  }, [stage, catalog]);
  useEffect(() => (room ? feedGiftStage(stage, room) : undefined), [stage, room]);
  return stage;
}

/** The stage's gifts for rendering, with the clocks that retire banners and advance the queue. */
export function useGiftStage(stage: GiftStage): StageSnapshot {
  const snapshot = useSyncExternalStore(stage.subscribe, stage.getSnapshot);
  const hasBanners = snapshot.banners.length > 0;
  useEffect(() => {
    if (!hasBanners) return;
    const timer = setInterval(() => {
      stage.expireBanners(Date.now());
    }, 500);
    return () => {
      clearInterval(timer);
    };
  }, [stage, hasBanners]);
  const playing = snapshot.playing;
  useEffect(() => {
    if (!playing) return;
    const timer = setTimeout(() => {
      stage.bigGiftDone(playing.key);
    }, BIG_GIFT_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [stage, playing]);
  return snapshot;
}

/** Small gifts: stacked banners, newest on top, the combo count popping on each change. */
export function GiftBanners({ banners }: { banners: readonly StageBanner[] }) {
  return (
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
  );
}

/** The big gift playing now, full screen (its scene behind its art), with who sent it. */
export function BigGiftPlayer({ playing }: { playing: StageBigGift | undefined }) {
  if (!playing) return null;
  return (
    <div key={playing.key} className="big-gift" role="status" aria-label={`${playing.sender} sent ${playing.name}`}>
      {playing.sceneUrl !== null ? <img className="big-gift-scene" src={playing.sceneUrl} alt="" /> : null}
      <img className="big-gift-art" src={playing.artUrl} alt="" width={220} height={220} />
      <p><strong>{playing.sender}</strong> sent {playing.name}{playing.count > 1 ? ` ×${playing.count}` : ''}</p>
    </div>
  );
}

/**
 * Fetches and decodes every gift's art and scene while the page is idle, so the first big gift
 * does not stall its first frames decoding a full-screen picture (measured in e2e/motion.test.ts:
 * frames of 90–100 ms as a big gift arrived, with the CPU slowed 4×). Each picture once per page.
 */
const preloaded = new Set<string>();
function preloadArt(gifts: readonly Gift[]): void {
  const urls = gifts.flatMap((g) => (g.sceneUrl === null ? [g.artUrl] : [g.artUrl, g.sceneUrl])).filter((u) => !preloaded.has(u));
  if (urls.length === 0 || typeof Image === 'undefined') return;
  for (const url of urls) preloaded.add(url);
  const start = () => {
    for (const url of urls) {
      const image = new Image();
      image.decoding = 'async';
      image.src = url;
      image.decode().catch(() => undefined);
    }
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 2_000 });
  else setTimeout(start, 200);
}
