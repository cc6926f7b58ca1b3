// Proves the HTTP security controls on a real node: unsafe requests riding on the session cookie
// (and forged log-ins) from another site are refused with 403 csrf_refused before anything runs,
// log-in rotates the session and "log out everywhere" ends them all, every answer carries the
// security headers (with CSPs the web app, the overlay and the API docs really run under in
// Chromium), request heads, path parameters, bodies and WebSocket frames are bounded, and cookies,
// tokens, signatures and passwords never reach the logs.
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CHROMIUM_AVAILABLE, launchChromium } from '../../e2e/browser.js';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';
import { SCOPES } from '../protocol/accounts.js';
import { LivegiftClient, LivegiftError } from '../sdk/livegift-client.js';
import { buildApp, HEADER_LIMIT_BYTES } from './app.js';
import { inlineHashes, webAppCsp } from './web-app.js';

interface ErrorBody {
  error: { code: string; message: string };
}

const sqlite = DIALECTS.find((d) => d.name === 'sqlite');
if (!sqlite) throw new Error('no SQLite dialect');

const PUBLIC = 'https://gifts.example';
const PASSWORD = 'correct horse battery';

/** The session cookie ("lg_session=…") a Set-Cookie header sets. */
function cookieOf(setCookie: unknown): string {
  return String(setCookie).split(';')[0] ?? '';
}

/** A raw HTTP request (node:http, so nothing normalises what a test sends). */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('HTTP security on sqlite', () => {
  let node: TestNode;
  let base: string;
  beforeAll(async () => {
    node = await openTestNode(sqlite, { PUBLIC_URL: PUBLIC });
    base = await node.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await node.drop();
  });

  let users = 0;
  const newUser = (prefix: string) => signUpAs(node, { handle: `${prefix}${users++}`, password: PASSWORD });
  const giftsOn = (cookie: string, headers: Record<string, string>) =>
    node.call<ErrorBody>({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie, ...headers }, payload: { enabled: true } });
  const me = (cookie: string) => node.call<{ giftsEnabled: boolean }>({ method: 'GET', url: '/v1/me', headers: { cookie } });

  describe('cross-site requests on the session cookie', () => {
    it.each([
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site: same-site (a sibling subdomain is not us)', { 'sec-fetch-site': 'same-site' }],
      ['an Origin of another site', { origin: 'https://evil.example' }],
      ['our host over the other scheme', { origin: 'http://gifts.example' }],
      ['Origin: null without Sec-Fetch-Site', { origin: 'null' }],
      ['a same-origin claim with a foreign Origin', { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }],
    ])('refuses %s with 403 csrf_refused, and nothing runs', async (_name, headers) => {
      const { cookie } = await newUser('victim');
      const res = await giftsOn(cookie, headers);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('csrf_refused');
      expect(res.body.error.message).toMatch(/another (site|origin)/);
      expect((await me(cookie)).body.giftsEnabled).toBe(false);
    });

    it('refuses POST, PATCH and DELETE too, before the body is read or a route runs', async () => {
      const { cookie } = await newUser('victim');
      const cross = { cookie, 'sec-fetch-site': 'cross-site' };
      const made = await node.call<ErrorBody>({ method: 'POST', url: '/v1/me/tokens', headers: cross, payload: { name: 'stolen', scopes: ['read'] } });
      expect(made.body.error.code).toBe('csrf_refused');
      const patched = await node.call<ErrorBody>({ method: 'PATCH', url: '/v1/admin/gifts/rose', headers: cross, payload: '{not json', });
      expect(patched.status).toBe(403);
      expect(patched.body.error.code).toBe('csrf_refused');
      const logout = await node.call<ErrorBody>({ method: 'POST', url: '/v1/sessions/revoke-all', headers: cross });
      expect(logout.body.error.code).toBe('csrf_refused');
      const tokens = await node.call<{ tokens: unknown[] }>({ method: 'GET', url: '/v1/me/tokens', headers: { cookie } });
      expect(tokens.body.tokens).toEqual([]);
      const { body } = await node.call<{ token: string; apiToken: { id: string } }>({ method: 'POST', url: '/v1/me/tokens', headers: { cookie }, payload: { name: 'mine', scopes: ['read'] } });
      const deleted = await node.call<ErrorBody>({ method: 'DELETE', url: `/v1/me/tokens/${body.apiToken.id}`, headers: cross });
      expect(deleted.body.error.code).toBe('csrf_refused');
      expect((await node.call({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${body.token}` } })).status).toBe(200);
    });

    it.each([
      ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
      ['Sec-Fetch-Site: none (the user themself)', { 'sec-fetch-site': 'none' }],
      ['our public origin', { origin: PUBLIC }],
      ['the origin the request was addressed to', { origin: 'http://localhost:80' }],
      ['both headers of our own page', { 'sec-fetch-site': 'same-origin', origin: PUBLIC }],
      ['a same-origin form post from a no-referrer page (Origin: null)', { 'sec-fetch-site': 'same-origin', origin: 'null' }],
      ['neither header (not a browser: the SDK, curl)', {}],
    ])('lets %s through', async (_name, headers) => {
      const { cookie } = await newUser('own');
      const res = await giftsOn(cookie, headers);
      expect(res.status).toBe(200);
      expect((await me(cookie)).body.giftsEnabled).toBe(true);
    });

    it('checks the Origin against the Host over real HTTP, where the node is reached by another name than PUBLIC_URL', async () => {
      const { cookie } = await newUser('own');
      const put = (origin: string) =>
        rawRequest(`${base}/v1/me/gifts`, { method: 'PUT', headers: { cookie, origin, 'content-type': 'application/json' }, body: JSON.stringify({ enabled: true }) });
      expect((await put('http://127.0.0.1:1')).status).toBe(403);
      expect((await put(base)).status).toBe(200);
    });

    it('leaves bearer tokens, anonymous requests, safe methods and webhooks alone', async () => {
      const { cookie } = await newUser('tok');
      const cross = { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' };
      const { body } = await node.call<{ token: string }>({ method: 'POST', url: '/v1/me/tokens', headers: { cookie }, payload: { name: 'script', scopes: ['read', 'lives:write'] } });
      const byToken = await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { authorization: `Bearer ${body.token}`, ...cross }, payload: { enabled: true } });
      expect(byToken.status).toBe(200);
      const anonymous = await node.call<ErrorBody>({ method: 'PUT', url: '/v1/me/gifts', headers: cross, payload: { enabled: true } });
      expect(anonymous.body.error.code).toBe('unauthenticated');
      expect((await node.call({ method: 'GET', url: '/v1/me', headers: { cookie, ...cross } })).status).toBe(200);
      const webhook = await node.call<ErrorBody>({ method: 'POST', url: '/v1/webhooks/sandbox', headers: { cookie, ...cross }, payload: { type: 'x' } });
      expect(webhook.body.error.code).not.toBe('csrf_refused');
    });

    it('refuses a forged log-in or sign-up from another site (it would sign the victim in as the attacker)', async () => {
      const { cookie } = await newUser('atk');
      const handle = `atk${users - 1}`;
      const login = await node.call<ErrorBody>({ method: 'POST', url: '/v1/auth/login', headers: { 'sec-fetch-site': 'cross-site' }, payload: { login: handle, password: PASSWORD } });
      expect(login.status).toBe(403);
      expect(login.body.error.code).toBe('csrf_refused');
      expect(login.headers['set-cookie']).toBeUndefined();
      const signup = await node.call<ErrorBody>({
        method: 'POST', url: '/v1/auth/signup', headers: { origin: 'https://evil.example' },
        payload: { email: 'forged@example.test', password: PASSWORD, handle: 'forged', displayName: 'F', birthDate: '1990-01-01' },
      });
      expect(signup.body.error.code).toBe('csrf_refused');
      expect((await node.call({ method: 'POST', url: '/v1/auth/login', payload: { login: 'forged', password: PASSWORD } })).status).toBe(401);
      const own = await node.call({ method: 'POST', url: '/v1/auth/login', headers: { 'sec-fetch-site': 'same-origin', origin: PUBLIC }, payload: { login: handle, password: PASSWORD } });
      expect(own.status).toBe(200);
      expect((await me(cookie)).status).toBe(200);
    });
  });

  describe('sessions', () => {
    it('sets the session cookie HttpOnly, SameSite=Lax and Secure when PUBLIC_URL is https, and clears it the same way', async () => {
      const res = await node.app.inject({
        method: 'POST', url: '/v1/auth/signup',
        payload: { email: 'secure@example.test', password: PASSWORD, handle: 'secure', displayName: 'S', birthDate: '1990-01-01' },
      });
      const setCookie = String(res.headers['set-cookie']);
      expect(setCookie).toMatch(/^lg_session=[\w-]{20,}; Path=\/; HttpOnly; SameSite=Lax; Expires=.+; Secure$/);
      const out = await node.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie: cookieOf(setCookie) } });
      expect(String(out.headers['set-cookie'])).toBe('lg_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure');
    });

    it('gives every log-in a new secret and ends the session the browser carried in', async () => {
      const { cookie: first } = await newUser('rot');
      const handle = `rot${users - 1}`;
      const login = await node.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { cookie: first }, payload: { login: handle, password: PASSWORD } });
      const second = cookieOf(login.headers['set-cookie']);
      expect(second).not.toBe(first);
      expect((await me(first)).status).toBe(401);
      expect((await me(second)).status).toBe(200);
      // A failed log-in leaves the carried session alone.
      const wrong = await node.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { cookie: second }, payload: { login: handle, password: 'not the password' } });
      expect(wrong.statusCode).toBe(401);
      expect((await me(second)).status).toBe(200);
      // Someone else signing in on this browser ends the session that was there (a planted one too).
      const other = await newUser('rot');
      const switched = await node.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { cookie: second }, payload: { login: `rot${users - 1}`, password: PASSWORD } });
      expect(switched.statusCode).toBe(200);
      expect((await me(second)).status).toBe(401);
      expect((await me(other.cookie)).status).toBe(200);
    });

    it('logs out everywhere: every session of the user ends, this one included; the cookie is cleared; tokens and other users stay', async () => {
      const { cookie: phone, userId } = await newUser('every');
      const handle = `every${users - 1}`;
      const laptop = cookieOf((await node.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: handle, password: PASSWORD } })).headers['set-cookie']);
      const { body } = await node.call<{ token: string }>({ method: 'POST', url: '/v1/me/tokens', headers: { cookie: phone }, payload: { name: 'obs', scopes: ['read'] } });
      const bystander = await newUser('bystander');

      const byToken = await node.call<ErrorBody>({ method: 'POST', url: '/v1/sessions/revoke-all', headers: { authorization: `Bearer ${body.token}` } });
      expect(byToken.status).toBe(403);
      expect(byToken.body.error.code).toBe('forbidden');
      expect((await node.call<ErrorBody>({ method: 'POST', url: '/v1/sessions/revoke-all' })).status).toBe(401);

      const res = await node.call({ method: 'POST', url: '/v1/sessions/revoke-all', headers: { cookie: laptop, 'sec-fetch-site': 'same-origin', origin: PUBLIC } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
      expect(String(res.headers['set-cookie'])).toContain('Max-Age=0');
      expect((await me(phone)).status).toBe(401);
      expect((await me(laptop)).status).toBe(401);
      expect((await node.call({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${body.token}` } })).status).toBe(200);
      expect((await me(bystander.cookie)).status).toBe(200);
      const auditor = { userId: 'auditor', role: 'admin', via: 'session', scopes: SCOPES, tokenId: null } as const;
      const audit = await node.services.listAudit({ actor: auditor, limit: 10, subject: `user:${userId}` });
      expect(audit.map((e) => e.action)).toContain('sessions.revoked_all');
    });

    it('the SDK logs out everywhere over real HTTP', async () => {
      await newUser('sdk');
      const handle = `sdk${users - 1}`;
      const phone = new LivegiftClient({ baseUrl: base });
      const laptop = new LivegiftClient({ baseUrl: base });
      await phone.logIn({ login: handle, password: PASSWORD });
      await laptop.logIn({ login: handle, password: PASSWORD });
      await laptop.logOutEverywhere();
      const refused = await phone.me().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LivegiftError);
      expect((refused as LivegiftError).status).toBe(401);
    });
  });

  describe('security headers', () => {
    const COMMON = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'cross-origin-opener-policy': 'same-origin',
      'strict-transport-security': 'max-age=31536000',
    };

    it.each([
      ['an API answer', 'GET', '/v1/catalog', 200],
      ['a 404', 'GET', '/v1/nothing-here', 404],
      ['a refusal', 'GET', '/v1/me', 401],
      ['gift art', 'GET', '/assets/gifts/rose.svg', 200],
      ['metrics', 'GET', '/metrics', 200],
    ])('on %s: nosniff, referrer, opener, HSTS, not framable, a CSP with no script', async (_name, method, url, status) => {
      const res = await node.app.inject({ method: method as 'GET', url });
      expect(res.statusCode).toBe(status);
      expect(res.headers).toMatchObject({ ...COMMON, 'x-frame-options': 'DENY' });
      expect(String(res.headers['permissions-policy'])).toContain('camera=(self), microphone=(self)');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('script-src');
    });

    it('on the web app: a CSP of its own files and our own WebSocket, no inline script', async () => {
      const res = await node.app.inject({ method: 'GET', url: '/login' });
      expect(res.statusCode).toBe(200);
      expect(res.headers).toMatchObject({ ...COMMON, 'x-frame-options': 'DENY' });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("connect-src 'self' wss://gifts.example");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe');
      // The build has no inline script the CSP would block.
      expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    });

    it('would allow an inline script or style a future build inlines, by its hash and nothing else', () => {
      const html = '<script type="module" crossorigin src="/app/x.js"></script><script>window.a = 1;</script><style>b{color:red}</style><script>\n</script>';
      const sha = (text: string) => `sha256-${createHash('sha256').update(text).digest('base64')}`;
      expect(inlineHashes(html, 'script')).toEqual([sha('window.a = 1;')]);
      const csp = webAppCsp({ publicUrl: PUBLIC, framable: false, index: html });
      expect(csp).toContain(`script-src 'self' '${sha('window.a = 1;')}';`);
      expect(csp).toContain(`style-src 'self' '${sha('b{color:red}')}';`);
    });

    it('leaves the OBS overlay framable', async () => {
      const res = await node.app.inject({ method: 'GET', url: '/overlay/0190a0a0-0000-7000-8000-000000000000?token=lgp_x' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-frame-options']).toBeUndefined();
      expect(String(res.headers['content-security-policy'])).toContain('frame-ancestors *');
      expect(res.headers).toMatchObject(COMMON);
    });

    it('keeps the CSP and referrer policy the sandbox checkout sets itself', async () => {
      const res = await node.app.inject({ method: 'GET', url: '/sandbox/checkout/cs_unknown' });
      expect(String(res.headers['content-security-policy'])).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; form-action /);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it('gives the API docs a CSP they run under', async () => {
      const res = await node.app.inject({ method: 'GET', url: '/docs' });
      expect(res.statusCode).toBe(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers['x-frame-options']).toBe('DENY');
    });

    it('sends no HSTS and no Secure cookie when PUBLIC_URL is http', async () => {
      const plain = await openTestNode(sqlite);
      try {
        const res = await plain.app.inject({
          method: 'POST', url: '/v1/auth/signup',
          payload: { email: 'plain@example.test', password: PASSWORD, handle: 'plain', displayName: 'P', birthDate: '1990-01-01' },
        });
        expect(res.statusCode).toBe(201);
        expect(res.headers['strict-transport-security']).toBeUndefined();
        expect(String(res.headers['set-cookie'])).not.toContain('Secure');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
      } finally {
        await plain.drop();
      }
    });
  });

  describe('size limits', () => {
    it(`answers a request head over ${HEADER_LIMIT_BYTES / 1024} KiB with 431 and serves the next request`, async () => {
      // Node answers and closes at once, before an HTTP client has written the whole head: read it off a plain socket.
      const port = Number(new URL(base).port);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.end(`GET /v1/catalog HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'x'.repeat(HEADER_LIMIT_BYTES + 1024)}\r\n\r\n`);
        });
        let text = '';
        socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
        socket.on('close', () => {
          resolve(text);
        });
        socket.on('error', (error) => {
          if (text === '') reject(error);
        });
      });
      expect(answer).toMatch(/^HTTP\/1\.1 431 /);
      const fine = await rawRequest(`${base}/v1/catalog`, { headers: { 'x-padding': 'x'.repeat(8 * 1024) } });
      expect(fine.status).toBe(200);
    });

    it('answers a path parameter longer than any id with 414, and a malformed one with 400, in the API error shape', async () => {
      const res = await node.app.inject({ method: 'GET', url: `/v1/lives/${'a'.repeat(5000)}` });
      expect(res.statusCode).toBe(414);
      expect(JSON.parse(res.body)).toEqual({ error: { code: 'uri_too_long', message: 'A path parameter is longer than 128 characters.' } });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const bad = await node.app.inject({ method: 'GET', url: '/v1/lives/%E0%A4%A' });
      expect(bad.statusCode).toBe(400);
      expect((JSON.parse(bad.body) as ErrorBody).error.code).toBe('bad_url');
      expect((await rawRequest(`${base}/v1/lives/${'a'.repeat(36)}`)).status).toBe(404);
    });

    it('refuses a body over 64 KiB with 413, with the security headers', async () => {
      const { cookie } = await newUser('big');
      const res = await node.app.inject({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie, 'content-type': 'application/json' }, payload: `{"enabled":true,"pad":"${'x'.repeat(70 * 1024)}"}` });
      expect(res.statusCode).toBe(413);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect((await me(cookie)).body.giftsEnabled).toBe(false);
    });

    it('closes a room socket that sends a frame over 64 KB with 1009', async () => {
      const creator = await newUser('creator');
      await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
      const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Frames' } });
      expect(live.status).toBe(201);
      const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/lives/${live.body.id}/ws`, { perMessageDeflate: false });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => {
          resolve();
        });
        ws.once('error', reject);
      });
      const closed = new Promise<number>((resolve) => {
        ws.once('close', (code) => {
          resolve(code);
        });
      });
      ws.send('x'.repeat(65 * 1024 + 1));
      expect(await closed).toBe(1009);
    });
  });
});

describe('logs', () => {
  it('never carry cookies, authorization, signatures, passwords or ?token= secrets, and never request bodies', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
        done();
      },
    });
    const app = await buildApp({
      logLevel: 'info',
      logStream: stream,
      publicUrl: PUBLIC,
      metrics: new Registry(),
      version: 'test',
      health: () => Promise.resolve({ ok: true, checks: {} }),
      authenticate: () => Promise.resolve(null),
      routes: [
        (app) => {
          // What a careless handler might log: the whole request and its body.
          app.post('/echo', (request) => {
            request.log.info({ req: request, headers: request.headers, body: request.body }, 'echo');
            request.log.info({ user: { email: 'ana@example.test' }, password: 'top-level-password', token: 'lgp_toplevel' }, 'fields');
            return { ok: true };
          });
          return Promise.resolve();
        },
      ],
    });
    try {
      const secrets = ['lg_session=s3cr3t-session', 'Bearer lgp_b34r3r', 't=1,v1=s1gnature', 'whsec_sig', 'hunter2-password', 'ana@example.test', 'lgp_0v3rl4y', 'NL91ABNA0417164300', 'top-level-password', 'lgp_toplevel'];
      await app.inject({
        method: 'POST',
        url: '/echo?token=lgp_0v3rl4y&x=1',
        headers: { cookie: 'lg_session=s3cr3t-session', authorization: 'Bearer lgp_b34r3r', 'livegift-signature': 't=1,v1=s1gnature', 'stripe-signature': 'whsec_sig' },
        payload: { email: 'ana@example.test', password: 'hunter2-password', accountNumber: 'NL91ABNA0417164300', token: 'lgp_0v3rl4y' },
      });
      await app.inject({ method: 'GET', url: '/overlay/abc?token=lgp_0v3rl4y' });
      const all = lines.join('\n');
      expect(lines.some((l) => l.includes('incoming request'))).toBe(true);
      expect(lines.some((l) => l.includes('"echo"'))).toBe(true);
      for (const secret of secrets) expect(all, secret).not.toContain(secret);
      expect(all).toContain('token=[Redacted]&x=1');
      expect(all).toContain('[Redacted]');
    } finally {
      await app.close();
    }
  });
});

describe.skipIf(!CHROMIUM_AVAILABLE)('in Chromium', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  let attacker: Server;
  let attackerBase: string;
  beforeAll(async () => {
    node = await openTestNode(sqlite);
    base = await node.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    // Another origin on the same site (127.0.0.1, another port: a sibling app on another port or
    // subdomain), so SameSite=Lax does send the session cookie: only the cross-site check is left.
    attacker = createServer((req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="post" action="${base}/v1/sessions/revoke-all"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const address = attacker.address();
    attackerBase = `http://127.0.0.1:${typeof address === 'object' && address !== null ? String(address.port) : '0'}`;
  });
  afterAll(async () => {
    await browser.close();
    await new Promise((resolve) => attacker.close(resolve));
    await node.drop();
  });

  /**
   * Whether a violation is zod's probe for eval: before compiling a fast object parser, zod runs
   * `Function('')` once, catches the refusal and parses without it. Nothing breaks, but the
   * browser reports it; anything else that evaluates code is a violation the test fails on.
   */
  async function isZodEvalProbe(violation: string): Promise<boolean> {
    const [directive, blocked, source, line, column] = violation.split(' ');
    if (directive !== 'script-src' || blocked !== 'eval' || source === undefined || !source.startsWith(`${base}/app/`)) return false;
    const text = (await node.app.inject({ method: 'GET', url: new URL(source).pathname })).body.split('\n')[Number(line) - 1] ?? '';
    const at = Number(column) - 1;
    return /try\{return Function\(``\),!0\}catch\{return!1\}/.test(text.slice(Math.max(0, at - 40), at + 40));
  }
  async function realViolations(violations: readonly string[]): Promise<string[]> {
    const real: string[] = [];
    for (const v of violations) if (!(await isZodEvalProbe(v))) real.push(v);
    return real;
  }

  /** A page signed in with `cookie` that records every CSP violation and console complaint about policies. */
  async function open(path: string, cookie?: string): Promise<{ page: Page; context: BrowserContext; violations: string[]; frames: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    if (cookie !== undefined) {
      const [name, value] = cookie.split('=');
      await context.addCookies([{ name: name ?? '', value: value ?? '', url: base }]);
    }
    const violations: string[] = [];
    await context.exposeFunction('reportViolation', (text: string) => {
      violations.push(text);
    });
    // Page code, as text: this project's Node types have no DOM.
    await context.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => { void window.reportViolation([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber, e.columnNumber].join(' ')); });" });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Permissions-Policy|Cross-Origin-Opener-Policy/i.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
    const frames: string[] = [];
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => frames.push(String(f.payload)));
    });
    await page.goto(`${base}${path}`);
    return { page, context, violations, frames };
  }

  it('runs the web app, a LIVE with its WebSocket, the overlay and the API docs without a CSP violation', async () => {
    const creator = await signUpAs(node, { handle: 'csp_creator', displayName: 'Csp Creator' });
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Policy night' } });
    const viewer = await signUpAs(node, { handle: 'csp_viewer', displayName: 'Csp Viewer' });

    const home = await open('/', viewer.cookie);
    await home.page.getByRole('button', { name: /Account menu/ }).waitFor();
    await home.context.close();

    const room = await open(`/live/${live.body.id}`, viewer.cookie);
    await room.page.getByRole('region', { name: 'Policy night, LIVE by Csp Creator' }).waitFor();
    // The room's socket opened (connect-src) and its snapshot arrived.
    for (let i = 0; i < 100 && !room.frames.some((f) => f.includes('"type":"snapshot"')); i++) await sleep(50);
    expect(room.frames.some((f) => f.includes('"type":"snapshot"'))).toBe(true);
    await room.page.getByRole('button', { name: 'Send a gift' }).click();
    await room.page.locator('.gift-tile-art').first().waitFor();
    await sleep(300);
    expect(await realViolations(room.violations)).toEqual([]);
    await room.context.close();

    const { body: overlayToken } = await node.call<{ token: string }>({ method: 'POST', url: '/v1/me/tokens', headers: { cookie: creator.cookie }, payload: { name: 'OBS overlay', scopes: ['overlay'] } });
    const overlay = await open(`/overlay/${live.body.id}?token=${overlayToken.token}`);
    await overlay.page.waitForLoadState('networkidle');
    expect(await overlay.page.locator('#root').innerHTML()).not.toBe('');
    expect(await realViolations(overlay.violations)).toEqual([]);
    await overlay.context.close();

    const docs = await open('/docs');
    await docs.page.locator('.swagger-ui .info .title').filter({ hasText: 'Livegift API' }).waitFor();
    await docs.page.locator('.opblock').first().waitFor();
    expect(await realViolations(docs.violations)).toEqual([]);
    await docs.context.close();
    expect(await realViolations(home.violations)).toEqual([]);
  });

  it('logs out everywhere from the account menu', async () => {
    const user = await signUpAs(node, { handle: 'menu_user', password: PASSWORD });
    const other = cookieOf((await node.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'menu_user', password: PASSWORD } })).headers['set-cookie']);
    const { page, context, violations } = await open('/', user.cookie);
    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('button', { name: 'Log out everywhere' }).click();
    await page.getByRole('link', { name: 'Log in' }).waitFor();
    expect((await node.call({ method: 'GET', url: '/v1/me', headers: { cookie: user.cookie } })).status).toBe(401);
    expect((await node.call({ method: 'GET', url: '/v1/me', headers: { cookie: other } })).status).toBe(401);
    expect(await realViolations(violations)).toEqual([]);
    await context.close();
  });

  it('refuses a form another origin of the same site posts with the session cookie', async () => {
    const user = await signUpAs(node, { handle: 'form_victim' });
    const { page, context } = await open('/', user.cookie);
    await page.goto(attackerBase);
    await page.waitForURL(`${base}/v1/sessions/revoke-all`);
    expect(await page.locator('body').textContent()).toContain('csrf_refused');
    expect((await node.call({ method: 'GET', url: '/v1/me', headers: { cookie: user.cookie } })).status).toBe(200);
    await context.close();
  });
});
