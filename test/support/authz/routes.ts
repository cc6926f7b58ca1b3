// The routes a running node serves, read from the node itself (Fastify's route tree), so the
// authorization matrix and the fuzz test cover a route the day it is added, without a hand list.
import type { FastifyInstance } from 'fastify';
import { WEB_PAGES, WEB_PAGES_WITH_ID } from '../../../src/http/web-app.js';

export interface ServedRoute {
  readonly method: string;
  /** The path as registered, with its `:params`. */
  readonly path: string;
  /** `METHOD /path`: the key of the rule tables. */
  readonly key: string;
}

/** A line of `printRoutes()`: its depth in the tree, its own path segment, and its methods. */
const LINE = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/u;

/**
 * Every method + path the app serves, parsed from `app.printRoutes({ commonPrefix: false })`
 * (each node prints the segment it adds to its parent's path). HEAD routes Fastify adds beside
 * every GET are left out: they run the GET's handler. Each parsed route is checked with
 * `app.hasRoute`, so a change in Fastify's printout fails loudly instead of hiding routes.
 */
export function servedRoutes(app: FastifyInstance): ServedRoute[] {
  const stack: string[] = [];
  const routes: ServedRoute[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    if (line.trim() === '') continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`cannot read this line of printRoutes(): ${JSON.stringify(line)}`);
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(match[2] ?? '');
    const path = stack.join('');
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '')) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      // (a wildcard route is not found by hasRoute under its printed path: no check for those)
      if (!path.includes('*') && !app.hasRoute({ method, url: path })) throw new Error(`printRoutes() listed ${method} ${path}, which the app does not have`);
      routes.push({ method, path, key: `${method} ${path}` });
    }
  }
  const keys = routes.map((r) => r.key);
  if (new Set(keys).size !== keys.length) throw new Error(`a route was listed twice: ${keys.join(', ')}`);
  if (routes.length === 0) throw new Error('printRoutes() listed no routes');
  return routes.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path)));
}

const WEB_APP_PAGES: ReadonlySet<string> = new Set<string>([...WEB_PAGES, ...WEB_PAGES_WITH_ID]);

/**
 * Why a route is left out of the authorization matrix, or null when it is in it. Only static
 * content is left out: it is the same bytes for everyone and reads no principal.
 */
export function staticRouteReason(route: ServedRoute): string | null {
  if (route.method !== 'GET') return null;
  // The web app's pages are one index.html for every address (the browser routes them), and its
  // bundle files; `/` is the API's description page when no web build exists.
  if (WEB_APP_PAGES.has(route.path)) return 'web app page (index.html)';
  if (route.path === '/app/:file') return 'web app bundle file';
  // Swagger UI: its page and assets, and the same OpenAPI document /openapi.json serves (kept).
  if (route.path === '/docs' || route.path.startsWith('/docs/')) return 'Swagger UI (static)';
  if (route.path === '/assets/gifts/:file') return 'gift art (static SVG files)';
  return null;
}

/** The path with its `:params` filled in (each value percent-encoded unless `raw`). */
export function fillPath(path: string, params: Readonly<Record<string, string>>, raw = false): string {
  return path.replace(/:([A-Za-z_]\w*)/g, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for :${name} of ${path}`);
    return raw ? value : encodeURIComponent(value);
  });
}

/** The names of a path's `:params`, in order. */
export function paramsOf(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => m[1] ?? '');
}
