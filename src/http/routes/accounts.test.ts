// Proves the accounts API over real HTTP and real databases: sign-up (with age rules), log-in with
// email or handle, sessions in an httpOnly SameSite cookie, log-out (one or everywhere), scoped and
// revocable API tokens, the LIVE Gifts toggle's 18+ rule, and clear 400s for bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../../test/support/livegift.js';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface MeBody {
  id: string;
  handle: string;
  adult: boolean;
  giftsEnabled: boolean;
  role: string;
}

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`accounts API on ${dialect.name}`, () => {
    let node: TestNode;
    beforeAll(async () => {
      node = await openTestNode(dialect);
    });
    afterAll(async () => {
      await node.drop();
    });

    it('signs up, sets an httpOnly SameSite session cookie, and knows who is signed in', async () => {
      const res = await node.app.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        payload: { email: 'Nia@Example.test', password: 'a long password', handle: '@Nia_Rose', displayName: 'Nia', birthDate: '1999-02-03' },
      });
      expect(res.statusCode).toBe(201);
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/^lg_session=[\w-]{20,};/);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Lax');
      const me = await node.call<MeBody>({ method: 'GET', url: '/v1/me', headers: { cookie: cookie.split(';')[0] ?? '' } });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ handle: 'nia_rose', adult: true, giftsEnabled: false, role: 'user' });
    });

    it('refuses a taken email or handle, case-insensitively, naming the field', async () => {
      await signUpAs(node, { handle: 'taken' });
      const byHandle = await node.call<ErrorBody>({
        method: 'POST', url: '/v1/auth/signup',
        payload: { email: 'other@example.test', password: 'a long password', handle: 'TAKEN', displayName: 'x', birthDate: '1990-01-01' },
      });
      expect(byHandle.status).toBe(409);
      expect(byHandle.body.error).toMatchObject({ code: 'already_exists', details: { field: 'handle' } });
      const byEmail = await node.call<ErrorBody>({
        method: 'POST', url: '/v1/auth/signup',
        payload: { email: 'TAKEN@example.test', password: 'a long password', handle: 'fresh', displayName: 'x', birthDate: '1990-01-01' },
      });
      expect(byEmail.body.error).toMatchObject({ code: 'already_exists', details: { field: 'email' } });
    });

    it('lets a 16-year-old sign up to watch and chat, and refuses under 13 with age_restricted', async () => {
      const teen = await node.call<{ user: MeBody }>({
        method: 'POST', url: '/v1/auth/signup',
        payload: { email: 'teen@example.test', password: 'a long password', handle: 'teen', displayName: 'T', birthDate: '2010-06-01' },
      });
      expect(teen.status).toBe(201);
      expect(teen.body.user.adult).toBe(false);
      const child = await node.call<ErrorBody>({
        method: 'POST', url: '/v1/auth/signup',
        payload: { email: 'kid@example.test', password: 'a long password', handle: 'kid', displayName: 'K', birthDate: '2016-06-01' },
      });
      expect(child.status).toBe(403);
      expect(child.body.error.code).toBe('age_restricted');
    });

    it.each([
      ['malformed JSON', '{"email": ', 'application/json'],
      ['a wrong type', JSON.stringify({ email: 'a@b.test', password: 12345678901, handle: 'abc', displayName: 'x', birthDate: '1990-01-01' }), 'application/json'],
      ['an impossible date', JSON.stringify({ email: 'a@b.test', password: 'a long password', handle: 'abc', displayName: 'x', birthDate: '1990-02-30' }), 'application/json'],
      ['a short password', JSON.stringify({ email: 'a@b.test', password: 'short', handle: 'abc', displayName: 'x', birthDate: '1990-01-01' }), 'application/json'],
      ['a bad handle', JSON.stringify({ email: 'a@b.test', password: 'a long password', handle: 'a b', displayName: 'x', birthDate: '1990-01-01' }), 'application/json'],
    ])('answers %s with a clear 400 and creates nothing', async (_name, payload, contentType) => {
      const res = await node.call<ErrorBody>({ method: 'POST', url: '/v1/auth/signup', payload, headers: { 'content-type': contentType } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toMatch(/validation_failed|json/);
      expect(res.body.error.message.length).toBeGreaterThan(5);
      const login = await node.call({ method: 'POST', url: '/v1/auth/login', payload: { login: 'abc', password: 'a long password' } });
      expect(login.status).toBe(401);
    });

    it('logs in with handle or email, refuses a wrong password the same way as an unknown login', async () => {
      await signUpAs(node, { handle: 'lena', password: 'lena password 1' });
      for (const login of ['lena', '@Lena', 'LENA@example.test']) {
        const ok = await node.call({ method: 'POST', url: '/v1/auth/login', payload: { login, password: 'lena password 1' } });
        expect(ok.status).toBe(200);
      }
      const wrong = await node.call<ErrorBody>({ method: 'POST', url: '/v1/auth/login', payload: { login: 'lena', password: 'nope nope nope' } });
      const unknown = await node.call<ErrorBody>({ method: 'POST', url: '/v1/auth/login', payload: { login: 'nobody', password: 'nope nope nope' } });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.error).toEqual(unknown.body.error);
    });

    it('gives each log-in a new session, ends one on log-out and all with everywhere', async () => {
      const { cookie: first } = await signUpAs(node, { handle: 'omar', password: 'omar password 1' });
      const second = String((await node.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'omar', password: 'omar password 1' } })).headers['set-cookie']).split(';')[0] ?? '';
      const third = String((await node.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'omar', password: 'omar password 1' } })).headers['set-cookie']).split(';')[0] ?? '';
      expect(new Set([first, second, third]).size).toBe(3);

      const out = await node.call({ method: 'POST', url: '/v1/auth/logout', headers: { cookie: first } });
      expect(out.status).toBe(200);
      expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
      expect((await node.call({ method: 'GET', url: '/v1/me', headers: { cookie: first } })).status).toBe(401);
      expect((await node.call({ method: 'GET', url: '/v1/me', headers: { cookie: second } })).status).toBe(200);

      await node.call({ method: 'POST', url: '/v1/auth/logout', headers: { cookie: second }, payload: { everywhere: true } });
      expect((await node.call({ method: 'GET', url: '/v1/me', headers: { cookie: third } })).status).toBe(401);
    });

    it('expires sessions after 30 days', async () => {
      const { cookie } = await signUpAs(node, { handle: 'tess' });
      node.clock.advance(31 * 24 * 3_600_000);
      try {
        expect((await node.call({ method: 'GET', url: '/v1/me', headers: { cookie } })).status).toBe(401);
      } finally {
        node.clock.advance(-31 * 24 * 3_600_000);
      }
    });

    it('makes scoped bearer tokens: shown once, hashed at rest, limited to their scopes, revocable', async () => {
      const { cookie } = await signUpAs(node, { handle: 'theo' });
      const made = await node.call<{ token: string; apiToken: { id: string; scopes: string[] } }>({
        method: 'POST', url: '/v1/me/tokens', headers: { cookie }, payload: { name: 'OBS overlay', scopes: ['read'] },
      });
      expect(made.status).toBe(201);
      expect(made.body.token).toMatch(/^lgp_/);
      const bearer = { authorization: `Bearer ${made.body.token}` };

      const me = await node.call<MeBody>({ method: 'GET', url: '/v1/me', headers: bearer });
      expect(me.body.handle).toBe('theo');
      // The token lacks lives:write, so it cannot flip the LIVE Gifts toggle.
      const refused = await node.call<ErrorBody>({ method: 'PUT', url: '/v1/me/gifts', headers: bearer, payload: { enabled: true } });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      // Nor hand out a scope it does not hold.
      const escalate = await node.call<ErrorBody>({ method: 'POST', url: '/v1/me/tokens', headers: bearer, payload: { name: 'x', scopes: ['gifts:send'] } });
      expect(escalate.status).toBe(403);

      const stored = await node.storage.db.selectFrom('api_tokens').select('token_hash').where('id', '=', made.body.apiToken.id).executeTakeFirstOrThrow();
      expect(stored.token_hash).not.toContain(made.body.token.slice(4));
      expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);

      const list = await node.call<{ tokens: { id: string; lastUsedAtMs: number | null }[] }>({ method: 'GET', url: '/v1/me/tokens', headers: { cookie } });
      expect(list.body.tokens.map((t) => t.id)).toEqual([made.body.apiToken.id]);
      expect(list.body.tokens[0]?.lastUsedAtMs).not.toBeNull();

      expect((await node.call({ method: 'DELETE', url: `/v1/me/tokens/${made.body.apiToken.id}`, headers: { cookie } })).status).toBe(200);
      expect((await node.call({ method: 'GET', url: '/v1/me', headers: bearer })).status).toBe(401);
      expect((await node.call({ method: 'DELETE', url: `/v1/me/tokens/${made.body.apiToken.id}`, headers: { cookie } })).status).toBe(404);
    });

    it('turns LIVE Gifts on for an adult and refuses a 16-year-old with age_restricted', async () => {
      const adult = await signUpAs(node, { handle: 'ivy' });
      const on = await node.call<MeBody>({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: adult.cookie }, payload: { enabled: true } });
      expect(on.status).toBe(200);
      expect(on.body.giftsEnabled).toBe(true);
      const teen = await signUpAs(node, { handle: 'june', birthDate: '2010-03-04' });
      const refused = await node.call<ErrorBody>({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: teen.cookie }, payload: { enabled: true } });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('age_restricted');
      const off = await node.call<MeBody>({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: teen.cookie }, payload: { enabled: false } });
      expect(off.status).toBe(200);
    });

    it('answers anonymous requests to private routes with 401 unauthenticated', async () => {
      const res = await node.call<ErrorBody>({ method: 'GET', url: '/v1/me' });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
      const forged = await node.call<ErrorBody>({ method: 'GET', url: '/v1/me', headers: { authorization: 'Bearer lgp_forged' } });
      expect(forged.status).toBe(401);
    });

    it('serves the OpenAPI document with the account routes and their schemas', async () => {
      const doc = await node.call<{ openapi: string; paths: Record<string, unknown> }>({ method: 'GET', url: '/openapi.json' });
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/auth/signup', '/v1/auth/login', '/v1/me', '/v1/me/tokens']));
      const ui = await node.app.inject({ method: 'GET', url: '/docs/' });
      expect(ui.statusCode).toBe(200);
    });
  });
}
