// Bad input for every route and for a room socket: fast-check arbitraries of malformed requests
// (bodies, content types, path params, query strings, credentials and other headers) and socket
// frames, each built from a route's valid request so that part of it still gets deep into the
// route. A generated request prints as the request itself (route, method, url, headers, body),
// truncated, so a counterexample reads as what was sent.
import fc from 'fast-check';
import { SESSION_COOKIE } from '../../../src/http/auth.js';
import type { RouteRequest } from './requests.js';
import { paramsOf, type ServedRoute } from './routes.js';

/** What a case needs from the test: credentials and the ids worth naming. */
export interface FuzzWorld {
  /** The session secret of each principal fuzzing ("viewer", "creator", "admin"). */
  sessionOf(who: string): string;
  /** A valid API token of someone else (a bystander), with a narrow scope. */
  readonly otherToken: string;
  /** Ids of real things (LIVEs, purchases, accounts, users, tokens, gifts) to put in paths and bodies. */
  readonly ids: readonly string[];
  /** The valid request of a route (fixed for the run), or null when there is none. */
  seedOf(route: ServedRoute): RouteRequest | null;
}

/** One request as sent, and how to print it. */
export class FuzzRequest {
  constructor(
    readonly route: ServedRoute,
    readonly who: string,
    readonly method: string,
    readonly url: string,
    readonly headers: Readonly<Record<string, string>>,
    readonly payload: string | Buffer | undefined,
    readonly remoteAddress: string,
    /** What was done to the valid request, in words. */
    readonly recipe: string,
  ) {}

  [fc.toStringMethod](): string {
    return this.describe();
  }

  describe(): string {
    const headers = Object.entries(this.headers).map(([k, v]) => `${k}: ${short(v, 120)}`);
    const body = this.payload === undefined ? '(no body)' : Buffer.isBuffer(this.payload) ? `(binary, ${this.payload.length} bytes) ${this.payload.subarray(0, 40).toString('hex')}` : `(${this.payload.length} chars) ${short(this.payload, 400)}`;
    return `[${this.route.key}] as ${this.who} from ${this.remoteAddress} — ${this.recipe}\n  ${this.method} ${short(this.url, 300)}\n  ${headers.join('\n  ')}\n  ${body}`;
  }
}

/** Whether a terminal would not show this UTF-16 unit as itself: controls, bidi and zero-width marks. */
function invisible(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x200b && code <= 0x200f) || code === 0x2028 || code === 0x2029 || (code >= 0x202a && code <= 0x202e) || code === 0xfeff;
}

/** A string cut to `max` characters, with its length when cut; invisible characters and lone surrogates shown as \\uXXXX. */
export function short(text: string, max: number): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  let shown = '';
  for (let i = 0; i < cut.length; i++) {
    const code = cut.charCodeAt(i);
    const high = code >= 0xd800 && code <= 0xdbff;
    const low = code >= 0xdc00 && code <= 0xdfff;
    if (high && i + 1 < cut.length && cut.charCodeAt(i + 1) >= 0xdc00 && cut.charCodeAt(i + 1) <= 0xdfff) {
      shown += cut.slice(i, i + 2);
      i += 1;
    } else if (high || low || invisible(code)) shown += `\\u${code.toString(16).padStart(4, '0')}`;
    else shown += cut[i] ?? '';
  }
  return text.length > max ? `${shown}… (${text.length} chars)` : shown;
}

// ---------------------------------------------------------------------------------------------
// Pieces.

/** Raw JSON texts no JSON.stringify makes, or that sit at the edges of what a schema accepts. */
export const NASTY_JSON: readonly string[] = [
  '-1',
  '0',
  '-0',
  '0.5',
  '-0.000001',
  '1e400',
  '-1e400',
  '1e-400',
  '9007199254740993',
  '123456789012345678901234567890',
  '4503599627370497',
  '18446744073709551616',
  'null',
  'true',
  'false',
  '""',
  '" "',
  '"0"',
  '"-1"',
  '"9007199254740993"',
  '"12345678901234567890n"',
  '"1e3"',
  '"NaN"',
  '"Infinity"',
  '[]',
  '{}',
  '[1,2,3]',
  '{"$gt":""}',
  '"\\u0000"',
  '"\\u202e\\u200b"',
  '"\\ud800"',
  '"😀👍🏽"',
  '"\\n\\r\\t\\b\\f"',
  `"${'x'.repeat(5_000)}"`,
  '"__proto__"',
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '"<script>alert(1)</script>"',
  '"../../../../etc/passwd"',
  `"' OR 1=1 --"`,
  '"%00%2F"',
];

/** Path parameter texts, as they go into the path (already encoded, or deliberately not). */
export const NASTY_PARAMS: readonly string[] = [
  'x'.repeat(129),
  'x'.repeat(5_000),
  '..',
  '.',
  '%2e%2e',
  '%2F',
  'a%2Fb',
  '..%2F..%2Fetc%2Fpasswd',
  '%5C..%5C',
  '%00',
  '%0A%0D',
  '%E0%A4%A',
  '%',
  '%ZZ',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '%F0%9F%98%80',
  '%E2%80%AE',
  '-1',
  '0',
  '1e309',
  'NaN',
  'null',
  'undefined',
  '%20',
  '+',
  'a;b=c',
  '%27%20OR%201%3D1%20--',
  '*',
  '%u0041',
  '@',
  '~',
];

/** Query keys the routes read, and keys no route should trust. */
const QUERY_KEYS: readonly string[] = [
  'limit',
  'cursor',
  'beforeMs',
  'beforeSeq',
  'currency',
  'q',
  'role',
  'status',
  'subject',
  'since',
  'viewerKey',
  'token',
  'ref',
  '__proto__',
  'constructor',
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
  'limit[]',
  'limit[0]',
  'a'.repeat(300),
];

const QUERY_VALUES: readonly string[] = [
  '-1',
  '0',
  '1.5',
  '1e309',
  '9007199254740993',
  '99999999999999999999999',
  'NaN',
  'Infinity',
  '',
  'null',
  'true',
  '[]',
  '%7B%7D',
  'x'.repeat(10_000),
  '%E0%A4%A',
  '%00',
  '%20%201%20',
  '0x10',
  'USD',
  'usd',
  'XXX',
  'admin',
  'open',
  'resolved',
  'paid',
  'e30',
  'MTcwMDAwMDAwMDAwMDo.',
  '1700000000000.abc',
  'abc:1',
];

const CONTENT_TYPES: readonly string[] = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/octet-stream',
  'application/json; charset=utf-16le',
  'application/vnd.api+json',
  'APPLICATION/JSON',
  'application/json, text/plain',
  'application/json; charset=',
  'text/html',
  ';;;',
];

/** encodeURIComponent that also takes lone surrogates (sent as the invalid UTF-8 they would be). */
function encodeLoose(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return Array.from(text, (ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        return '%ED%A0%80';
      }
    }).join('');
  }
}

/** Printable ASCII only: what a header value may hold on the wire. */
const headerText = fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));

/** The JSON text with the value at one of its leaf positions replaced by raw JSON (or left out). */
function replaceLeaf(seed: unknown, index: number, raw: string | null): string {
  const leaves: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (Array.isArray(value)) value.forEach((v, i) => {
      walk(v, [...path, i]);
    });
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    if (path.length > 0) leaves.push(path);
  };
  walk(seed, []);
  if (leaves.length === 0) return raw ?? '';
  const target = leaves[index % leaves.length] ?? [];
  const marker = '\u0001FUZZ\u0001';
  const copy = JSON.parse(JSON.stringify(seed)) as unknown;
  let holder = copy as Record<string | number, unknown>;
  for (const step of target.slice(0, -1)) holder = holder[step] as Record<string | number, unknown>;
  const last = target.at(-1) ?? '';
  if (raw === null) {
    if (Array.isArray(holder)) holder.splice(Number(last), 1);
    else Reflect.deleteProperty(holder, last);
    return JSON.stringify(copy);
  }
  holder[last] = marker;
  return JSON.stringify(copy).replace(JSON.stringify(marker), raw);
}

/** A body made of `depth` nested arrays or objects. */
export function deepJson(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** The text of a route's valid body (or '{}' for a route that takes none). */
function seedText(seed: RouteRequest | null): string {
  if (seed?.rawBody !== undefined) return seed.rawBody;
  if (seed?.body !== undefined) return JSON.stringify(seed.body);
  return '{}';
}

// ---------------------------------------------------------------------------------------------
// Bodies.

type BodyPlan =
  | { kind: 'seed' }
  | { kind: 'none' }
  | { kind: 'replace'; at: number; raw: string }
  | { kind: 'drop'; at: number }
  | { kind: 'pollute'; raw: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object' }
  | { kind: 'truncate'; at: number }
  | { kind: 'empty' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'text'; text: string }
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'numbers'; raw: string }
  | { kind: 'strings'; raw: string };

const POLLUTERS: readonly string[] = [
  '"__proto__":{"role":"admin","isAdmin":true,"polluted":"yes"}',
  '"constructor":{"prototype":{"polluted":"yes","role":"admin"}}',
  '"__proto__":{"__proto__":{"polluted":"yes"}}',
  '"prototype":{"polluted":"yes"}',
  '"id":"dup-1","id":"dup-2"',
  '"toString":"x","valueOf":1,"hasOwnProperty":null',
];

const bodyPlan: fc.Arbitrary<BodyPlan> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'seed' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(20), raw: fc.oneof(fc.constantFrom(...NASTY_JSON), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat(20) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pollute' as const), raw: fc.constantFrom(...POLLUTERS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deep' as const), depth: fc.constantFrom(64, 1_000, 5_000, 10_000, 30_000), shape: fc.constantFrom('array' as const, 'object' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(400) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge' as const), bytes: fc.integer({ min: 64 * 1024 - 16, max: 200_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.string({ unit: 'binary', maxLength: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('binary' as const), bytes: fc.uint8Array({ maxLength: 300 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('numbers' as const), raw: fc.constantFrom('1e400', '-1', '0', '0.5', '9007199254740993', '-9007199254740993', '123456789012345678901234567890', '"7"', 'null') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('strings' as const), raw: fc.constantFrom('"\\u0000\\u202e😀"', `"${'x'.repeat(3_000)}"`, '""', '1', 'null', '"\\ud800"', '{}') }) },
);

/** The payload a plan makes of the route's valid body, and what was done, in words. */
function bodyOf(plan: BodyPlan, seed: RouteRequest | null): { payload: string | Buffer | undefined; recipe: string; json: boolean } {
  const text = seedText(seed);
  const seedJson = (): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return {};
    }
  };
  switch (plan.kind) {
    case 'seed':
      return { payload: seed?.rawBody ?? (seed?.body === undefined ? undefined : text), recipe: 'the valid body', json: true };
    case 'none':
      return { payload: undefined, recipe: 'no body', json: false };
    case 'replace':
      return { payload: replaceLeaf(seedJson(), plan.at, plan.raw), recipe: `a field of the valid body set to ${short(plan.raw, 40)}`, json: true };
    case 'drop':
      return { payload: replaceLeaf(seedJson(), plan.at, null), recipe: 'a field of the valid body left out', json: true };
    case 'pollute':
      return { payload: text.startsWith('{') ? `{${plan.raw}${text.length > 2 ? ',' : ''}${text.slice(1)}` : `{${plan.raw}}`, recipe: 'prototype keys or duplicate keys in the body', json: true };
    case 'json':
      return { payload: JSON.stringify(plan.value), recipe: 'random JSON', json: true };
    case 'deep':
      return { payload: deepJson(plan.depth, plan.shape), recipe: `${plan.depth} nested ${plan.shape}s`, json: true };
    case 'truncate':
      return { payload: text.slice(0, plan.at % Math.max(text.length, 1)), recipe: 'the valid body cut short', json: true };
    case 'empty':
      return { payload: '', recipe: 'an empty body', json: true };
    case 'huge':
      return { payload: `{"x":"${'y'.repeat(plan.bytes)}"}`, recipe: `a body of ${plan.bytes} bytes`, json: true };
    case 'text':
      return { payload: plan.text, recipe: 'random text', json: false };
    case 'binary':
      return { payload: Buffer.from(plan.bytes), recipe: 'random bytes', json: false };
    case 'numbers':
      return { payload: text.replace(/(?<=[:[,])-?\d+(\.\d+)?([eE][+-]?\d+)?(?=[,\]}])/g, plan.raw), recipe: `every number of the valid body set to ${plan.raw}`, json: true };
    case 'strings':
      return { payload: text.replace(/(?<=:)"(?:[^"\\]|\\.)*"/g, plan.raw), recipe: `every string value of the valid body set to ${short(plan.raw, 30)}`, json: true };
  }
}

// ---------------------------------------------------------------------------------------------
// Credentials and other headers.

type AuthPlan =
  | 'own'
  | 'none'
  | 'garbage-cookie'
  | 'empty-cookie'
  | 'bad-encoding-cookie'
  | 'huge-cookie'
  | 'own-then-garbage'
  | 'garbage-then-own'
  | 'many-cookies'
  | 'garbage-bearer'
  | 'huge-bearer'
  | 'empty-bearer'
  | 'basic'
  | 'session-as-bearer'
  | 'other-token'
  | 'own-cookie-bad-bearer';

const authPlan: fc.Arbitrary<AuthPlan> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('own' as const) },
  {
    weight: 6,
    arbitrary: fc.constantFrom<AuthPlan>(
      'none',
      'garbage-cookie',
      'empty-cookie',
      'bad-encoding-cookie',
      'huge-cookie',
      'own-then-garbage',
      'garbage-then-own',
      'many-cookies',
      'garbage-bearer',
      'huge-bearer',
      'empty-bearer',
      'basic',
      'session-as-bearer',
      'other-token',
      'own-cookie-bad-bearer',
    ),
  },
);

function authHeaders(plan: AuthPlan, who: string, world: FuzzWorld): Record<string, string> {
  const own = encodeURIComponent(world.sessionOf(who));
  switch (plan) {
    case 'own':
      return { cookie: `${SESSION_COOKIE}=${own}` };
    case 'none':
      return {};
    case 'garbage-cookie':
      return { cookie: `${SESSION_COOKIE}=garbage` };
    case 'empty-cookie':
      return { cookie: `${SESSION_COOKIE}=` };
    case 'bad-encoding-cookie':
      return { cookie: `${SESSION_COOKIE}=%E0%A4%A; other=%` };
    case 'huge-cookie':
      return { cookie: `${SESSION_COOKIE}=${'x'.repeat(15_000)}` };
    case 'own-then-garbage':
      return { cookie: `${SESSION_COOKIE}=${own}; ${SESSION_COOKIE}=garbage` };
    case 'garbage-then-own':
      return { cookie: `${SESSION_COOKIE}=garbage; ${SESSION_COOKIE}=${own}` };
    case 'many-cookies':
      return { cookie: Array.from({ length: 500 }, (_, i) => `c${i}=${i}`).join('; ') + `; ${SESSION_COOKIE}=${own}` };
    case 'garbage-bearer':
      return { authorization: 'Bearer lgp_garbage' };
    case 'huge-bearer':
      return { authorization: `Bearer lgp_${'A'.repeat(15_000)}` };
    case 'empty-bearer':
      return { authorization: 'Bearer ' };
    case 'basic':
      return { authorization: 'Basic dXNlcjpwYXNzd29yZA==' };
    case 'session-as-bearer':
      return { authorization: `Bearer ${world.sessionOf(who)}` };
    case 'other-token':
      return { authorization: `Bearer ${world.otherToken}` };
    case 'own-cookie-bad-bearer':
      return { cookie: `${SESSION_COOKIE}=${own}`, authorization: 'bearer lgp_' };
  }
}

const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc.dictionary(
      fc.constantFrom('origin', 'sec-fetch-site', 'if-none-match', 'x-forwarded-for', 'x-forwarded-proto', 'accept', 'accept-encoding', 'livegift-signature', 'stripe-signature', 'user-agent', 'x-http-method-override', 'referer', 'range'),
      fc.oneof(
        headerText,
        fc.constantFrom('null', 'https://evil.example', 'http://localhost:3000', 'cross-site', 'same-site', 'same-origin', 'none', 't=1,v1=00', 't=,v1=', '*', 'bytes=0-0', 'x'.repeat(10_000), 'DELETE'),
      ),
      { maxKeys: 3 },
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// Paths and queries.

type ParamPlan = { kind: 'id'; index: number } | { kind: 'nasty'; raw: string } | { kind: 'random'; text: string };

const paramPlan: fc.Arbitrary<ParamPlan> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('id' as const), index: fc.nat(1_000) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('nasty' as const), raw: fc.constantFrom(...NASTY_PARAMS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('random' as const), text: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }) }) },
);

const queryPlan: fc.Arbitrary<readonly (readonly [string, string])[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant([]) },
  {
    weight: 4,
    arbitrary: fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...QUERY_KEYS).map(encodeLoose), fc.string({ unit: 'binary', maxLength: 10 }).map(encodeLoose)),
        fc.oneof(fc.constantFrom(...QUERY_VALUES).map((v) => (v.includes('%') ? v : encodeLoose(v))), fc.string({ unit: 'binary', maxLength: 30 }).map(encodeLoose)),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom([['%', '%']] as const, [['a', '%E0%A4%A']] as const, [['&&&', '===']] as const, [['limit', '1'], ['limit', '2']] as const) },
);

/** The path of a route with its params as planned (the seed's valid values first). */
function pathOf(route: ServedRoute, plans: readonly ParamPlan[], seed: RouteRequest | null, world: FuzzWorld, keepSeedParams: boolean): string {
  let i = 0;
  return route.path.replace(/:([A-Za-z_]\w*)/g, (_whole, name: string) => {
    const plan = plans[i++] ?? { kind: 'id', index: 0 };
    const valid = seed?.params?.[name];
    if (keepSeedParams && valid !== undefined) return encodeURIComponent(valid);
    switch (plan.kind) {
      case 'id':
        return encodeURIComponent(valid !== undefined && plan.index % 3 === 0 ? valid : (world.ids[plan.index % Math.max(world.ids.length, 1)] ?? 'x'));
      case 'nasty':
        return plan.raw;
      case 'random':
        return encodeLoose(plan.text);
    }
  });
}

const remoteAddress: fc.Arbitrary<string> = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('127.0.0.1', '::1', '::ffff:127.0.0.1', '0.0.0.0'));

/**
 * Requests to the routes, as `who` (one of `principals`): each part of the valid request may be
 * kept or broken independently, so a case breaks one thing as often as several.
 */
export function fuzzRequests(routes: readonly ServedRoute[], principals: readonly string[], world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      route: fc.constantFrom(...routes),
      who: fc.constantFrom(...principals),
      keepParams: fc.boolean(),
      params: fc.array(paramPlan, { minLength: 3, maxLength: 3 }),
      query: queryPlan,
      body: bodyPlan,
      contentType: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
      auth: authPlan,
      headers: extraHeaders,
      remote: remoteAddress,
    })
    .map((c) => {
      const seed = world.seedOf(c.route);
      const body = bodyOf(c.body, seed);
      const path = pathOf(c.route, c.params, seed, world, c.keepParams);
      const validQuery = seed?.query ? new URLSearchParams(seed.query).toString() : '';
      const query = c.query.length > 0 ? c.query.map(([k, v]) => `${k}=${v}`).join('&') : validQuery;
      const headers: Record<string, string> = { ...c.headers, ...authHeaders(c.auth, c.who, world), ...(seed?.headers ?? {}) };
      const contentType = c.contentType ?? (body.payload === undefined ? null : body.json ? (seed?.contentType ?? 'application/json') : 'application/octet-stream');
      if (contentType !== null) headers['content-type'] = contentType;
      const recipe = [
        body.recipe,
        c.contentType !== null ? `content-type ${c.contentType}` : null,
        c.auth !== 'own' ? `credentials: ${c.auth}` : null,
        Object.keys(c.headers).length > 0 ? `headers: ${Object.keys(c.headers).join(', ')}` : null,
        c.keepParams ? null : paramsOf(c.route.path).length > 0 ? 'path params fuzzed' : null,
        c.query.length > 0 ? 'query fuzzed' : null,
      ]
        .filter((part) => part !== null)
        .join('; ');
      return new FuzzRequest(c.route, c.who, c.route.method, `${path}${query === '' ? '' : `?${query}`}`, headers, body.payload, c.remote, recipe);
    });
}

/**
 * The same breakages for every route, as each principal: what the random run might miss. Each is
 * [what it is, how it changes the valid request].
 */
export function sweepRequests(route: ServedRoute, who: string, world: FuzzWorld): FuzzRequest[] {
  const seed = world.seedOf(route);
  const text = seedText(seed);
  const validPath = pathOf(route, [], seed, world, true);
  const validQuery = seed?.query ? `?${new URLSearchParams(seed.query).toString()}` : '';
  const own = authHeaders('own', who, world);
  const make = (recipe: string, parts: { path?: string; query?: string; payload?: string | Buffer; contentType?: string | null; headers?: Record<string, string> }): FuzzRequest => {
    const headers: Record<string, string> = { ...(parts.headers ?? own), ...(seed?.headers ?? {}) };
    const contentType = parts.contentType === undefined ? (seed?.contentType ?? 'application/json') : parts.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
    return new FuzzRequest(route, who, route.method, `${parts.path ?? validPath}${parts.query ?? validQuery}`, headers, parts.payload ?? text, '10.9.9.9', recipe);
  };
  const polluted = text.startsWith('{') ? `{${POLLUTERS[0] ?? ''},${POLLUTERS[1] ?? ''}${text.length > 2 ? ',' : ''}${text.slice(1)}` : text;
  const params = paramsOf(route.path);
  const requests = [
    make('prototype keys in the body', { payload: polluted }),
    make('20,000 nested arrays', { payload: deepJson(20_000, 'array') }),
    make('8,000 nested objects', { payload: deepJson(8_000, 'object') }),
    make('the valid body cut in half', { payload: text.slice(0, Math.floor(text.length / 2)) }),
    make('the valid body as text/plain', { contentType: 'text/plain' }),
    make('every number 1e400', { payload: text.replace(/(?<=[:[,])-?\d+(\.\d+)?([eE][+-]?\d+)?(?=[,\]}])/g, '1e400') }),
    make('every number negative and fractional', { payload: text.replace(/(?<=[:[,])-?\d+(\.\d+)?([eE][+-]?\d+)?(?=[,\]}])/g, '-2.5') }),
    make('every number a bigint-like string', { payload: text.replace(/(?<=[:[,])-?\d+(\.\d+)?([eE][+-]?\d+)?(?=[,\]}])/g, '"900719925474099312345"') }),
    make('every string control and bidi characters', { payload: text.replace(/(?<=:)"(?:[^"\\]|\\.)*"/g, '"\\u0000\\u001b[31m\\u202e😀"') }),
    make('an empty JSON body', { payload: '' }),
    make('a body over the 64 KB limit', { payload: `{"x":"${'y'.repeat(70_000)}"}` }),
    make('query junk', { query: `?limit=-1&limit=1e309&__proto__[polluted]=1&constructor[prototype][polluted]=1&cursor=%E0%A4%A&beforeSeq=99999999999999999999&currency=${'x'.repeat(2_000)}` }),
    make('garbage and huge credentials', { headers: { cookie: `${SESSION_COOKIE}=%E0%A4%A; ${SESSION_COOKIE}=${'x'.repeat(10_000)}`, authorization: `Bearer lgp_${'A'.repeat(10_000)}` } }),
    make('cross-site headers with the session', { headers: { ...own, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } }),
  ];
  if (params.length > 0) {
    requests.push(
      make('path params 5,000 characters long', { path: route.path.replace(/:([A-Za-z_]\w*)/g, 'x'.repeat(5_000)) }),
      make('path params with encoded slashes and ..', { path: route.path.replace(/:([A-Za-z_]\w*)/g, '..%2F..%2F%2e%2e%2Fetc%2Fpasswd') }),
      make('path params with malformed percent-encoding and NUL', { path: route.path.replace(/:([A-Za-z_]\w*)/g, '%E0%A4%A%00') }),
      make('path params __proto__', { path: route.path.replace(/:([A-Za-z_]\w*)/g, '__proto__') }),
    );
  }
  return requests;
}

// ---------------------------------------------------------------------------------------------
// Room socket frames.

/** One frame to a room socket, and how to print it. */
export class FuzzFrame {
  constructor(
    readonly who: string,
    readonly data: string | Buffer,
    readonly binary: boolean,
    readonly recipe: string,
  ) {}

  [fc.toStringMethod](): string {
    return this.describe();
  }

  describe(): string {
    const shown = Buffer.isBuffer(this.data) ? `(${this.binary ? 'binary' : 'text'}, ${this.data.length} bytes) ${this.data.subarray(0, 40).toString('hex')}` : `(${this.data.length} chars) ${short(this.data, 400)}`;
    return `frame from ${this.who}'s socket — ${this.recipe}: ${shown}`;
  }
}

/** Valid client messages of a room (src/protocol/room.ts), as templates. */
function validMessages(id: string, toUserId: string): Record<string, unknown> {
  return {
    'gift.send': { type: 'gift.send', data: { id, giftId: 'rose', count: 1 } },
    'chat.send': { type: 'chat.send', data: { id, text: 'hello room' } },
    'like.send': { type: 'like.send', data: { id, count: 3 } },
    'thanks.send': { type: 'thanks.send', data: { id, toUserId, phrase: 'Great job' } },
  };
}

const ODD_TYPES: readonly string[] = ['gift.sent', 'snapshot', 'ack', 'GIFT.SEND', '__proto__', 'constructor', '', ' chat.send', 'chat.send\u0000', 'like.send '.repeat(50), 'x'];

/**
 * Frames for a room socket as one of `principals`: valid messages, the same broken (a field set to
 * raw JSON, prototype keys, an unknown type, cut short), random JSON, text and bytes, deep nesting,
 * and frames over the 16 KB message limit (but under ws's 64 KB cut, which closes the socket).
 */
export function fuzzFrames(principals: readonly string[], toUserIds: readonly string[], messageMaxBytes: number): fc.Arbitrary<FuzzFrame> {
  const message = fc.record({ kind: fc.constantFrom('gift.send', 'chat.send', 'like.send', 'thanks.send'), id: fc.uuid(), to: fc.constantFrom(...toUserIds) });
  const frame = fc.oneof(
    { weight: 3, arbitrary: message.map((m) => ({ text: JSON.stringify(validMessages(m.id, m.to)[m.kind]), recipe: `a valid ${m.kind}` })) },
    {
      weight: 6,
      arbitrary: fc.record({ m: message, at: fc.nat(10), raw: fc.oneof(fc.constantFrom(...NASTY_JSON), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))) }).map(({ m, at, raw }) => ({
        text: replaceLeaf(validMessages(m.id, m.to)[m.kind], at, raw),
        recipe: `${m.kind} with a field set to ${short(raw, 40)}`,
      })),
    },
    {
      weight: 2,
      arbitrary: fc.record({ m: message, raw: fc.constantFrom(...POLLUTERS) }).map(({ m, raw }) => ({ text: `{${raw},${JSON.stringify(validMessages(m.id, m.to)[m.kind]).slice(1)}`, recipe: `${m.kind} with prototype or duplicate keys` })),
    },
    { weight: 2, arbitrary: fc.record({ m: message, type: fc.oneof(fc.constantFrom(...ODD_TYPES), fc.string({ unit: 'binary', maxLength: 20 })) }).map(({ m, type }) => ({ text: JSON.stringify({ ...(validMessages(m.id, m.to)[m.kind] as object), type }), recipe: `an unknown type ${short(type, 30)}` })) },
    { weight: 2, arbitrary: fc.record({ m: message, at: fc.nat(200) }).map(({ m, at }) => { const t = JSON.stringify(validMessages(m.id, m.to)[m.kind]); return { text: t.slice(0, at % t.length), recipe: `${m.kind} cut short` }; }) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ text: JSON.stringify(v), recipe: 'random JSON' })) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map((text) => ({ text, recipe: 'random text' })) },
    { weight: 1, arbitrary: fc.constantFrom(1_000, 5_000, 8_000).map((depth) => ({ text: deepJson(depth, 'array'), recipe: `${depth} nested arrays` })) },
    { weight: 1, arbitrary: fc.integer({ min: messageMaxBytes + 1, max: messageMaxBytes * 3 }).map((bytes) => ({ text: `{"type":"chat.send","data":{"id":"x","text":"${'y'.repeat(bytes)}"}}`, recipe: `a message of ${bytes} bytes` })) },
  );
  return fc.oneof(
    { weight: 9, arbitrary: fc.record({ who: fc.constantFrom(...principals), f: frame }).map(({ who, f }) => new FuzzFrame(who, f.text, false, f.recipe)) },
    { weight: 1, arbitrary: fc.record({ who: fc.constantFrom(...principals), bytes: fc.uint8Array({ minLength: 1, maxLength: 2_000 }) }).map(({ who, bytes }) => new FuzzFrame(who, Buffer.from(bytes), true, 'a binary frame')) },
  );
}
