// Gifts on the wire: the catalog, admin edits, and sending a gift in a LIVE.
import { z } from 'zod';
import { ClientId, TimeMs } from './common.js';

export const GiftAnimation = z.enum(['sticker', 'fullscreen']);

export const Gift = z
  .object({
    id: z.string(),
    name: z.string(),
    coins: z.number().int().positive().describe('Price of one gift in coins'),
    artUrl: z.string().describe('Sticker art (SVG)'),
    sceneUrl: z.string().nullable().describe('Full-screen scene (animated SVG) for full-screen gifts'),
    animation: GiftAnimation,
    comboable: z.boolean().describe('Repeated sends fold into one growing combo banner'),
    available: z.boolean().describe('Can be sent now'),
    availableFromMs: TimeMs.nullable(),
    availableUntilMs: TimeMs.nullable(),
    retiredAtMs: TimeMs.nullable(),
    sortOrder: z.number().int(),
  })
  .meta({ id: 'Gift' });
export type Gift = z.infer<typeof Gift>;

export const GiftCatalog = z.object({ gifts: z.array(Gift) }).meta({ id: 'GiftCatalog' });
export type GiftCatalog = z.infer<typeof GiftCatalog>;

const GiftId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes');
const ArtFile = z.string().regex(/^[a-z0-9-]+\.svg$/, 'an .svg file name under assets/gifts/');

export const GiftCreateBody = z.object({
  id: GiftId,
  name: z.string().trim().min(1).max(40),
  coins: z.number().int().positive().max(10_000_000),
  art: ArtFile,
  scene: ArtFile.nullable().default(null),
  animation: GiftAnimation,
  comboable: z.boolean(),
  availableFromMs: TimeMs.nullable().default(null),
  availableUntilMs: TimeMs.nullable().default(null),
  sortOrder: z.number().int().min(0).max(1_000_000).default(1000),
});
export type GiftCreateBody = z.infer<typeof GiftCreateBody>;

export const GiftUpdateBody = z
  .object({
    name: z.string().trim().min(1).max(40),
    coins: z.number().int().positive().max(10_000_000),
    art: ArtFile,
    scene: ArtFile.nullable(),
    animation: GiftAnimation,
    comboable: z.boolean(),
    availableFromMs: TimeMs.nullable(),
    availableUntilMs: TimeMs.nullable(),
    sortOrder: z.number().int().min(0).max(1_000_000),
    retired: z.boolean().describe('true retires the gift now; false brings it back'),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change');
export type GiftUpdateBody = z.infer<typeof GiftUpdateBody>;

export const SendGiftBody = z
  .object({
    id: ClientId,
    liveId: z.string().min(1).max(64),
    giftId: GiftId,
    count: z.number().int().min(1).max(9_999).default(1),
  })
  .meta({ id: 'SendGift' });
export type SendGiftBody = z.infer<typeof SendGiftBody>;

export const SentGift = z
  .object({
    status: z.enum(['applied', 'duplicate']).describe('duplicate: this id was already sent; nothing was charged again'),
    transferId: z.string(),
    liveId: z.string(),
    giftId: z.string(),
    count: z.number().int(),
    coins: z.number().int().describe('Coins this send cost'),
    balanceCoins: z.number().int().describe('Your coin balance right after this send'),
    diamonds: z.number().int().describe('Diamonds the creator received'),
    comboId: z.string(),
    comboCount: z.number().int().describe('Running count of the combo this send belongs to'),
    atMs: TimeMs,
  })
  .meta({ id: 'SentGift' });
export type SentGift = z.infer<typeof SentGift>;
