// The HTTP application: Fastify with JSON logs (secrets redacted), zod schemas on every route
// (validation and the OpenAPI document at /openapi.json, browsable at /docs), authentication and
// the cross-site check before every route, security headers on every answer, limits on bodies,
// headers and path parameters, the health and metrics endpoints, and one error shape for every
// failure. Route plugins come from the composition root (src/server.ts) with their use cases;
// nothing here opens a database.
import { createHash } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import type { Registry } from 'prom-client';
import { Histogram } from 'prom-client';
import type { Principal } from '../app/authenticate.js';
import { checkCrossSite, credentialsOf } from './auth.js';
import { registerWebApp } from './web-app.js';
import { toHttpError } from './errors.js';

export interface HealthReport {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

export interface AppDeps {
  readonly logLevel: string;
  /** Where log lines go (tests read them); standard output when absent. */
  readonly logStream?: DestinationStream;
  /** The address people reach this server at (config PUBLIC_URL): trusted origin, https-only cookies and HSTS when https. */
  readonly publicUrl: string;
  /** Fastify's trustProxy: true, or the proxies' addresses (comma-separated); false (default) trusts no X-Forwarded-* header. */
  readonly trustProxy?: boolean | string;
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
/** Largest request head (request line and headers) Node reads; bigger gets 431 before any route runs. */
export const HEADER_LIMIT_BYTES = 16 * 1024;
/** Longest path parameter routed (ids are 36, web app files ≤ 128); longer gets 414. */
export const PARAM_LIMIT_CHARS = 128;

/**
 * Log paths that hold secrets or personal data, replaced by "[Redacted]" wherever a log line would
 * carry them. Fastify's request log carries method, url, host and address only (no headers, no
 * bodies: see requestLogShape); these paths keep a future `log.info({ req, body })` or an error
 * carrying its request from leaking cookies, tokens, signatures or passwords.
 */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["stripe-signature"]',
  'req.headers["livegift-signature"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'headers["stripe-signature"]',
  'headers["livegift-signature"]',
  ...['password', 'email', 'token', 'accountNumber', 'sessionSecret'].flatMap((field) => [field, `*.${field}`, `req.body.${field}`, `*.body.${field}`]),
];

/** Fastify's request log shape (method, url, host, address), with `?token=` secrets cut from the url: the OBS overlay's address carries its API token. */
function requestLogShape(request: { method: string; url: string; host: string; ip: string; socket: { remotePort?: number | undefined } | null }) {
  return {
    method: request.method,
    url: request.url.replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1[Redacted]'),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

// Security headers. Every answer is nosniff, same-origin opener, no powerful features but the
// camera and microphone of our own pages (the studio will stream), HSTS when we are https, and
// not framable, except the OBS overlay, which OBS or a streaming site may embed. A route may set
// its own Content-Security-Policy (the web app's pages, the sandbox checkout, the API docs);
// everything else (JSON, SVG art, metrics) gets one that allows no script at all.
const PERMISSIONS_POLICY = 'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()';
const RESOURCE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** The OBS overlay's page: embeddable anywhere (src/http/web-app.ts sets its CSP). */
const FRAMABLE_PREFIX = '/overlay/';
/** Swagger UI (@fastify/swagger-ui at /docs): its own scripts and styles, inline styles from its widgets, data: icons. */
const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** The style of the page / shows when the web app is not built; its CSP allows exactly this style by hash. */
const ROOT_PAGE_STYLE = `
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#0f0f14;color:#f4f4f8;font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif}
main{background:#1b1b24;border-radius:16px;padding:32px;margin:16px;max-width:460px;box-shadow:0 12px 40px #0008}
h1{margin:0 0 8px;color:#ff4f6d}a{color:#3ee6d0}li{margin:6px 0}`;
const ROOT_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(ROOT_PAGE_STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** The security headers of an answer to `url` (a header a route set itself is kept where it may set its own). */
function setSecurityHeaders(url: string, reply: FastifyReply, https: boolean): void {
  reply.header('x-content-type-options', 'nosniff');
  if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'strict-origin-when-cross-origin');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('permissions-policy', PERMISSIONS_POLICY);
  if (https) reply.header('strict-transport-security', 'max-age=31536000');
  const framable = url.startsWith(FRAMABLE_PREFIX);
  if (!framable) reply.header('x-frame-options', 'DENY');
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', RESOURCE_CSP);
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const publicOrigin = new URL(deps.publicUrl).origin;
  const https = publicOrigin.startsWith('https:');
  const app = Fastify({
    logger: {
      level: deps.logLevel,
      redact: [...REDACTED_LOG_PATHS],
      serializers: { req: requestLogShape },
      ...(deps.logStream !== undefined ? { stream: deps.logStream } : {}),
    },
    bodyLimit: BODY_LIMIT_BYTES,
    http: { maxHeaderSize: HEADER_LIMIT_BYTES },
    routerOptions: { maxParamLength: PARAM_LIMIT_CHARS },
    // Refusals before routing (a path parameter over the limit, a malformed URL) in our error shape,
    // without echoing the 5,000-character path. They skip the hooks: the headers are set here.
    frameworkErrors: (error, request, anyReply) => {
      const reply = anyReply as FastifyReply;
      setSecurityHeaders(request.url, reply, https);
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply.status(tooLong ? 414 : 400).send({
        error: tooLong
          ? { code: 'uri_too_long', message: `A path parameter is longer than ${PARAM_LIMIT_CHARS} characters.` }
          : { code: 'bad_url', message: 'The address is not a valid URL.' },
      });
    },
    // Keep-alive sockets that are idle are closed at once on shutdown; busy ones finish first.
    forceCloseConnections: 'idle',
    // Behind a reverse proxy on another host, TRUST_PROXY makes X-Forwarded-For name the client (rate limits per IP).
    trustProxy: deps.trustProxy ?? false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('publicOrigin', publicOrigin);

  // Added before any plugin, so every route and plugin inherits it; theirs run after and may
  // replace the CSP (swagger-ui does).
  app.addHook('onSend', async (request, reply, payload) => {
    setSecurityHeaders(request.url, reply, https);
    return payload;
  });

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
    // Before the body is read and any route runs: a forged request does nothing at all.
    checkCrossSite(request);
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
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  // The web app at / when it is built; otherwise the root says what this server is and where to go.
  const webApp = deps.webDistDir !== undefined && registerWebApp(app, deps.webDistDir, { publicUrl: deps.publicUrl });
  if (!webApp) app.get('/', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', ROOT_PAGE_CSP).send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Livegift</title><style>${ROOT_PAGE_STYLE}</style></head><body><main>
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

