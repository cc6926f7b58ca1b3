// Binds every use case to the ports it needs, once, so transports (HTTP, WebSocket, CLI) call
// `services.signUp(input)` and never see a port. Each use case still receives only its own ports
// (TypeScript checks that `p` has them; the use case's signature names exactly which).
import { authenticate, type AuthenticateInput } from './authenticate.js';
import type { ComboTracker } from './combo-tracker.js';
import type { Principal } from './authenticate.js';
import { listAudit, type ListAuditInput } from './list-audit.js';
import { listAllPayouts, type ListAllPayoutsInput } from './list-all-payouts.js';
import { listGiftCatalog, type ListGiftCatalogInput } from './list-gift-catalog.js';
import { listUsers, type ListUsersInput } from './list-users.js';
import { setUserRole, type SetUserRoleInput } from './set-user-role.js';
import { reconcileLedger } from './reconcile-ledger.js';
import { confirmPurchase, type ConfirmPurchaseInput } from './confirm-purchase.js';
import { createGift, type CreateGiftInput } from './create-gift.js';
import { createPurchase, type CreatePurchaseInput } from './create-purchase.js';
import { getCoinPrices } from './get-coin-prices.js';
import { getWalletBalance, listWalletHistory } from './get-wallet.js';
import { handlePaymentWebhook } from './handle-payment-webhook.js';
import { detectGiftBaiting } from '../domain/gift-baiting.js';
import { payoutAccountOnboardingLink, setAccountStatus } from './payout-account-onboarding.js';
import { processPayoutNow } from './process-payouts.js';
import { reviewUser, type ReviewUserInput } from './review-user.js';
import { reconcileWithProvider } from './reconcile-provider.js';
import { readNetting } from './return-purchase-money.js';
import type { ProviderRecords } from '../domain/provider-reconcile.js';
import type { PurchaseNetting } from '../domain/money-back.js';
import { seedCatalog } from './seed-catalog.js';
import { seedDemo } from './seed-demo.js';
import { sendGift, type SendGiftInput, type SpendPolicy } from './send-gift.js';
import { updateGift, type UpdateGiftInput } from './update-gift.js';
import { createApiToken, type CreateApiTokenInput } from './create-api-token.js';
import { logIn, type LogInInput } from './log-in.js';
import { identifyLoginAttempt, type IdentifyLoginAttemptInput } from './identify-login-attempt.js';
import { trustLoginDevice, type TrustLoginDeviceInput } from './trust-login-device.js';
import { logOut, type LogOutInput } from './log-out.js';
import { logOutEverywhere, type LogOutEverywhereInput } from './log-out-everywhere.js';
import { NotFound } from '../domain/errors.js';
import { noRoomEvents, publicLiveEnd, type PaymentProvider, type PurchaseStore, type RoomEvents } from './ports.js';
import type { ApiTokenStore, ArtLibrary, AuditLog, Clock, GiftCatalog, Ids, LedgerStore, LiveStore, LoginDeviceStore, PasswordHasher, Purchase, SessionStore, UserStore } from './ports.js';
import { endAbandonedLives, type EndAbandonedLivesInput } from './end-abandoned-lives.js';
import { VIEWER_PRESENT_MS } from '../domain/lives.js';
import type { StreamVia } from '../domain/video.js';
import { getStreamSettings, rotateStreamKey } from './stream-key.js';
import { attachStream, authorizeStream, endLivesWithoutVideo, mayStream, streamLive, streamStopped } from './stream-lifecycle.js';
import { endLive, type EndLiveInput } from './end-live.js';
import { getLive, type GetLiveInput } from './get-live.js';
import { liveLeaderboard } from './live-leaderboard.js';
import { getLiveSummary, type GetLiveSummaryInput } from './get-live-summary.js';
import { joinLive, type LiveViewerInput } from './join-live.js';
import { leaveLive } from './leave-live.js';
import { recordPresence, type PresenceChange } from './record-presence.js';
import { listCreatorLives, type ListCreatorLivesInput } from './list-creator-lives.js';
import { listLives, type LivePageInput } from './list-lives.js';
import { listMyCreators, type ListMyCreatorsInput } from './list-my-creators.js';
import { recordLiveHeartbeat, recordLiveHeartbeats } from './record-live-heartbeat.js';
import { startLive, type StartLiveInput } from './start-live.js';
import { getMyLiveThanks, listLiveThanks, recordRoomThanks, thankGifters, type ListLiveThanksInput, type RecordRoomThanksInput, type ThankGiftersInput } from './thank-gifters.js';
import { revokeApiToken, type RevokeApiTokenInput } from './revoke-api-token.js';
import { setGiftsEnabled, type SetGiftsEnabledInput } from './set-gifts-enabled.js';
import { signUp, type SignUpInput } from './sign-up.js';
import { addPayoutAccount, type AddPayoutAccountInput } from './add-payout-account.js';
import { getDiamondBalance, type GetDiamondBalanceInput } from './get-diamond-balance.js';
import { listPayoutAccounts, type ListPayoutAccountsInput } from './list-payout-accounts.js';
import { listPayouts, type ListPayoutsInput } from './list-payouts.js';
import { matureDiamonds, type MatureDiamondsInput } from './mature-diamonds.js';
import { processPayouts, type ProcessPayoutsInput } from './process-payouts.js';
import { removePayoutAccount, type RemovePayoutAccountInput } from './remove-payout-account.js';
import { requestPayout, type RequestPayoutInput } from './request-payout.js';
import type { PayoutAccountStore, PayoutProvider, PayoutStore, TransferFeed } from './ports.js';
import type { DiamondPolicy } from '../domain/payouts.js';
import type { ModerationStore, StreamKeyStore, VideoIngest } from './ports.js';
import { banUser, type BanUserInput } from './ban-user.js';
import { liftSuspension, type LiftSuspensionInput } from './lift-suspension.js';
import { listReports, type ListReportsInput } from './list-reports.js';
import { listStrikes, type ListStrikesInput } from './list-strikes.js';
import { recordStrike, type RecordStrikeInput } from './record-strike.js';
import { reportContent, type ReportContentInput } from './report-content.js';
import { resolveReport, type ResolveReportInput } from './resolve-report.js';
import { suspendLive, type SuspendLiveInput } from './suspend-live.js';
import { unbanUser, type UnbanUserInput } from './unban-user.js';
import { appealSuspension, type AppealSuspensionInput } from './appeal-suspension.js';
import { decideAppeal, type DecideAppealInput } from './decide-appeal.js';
import { getStanding } from './get-standing.js';
import { describeAppeals, listAppeals, type ListAppealsInput } from './list-appeals.js';

export interface Ports {
  readonly clock: Clock;
  readonly ids: Ids;
  readonly passwords: PasswordHasher;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  /** The browsers that signed in to each account (their device cookies), for log-in throttling. */
  readonly loginDevices: LoginDeviceStore;
  readonly tokens: ApiTokenStore;
  readonly audit: AuditLog;
  readonly ledger: LedgerStore;
  readonly catalog: GiftCatalog;
  readonly art: ArtLibrary;
  /** LIVEs, their viewers and summaries (sendGift uses only its LiveDirectory part). */
  readonly lives: LiveStore;
  readonly combos: ComboTracker;
  readonly policy: SpendPolicy & { readonly diamondValueMicroUsd: bigint };
  readonly payments: PaymentProvider;
  readonly purchases: PurchaseStore;
  /** Currencies this installation sells coins in. */
  readonly currencies: readonly string[];
  /** Our public base URL (links given to payment providers). */
  readonly publicUrl: string;
  /** Diamonds and payouts: payout accounts, payouts, the provider, the ledger feed of the jobs, the money knobs. */
  readonly payoutAccounts: PayoutAccountStore;
  readonly payouts: PayoutStore;
  readonly payoutProvider: PayoutProvider;
  /** The providers' own records, for reconciliation against them. */
  readonly providerRecords: readonly ProviderRecords[];
  readonly feed: TransferFeed;
  readonly diamondPolicy: DiamondPolicy;
  /** The LIVE rooms applied gifts and ended LIVEs are announced to; none when absent. */
  readonly roomEvents?: RoomEvents;
  /** Strikes and reports. */
  readonly moderation: ModerationStore;
  /** Creators' stream keys, and whose stream arrives now. */
  readonly streamKeys: StreamKeyStore;
  /** This node's video ingest (what it can do; cutting a stream). */
  readonly video: VideoIngest;
}

/** Account use cases: sign-up, sessions, API tokens, the LIVE Gifts toggle. */
function accountServices(p: Ports) {
  return {
    signUp: (input: SignUpInput) => signUp(input, p),
    logIn: (input: LogInInput) => logIn(input, p),
    logOut: (input: LogOutInput) => logOut(input, p),
    logOutEverywhere: (input: LogOutEverywhereInput) => logOutEverywhere(input, p),
    authenticate: (input: AuthenticateInput) => authenticate(input, p),
    getUser: (id: string) => p.users.findById(id),
    createApiToken: (input: CreateApiTokenInput) => createApiToken(input, p),
    listApiTokens: (userId: string) => p.tokens.listOf(userId),
    revokeApiToken: (input: RevokeApiTokenInput) => revokeApiToken(input, p),
    setGiftsEnabled: (input: SetGiftsEnabledInput) => setGiftsEnabled(input, p),
    identifyLoginAttempt: (input: IdentifyLoginAttemptInput) => identifyLoginAttempt(input, p),
    trustLoginDevice: (input: TrustLoginDeviceInput) => trustLoginDevice(input, p),
  };
}

/** The gift catalog and sending gifts. */
function giftServices(p: Ports) {
  return {
    listGifts: () => p.catalog.list(),
    getGift: (id: string) => p.catalog.get(id),
    seedCatalog: () => seedCatalog(p),
    createGift: (input: CreateGiftInput) => createGift(input, p),
    updateGift: (input: UpdateGiftInput) => updateGift(input, p),
    sendGift: async (input: SendGiftInput) => {
      const sent = await sendGift(input, p);
      // Only an applied send is news: a duplicate was announced when it was applied.
      if (sent.status === 'applied') await (p.roomEvents ?? noRoomEvents).giftSent(sent);
      return sent;
    },
  };
}

/** LIVEs: start, end (and the auto-end job), presence, lists, summaries. */
function liveServices(p: Ports) {
  const end = async (input: EndLiveInput) => {
    const live = await endLive(input, p);
    // Ending is idempotent, and so is the room's live.ended (only the first one is sent).
    if (live.summary) await (p.roomEvents ?? noRoomEvents).liveEnded(live.id, live.summary, publicLiveEnd(live));
    return live;
  };
  return {
    startLive: async (input: StartLiveInput) => {
      const live = await startLive(input, p);
      // A title that baits for gifts is a strike at once, whether or not the creator opens the room
      // (one streaming only from OBS); the room's own coaching records the same strike key again.
      // Its rung of the ladder may end this very LIVE (a strike while a countdown runs).
      // A stream already arriving (OBS started before Go LIVE) is the picture at once.
      await attachStream(live.id, live.creatorId, p);
      const finding = detectGiftBaiting(live.title);
      if (finding) {
        const strike = { liveId: live.id, creatorId: live.creatorId, text: live.title, finding: { kind: finding.kind, excerpt: finding.excerpt }, source: 'title' as const };
        const { ladder } = await recordStrike(strike, { ...p, endLive: end });
        if (ladder?.endedLiveId === live.id) return (await p.lives.findListing(live.id, p.clock.nowMs() - VIEWER_PRESENT_MS)) ?? live;
      }
      return live;
    },
    endLive: end,
    endAbandonedLives: async (input: EndAbandonedLivesInput) => {
      const result = await endAbandonedLives(input, p);
      const withoutVideo = await endLivesWithoutVideo({ limit: input.limit }, p);
      // At most `limit` of each list, so this loop is bounded like the run itself.
      for (const liveId of new Set([...result.ended, ...result.summarized, ...withoutVideo])) {
        const live = await p.lives.findById(liveId);
        if (live?.summary) await (p.roomEvents ?? noRoomEvents).liveEnded(live.id, live.summary, publicLiveEnd(live));
      }
      return { ...result, ended: [...result.ended, ...withoutVideo] };
    },
    joinLive: (input: LiveViewerInput) => joinLive(input, p),
    leaveLive: (input: LiveViewerInput) => leaveLive(input, p),
    recordPresence: (input: { liveId: string; changes: readonly PresenceChange[] }) => recordPresence(input, p),
    recordLiveHeartbeat: (input: LiveViewerInput) => recordLiveHeartbeat(input, p),
    recordLiveHeartbeats: (input: { liveId: string; viewers: readonly LiveViewerInput[] }) => recordLiveHeartbeats(input, p),
    listLives: (input: LivePageInput) => listLives(input, p),
    getLive: (input: GetLiveInput) => getLive(input, p),
    getLiveSummary: (input: GetLiveSummaryInput) => getLiveSummary(input, p),
    liveLeaderboard: (input: { liveId: string; limit: number }) => liveLeaderboard(input, p),
    listCreatorLives: (input: ListCreatorLivesInput) => listCreatorLives(input, p),
    listMyCreators: (input: ListMyCreatorsInput) => listMyCreators(input, p),
  };
}

/** Thank-yous: kept from the room during the LIVE, the creator's Thank all after it, their list, the gifter's own. */
function thanksServices(p: Ports) {
  return {
    recordRoomThanks: (input: RecordRoomThanksInput) => recordRoomThanks(input, p),
    thankGifters: async (input: ThankGiftersInput) => {
      const result = await thankGifters(input, p);
      // A thank-you after the LIVE that baits is struck like one said in the room: once per LIVE
      // and words (a retried call, or the same words to more gifters, is the same strike).
      const finding = result.coaching;
      const sent = result.thanked[0];
      if (finding && sent) {
        const strike = { liveId: input.liveId, creatorId: input.creatorId, text: sent.text, finding: { kind: finding.kind, excerpt: finding.excerpt }, source: 'thanks' as const, messageId: 'after-live' };
        await recordStrike(strike, { ...p, endLive: liveServices(p).endLive });
      }
      return result;
    },
    listLiveThanks: (input: ListLiveThanksInput) => listLiveThanks(input, p),
    getMyLiveThanks: (input: { liveId: string; userId: string }) => getMyLiveThanks(input, p),
  };
}

const MONEY_BACK_STATUSES: ReadonlySet<string> = new Set(['refunded', 'disputed', 'dispute_lost', 'dispute_won']);

/** A purchase that had money come back carries its netting, read from the ledger. */
async function withNetting(purchase: Purchase, ledger: LedgerStore): Promise<Purchase & { netting?: PurchaseNetting }> {
  return MONEY_BACK_STATUSES.has(purchase.status) ? { ...purchase, netting: await readNetting(purchase, ledger) } : purchase;
}

/** Buying coins and the wallet. */
function coinServices(p: Ports) {
  return {
    coinPrices: (currency: string) => getCoinPrices(currency, p),
    createPurchase: (input: CreatePurchaseInput) => createPurchase(input, p),
    confirmPurchase: (input: ConfirmPurchaseInput) => confirmPurchase(input, p),
    listPurchases: async (input: { userId: string; limit: number; beforeMs?: number | undefined }) => {
      const list = await p.purchases.listOf(input.userId, { limit: input.limit, ...(input.beforeMs !== undefined ? { beforeMs: input.beforeMs } : {}) });
      return Promise.all(list.map((purchase) => withNetting(purchase, p.ledger)));
    },
    withNetting: (purchase: Purchase) => withNetting(purchase, p.ledger),
    handlePaymentWebhook: async (input: { provider: string; rawBody: Buffer; headers: Readonly<Record<string, string | string[] | undefined>> }) => {
      // One endpoint per provider: the payment provider's, and the payout provider's when it reports
      // by webhook too (Stripe Connect; with Stripe payments both arrive at /v1/webhooks/stripe).
      const payoutParser = p.payoutProvider.parseWebhook?.bind(p.payoutProvider);
      const parser =
        input.provider === p.payments.name ? p.payments
        : input.provider === p.payoutProvider.name && payoutParser ? { name: p.payoutProvider.name, parseWebhook: payoutParser }
        : null;
      if (parser === null) throw new NotFound(`No webhook endpoint for ${input.provider}.`);
      return handlePaymentWebhook(input, {
        ...p,
        parser,
        onPayoutEvent: async (event) => {
          if (event.kind === 'payout_account') return setAccountStatus(event.providerAccountRef, event.ready ? 'ready' : 'onboarding', p);
          if (event.payoutId !== null && (await p.payouts.findById(event.payoutId)) !== null) await processPayoutNow(event.payoutId, p);
        },
      });
    },
    getWalletBalance: (userId: string) => getWalletBalance(userId, p),
    listWalletHistory: (input: { userId: string; limit: number; beforeSeq?: bigint | undefined }) => listWalletHistory(input, p),
  };
}

/** Diamonds (balance, maturation) and payouts (accounts, redeem, the worker). */
function payoutServices(p: Ports) {
  return {
    getDiamondBalance: (input: GetDiamondBalanceInput) => getDiamondBalance(input, p),
    matureDiamonds: (input: MatureDiamondsInput = {}) => matureDiamonds(input, p),
    addPayoutAccount: (input: AddPayoutAccountInput) => addPayoutAccount(input, p),
    listPayoutAccounts: (input: ListPayoutAccountsInput) => listPayoutAccounts(input, p),
    payoutAccountKinds: () => p.payoutProvider.accountKinds,
    payoutAccountOnboardingLink: (input: { userId: string; payoutAccountId: string }) => payoutAccountOnboardingLink(input, p),
    removePayoutAccount: (input: RemovePayoutAccountInput) => removePayoutAccount(input, p),
    requestPayout: (input: RequestPayoutInput) => requestPayout(input, p),
    listPayouts: (input: ListPayoutsInput) => listPayouts(input, p),
    processPayouts: (input: ProcessPayoutsInput = {}) => processPayouts(input, p),
  };
}

/** The demo economy of `npm start`. */
function demoServices(p: Ports) {
  return {
    seedDemo: () =>
      seedDemo({ currencies: p.currencies }, { ...p, startLive: (input) => startLive(input, p), sendGift: (input) => sendGift(input, p) }),
  };
}

/** Admin: the audit log, reconciliation, users and roles, every payout, the catalog to edit. */
function adminServices(p: Ports) {
  return {
    listAudit: (input: ListAuditInput) => listAudit(input, p),
    reconcileLedger: (input: { actor: Principal }) => reconcileLedger(input, p),
    /** Our FIAT ledgers against the providers' records (the CLI's `reconcile --provider`). */
    reconcileWithProvider: (input: { actor?: Principal } = {}) => reconcileWithProvider(input, p),
    listUsers: (input: ListUsersInput) => listUsers(input, p),
    setUserRole: (input: SetUserRoleInput) => setUserRole(input, p),
    reviewUser: (input: ReviewUserInput) => reviewUser(input, p),
    listAllPayouts: (input: ListAllPayoutsInput) => listAllPayouts(input, p),
    listGiftCatalog: (input: ListGiftCatalogInput) => listGiftCatalog(input, p),
  };
}

/** LIVE video: stream settings and keys (HTTP), and the ingest's questions and news (src/video). */
function videoServices(p: Ports) {
  return {
    getStreamSettings: (input: { readonly principal: Principal }) => getStreamSettings(input, p),
    rotateStreamKey: (input: { readonly principal: Principal }) => rotateStreamKey(input, p),
    authorizeStream: (input: { readonly streamKey: string }) => authorizeStream(input, p),
    mayStream,
    streamLive: (input: { readonly userId: string; readonly via: StreamVia }) => streamLive(input, p),
    streamStopped: (input: { readonly userId: string; readonly graceMs: number }) => streamStopped(input, p),
  };
}

/**
 * Moderation: strikes (from the room's gift-baiting coaching) and the ladder they climb, reports
 * and the moderators' queue, suspensions of going LIVE and their appeals, account bans. Ending a LIVE goes through liveServices' endLive, so
 * the room announces live.ended.
 */
function moderationServices(p: Ports) {
  const withEnd = { ...p, endLive: liveServices(p).endLive };
  return {
    recordStrike: (input: RecordStrikeInput) => recordStrike(input, withEnd),
    listStrikes: (input: ListStrikesInput) => listStrikes(input, p),
    reportContent: (input: ReportContentInput) => reportContent(input, p),
    listReports: (input: ListReportsInput) => listReports(input, p),
    resolveReport: (input: ResolveReportInput) => resolveReport(input, withEnd),
    suspendLive: (input: SuspendLiveInput) => suspendLive(input, withEnd),
    liftSuspension: (input: LiftSuspensionInput) => liftSuspension(input, p),
    banUser: (input: BanUserInput) => banUser(input, withEnd),
    unbanUser: (input: UnbanUserInput) => unbanUser(input, p),
    getStanding: (input: { readonly viewer: Principal }) => getStanding(input, p),
    appealSuspension: (input: AppealSuspensionInput) => appealSuspension(input, p),
    listAppeals: (input: ListAppealsInput) => listAppeals(input, p),
    decideAppeal: async (input: DecideAppealInput) => {
      const appeal = await decideAppeal(input, p);
      const [view] = await describeAppeals([appeal], p);
      if (!view) throw new Error('a described appeal went missing');
      return view;
    },
  };
}

/**
 * Every use case, bound. Each area contributes one `…Services(p)` function; add yours here with one
 * spread line.
 */
export function buildServices(p: Ports) {
  return {
    clock: p.clock,
    ...accountServices(p),
    ...giftServices(p),
    ...coinServices(p),
    ...adminServices(p),
    ...demoServices(p),
    ...liveServices(p),
    ...thanksServices(p),
    ...payoutServices(p),
    ...moderationServices(p),
    ...videoServices(p),
  };
}

export type Services = ReturnType<typeof buildServices>;
