// The HTTP application: Fastify with JSON logs, zod schemas on every route (validation and the
// OpenAPI document at /openapi.json, browsable at /docs), authentication before every route, the
// health and metrics endpoints, and one error shape for every failure. Route plugins come from
// the composition root (src/server.ts) with their use cases; nothing here opens a database.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { Histogram } from 'prom-client';
import type { Principal } from '../app/authenticate.js';
import { credentialsOf } from './auth.js';
import { registerWebApp } from './web-app.js';
import { toHttpError } from './errors.js';

export interface HealthReport {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

export interface AppDeps {
  readonly logLevel: string;
  readonly metrics: Registry;
  readonly version: string;
  /** Checks what the node needs to serve (database, ledger writer). */
  health(): Promise<HealthReport>;
  /** Resolves the request's credentials (cookie or bearer) to a principal. */
  authenticate(credentials: { sessionSecret?: string; bearer?: string }): Promise<Principal | null>;
  /** Route plugins, registered in order under the root. */
  readonly routes: readonly FastifyPluginAsync[];
  /** The built web app (web/dist) to serve at /; when it holds no build, / describes the API. */
  readonly webDistDir?: string;
}

/** Largest request body we read; anything bigger is refused before parsing. */
const BODY_LIMIT_BYTES = 64 * 1024;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: deps.logLevel },
    bodyLimit: BODY_LIMIT_BYTES,
    // Keep-alive sockets that are idle are closed at once on shutdown; busy ones finish first.
    forceCloseConnections: 'idle',
    trustProxy: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const requestSeconds = new Histogram({
    name: 'livegift_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [deps.metrics],
  });
  app.addHook('onResponse', (request, reply, done) => {
    requestSeconds.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const credentials = credentialsOf(request);
    if (credentials.bearer !== undefined || credentials.sessionSecret !== undefined) {
      request.principal = await deps.authenticate(credentials);
    }
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message: `Invalid request ${error.validationContext}: ${error.validation.map((v) => `${v.instancePath || '/'} ${v.message ?? ''}`).join('; ')}`,
          details: { issues: error.validation.map((v) => ({ path: v.instancePath, message: v.message })) },
        },
      });
    }
    const mapped = toHttpError(error);
    if (mapped) return reply.status(mapped.status).send(mapped.body);
    const e = error as { statusCode?: number; code?: string; message?: string };
    if (!isResponseSerializationError(error) && e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
      // Fastify's own refusals: malformed JSON, body too large, wrong content type …
      const code = (e.code ?? 'bad_request').toLowerCase().replace(/^fst_err_/, '').replace(/^ctp_/, '');
      return reply.status(e.statusCode).send({ error: { code, message: e.message ?? 'Bad request' } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: { code: 'internal_error', message: 'Something went wrong on our side; it was logged.' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0] ?? ''}` } }),
  );

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Livegift API',
        version: deps.version,
        description: 'LIVE-stream gifting: accounts, coins, gifts, LIVEs, diamonds and payouts. Errors are {error: {code, message, details?}}.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'lg_session' },
          token: { type: 'http', scheme: 'bearer', description: 'Personal API token (lgp_…)' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  // The web app at / when it is built; otherwise the root says what this server is and where to go.
  const webApp = deps.webDistDir !== undefined && registerWebApp(app, deps.webDistDir);
  if (!webApp) app.get('/', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Livegift</title><style>
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#0f0f14;color:#f4f4f8;font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif}
main{background:#1b1b24;border-radius:16px;padding:32px;margin:16px;max-width:460px;box-shadow:0 12px 40px #0008}
h1{margin:0 0 8px;color:#ff4f6d}a{color:#3ee6d0}li{margin:6px 0}</style></head><body><main>
<h1>Livegift</h1><p>The Livegift API ${deps.version} is running.</p><ul>
<li><a href="/docs">API reference</a> (OpenAPI: <a href="/openapi.json">/openapi.json</a>)</li>
<li><a href="/v1/lives">LIVEs on air now</a> · <a href="/v1/catalog">the gift catalog</a></li>
<li><a href="/healthz">health</a> · <a href="/metrics">metrics</a></li></ul></main></body></html>`),
  );

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    const report = await deps.health();
    return reply.status(report.ok ? 200 : 503).send({ status: report.ok ? 'ok' : 'unavailable', version: deps.version, checks: report.checks });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await deps.metrics.metrics();
    return reply.type(deps.metrics.contentType).send(body);
  });

  for (const routes of deps.routes) await app.register(routes);
  return app;
}
