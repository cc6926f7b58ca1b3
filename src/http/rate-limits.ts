// Rate limits over HTTP: one preHandler for the whole app (registered as a root plugin, so its hook
// also runs for the routes other plugins register) looks up the route's rules and answers 429
// `rate_limited` with `details.retryAfterMs` and a Retry-After header (seconds, rounded up) when one
// refuses. Routes without rules pay one Map lookup.
//
// Sign-in guessing (POST /v1/auth/login), around the route and not inside log-in.ts:
// - before it runs: the address's attempts (`login:ip`), whether the address is locked for wrong
//   passwords (`login.failures:ip`), and the login name's lock (`login.failures:name`, keyed by a
//   hash of the lower-cased name). The name's attempt is counted as a failure now, not when its
//   answer comes: attempts racing each other are all counted before any is answered, so a burst of
//   guesses cannot slip past the lock;
// - when it answers: 200 resets the name (the owner is back in); 401 (invalid_credentials) counts a
//   failure for the address. A success never resets the address's count: an attacker signing in
//   to an account of their own between guesses gains nothing.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { rateKeysFor, rateLimitedError, takeEach, type RateLimiter, type RateRefusal } from '../app/rate-limiter.js';
import { isLoopbackAddress, loginNameKey, type RateRuleName } from '../domain/rate-limits.js';

export interface RateLimitsDeps {
  readonly limiter: RateLimiter;
  /** The time limits are counted in (the node's clock). */
  nowMs(): number;
}

/** `<METHOD> <route>` → the rules its requests are counted under, in the order they are taken. */
const RULES_BY_ROUTE: ReadonlyMap<string, readonly RateRuleName[]> = new Map<string, readonly RateRuleName[]>([
  ['POST /v1/auth/signup', ['signup:ip']],
  ['POST /v1/auth/login', ['login:ip']],
  ['POST /v1/gifts', ['gift.send:user']],
  ['POST /v1/purchases', ['purchase:user', 'purchase:ip']],
]);
const LOGIN_ROUTE = 'POST /v1/auth/login';

/** A sign-in that went ahead: what its answer updates. */
interface LoginAttempt {
  readonly nameKey: string;
  readonly ip: string;
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
      const nameKey = loginNameKey(typeof login === 'string' ? login : '');
      const decision = await limiter.take('login.failures:name', nameKey, nowMs);
      if (!decision.allowed) return refuse(limiter, reply, { name: 'login.failures:name', decision });
      logins.set(request, { nameKey, ip: request.ip });
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const attempt = logins.get(request);
      if (attempt === undefined) return payload;
      logins.delete(request);
      if (reply.statusCode === 200) await limiter.reset('login.failures:name', attempt.nameKey);
      else if (wrongPassword(reply.statusCode, payload) && !isLoopbackAddress(attempt.ip)) await limiter.fail('login.failures:ip', attempt.ip, deps.nowMs());
      return payload;
    });
    return Promise.resolve();
  };
  // Not encapsulated: the hooks belong to the root, so every route of the app passes through them.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });
  return plugin;
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
