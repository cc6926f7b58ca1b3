// Domain records → wire shapes (protocol/). The only place that decides what a client sees.
import type { LiveStatus } from '../domain/lives.js';
import type { LiveVideoRecord } from '../domain/video.js';
import type { LiveVideo } from '../protocol/video.js';
import type { PurchaseNetting } from '../domain/money-back.js';
import type { ApiTokenRecord, User } from '../app/ports.js';
import { isAdult } from '../domain/age.js';
import { isLiveSuspended, PERMANENT_MS } from '../domain/users.js';
import type { ApiToken, Me, PublicUser, Scope } from '../protocol/accounts.js';
import type { z } from 'zod';
import type { CoinPriceList, PricedPackage } from '../app/get-coin-prices.js';
import type { WalletEntry as WalletEntryRecord } from '../app/get-wallet.js';
import type { Purchase as PurchaseRecord } from '../app/ports.js';
import type { CoinPrices, Purchase as PurchaseView, WalletEntry } from '../protocol/coins.js';
import type { Principal } from '../app/authenticate.js';
import type { LivePageResult } from '../app/list-lives.js';
import type { LiveListing } from '../app/ports.js';
import type { LiveSummary as LiveSummaryRecord } from '../domain/live-summary.js';
import { encodeLiveCursor, type Live, type LivePage, type LiveSummary } from '../protocol/lives.js';
import type { SentGift as SentGiftResult } from '../app/send-gift.js';
import { isGiftAvailable, type CatalogGift } from '../domain/gifts.js';
import type { Gift, SentGift } from '../protocol/gifts.js';
import type { DiamondBalanceView } from '../app/get-diamond-balance.js';
import type { PayoutAccountRecord, PayoutRecord } from '../app/ports.js';
import { diamondsToMinor } from '../domain/diamond-value.js';
import type { DiamondBalance, Payout as PayoutView, PayoutAccount as PayoutAccountView } from '../protocol/payouts.js';

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
    giftingFrozen: user.giftingFrozenAtMs === null ? null : { sinceMs: user.giftingFrozenAtMs, reason: user.giftingFrozenReason ?? '' },
    payoutsHeld: user.payoutsHeldAtMs === null ? null : { sinceMs: user.payoutsHeldAtMs, reason: user.payoutsHeldReason ?? '' },
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

/**
 * A LIVE. Why it was ended is public when a moderator or the safety rules ended it (its viewers were told in the room);
 * otherwise only its creator and moderators read it.
 */
export function presentLive(l: LiveListing, viewer: Principal | null): Live {
  const mayReadReason = l.endedBy === 'moderator' || l.endedBy === 'safety' || (viewer !== null && (viewer.userId === l.creatorId || viewer.role !== 'user'));
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
    video: presentLiveVideo(l.id, l.status, l.video),
  };
}

/** A LIVE's picture on the wire: ended once the LIVE is, and its playlist (same origin) while live. */
export function presentLiveVideo(liveId: string, status: LiveStatus, v: LiveVideoRecord): LiveVideo {
  if (status === 'ended') return { state: 'ended', playlistUrl: null, sinceMs: null, via: null, reconnectEndsAtMs: null };
  return {
    state: v.state,
    playlistUrl: v.state === 'live' ? `/v1/lives/${encodeURIComponent(liveId)}/video/index.m3u8` : null,
    sinceMs: v.sinceMs,
    via: v.via,
    reconnectEndsAtMs: v.reconnectEndsAtMs,
  };
}

export function presentLivePage(page: LivePageResult, viewer: Principal | null): LivePage {
  return { lives: page.lives.map((l) => presentLive(l, viewer)), nextCursor: page.next ? encodeLiveCursor(page.next) : null };
}

export function presentCoinPrices(list: CoinPriceList): CoinPrices {
  const pkg = (p: PricedPackage) => ({
    id: p.id,
    coins: Number(p.coins),
    currency: p.currency,
    priceMinor: Number(p.priceMinor),
    split: { creatorsMinor: Number(p.split.creatorsMinor), processorMinor: Number(p.split.processorMinor), platformMinor: Number(p.split.platformMinor) },
  });
  return {
    currency: list.currency,
    packages: list.packages.map(pkg),
    custom: { minCoins: Number(list.custom.minCoins), maxCoins: Number(list.custom.maxCoins), example: pkg(list.custom.example) },
    currencies: [...list.currencies],
  };
}

export function presentPurchase(p: PurchaseRecord & { readonly netting?: PurchaseNetting | null }): PurchaseView {
  const n = p.netting;
  return {
    ...(n ? { moneyBack: { refundedMinor: Number(n.moneyRefunded), chargedBackMinor: Number(n.moneyChargedBack), coinsReversed: Number(n.coinsReversed), coinsAlreadyGifted: Number(n.coinsLost) } } : {}),
    id: p.id,
    clientId: p.clientId,
    packageId: p.packageId,
    coins: Number(p.coins),
    currency: p.currency,
    amountMinor: Number(p.amountMinor),
    provider: p.provider,
    status: p.status,
    createdAtMs: p.createdAtMs,
    paidAtMs: p.paidAtMs,
  };
}

export function presentWalletEntry(e: WalletEntryRecord): z.infer<typeof WalletEntry> {
  const m = JSON.parse(e.transfer.metadata) as { giftId?: string; liveId?: string; count?: number };
  return {
    transferId: e.transfer.id,
    code: e.transfer.code,
    coins: Number(e.coins),
    balanceAfter: Number(e.balanceAfter),
    atMs: Number(e.transfer.createdAtMs),
    ref: e.transfer.ref,
    giftId: m.giftId ?? null,
    liveId: m.liveId ?? null,
    count: m.count ?? null,
  };
}

// Diamonds and payouts.

export function presentDiamondBalance(b: DiamondBalanceView): DiamondBalance {
  return {
    onHold: Number(b.onHold),
    available: Number(b.available),
    pendingPayout: Number(b.pendingPayout),
    value: { currency: b.currency, onHoldMinor: Number(b.onHoldMinor), availableMinor: Number(b.availableMinor), pendingPayoutMinor: Number(b.pendingPayoutMinor) },
    diamondValueMicroUsd: Number(b.diamondValueMicroUsd),
    holdHours: b.holdMs / 3_600_000,
    payout: {
      minimumDiamonds: Number(b.minimumDiamonds),
      minimumMinor: Number(diamondsToMinor(b.minimumDiamonds, b.diamondValueMicroUsd)),
      dailyMaxDiamonds: Number(b.dailyMaxDiamonds),
      dailyMaxMinor: Number(diamondsToMinor(b.dailyMaxDiamonds, b.diamondValueMicroUsd)),
      todayRemainingDiamonds: Number(b.todayRemainingDiamonds),
    },
  };
}

export function presentPayoutAccount(a: PayoutAccountRecord): PayoutAccountView {
  return { id: a.id, kind: a.kind, label: a.label, status: a.status, holderName: a.holderName, last4: a.last4, email: a.email, provider: a.provider, createdAtMs: a.createdAtMs };
}

export function presentPayout(p: PayoutRecord): PayoutView {
  return {
    id: p.id,
    payoutAccountId: p.payoutAccountId,
    diamonds: Number(p.diamonds),
    currency: p.currency,
    amountMinor: Number(p.amountMinor),
    status: p.status,
    failureReason: p.failureReason,
    attempts: p.attempts,
    createdAtMs: p.createdAtMs,
    updatedAtMs: p.updatedAtMs,
    resolvedAtMs: p.resolvedAtMs,
  };
}
