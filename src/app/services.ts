// Binds every use case to the ports it needs, once, so transports (HTTP, WebSocket, CLI) call
// `services.signUp(input)` and never see a port. Each use case still receives only its own ports
// (TypeScript checks that `p` has them; the use case's signature names exactly which).
import { authenticate, type AuthenticateInput } from './authenticate.js';
import type { ComboTracker } from './combo-tracker.js';
import { createGift, type CreateGiftInput } from './create-gift.js';
import { seedCatalog } from './seed-catalog.js';
import { sendGift, type SendGiftInput, type SpendPolicy } from './send-gift.js';
import { updateGift, type UpdateGiftInput } from './update-gift.js';
import { createApiToken, type CreateApiTokenInput } from './create-api-token.js';
import { logIn, type LogInInput } from './log-in.js';
import { logOut, type LogOutInput } from './log-out.js';
import type { ApiTokenStore, ArtLibrary, AuditLog, Clock, GiftCatalog, Ids, LedgerStore, LiveStore, PasswordHasher, SessionStore, UserStore } from './ports.js';
import { endAbandonedLives, type EndAbandonedLivesInput } from './end-abandoned-lives.js';
import { endLive, type EndLiveInput } from './end-live.js';
import { getLive, type GetLiveInput } from './get-live.js';
import { getLiveSummary, type GetLiveSummaryInput } from './get-live-summary.js';
import { joinLive, type LiveViewerInput } from './join-live.js';
import { leaveLive } from './leave-live.js';
import { listCreatorLives, type ListCreatorLivesInput } from './list-creator-lives.js';
import { listLives, type LivePageInput } from './list-lives.js';
import { recordLiveHeartbeat } from './record-live-heartbeat.js';
import { startLive, type StartLiveInput } from './start-live.js';
import { revokeApiToken, type RevokeApiTokenInput } from './revoke-api-token.js';
import { setGiftsEnabled, type SetGiftsEnabledInput } from './set-gifts-enabled.js';
import { signUp, type SignUpInput } from './sign-up.js';

export interface Ports {
  readonly clock: Clock;
  readonly ids: Ids;
  readonly passwords: PasswordHasher;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly tokens: ApiTokenStore;
  readonly audit: AuditLog;
  readonly ledger: LedgerStore;
  readonly catalog: GiftCatalog;
  readonly art: ArtLibrary;
  /** LIVEs, their viewers and summaries (sendGift uses only its LiveDirectory part). */
  readonly lives: LiveStore;
  readonly combos: ComboTracker;
  readonly policy: SpendPolicy;
}

/** Account use cases: sign-up, sessions, API tokens, the LIVE Gifts toggle. */
function accountServices(p: Ports) {
  return {
    signUp: (input: SignUpInput) => signUp(input, p),
    logIn: (input: LogInInput) => logIn(input, p),
    logOut: (input: LogOutInput) => logOut(input, p),
    authenticate: (input: AuthenticateInput) => authenticate(input, p),
    getUser: (id: string) => p.users.findById(id),
    createApiToken: (input: CreateApiTokenInput) => createApiToken(input, p),
    listApiTokens: (userId: string) => p.tokens.listOf(userId),
    revokeApiToken: (input: RevokeApiTokenInput) => revokeApiToken(input, p),
    setGiftsEnabled: (input: SetGiftsEnabledInput) => setGiftsEnabled(input, p),
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
    sendGift: (input: SendGiftInput) => sendGift(input, p),
  };
}

/** LIVEs: start, end (and the auto-end job), presence, lists, summaries. */
function liveServices(p: Ports) {
  return {
    startLive: (input: StartLiveInput) => startLive(input, p),
    endLive: (input: EndLiveInput) => endLive(input, p),
    endAbandonedLives: (input: EndAbandonedLivesInput) => endAbandonedLives(input, p),
    joinLive: (input: LiveViewerInput) => joinLive(input, p),
    leaveLive: (input: LiveViewerInput) => leaveLive(input, p),
    recordLiveHeartbeat: (input: LiveViewerInput) => recordLiveHeartbeat(input, p),
    listLives: (input: LivePageInput) => listLives(input, p),
    getLive: (input: GetLiveInput) => getLive(input, p),
    getLiveSummary: (input: GetLiveSummaryInput) => getLiveSummary(input, p),
    listCreatorLives: (input: ListCreatorLivesInput) => listCreatorLives(input, p),
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
    ...liveServices(p),
  };
}

export type Services = ReturnType<typeof buildServices>;
