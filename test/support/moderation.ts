// What the moderation suites share (src/http/routes/moderation.test.ts, ladder.test.ts): a listening
// node on one database with an admin and a moderator, users of any role, calls as a user, room
// sockets closed after the suite, and the audit trail of a subject.
import { afterAll, beforeAll, expect } from 'vitest';
import type { TestDialect } from './databases.js';
import { openTestNode, signUpAs, type TestNode } from './livegift.js';
import { TestSocket } from './room-socket.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
export interface AuditEntry {
  action: string;
  actorId: string | null;
  subject: string;
  details: Record<string, unknown>;
}
export interface Who {
  cookie: string;
  userId: string;
  handle: string;
}

let handles = 0;

export interface ModerationKit {
  readonly node: TestNode;
  readonly admin: Who;
  readonly moderator: Who;
  /** A new user (handle `<base><n>`) with this role. */
  readonly user: (base: string, role?: 'user' | 'moderator' | 'admin') => Promise<Who>;
  /** A request as `who` (null: anonymous), with extra headers if any. */
  readonly call: <T>(who: Who | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: T & ErrorBody; headers: Record<string, unknown> }>;
  /** A room socket of the LIVE as `who` (anonymous without), once its snapshot arrived. */
  readonly connect: (liveId: string, who?: Who) => Promise<TestSocket>;
  /** The audit entries about a subject, newest first (read by the admin). */
  readonly audit: (subject: string) => Promise<AuditEntry[]>;
}

/**
 * Opens the node before the suite's tests (and drops it after); the kit's fields are ready from
 * the first test on.
 */
export function useModerationKit(dialect: TestDialect, env: Record<string, string> = {}): ModerationKit {
  const sockets: TestSocket[] = [];
  let wsBase = '';
  const kit = {} as { -readonly [K in keyof ModerationKit]: ModerationKit[K] };

  kit.user = async (base, role = 'user') => {
    const handle = `${base}${(handles++).toString(36)}`;
    const who = await signUpAs(kit.node, { handle });
    if (role !== 'user') await kit.node.storage.db.updateTable('users').set({ role }).where('id', '=', who.userId).execute();
    return { ...who, handle };
  };
  kit.call = <T>(who: Who | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    kit.node.call<T & ErrorBody>({ method, url, headers: { ...(who ? { cookie: who.cookie } : {}), ...headers }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  kit.connect = async (liveId, who) => {
    const socket = await TestSocket.open(`${wsBase}/v1/lives/${liveId}/ws`, who ? { cookie: who.cookie } : {});
    sockets.push(socket);
    await socket.event('snapshot');
    return socket;
  };
  kit.audit = async (subject) => {
    const page = await kit.call<{ entries: AuditEntry[] }>(kit.admin, 'GET', `/v1/admin/audit?subject=${encodeURIComponent(subject)}&limit=200`);
    expect(page.status).toBe(200);
    return page.body.entries;
  };

  beforeAll(async () => {
    kit.node = await openTestNode(dialect, env);
    wsBase = (await kit.node.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
    kit.admin = await kit.user('modadmin', 'admin');
    kit.moderator = await kit.user('moderator', 'moderator');
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await kit.node.drop();
  });
  return kit;
}
