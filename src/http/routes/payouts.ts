// Diamonds and payouts: the diamond balance, payout accounts, redeem, and the payout list. Every
// payout route is 18+ (age_restricted otherwise); the balance is open to any signed-in user.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/services.js';
import { ErrorBody, Ok } from '../../protocol/common.js';
import { DiamondBalance, OnboardingLink, Payout, PayoutAccount, PayoutAccountCreateBody, PayoutAccountList, PayoutCreateBody, PayoutList, PayoutListQuery } from '../../protocol/payouts.js';
import { requirePrincipal } from '../auth.js';
import { presentDiamondBalance, presentPayout, presentPayoutAccount } from '../present.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
const security: Record<string, string[]>[] = [{ session: [] }, { token: [] }];

export function payoutsRoutes(services: Services): FastifyPluginAsync {
  return (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/v1/me/diamonds', {
      schema: { tags: ['payouts'], summary: 'Your diamonds: on hold, available, reserved by payouts, and their value', security, response: { 200: DiamondBalance, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      return presentDiamondBalance(await services.getDiamondBalance({ userId: principal.userId }));
    });

    app.get('/v1/me/payout-accounts', {
      schema: { tags: ['payouts'], summary: 'Your payout accounts (18+)', security, response: { 200: PayoutAccountList, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      return { accounts: (await services.listPayoutAccounts({ userId: principal.userId })).map(presentPayoutAccount), kinds: [...services.payoutAccountKinds()] };
    });

    app.post('/v1/me/payout-accounts/:id/onboarding-link', {
      schema: {
        tags: ['payouts'],
        summary: 'A fresh link to finish setting up a payout account at its provider (Stripe Connect onboarding)',
        security,
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: OnboardingLink, ...errors },
      },
    }, async (request) => {
      const principal = requirePrincipal(request, 'payouts:write');
      return { url: await services.payoutAccountOnboardingLink({ userId: principal.userId, payoutAccountId: request.params.id }) };
    });

    // The provider sends the creator's browser here when its link expired: a new link, at once.
    app.get('/v1/me/payout-accounts/:id/onboarding', {
      schema: { hide: true, params: z.object({ id: z.string().min(1).max(64) }) },
    }, async (request, reply) => {
      const principal = requirePrincipal(request, 'payouts:write');
      return reply.redirect(await services.payoutAccountOnboardingLink({ userId: principal.userId, payoutAccountId: request.params.id }), 303);
    });

    app.post('/v1/me/payout-accounts', {
      schema: { tags: ['payouts'], summary: 'Add a payout account (18+): bank or PayPal with the sandbox, a Stripe Connect account with Stripe (then finish its onboarding); a bank number is kept as its last 4', security, body: PayoutAccountCreateBody, response: { 201: PayoutAccount, ...errors } },
    }, async (request, reply) => {
      const principal = requirePrincipal(request, 'payouts:write');
      const account = await services.addPayoutAccount({ userId: principal.userId, details: request.body });
      return reply.status(201).send(presentPayoutAccount(account));
    });

    app.delete('/v1/me/payout-accounts/:id', {
      schema: { tags: ['payouts'], summary: 'Remove a payout account (payouts already requested to it still complete)', security, params: z.object({ id: z.string().min(1).max(64) }), response: { 200: Ok, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request, 'payouts:write');
      await services.removePayoutAccount({ userId: principal.userId, payoutAccountId: request.params.id });
      return { ok: true as const };
    });

    app.post('/v1/payouts', {
      schema: {
        tags: ['payouts'],
        summary: 'Redeem available diamonds to a payout account (18+; idempotent by id)',
        description: 'Answers 201 with the payout, `requested`; the payout worker then moves it to processing and paid, or failed with the diamonds returned. The same id again answers the same payout (200).',
        security,
        body: PayoutCreateBody,
        response: { 200: Payout, 201: Payout, ...errors },
      },
    }, async (request, reply) => {
      const principal = requirePrincipal(request, 'payouts:write');
      const { payout, created } = await services.requestPayout({ userId: principal.userId, id: request.body.id, payoutAccountId: request.body.payoutAccountId, diamonds: BigInt(request.body.diamonds) });
      return reply.status(created ? 201 : 200).send(presentPayout(payout));
    });

    app.get('/v1/payouts', {
      schema: { tags: ['payouts'], summary: 'Your payouts, newest first, with their current status (18+)', security, querystring: PayoutListQuery, response: { 200: PayoutList, ...errors } },
    }, async (request) => {
      const principal = requirePrincipal(request, 'read');
      const list = await services.listPayouts({ userId: principal.userId, limit: request.query.limit, beforeMs: request.query.beforeMs });
      return { payouts: list.map(presentPayout) };
    });
    return Promise.resolve();
  };
}
