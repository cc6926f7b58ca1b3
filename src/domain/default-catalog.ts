// The default gift catalog of PRODUCT.md, seeded into a fresh install: ten gifts, each with our own
// SVG art under assets/gifts/ (the big ones also with a full-screen scene). Pure data, no I/O.

/** How a gift plays on the stage: a small sticker in a combo banner, or a full-screen scene on its own. */
export type GiftAnimation = 'sticker' | 'fullscreen';

/** One gift of the default catalog. Admins can re-price, retire or schedule it later; this is only the seed. */
export interface DefaultGift {
  /** Stable slug; also the base name of its art files. */
  readonly id: string;
  /** Display name, as PRODUCT.md spells it. */
  readonly name: string;
  /** Price in coins. */
  readonly coins: bigint;
  /** Sticker art (128×128 viewBox): a file name under assets/gifts/. */
  readonly art: string;
  /** Full-screen scene (390×844 viewBox, animated) under assets/gifts/; null for sticker gifts. */
  readonly scene: string | null;
  readonly animation: GiftAnimation;
  /** Whether repeated sends merge into one growing combo banner; only sticker gifts do. */
  readonly comboable: boolean;
  /** Position in the gift panel, cheapest first. */
  readonly sortOrder: number;
}

/** Default gifts from this many coins up play their full-screen scene, one send at a time. */
export const FULLSCREEN_FROM_COINS = 1_000n;

function gift(id: string, name: string, coins: bigint, sortOrder: number): DefaultGift {
  const fullscreen = coins >= FULLSCREEN_FROM_COINS;
  return Object.freeze({
    id,
    name,
    coins,
    art: `${id}.svg`,
    scene: fullscreen ? `${id}-scene.svg` : null,
    animation: fullscreen ? 'fullscreen' : 'sticker',
    comboable: !fullscreen,
    sortOrder,
  });
}

/** The default catalog in panel order (PRODUCT.md, "Gifts"). */
export const DEFAULT_GIFTS: readonly DefaultGift[] = Object.freeze([
  gift('rose', 'Rose', 1n, 10),
  gift('heart-me', 'Heart Me', 1n, 20),
  gift('finger-heart', 'Finger Heart', 5n, 30),
  gift('doughnut', 'Doughnut', 30n, 40),
  gift('hand-hearts', 'Hand Hearts', 100n, 50),
  gift('corgi', 'Corgi', 299n, 60),
  gift('money-gun', 'Money Gun', 500n, 70),
  gift('galaxy', 'Galaxy', 1_000n, 80),
  gift('lion', 'Lion', 29_999n, 90),
  gift('universe', 'Universe', 34_999n, 100),
]);
