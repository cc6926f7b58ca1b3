// Accounts: sign up, log in/out (this session or every session), the signed-in user, personal API
// tokens, the LIVE Gifts toggle.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/services.js';
import { NotFound } from '../../domain/errors.js';
import { ApiTokenCreateBody, ApiTokenCreated, ApiTokenList, GiftsToggleBody, LogInBody, Me, SessionCreated, SignUpBody } from '../../protocol/accounts.js';
import { ErrorBody, Ok } from '../../protocol/common.js';
import { clearSessionCookie, credentialsOf, requirePrincipal, setSessionCookie } from '../auth.js';
import { presentApiToken, presentMe } from '../present.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const security: Record<string, string[]>[] = [{ session: [] }, { token: [] }];

export function accountsRoutes(services: Services): FastifyPluginAsync {
  return (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.post('/v1/auth/signup', {
      schema: { tags: ['accounts'], summary: 'Create an account and sign in', body: SignUpBody, response: { 201: SessionCreated, ...errors, 429: ErrorBody } },
      config: { signsIn: true },
    }, async (request, reply) => {
      await services.signUp(request.body);
      const session = await services.logIn({ login: request.body.email, password: request.body.password, previousSessionSecret: credentialsOf(request).sessionSecret });
      setSessionCookie(request, reply, session.sessionSecret, session.expiresAtMs);
      return reply.status(201).send({ user: presentMe(session.user, services.clock.nowMs()) });
    });

    app.post('/v1/auth/login', {
      schema: { tags: ['accounts'], summary: 'Sign in with email or handle; sets a new session cookie and ends the one sent, if any', description: 'Wrong passwords lock the account for clients it does not know (429 rate_limited with details.retryAfterMs and Retry-After); a browser that signed in before carries a device cookie (lg_device, renewed at every sign-in) and is held only by its own wrong passwords.', body: LogInBody, response: { 200: SessionCreated, ...errors, 429: ErrorBody } },
      config: { signsIn: true },
    }, async (request, reply) => {
      const session = await services.logIn({ ...request.body, previousSessionSecret: credentialsOf(request).sessionSecret });
      setSessionCookie(request, reply, session.sessionSecret, session.expiresAtMs);
      return { user: presentMe(session.user, services.clock.nowMs()) };
    });

    app.post('/v1/auth/logout', {
      schema: { tags: ['accounts'], summary: 'End this session, or every session with everywhere=true', body: z.object({ everywhere: z.boolean().default(false) }).nullish(), response: { 200: Ok, ...errors } },
    }, async (request, reply) => {
      const principal = requirePrincipal(request);
      if (request.body?.everywhere === true) await services.logOutEverywhere({ principal });
      else await services.logOut({ sessionSecret: credentialsOf(request).sessionSecret ?? '' });
      clearSessionCookie(request, reply);
      return { ok: true as const };
    });

    app.post('/v1/sessions/revoke-all', {
      schema: { tags: ['accounts'], summary: 'Log out everywhere: end every session of the signed-in user, this one included (API tokens stay)', security: [{ session: [] }], response: { 200: Ok, ...errors } },
    }, async (request, reply) => {
      await services.logOutEverywhere({ principal: requirePrincipal(request) });
      clearSessionCookie(request, reply);
      return { ok: true as const };
    });

    app.get('/v1/me', {
      schema: { tags: ['accounts'], summary: 'The signed-in user', security, response: { 200: Me, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      const user = await services.getUser(principal.userId);
      if (!user) throw new NotFound('No such user.');
      return presentMe(user, services.clock.nowMs());
    });

    app.put('/v1/me/gifts', {
      schema: { tags: ['accounts'], summary: 'Turn LIVE Gifts on or off (on needs 18+ and good standing)', security, body: GiftsToggleBody, response: { 200: Me, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request, 'lives:write');
      const user = await services.setGiftsEnabled({ userId: principal.userId, enabled: request.body.enabled });
      return presentMe(user, services.clock.nowMs());
    });

    app.get('/v1/me/tokens', {
      schema: { tags: ['accounts'], summary: 'Your personal API tokens', security, response: { 200: ApiTokenList, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      return { tokens: (await services.listApiTokens(principal.userId)).map(presentApiToken) };
    });

    app.post('/v1/me/tokens', {
      schema: { tags: ['accounts'], summary: 'Make a personal API token (the secret is shown once)', security, body: ApiTokenCreateBody, response: { 201: ApiTokenCreated, ...errors } },
    }, async (request, reply) => {
      const principal = requirePrincipal(request);
      const { token, record } = await services.createApiToken({ principal, name: request.body.name, scopes: request.body.scopes });
      return reply.status(201).send({ token, apiToken: presentApiToken(record) });
    });

    app.delete('/v1/me/tokens/:id', {
      schema: { tags: ['accounts'], summary: 'Revoke a personal API token', security, params: z.object({ id: z.string().min(1).max(64) }), response: { 200: Ok, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request);
      await services.revokeApiToken({ principal, tokenId: request.params.id });
      return { ok: true as const };
    });
    return Promise.resolve();
  };
}
