// The HTTP application: Fastify with JSON logs, the health and metrics endpoints, and one error
// shape for every failure ({error: {code, message}}). Routes receive their use cases and ports from
// the composition root (src/server.ts); nothing here opens a database.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { Histogram } from 'prom-client';

export interface HealthReport {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

export interface AppDeps {
  readonly logLevel: string;
  readonly metrics: Registry;
  /** Checks what the node needs to serve (database, ledger writer). */
  health(): Promise<HealthReport>;
  readonly version: string;
}

/** Largest request body we read; anything bigger is refused before parsing. */
const BODY_LIMIT_BYTES = 64 * 1024;

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    logger: { level: deps.logLevel },
    bodyLimit: BODY_LIMIT_BYTES,
    // Keep-alive sockets that are idle are closed at once on shutdown; busy ones finish first.
    forceCloseConnections: 'idle',
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

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const code = status >= 500 ? 'internal_error' : (error.code ?? 'bad_request').toLowerCase().replace(/^fst_err_/, '');
    const message = status >= 500 ? 'Something went wrong on our side; it was logged.' : error.message;
    return reply.status(status).send({ error: { code, message } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0] ?? ''}` } }),
  );

  app.get('/healthz', async (_request, reply) => {
    const report = await deps.health();
    return reply.status(report.ok ? 200 : 503).send({ status: report.ok ? 'ok' : 'unavailable', version: deps.version, checks: report.checks });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.metrics();
    return reply.type(deps.metrics.contentType).send(body);
  });

  return app;
}
