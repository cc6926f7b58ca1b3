// Serves the built web app (web/dist, made by `vite build`; see src/platform/web-build.ts): its
// bundle under /app/ (content-hashed names, cached for a year), and index.html for every page
// address the app knows, so a reload or a shared link opens the right page. The pages themselves
// are routed in the browser (web/src/app.tsx). Each page goes out with the Content-Security-Policy
// of what the build loads (webAppCsp).
import { createHash } from 'node:crypto';
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

/** Pages other sites may embed in a frame: the OBS overlay (OBS, or a streaming site's player). */
const FRAMABLE_PAGES: ReadonlySet<string> = new Set(['/overlay/:id']);

/**
 * The Content-Security-Policy of the web app's pages. The build (web/dist/index.html) loads one
 * module script and one stylesheet from /app/ and has no inline script or style element (React
 * sets styles through the DOM, which CSP allows; should a build ever inline one, its hash is
 * allowed, see inlineHashes); images from /assets/gifts/ (data: and blob: for pictures made in
 * the page); and it talks to this server only: fetch to /v1 and the room WebSocket on the same
 * host (CSP3 `'self'` covers ws:/wss: of our own host; the public origin's ws URL is named too for
 * browsers that predate that). Checkouts are navigations, which CSP does not limit.
 */
export function webAppCsp(options: { publicUrl: string; framable: boolean; index?: string }): string {
  const socketOrigin = new URL(options.publicUrl).origin.replace(/^http/, 'ws');
  const hashes = (tag: 'script' | 'style') => inlineHashes(options.index ?? '', tag).map((h) => ` '${h}'`).join('');
  return [
    "default-src 'self'",
    `script-src 'self'${hashes('script')}`,
    `style-src 'self'${hashes('style')}`,
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' blob:",
    // hls.js transmuxes in a worker it makes from a blob: URL (the LIVE page's player).
    "worker-src 'self' blob:",
    `connect-src 'self' ${socketOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${options.framable ? '*' : "'none'"}`,
  ].join('; ');
}

/** The CSP hashes (`sha256-…`) of the inline `<script>` or `<style>` elements of an HTML page. */
export function inlineHashes(html: string, tag: 'script' | 'style'): string[] {
  const inline = new RegExp(`<${tag}(?![^>]*\\ssrc=)[^>]*>([\\s\\S]*?)</${tag}>`, 'gi');
  return [...html.matchAll(inline)]
    .map((m) => m[1] ?? '')
    .filter((body) => body.trim() !== '')
    .map((body) => `sha256-${createHash('sha256').update(body).digest('base64')}`);
}

/** Registers the web app's routes when `distDir` holds a build; returns false when it does not. */
export function registerWebApp(app: FastifyInstance, distDir: string, options: { publicUrl: string }): boolean {
  let index: string;
  try {
    index = readFileSync(join(distDir, 'index.html'), 'utf8');
  } catch {
    return false;
  }
  const sendIndex = (csp: string) => (_request: unknown, reply: { header(k: string, v: string): unknown; type(t: string): { send(b: string): unknown } }) => {
    reply.header('cache-control', 'no-cache');
    reply.header('content-security-policy', csp);
    return reply.type('text/html; charset=utf-8').send(index);
  };
  const pageCsp = webAppCsp({ publicUrl: options.publicUrl, framable: false, index });
  const framableCsp = webAppCsp({ publicUrl: options.publicUrl, framable: true, index });
  for (const path of [...WEB_PAGES, ...WEB_PAGES_WITH_ID]) {
    app.get(path, { schema: { hide: true } }, sendIndex(FRAMABLE_PAGES.has(path) ? framableCsp : pageCsp));
  }

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
