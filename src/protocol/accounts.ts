// Accounts on the wire: sign-up, log-in, the signed-in user, API tokens, the LIVE Gifts toggle.
import { z } from 'zod';
import { TimeMs } from './common.js';

/** What a personal API token may do. Sessions (cookies) may do everything their user may. */
export const SCOPES = ['read', 'gifts:send', 'coins:buy', 'lives:write', 'payouts:write', 'overlay', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
export const Scope = z.enum(SCOPES);

export const Handle = z
  .string()
  .trim()
  .regex(/^@?[A-Za-z0-9_.]{3,24}$/, '3-24 letters, digits, dots or underscores')
  .transform((h) => h.replace(/^@/, '').toLowerCase());

export const SignUpBody = z.object({
  email: z.email().max(254),
  password: z.string().min(10, 'at least 10 characters').max(200),
  handle: Handle,
  displayName: z.string().trim().min(1).max(50),
  birthDate: z.iso.date().describe('YYYY-MM-DD'),
});
export type SignUpBody = z.infer<typeof SignUpBody>;

export const LogInBody = z.object({
  login: z.string().trim().min(1).max(254).describe('Email or handle'),
  password: z.string().min(1).max(200),
});
export type LogInBody = z.infer<typeof LogInBody>;

export const Role = z.enum(['user', 'moderator', 'admin']);

/** A review an admin is holding the account under: since when, and why (shown to the user). */
export const Review = z.object({ sinceMs: TimeMs, reason: z.string() }).meta({ id: 'Review' });

export const Me = z
  .object({
    id: z.string(),
    email: z.string(),
    handle: z.string(),
    displayName: z.string(),
    birthDate: z.string(),
    role: Role,
    adult: z.boolean().describe('18 or older: may buy coins, send gifts, go LIVE, collect diamonds'),
    giftsEnabled: z.boolean(),
    liveSuspension: z
      .object({ untilMs: TimeMs.nullable().describe('null: permanent'), reason: z.string() })
      .nullable(),
    banned: z.boolean(),
    giftingFrozen: Review.nullable().describe('Set while gifting is paused for review (a payment was charged back)'),
    payoutsHeld: Review.nullable().describe('Set while an admin holds the diamonds for review: no redemption, no payout sent'),
    createdAtMs: TimeMs,
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof Me>;

export const PublicUser = z
  .object({ id: z.string(), handle: z.string(), displayName: z.string() })
  .meta({ id: 'PublicUser' });
export type PublicUser = z.infer<typeof PublicUser>;

export const SessionCreated = z.object({ user: Me });

export const ApiTokenCreateBody = z.object({
  name: z.string().trim().min(1).max(60),
  scopes: z.array(Scope).min(1).max(SCOPES.length),
});
export type ApiTokenCreateBody = z.infer<typeof ApiTokenCreateBody>;

export const ApiToken = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(Scope),
    createdAtMs: TimeMs,
    lastUsedAtMs: TimeMs.nullable(),
    revokedAtMs: TimeMs.nullable(),
  })
  .meta({ id: 'ApiToken' });
export type ApiToken = z.infer<typeof ApiToken>;

export const ApiTokenCreated = z.object({
  token: z.string().describe('Shown once; send as `Authorization: Bearer <token>`'),
  apiToken: ApiToken,
});
export type ApiTokenCreated = z.infer<typeof ApiTokenCreated>;

export const ApiTokenList = z.object({ tokens: z.array(ApiToken) });

export const GiftsToggleBody = z.object({ enabled: z.boolean() });
