// Serves the built web app (web/dist, made by `vite build`; see src/platform/web-build.ts): its
// bundle under /app/ (content-hashed names, cached for a year), and index.html for every page
// address the app knows, so a reload or a shared link opens the right page. The pages themselves
// are routed in the browser (web/src/app.tsx).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/** Page addresses of the web app (kept in step with web/src/app.tsx). */
export const WEB_PAGES = ['/', '/login', '/signup', '/studio', '/balance', '/admin'] as const;
/** Page addresses with one parameter (a LIVE id). */
export const WEB_PAGES_WITH_ID = ['/live/:id', '/studio/lives/:id', '/overlay/:id'] as const;

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Registers the web app's routes when `distDir` holds a build; returns false when it does not. */
export function registerWebApp(app: FastifyInstance, distDir: string): boolean {
  let index: string;
  try {
    index = readFileSync(join(distDir, 'index.html'), 'utf8');
  } catch {
    return false;
  }
  const sendIndex = (_request: unknown, reply: { header(k: string, v: string): unknown; type(t: string): { send(b: string): unknown } }) => {
    reply.header('cache-control', 'no-cache');
    return reply.type('text/html; charset=utf-8').send(index);
  };
  for (const path of WEB_PAGES) app.get(path, { schema: { hide: true } }, sendIndex);
  for (const path of WEB_PAGES_WITH_ID) app.get(path, { schema: { hide: true } }, sendIndex);

  app.get<{ Params: { file: string } }>('/app/:file', { schema: { hide: true, params: z.object({ file: z.string().regex(/^[\w.-]{1,128}$/) }) } }, (request, reply) => {
    const { file } = request.params;
    const type = TYPES[file.slice(file.lastIndexOf('.'))];
    let body: Buffer;
    try {
      body = type === undefined ? Buffer.alloc(0) : readFileSync(join(distDir, 'app', file));
    } catch {
      body = Buffer.alloc(0);
    }
    if (type === undefined || body.length === 0) return reply.status(404).send({ error: { code: 'not_found', message: 'No such file.' } });
    return reply.type(type).header('cache-control', 'public, max-age=31536000, immutable').header('x-content-type-options', 'nosniff').send(body);
  });
  return true;
}
