// Domain records → wire shapes (protocol/). The only place that decides what a client sees.
import type { ApiTokenRecord, User } from '../app/ports.js';
import { isAdult } from '../domain/age.js';
import { isLiveSuspended, PERMANENT_MS } from '../domain/users.js';
import type { ApiToken, Me, PublicUser, Scope } from '../protocol/accounts.js';
import type { Principal } from '../app/authenticate.js';
import type { LivePageResult } from '../app/list-lives.js';
import type { LiveListing } from '../app/ports.js';
import type { LiveSummary as LiveSummaryRecord } from '../domain/live-summary.js';
import { encodeLiveCursor, type Live, type LivePage, type LiveSummary } from '../protocol/lives.js';
import type { SentGift as SentGiftResult } from '../app/send-gift.js';
import { isGiftAvailable, type CatalogGift } from '../domain/gifts.js';
import type { Gift, SentGift } from '../protocol/gifts.js';

export function presentMe(user: User, nowMs: number): Me {
  return {
    id: user.id,
    email: user.email,
    handle: user.handle,
    displayName: user.displayName,
    birthDate: user.birthDate,
    role: user.role,
    adult: isAdult(user.birthDate, nowMs),
    giftsEnabled: user.giftsEnabled,
    liveSuspension: isLiveSuspended(user, nowMs)
      ? { untilMs: (user.liveSuspendedUntilMs ?? PERMANENT_MS) >= PERMANENT_MS ? null : user.liveSuspendedUntilMs, reason: user.liveSuspensionReason ?? '' }
      : null,
    banned: user.bannedAtMs !== null,
    createdAtMs: user.createdAtMs,
  };
}

export function presentPublicUser(user: Pick<User, 'id' | 'handle' | 'displayName'>): PublicUser {
  return { id: user.id, handle: user.handle, displayName: user.displayName };
}

export function presentApiToken(t: ApiTokenRecord): ApiToken {
  return { id: t.id, name: t.name, scopes: t.scopes as Scope[], createdAtMs: t.createdAtMs, lastUsedAtMs: t.lastUsedAtMs, revokedAtMs: t.revokedAtMs };
}

export function presentGift(g: CatalogGift, nowMs: number): Gift {
  return {
    id: g.id,
    name: g.name,
    coins: Number(g.coins),
    artUrl: `/assets/gifts/${g.art}`,
    sceneUrl: g.scene !== null ? `/assets/gifts/${g.scene}` : null,
    animation: g.animation,
    comboable: g.comboable,
    available: isGiftAvailable(g, nowMs),
    availableFromMs: g.availableFromMs,
    availableUntilMs: g.availableUntilMs,
    retiredAtMs: g.retiredAtMs,
    sortOrder: g.sortOrder,
  };
}

export function presentSentGift(s: SentGiftResult): SentGift {
  return {
    status: s.status,
    transferId: s.transferId,
    liveId: s.liveId,
    giftId: s.giftId,
    count: s.count,
    coins: Number(s.coins),
    balanceCoins: Number(s.balanceCoins),
    diamonds: Number(s.diamonds),
    comboId: s.comboId,
    comboCount: s.comboCount,
    atMs: s.atMs,
  };
}

export function presentLiveSummary(s: LiveSummaryRecord): LiveSummary {
  return {
    durationMs: s.durationMs,
    peakViewers: s.peakViewers,
    uniqueViewers: s.uniqueViewers,
    gifters: s.gifters,
    giftsCount: s.giftsCount,
    coinsSpent: Number(s.coinsSpent),
    diamondsEarned: Number(s.diamondsEarned),
    topGifters: s.topGifters.map((g) => ({ user: presentPublicUser(g.user), coins: Number(g.coins), gifts: g.gifts })),
  };
}

/** A LIVE; why it was ended is shown only to its creator and to moderators. */
export function presentLive(l: LiveListing, viewer: Principal | null): Live {
  const mayReadReason = viewer !== null && (viewer.userId === l.creatorId || viewer.role !== 'user');
  return {
    id: l.id,
    title: l.title,
    status: l.status,
    creator: presentPublicUser(l.creator),
    giftsEnabled: l.creator.giftsEnabled,
    startedAtMs: l.startedAtMs,
    endedAtMs: l.endedAtMs,
    endedBy: l.endedBy,
    endReason: mayReadReason ? l.endReason : null,
    viewers: l.viewers,
    peakViewers: l.peakViewers,
    summary: l.summary ? presentLiveSummary(l.summary) : null,
  };
}

export function presentLivePage(page: LivePageResult, viewer: Principal | null): LivePage {
  return { lives: page.lives.map((l) => presentLive(l, viewer)), nextCursor: page.next ? encodeLiveCursor(page.next) : null };
}
