// Rate limits over HTTP: one preHandler for the whole app (registered as a root plugin, so its hook
// also runs for the routes other plugins register) looks up the route's rules and answers 429
// `rate_limited` with `details.retryAfterMs` and a Retry-After header (seconds, rounded up) when one
// refuses. Routes without rules pay one Map lookup.
//
// Sign-in guessing (POST /v1/auth/login), around the route and not inside log-in.ts, after OWASP's
// "Slow Down Online Guessing Attacks with Device Cookies":
// - before it runs: the address's attempts (`login:ip`) and whether the address is locked for wrong
//   passwords (`login.failures:ip`); then who the attempt counts against (identifyLoginAttempt):
//   - a browser the account knows — it carries the device cookie the account gave it when it last
//     signed in — counts against its own cookie (`login.failures:device`) and is not held by the
//     account's lock: a guesser who keeps the account locked does not keep its owner out;
//   - any other client counts against the account (`login.failures:name`), whichever of its names
//     it typed, or against the name itself when it names no account (the same rule and the same
//     answers, so a lock does not tell which names exist). While that is locked, every client the
//     account does not know is refused.
//   The attempt is counted as a failure now, not when its answer comes: attempts racing each other
//   are all counted before any is answered, so a burst of guesses cannot slip past the lock;
// - when it answers: 200 resets what the attempt was counted against (a known browser's success
//   leaves the account's lock alone: the owner signing in must not hand a guesser fresh tries) and
//   gives the browser a new device cookie; 401 (invalid_credentials) counts a failure for the
//   address. A success never resets the address's count: an attacker signing in to an account of
//   their own between guesses gains nothing.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentifyLoginAttemptInput, LoginAttemptSubject } from '../app/identify-login-attempt.js';
import { rateKeysFor, rateLimitedError, takeEach, type RateLimiter, type RateRefusal } from '../app/rate-limiter.js';
import type { TrustLoginDeviceInput } from '../app/trust-login-device.js';
import { isLoopbackAddress, type PenaltyRuleName, type RateRuleName } from '../domain/rate-limits.js';
import { deviceSecretOf, setDeviceCookie } from './auth.js';

/** What sign-in throttling asks of the use cases: who an attempt counts against, and trusting a browser. */
export interface LoginThrottle {
  identifyLoginAttempt(input: IdentifyLoginAttemptInput): Promise<LoginAttemptSubject>;
  trustLoginDevice(input: TrustLoginDeviceInput): Promise<{ deviceSecret: string; expiresAtMs: number }>;
}

export interface RateLimitsDeps {
  readonly limiter: RateLimiter;
  /** The time limits are counted in (the node's clock). */
  nowMs(): number;
  readonly logins: LoginThrottle;
}

/**
 * `<METHOD> <route>` → the rules its requests are counted under, in the order they are taken. Each
 * of these routes lists 429 in its OpenAPI responses (src/http/rate-limits.test.ts checks).
 */
export const RULES_BY_ROUTE: ReadonlyMap<string, readonly RateRuleName[]> = new Map<string, readonly RateRuleName[]>([
  ['POST /v1/auth/signup', ['signup:ip']],
  ['POST /v1/auth/login', ['login:ip']],
  ['POST /v1/gifts', ['gift.send:user']],
  ['POST /v1/purchases', ['purchase:user', 'purchase:ip']],
]);
const LOGIN_ROUTE = 'POST /v1/auth/login';

/** A sign-in that went ahead: what its answer updates. */
interface LoginAttempt {
  readonly ip: string;
  /** The penalty its wrong password was counted under: the known browser's, else the account's (or name's). */
  readonly counted: { readonly name: PenaltyRuleName; readonly key: string };
  readonly subject: LoginAttemptSubject;
}

export function rateLimits(deps: RateLimitsDeps): FastifyPluginAsync {
  const { limiter } = deps;
  const plugin: FastifyPluginAsync = (app) => {
    const logins = new WeakMap<FastifyRequest, LoginAttempt>();

    app.addHook('preHandler', async (request, reply) => {
      const route = `${request.method} ${request.routeOptions.url ?? ''}`;
      const rules = RULES_BY_ROUTE.get(route);
      if (rules === undefined) return;
      const nowMs = deps.nowMs();
      const refused = await takeEach(limiter, rateKeysFor(rules, { userId: request.principal?.userId ?? null, ip: request.ip }), nowMs);
      if (refused) return refuse(limiter, reply, refused);
      if (route !== LOGIN_ROUTE) return;

      if (!isLoopbackAddress(request.ip)) {
        const decision = await limiter.peek('login.failures:ip', request.ip, nowMs);
        if (!decision.allowed) return refuse(limiter, reply, { name: 'login.failures:ip', decision });
      }
      const login = (request.body as { login?: unknown } | null)?.login;
      const subject = await deps.logins.identifyLoginAttempt({ login: typeof login === 'string' ? login : '', deviceSecret: deviceSecretOf(request) });
      const counted = subject.deviceKey !== null ? { name: 'login.failures:device' as const, key: subject.deviceKey } : { name: 'login.failures:name' as const, key: subject.accountKey };
      const decision = await limiter.take(counted.name, counted.key, nowMs);
      if (!decision.allowed) return refuse(limiter, reply, { name: counted.name, decision });
      logins.set(request, { ip: request.ip, counted, subject });
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const attempt = logins.get(request);
      if (attempt === undefined) return payload;
      logins.delete(request);
      if (reply.statusCode === 200) {
        await limiter.reset(attempt.counted.name, attempt.counted.key);
        await trustBrowser(deps.logins, request, reply, attempt.subject);
      } else if (wrongPassword(reply.statusCode, payload) && !isLoopbackAddress(attempt.ip)) await limiter.fail('login.failures:ip', attempt.ip, deps.nowMs());
      return payload;
    });
    return Promise.resolve();
  };
  // Not encapsulated: the hooks belong to the root, so every route of the app passes through them.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });
  return plugin;
}

/**
 * Gives the browser that just signed in a new device cookie of its account. The sign-in has
 * happened whatever this does: a failure only leaves the browser unknown, and is logged.
 */
async function trustBrowser(logins: LoginThrottle, request: FastifyRequest, reply: FastifyReply, subject: LoginAttemptSubject): Promise<void> {
  if (subject.userId === null) return;
  try {
    const device = await logins.trustLoginDevice({ userId: subject.userId, replacesDeviceKey: subject.deviceKey });
    setDeviceCookie(request, reply, device.deviceSecret, device.expiresAtMs);
  } catch (error) {
    request.log.warn({ err: error }, 'could not give a signed-in browser its device cookie');
  }
}

/** The sign-in route answered invalid_credentials (the error body is serialized by now). */
function wrongPassword(status: number, payload: unknown): boolean {
  return status === 401 && (typeof payload !== 'string' || payload.includes('"invalid_credentials"'));
}

function refuse(limiter: RateLimiter, reply: FastifyReply, refusal: RateRefusal): FastifyReply {
  return reply
    .status(429)
    .header('retry-after', String(Math.max(1, Math.ceil(refusal.decision.retryAfterMs / 1000))))
    .send({ error: rateLimitedError(limiter.rules, refusal) });
}
