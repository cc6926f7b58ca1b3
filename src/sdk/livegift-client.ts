// The typed Livegift client: every HTTP route, its body and answer types taken from src/protocol
// (the one wire contract), errors as LivegiftError with the server's stable `code`. Runs in browsers
// (session cookie, sent by the browser) and in Node (API token, or the session cookie it keeps).
//
// Money-moving calls take a client id (made here when omitted) and retry a lost request with the
// SAME id, so a flaky network can never charge twice: the server answers `duplicate`.
import type { z } from 'zod';
import type { ApiToken, ApiTokenCreated, Me, Role, Scope, SessionCreated, SignUpBody } from '../protocol/accounts.js';
import type { AdminCatalog, AdminPayoutPage, AdminUser, AdminUserPage, AuditPage, ProviderReconcileReport, ReconcileReport } from '../protocol/admin.js';
import type { CoinPrices, Purchase, PurchaseCreated, Wallet, WalletHistory } from '../protocol/coins.js';
import type { Gift, GiftCatalog, GiftCreateBody, GiftUpdateBody, SentGift } from '../protocol/gifts.js';
import type { Live, LivePage, LivePresence, LiveSummary, LiveThanks, LiveThanksPage, MyCreators, MyLiveThanks, ThankGiftersBody, ThankGiftersResult } from '../protocol/lives.js';
import type { DiamondBalance, OnboardingLink, Payout, PayoutAccount, PayoutAccountCreateBody, PayoutAccountList, PayoutList, PayoutStatus } from '../protocol/payouts.js';
import type { Appeal, AppealQueue, BanOutcome, GuidelineReason, ModAppeal, ModerationOutcome, ModerationReasons, ModUser, Report, ReportBody, ReportQueue, ResolvedReport, ResolveReportBody, Standing, StrikePage } from '../protocol/moderation.js';
import type { StreamSettings } from '../protocol/video.js';

/** A refusal from the server, with the stable code to branch on (e.g. `insufficient_coins`). */
export class LivegiftError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> | undefined,
  ) {
    super(message);
    this.name = 'LivegiftError';
  }
}

export interface LivegiftClientOptions {
  /** Where the server is, e.g. `http://localhost:3000`. */
  readonly baseUrl: string;
  /** A personal API token (`lgp_…`); without it the session cookie is used. */
  readonly token?: string;
  /** Another fetch (tests, custom agents). */
  readonly fetch?: typeof fetch;
  /** Attempts for idempotent money calls when the network fails (not when the server refuses). */
  readonly retries?: number;
}

type Query = Record<string, string | number | undefined>;

/** UUIDv7: time-ordered, so ids sort as they were made. Browsers and Node both have getRandomValues. */
export function newClientId(nowMs: number = Date.now()): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  let ms = nowMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class LivegiftClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly retries: number;
  private token: string | undefined;
  /** Node has no cookie jar: the session cookie from sign-up/log-in is kept here. */
  private sessionCookie: string | undefined;

  /**
   * @example
   * const lg = new LivegiftClient({ baseUrl: 'http://localhost:3000' });
   * await lg.logIn({ login: 'ana', password: 'livegift-demo' });
   * const { lives } = await lg.lives();
   */
  constructor(options: LivegiftClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Bound: a browser refuses `fetch` called as a method of another object ("Illegal invocation").
    this.fetchImpl = options.fetch ?? fetch.bind(globalThis);
    this.retries = options.retries ?? 3;
    this.token = options.token;
  }

  /** Acts with this API token from now on. */
  useToken(token: string): void {
    this.token = token;
  }

  // ---------------------------------------------------------------------------------------------
  // Accounts

  /** Creates an account and signs in. */
  async signUp(body: z.input<typeof SignUpBody>): Promise<Me> {
    return (await this.request<z.infer<typeof SessionCreated>>('POST', '/v1/auth/signup', { body })).user;
  }

  /** Signs in with email or handle. @example await lg.logIn({ login: 'ana', password: 'livegift-demo' }) */
  async logIn(body: { login: string; password: string }): Promise<Me> {
    return (await this.request<z.infer<typeof SessionCreated>>('POST', '/v1/auth/login', { body })).user;
  }

  async logOut(options: { everywhere?: boolean } = {}): Promise<void> {
    await this.request('POST', '/v1/auth/logout', { body: { everywhere: options.everywhere ?? false } });
    this.sessionCookie = undefined;
  }

  /**
   * Logs out everywhere: ends every session of the signed-in user on every device, this one
   * included (needs a session, not an API token; tokens stay valid).
   * @example await lg.logOutEverywhere()
   */
  async logOutEverywhere(): Promise<void> {
    await this.request('POST', '/v1/sessions/revoke-all');
    this.sessionCookie = undefined;
  }

  me(): Promise<Me> {
    return this.request('GET', '/v1/me');
  }

  /** The LIVE Gifts toggle (turning it on needs 18+ and good standing). */
  setGiftsEnabled(enabled: boolean): Promise<Me> {
    return this.request('PUT', '/v1/me/gifts', { body: { enabled } });
  }

  async apiTokens(): Promise<ApiToken[]> {
    return (await this.request<{ tokens: ApiToken[] }>('GET', '/v1/me/tokens')).tokens;
  }

  /** Makes a token; its secret is in the answer only this once. */
  createApiToken(body: { name: string; scopes: Scope[] }): Promise<ApiTokenCreated> {
    return this.request('POST', '/v1/me/tokens', { body });
  }

  async revokeApiToken(id: string): Promise<void> {
    await this.request('DELETE', `/v1/me/tokens/${encodeURIComponent(id)}`);
  }

  /**
   * Your stream settings: the RTMP server URL and stream key to paste into OBS, the recommended
   * encoder settings, whether this server can make video (and why not), whether going LIVE from
   * the browser's camera is offered, and the stream arriving now, if any.
   * @example const { ingest } = await lg.streamSettings(); // ingest.rtmpUrl, ingest.streamKey
   */
  streamSettings(): Promise<StreamSettings> {
    return this.request('GET', '/v1/me/stream');
  }

  /**
   * Makes a new stream key; the old one stops working at once (an encoder streaming with it is cut).
   * @example const { ingest } = await lg.rotateStreamKey(); // paste ingest.streamKey into OBS
   */
  rotateStreamKey(): Promise<StreamSettings> {
    return this.request('POST', '/v1/me/stream/key');
  }

  // ---------------------------------------------------------------------------------------------
  // Gifts

  async catalog(): Promise<Gift[]> {
    return (await this.request<GiftCatalog>('GET', '/v1/catalog')).gifts;
  }

  gift(id: string): Promise<Gift> {
    return this.request('GET', `/v1/catalog/${encodeURIComponent(id)}`);
  }

  /**
   * Sends a gift in a LIVE. Keep `id` if you retry later yourself; a retry with it never charges twice.
   * @example const sent = await lg.sendGift({ liveId, giftId: 'rose', count: 1 });
   */
  sendGift(body: { liveId: string; giftId: string; count?: number; id?: string }): Promise<SentGift> {
    const id = body.id ?? newClientId();
    return this.request('POST', '/v1/gifts', { body: { ...body, id, count: body.count ?? 1 }, idempotent: true });
  }

  createGift(body: z.input<typeof GiftCreateBody>): Promise<Gift> {
    return this.request('POST', '/v1/admin/catalog', { body });
  }

  updateGift(id: string, patch: z.input<typeof GiftUpdateBody>): Promise<Gift> {
    return this.request('PATCH', `/v1/admin/catalog/${encodeURIComponent(id)}`, { body: patch });
  }

  // ---------------------------------------------------------------------------------------------
  // Coins

  coinPrices(currency = 'USD'): Promise<CoinPrices> {
    return this.request('GET', '/v1/coins/prices', { query: { currency } });
  }

  /**
   * Starts a purchase; send the buyer to `checkoutUrl`. Coins arrive when the provider confirms.
   * @example const { checkoutUrl } = await lg.buyCoins({ packageId: 'usd-350' });
   */
  buyCoins(body: ({ packageId: string } | { coins: number; currency: string }) & { id?: string }): Promise<z.infer<typeof PurchaseCreated>> {
    return this.request('POST', '/v1/purchases', { body: { ...body, id: body.id ?? newClientId() }, idempotent: true });
  }

  async purchases(query: { limit?: number; beforeMs?: number } = {}): Promise<Purchase[]> {
    return (await this.request<{ purchases: Purchase[] }>('GET', '/v1/purchases', { query })).purchases;
  }

  /** One purchase; an unfinished one is checked with the provider first (poll this after checkout). */
  purchase(id: string): Promise<Purchase> {
    return this.request('GET', `/v1/purchases/${encodeURIComponent(id)}`);
  }

  wallet(): Promise<z.infer<typeof Wallet>> {
    return this.request('GET', '/v1/me/wallet');
  }

  walletHistory(query: { limit?: number; beforeSeq?: string } = {}): Promise<z.infer<typeof WalletHistory>> {
    return this.request('GET', '/v1/me/wallet/history', { query });
  }

  // ---------------------------------------------------------------------------------------------
  // LIVEs

  /** Goes LIVE. @example const live = await lg.startLive({ title: 'Sunday sketching' }); */
  startLive(body: { title: string }): Promise<Live> {
    return this.request('POST', '/v1/lives', { body });
  }

  /** Ends your LIVE (moderators: someone else's, with a reason). */
  endLive(id: string, body: { reason?: string } = {}): Promise<Live> {
    return this.request('POST', `/v1/lives/${encodeURIComponent(id)}/end`, { body });
  }

  lives(query: { limit?: number; cursor?: string } = {}): Promise<LivePage> {
    return this.request('GET', '/v1/lives', { query });
  }

  live(id: string): Promise<Live> {
    return this.request('GET', `/v1/lives/${encodeURIComponent(id)}`);
  }

  liveSummary(id: string): Promise<LiveSummary> {
    return this.request('GET', `/v1/lives/${encodeURIComponent(id)}/summary`);
  }

  creatorLives(handle: string, query: { limit?: number; cursor?: string } = {}): Promise<LivePage> {
    return this.request('GET', `/v1/creators/${encodeURIComponent(handle)}/lives`, { query });
  }

  /**
   * The creators whose LIVEs you watched, most recently watched first (never yourself): each with
   * `onAir` when LIVE now, else `lastLive`, their latest ended LIVE. `limit` is 1–50 (default 12).
   * @example const { creators } = await lg.myCreators({ limit: 6 });
   */
  myCreators(query: { limit?: number } = {}): Promise<MyCreators> {
    return this.request('GET', '/v1/me/creators', { query });
  }

  joinLive(id: string, body: { viewerKey?: string } = {}): Promise<LivePresence> {
    return this.request('POST', `/v1/lives/${encodeURIComponent(id)}/join`, { body });
  }

  leaveLive(id: string, body: { viewerKey?: string } = {}): Promise<LivePresence> {
    return this.request('POST', `/v1/lives/${encodeURIComponent(id)}/leave`, { body });
  }

  heartbeat(id: string, body: { viewerKey?: string } = {}): Promise<unknown> {
    return this.request('POST', `/v1/lives/${encodeURIComponent(id)}/heartbeat`, { body });
  }

  /**
   * After your LIVE ended: thanks its gifters — every one by default, or those in `gifterIds` — with
   * a suggested phrase or your own words. A gifter is thanked once per LIVE, so retrying is safe: the
   * answer lists them under `alreadyThanked`. `coaching` is set when your words baited for gifts.
   * @example const { thanked } = await lg.thankGifters(liveId, { phrase: 'Thank you so much' });
   */
  thankGifters(liveId: string, body: ThankGiftersBody): Promise<ThankGiftersResult> {
    return this.request('POST', `/v1/lives/${encodeURIComponent(liveId)}/thanks`, { body, idempotent: true });
  }

  /** Your LIVE: the gifters you thanked, in the room or after it ended, oldest first. @example const { thanks } = await lg.liveThanks(liveId); */
  liveThanks(liveId: string, query: { limit?: number; cursor?: string } = {}): Promise<LiveThanksPage> {
    return this.request('GET', `/v1/lives/${encodeURIComponent(liveId)}/thanks`, { query });
  }

  /** The creator's thank-you to you for a LIVE, or null. @example const thanks = await lg.myLiveThanks(liveId); */
  async myLiveThanks(liveId: string): Promise<LiveThanks | null> {
    return (await this.request<MyLiveThanks>('GET', `/v1/lives/${encodeURIComponent(liveId)}/thanks/me`)).thanks;
  }

  // ---------------------------------------------------------------------------------------------
  // Diamonds and payouts

  diamonds(): Promise<DiamondBalance> {
    return this.request('GET', '/v1/me/diamonds');
  }

  async payoutAccounts(): Promise<PayoutAccount[]> {
    return (await this.payoutAccountList()).accounts;
  }

  /** Your payout accounts, and the kinds of account this server pays to (bank/paypal, or stripe). */
  payoutAccountList(): Promise<z.infer<typeof PayoutAccountList>> {
    return this.request('GET', '/v1/me/payout-accounts');
  }

  /**
   * A fresh link to finish setting up a Stripe payout account (it expires within minutes: open it at once).
   * @example location.href = (await lg.payoutAccountOnboardingLink(account.id)).url;
   */
  payoutAccountOnboardingLink(id: string): Promise<z.infer<typeof OnboardingLink>> {
    return this.request('POST', `/v1/me/payout-accounts/${encodeURIComponent(id)}/onboarding-link`);
  }

  addPayoutAccount(body: z.input<typeof PayoutAccountCreateBody>): Promise<PayoutAccount> {
    return this.request('POST', '/v1/me/payout-accounts', { body });
  }

  async removePayoutAccount(id: string): Promise<void> {
    await this.request('DELETE', `/v1/me/payout-accounts/${encodeURIComponent(id)}`);
  }

  /**
   * Redeems available diamonds to a payout account; the payout then moves requested → processing → paid.
   * @example await lg.redeem({ payoutAccountId, diamonds: 2000 });
   */
  redeem(body: { payoutAccountId: string; diamonds: number; id?: string }): Promise<Payout> {
    return this.request('POST', '/v1/payouts', { body: { ...body, id: body.id ?? newClientId() }, idempotent: true });
  }

  async payouts(query: Query = {}): Promise<Payout[]> {
    return (await this.request<z.infer<typeof PayoutList>>('GET', '/v1/payouts', { query })).payouts;
  }

  // ---------------------------------------------------------------------------------------------
  // Admin

  audit(query: { limit?: number; beforeSeq?: number; subject?: string } = {}): Promise<z.infer<typeof AuditPage>> {
    return this.request('GET', '/v1/admin/audit', { query });
  }

  reconcile(): Promise<z.infer<typeof ReconcileReport>> {
    return this.request('POST', '/v1/admin/reconcile');
  }

  /** Our FIAT ledgers against the payment and payout providers' own records (Stripe's, or the sandbox's). */
  reconcileWithProvider(): Promise<z.infer<typeof ProviderReconcileReport>> {
    return this.request('POST', '/v1/admin/reconcile/provider');
  }

  /**
   * Lifts a gifting freeze (after a lost dispute), or holds / releases a creator's diamonds for review;
   * a reason is needed to freeze or hold, and the user sees it.
   * @example await lg.reviewUser(id, { payoutsHeld: true, reason: 'Unusual gifts from new accounts' })
   */
  reviewUser(userId: string, change: { giftingFrozen?: boolean; payoutsHeld?: boolean; reason?: string }): Promise<AdminUser> {
    return this.request('PATCH', `/v1/admin/users/${encodeURIComponent(userId)}`, { body: change });
  }

  /**
   * Users, newest first, with their role and standing; `q` searches handle, name and email.
   * @example const { users, nextCursor } = await lg.adminUsers({ q: 'ana' });
   */
  adminUsers(query: { limit?: number; q?: string; role?: z.infer<typeof Role>; cursor?: string } = {}): Promise<AdminUserPage> {
    return this.request('GET', '/v1/admin/users', { query });
  }

  /** Makes a user a moderator or an admin, or takes it back (not your own role). @example await lg.setUserRole(id, 'moderator') */
  setUserRole(userId: string, role: z.infer<typeof Role>): Promise<AdminUser> {
    return this.request('PATCH', `/v1/admin/users/${encodeURIComponent(userId)}`, { body: { role } });
  }

  /** Every creator's payouts, newest first; `status` narrows them. @example await lg.adminPayouts({ status: 'failed' }) */
  adminPayouts(query: { limit?: number; status?: z.infer<typeof PayoutStatus>; cursor?: string } = {}): Promise<AdminPayoutPage> {
    return this.request('GET', '/v1/admin/payouts', { query });
  }

  /** Every gift, retired ones too, and the art files a gift may use (to edit the catalog). */
  adminCatalog(): Promise<AdminCatalog> {
    return this.request('GET', '/v1/admin/catalog');
  }

  // ---------------------------------------------------------------------------------------------
  // Moderation

  /** The Community Guidelines reasons (with labels) and the suspension lengths to offer. */
  moderationReasons(): Promise<ModerationReasons> {
    return this.request('GET', '/v1/moderation/reasons');
  }

  /**
   * Reports a LIVE, a chat line (its words as you saw them) or a user. Reporting the same target
   * again while your report is open answers that report, so retrying is safe.
   * @example await lg.report({ target: { kind: 'message', liveId, senderId: line.sender.id, text: line.text }, reason: 'harassment' })
   */
  report(body: z.input<typeof ReportBody>): Promise<Report> {
    return this.request('POST', '/v1/reports', { body, idempotent: true });
  }

  /** Your strikes, newest first (gift-baiting found in your words, moderators' warnings). @example const { strikes } = await lg.myStrikes(); */
  myStrikes(query: { limit?: number; cursor?: string } = {}): Promise<StrikePage> {
    return this.request('GET', '/v1/me/strikes', { query });
  }

  /**
   * Where you stand on the gift-baiting ladder (warning, a countdown and its end, suspended), the
   * suspension in force with its appeal, and the suspensions of the last 90 days.
   * @example const { ladder, suspension } = await lg.myStanding();
   */
  myStanding(): Promise<Standing> {
    return this.request('GET', '/v1/me/standing');
  }

  /**
   * Appeals the suspension of going LIVE in force, once; appealing again answers the first appeal.
   * @example await lg.appealSuspension({ text: 'I was quoting a viewer' })
   */
  appealSuspension(body: { text: string }): Promise<Appeal> {
    return this.request('POST', '/v1/me/appeals', { body, idempotent: true });
  }

  /** Appeals of suspensions, newest first, with the strikes behind each (moderators, admins). @example const { appeals } = await lg.modAppeals({ status: 'open' }); */
  modAppeals(query: { status?: Appeal['status']; limit?: number; cursor?: string } = {}): Promise<AppealQueue> {
    return this.request('GET', '/v1/mod/appeals', { query });
  }

  /** Grants (the suspension is lifted) or denies an appeal (moderators, admins). @example await lg.decideAppeal(appeal.id, { decision: 'grant', note: 'Quoting is fine' }) */
  decideAppeal(appealId: string, body: { decision: 'grant' | 'deny'; note?: string }): Promise<ModAppeal> {
    return this.request('POST', `/v1/mod/appeals/${encodeURIComponent(appealId)}/decide`, { body });
  }

  /**
   * The moderators' queue, newest first, each report with its context (moderators, admins).
   * @example const { reports, nextCursor } = await lg.modReports({ status: 'open' });
   */
  modReports(query: { status?: 'open' | 'resolved'; limit?: number; cursor?: string } = {}): Promise<ReportQueue> {
    return this.request('GET', '/v1/mod/reports', { query });
  }

  /**
   * Resolves a report: dismiss, warn, suspend going LIVE (durationHours or permanent) or ban (admins).
   * The other open reports on the same target close with it. Repeating the same action is safe.
   * @example await lg.resolveReport(report.id, { action: 'suspend', durationHours: 72, note: 'Promised shoutouts for gifts' })
   */
  resolveReport(reportId: string, body: z.input<typeof ResolveReportBody>): Promise<ResolvedReport> {
    return this.request('POST', `/v1/mod/reports/${encodeURIComponent(reportId)}/resolve`, { body });
  }

  /** A user's strikes, newest first (moderators, admins). @example const { strikes } = await lg.userStrikes(userId); */
  userStrikes(userId: string, query: { limit?: number; cursor?: string } = {}): Promise<StrikePage> {
    return this.request('GET', `/v1/mod/users/${encodeURIComponent(userId)}/strikes`, { query });
  }

  /**
   * Suspends a user's going LIVE for a Community Guidelines violation; their LIVE in progress ends at once.
   * @example await lg.suspendLive(userId, { durationHours: 24, reason: 'gift_baiting', note: 'Third warning' })
   */
  suspendLive(userId: string, body: { durationHours: number; reason: GuidelineReason; note?: string } | { permanent: true; reason: GuidelineReason; note?: string }): Promise<ModerationOutcome> {
    return this.request('POST', `/v1/mod/users/${encodeURIComponent(userId)}/suspend-live`, { body });
  }

  /** Lifts a suspension of going LIVE before it ends. @example await lg.liftSuspension(userId, { note: 'Appeal upheld' }) */
  liftSuspension(userId: string, body: { note?: string } = {}): Promise<ModUser> {
    return this.request('POST', `/v1/mod/users/${encodeURIComponent(userId)}/lift-suspension`, { body });
  }

  /**
   * Bans an account for fraud (admins): no spending, earning or going LIVE, diamonds held, signed out everywhere.
   * @example await lg.banUser(userId, { reason: 'Stolen cards used for coin purchases' })
   */
  banUser(userId: string, body: { reason: string }): Promise<BanOutcome> {
    return this.request('POST', `/v1/admin/users/${encodeURIComponent(userId)}/ban`, { body });
  }

  /** Lifts a ban (admins). @example await lg.unbanUser(userId, { note: 'Chargebacks were the bank’s error' }) */
  unbanUser(userId: string, body: { note?: string } = {}): Promise<ModUser> {
    return this.request('POST', `/v1/admin/users/${encodeURIComponent(userId)}/unban`, { body });
  }

  // ---------------------------------------------------------------------------------------------

  private async request<T>(method: string, path: string, options: { body?: unknown; query?: Query; idempotent?: boolean } = {}): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    else if (this.sessionCookie !== undefined) headers.cookie = this.sessionCookie;
    const init: RequestInit = { method, headers, credentials: 'include', ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) };

    const attempts = options.idempotent === true ? Math.max(1, this.retries) : 1;
    let response: Response | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        response = await this.fetchImpl(url, init);
        break;
      } catch (error) {
        // Only a request that never got an answer is retried, and only with the same id.
        if (attempt >= attempts) throw error;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
    const setCookie = response.headers.get('set-cookie');
    if (setCookie !== null) {
      const pair = setCookie.split(';')[0] ?? '';
      this.sessionCookie = /Max-Age=0/i.test(setCookie) ? undefined : pair;
    }
    const text = await response.text();
    const json: unknown = text.length > 0 && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const e = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
      throw new LivegiftError(response.status, e?.code ?? 'http_error', e?.message ?? `HTTP ${response.status}`, e?.details);
    }
    return json as T;
  }
}
