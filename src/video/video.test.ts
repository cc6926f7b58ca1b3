// Proves LIVE video end to end on every database, with the real ffmpeg publishing to the real RTMP
// ingest of a listening node: the creator's stream key and OBS settings; a LIVE waits for its picture,
// the stream arrives, the room says `video.changed` live and the HLS playlist appears, advances and
// serves its segments with the right cache headers; a wrong, rotated or suspended key is refused and
// one publisher per creator is allowed; a stream started before Go LIVE is the picture at once; a
// stream that drops makes the LIVE reconnecting, and past the grace period the LIVE ends by itself,
// while one that comes back in time carries on; the studio camera's WebM over the ingest socket is a
// stream like OBS's, and only the LIVE's creator may send one.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DIALECTS } from '../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';
import { TestSocket } from '../../test/support/room-socket.js';
import { FFMPEG, publishRtmp, recordWebm, type Publisher } from '../../test/support/video.js';
import type { Live } from '../protocol/lives.js';
import type { StreamSettings } from '../protocol/video.js';
import { loadConfig } from '../config.js';
import { VideoNode } from './video-node.js';

interface Who {
  cookie: string;
  userId: string;
}
const GRACE_S = 5;
let handles = 0;

/** Polls `check` until it answers something (not undefined), or fails after `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await check();
    if (answer !== undefined) return answer;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(FFMPEG === null)('VIDEO_DIR', () => {
  it('is cleared only when it is ours: a folder holding anything else keeps it, and video stays off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'livegift-notours-'));
    try {
      writeFileSync(join(dir, 'holiday.jpg'), 'precious');
      const services = { authorizeStream: () => Promise.reject(new Error('unused')), streamLive: () => Promise.resolve(null), streamStopped: () => Promise.resolve(null) };
      const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };
      const config = { ...loadConfig({ VIDEO_DIR: dir, RTMP_PORT: '0', RTMP_HOST: '127.0.0.1' }).video };
      const refused = new VideoNode(config, services, quiet, 'http://localhost:3000');
      await refused.start();
      expect([refused.available, refused.reason]).toEqual([false, `VIDEO_DIR (${dir}) is not empty and not Livegift's.`]);
      expect(readdirSync(dir)).toEqual(['holiday.jpg']);

      // An empty folder becomes ours; a leftover of an earlier run goes at the next start.
      rmSync(join(dir, 'holiday.jpg'));
      const first = new VideoNode(config, services, quiet, 'http://localhost:3000');
      await first.start();
      expect(first.available).toBe(true);
      await first.close();
      mkdirSync(join(dir, 'creator', 'stream'), { recursive: true });
      const second = new VideoNode(config, services, quiet, 'http://localhost:3000');
      await second.start();
      expect(readdirSync(dir)).toEqual(['.livegift-video']);
      await second.close();

      // An ffmpeg that does not run: video is unavailable, with the reason the studio shows.
      const broken = new VideoNode({ ...config, ffmpegPath: join(dir, 'no-such-ffmpeg') }, services, quiet, 'http://localhost:3000');
      await broken.start();
      expect([broken.available, broken.reason, broken.rtmpUrl()]).toEqual([false, `FFMPEG_PATH (${join(dir, 'no-such-ffmpeg')}) does not run.`, null]);
      await broken.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(FFMPEG === null || !DIALECTS[0]?.available)('the transcoding ladder', () => {
  it('re-encodes a stream into 720p, 480p and 360p renditions under a master playlist', async () => {
    const dialect = DIALECTS[0];
    if (!dialect) throw new Error('no database');
    const dir = mkdtempSync(join(tmpdir(), 'livegift-ladder-'));
    const node = await openTestNode(dialect, { VIDEO: 'on', RTMP_PORT: '0', RTMP_HOST: '127.0.0.1', VIDEO_DIR: dir, VIDEO_TRANSCODE: 'ladder' });
    const publisher: Publisher[] = [];
    try {
      const who = await signUpAs(node, { handle: 'ladderstreamer' });
      const headers = { cookie: who.cookie };
      expect((await node.call({ method: 'PUT', url: '/v1/me/gifts', headers, payload: { enabled: true } })).status).toBe(200);
      const live = await node.call<Live>({ method: 'POST', url: '/v1/lives', headers, payload: { title: 'Ladder' } });
      const settings = await node.call<StreamSettings>({ method: 'GET', url: '/v1/me/stream', headers });
      expect(settings.body.video.transcode).toBe(true);
      publisher.push(publishRtmp(`rtmp://127.0.0.1:${String(node.video.port)}/live/${settings.body.ingest.streamKey}`));
      const master = await until('the master playlist', async () => {
        const answer = await node.call<string>({ method: 'GET', url: `/v1/lives/${live.body.id}/video/index.m3u8` });
        return answer.status === 200 ? answer.body : undefined;
      }, 40_000);
      expect(master.match(/#EXT-X-STREAM-INF/g)).toHaveLength(3);
      expect(master).toMatch(/RESOLUTION=1280x720[\s\S]*v0\/index\.m3u8[\s\S]*RESOLUTION=854x480[\s\S]*v1\/index\.m3u8[\s\S]*RESOLUTION=640x360[\s\S]*v2\/index\.m3u8/);
      const rendition = await until('a rendition’s segments', async () => {
        const answer = await node.call<string>({ method: 'GET', url: `/v1/lives/${live.body.id}/video/v2/index.m3u8` });
        return answer.status === 200 && answer.body.includes('#EXTINF') ? answer.body : undefined;
      }, 40_000);
      const segment = rendition.split('\n').find((line) => line.endsWith('.ts')) ?? '';
      const ts = await node.app.inject({ method: 'GET', url: `/v1/lives/${live.body.id}/video/v2/${segment}` });
      expect([ts.statusCode, ts.rawPayload[0]]).toEqual([200, 0x47]);
    } finally {
      await Promise.all(publisher.map((p) => p.stop()));
      await node.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available || FFMPEG === null)(`LIVE video on ${dialect.name}`, () => {
    let node: TestNode;
    let base: string;
    let rtmp: string;
    const dir = mkdtempSync(join(tmpdir(), 'livegift-video-'));
    const running: Publisher[] = [];
    const sockets: TestSocket[] = [];

    beforeAll(async () => {
      node = await openTestNode(dialect, { VIDEO: 'on', RTMP_PORT: '0', RTMP_HOST: '127.0.0.1', VIDEO_DIR: dir, VIDEO_RECONNECT_GRACE_SECONDS: String(GRACE_S) });
      base = await node.app.listen({ port: 0, host: '127.0.0.1' });
      rtmp = `rtmp://127.0.0.1:${String(node.video.port)}/live`;
    }, 30_000);
    afterEach(async () => {
      await Promise.all(running.splice(0).map((p) => p.stop()));
      await Promise.all(sockets.splice(0).map((s) => s.close()));
    });
    afterAll(async () => {
      await node.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    async function creator(): Promise<Who> {
      const who = await signUpAs(node, { handle: `streamer${(handles++).toString(36)}` });
      expect((await call(who, 'PUT', '/v1/me/gifts', { enabled: true })).status).toBe(200);
      return who;
    }
    function call<T>(who: Who | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
      return node.call<T & { error: { code: string } }>({ method, url, headers: who ? { cookie: who.cookie } : {}, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    }
    async function settings(who: Who): Promise<StreamSettings> {
      const answer = await call<StreamSettings>(who, 'GET', '/v1/me/stream');
      expect(answer.status).toBe(200);
      return answer.body;
    }
    async function goLive(who: Who): Promise<string> {
      const live = await call<Live>(who, 'POST', '/v1/lives', { title: 'Test pattern' });
      expect(live.status).toBe(201);
      return live.body.id;
    }
    function publish(key: string, seconds?: number): Publisher {
      const p = publishRtmp(`${rtmp}/${key}`, seconds);
      running.push(p);
      return p;
    }
    async function watch(liveId: string): Promise<TestSocket> {
      const socket = await TestSocket.open(`${base.replace(/^http/, 'ws')}/v1/lives/${liveId}/ws`, {});
      sockets.push(socket);
      await socket.event('snapshot');
      return socket;
    }
    const videoOf = async (liveId: string) => (await call<Live>(null, 'GET', `/v1/lives/${liveId}`)).body.video;

    it('gives a creator their OBS settings and a stream key; a minor gets none', async () => {
      const who = await creator();
      const s = await settings(who);
      expect(s.video).toMatchObject({ available: true, reason: null, transcode: false });
      expect(s.video.ffmpeg).toMatch(/^ffmpeg version/);
      // The host people reach this server at (PUBLIC_URL's), the port the ingest listens on.
      expect(s.ingest.rtmpUrl).toBe(`rtmp://localhost:${String(node.video.port)}/live`);
      expect(s.ingest.streamKey).toMatch(/^lgs_[\w-]{32}$/);
      expect(s.ingest.browser).toBe(true);
      expect(s.recommended).toMatchObject({ keyframeIntervalS: 1, encoder: 'x264', tune: 'zerolatency' });
      expect(s.publishing).toBeNull();
      // The same key every time until rotated.
      expect((await settings(who)).ingest.streamKey).toBe(s.ingest.streamKey);
      const minor = await signUpAs(node, { handle: `minor${(handles++).toString(36)}`, birthDate: '2012-01-01' });
      expect((await call(minor, 'GET', '/v1/me/stream')).status).toBe(403);
      expect((await call(null, 'GET', '/v1/me/stream')).status).toBe(401);
    });

    it('shows the picture once the stream arrives: video.changed, a playlist that advances, segments cached as immutable', async () => {
      const who = await creator();
      const liveId = await goLive(who);
      const viewer = await watch(liveId);
      expect(viewer.of('snapshot')[0]?.data.video).toMatchObject({ state: 'waiting', playlistUrl: null });
      expect((await call(null, 'GET', `/v1/lives/${liveId}/video/index.m3u8`)).body.error.code).toBe('no_video');

      publish((await settings(who)).ingest.streamKey);
      const changed = await viewer.event('video.changed', (e) => e.data.state === 'live');
      expect(changed.data).toMatchObject({ state: 'live', via: 'rtmp', playlistUrl: `/v1/lives/${liveId}/video/index.m3u8` });
      expect(await videoOf(liveId)).toMatchObject({ state: 'live', via: 'rtmp' });
      expect((await settings(who)).publishing).toMatchObject({ via: 'rtmp' });
      expect((await node.call<string>({ method: 'GET', url: '/metrics' })).body).toContain('livegift_video_streams{via="rtmp"} 1');

      const playlist = await node.call<string>({ method: 'GET', url: `/v1/lives/${liveId}/video/index.m3u8` });
      expect(playlist.status).toBe(200);
      expect(playlist.headers['content-type']).toContain('application/vnd.apple.mpegurl');
      expect(playlist.headers['cache-control']).toBe('no-cache');
      const sequence = (text: string) => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? NaN) + (text.match(/#EXTINF/g) ?? []).length;
      const first = sequence(playlist.body);
      expect(first).toBeGreaterThan(0);
      // It advances: a later playlist ends at a later segment.
      const later = await until('the playlist to advance', async () => {
        const again = await node.call<string>({ method: 'GET', url: `/v1/lives/${liveId}/video/index.m3u8` });
        return sequence(again.body) > first ? again.body : undefined;
      });
      const segment = later.split('\n').find((line) => line.endsWith('.ts')) ?? '';
      const ts = await node.app.inject({ method: 'GET', url: `/v1/lives/${liveId}/video/${segment}` });
      expect(ts.statusCode).toBe(200);
      expect(ts.headers['content-type']).toBe('video/mp2t');
      expect(ts.headers['cache-control']).toBe('public, max-age=86400, immutable');
      expect(ts.rawPayload[0]).toBe(0x47); // MPEG-TS sync byte
      expect((await call(null, 'GET', `/v1/lives/${liveId}/video/..%2Fsecret.ts`)).status).toBe(400);
    });

    it('refuses a wrong or rotated key, a second publisher, and a suspended creator; rotating cuts the encoder', async () => {
      const who = await creator();
      const liveId = await goLive(who);
      const wrong = publish('lgs_' + 'x'.repeat(32), 5);
      expect(await wrong.exited).not.toBe(0);
      expect((await videoOf(liveId)).state).toBe('waiting');

      const key = (await settings(who)).ingest.streamKey;
      const first = publish(key);
      await until('the stream', async () => ((await videoOf(liveId)).state === 'live' ? true : undefined));
      const second = publish(key, 5);
      expect(await second.exited).not.toBe(0);
      expect(first.stderr()).toBe('');

      const rotated = await call<StreamSettings>(who, 'POST', '/v1/me/stream/key');
      expect(rotated.status).toBe(200);
      expect(rotated.body.ingest.streamKey).not.toBe(key);
      expect(await first.exited).not.toBe(null); // cut
      await until('reconnecting', async () => ((await videoOf(liveId)).state === 'reconnecting' ? true : undefined));
      expect(await publish(key, 5).exited).not.toBe(0);

      publish(rotated.body.ingest.streamKey);
      await until('the stream with the new key', async () => ((await videoOf(liveId)).state === 'live' ? true : undefined));
      // A moderator suspends the creator: the stream is cut, and the key is refused after.
      const mod = await signUpAs(node, { handle: `videomod${(handles++).toString(36)}` });
      await node.storage.db.updateTable('users').set({ role: 'moderator' }).where('id', '=', mod.userId).execute();
      expect((await call(mod, 'POST', `/v1/mod/users/${who.userId}/suspend-live`, { durationHours: 24, reason: 'violence' })).status).toBe(200);
      await until('the cut', async () => ((await settings(who)).publishing === null ? true : undefined));
      expect(await publish(rotated.body.ingest.streamKey, 5).exited).not.toBe(0);
    }, 60_000);

    it('a stream started before Go LIVE is the picture at once', async () => {
      const who = await creator();
      publish((await settings(who)).ingest.streamKey);
      await until('the stream to arrive', async () => ((await settings(who)).publishing !== null ? true : undefined));
      const liveId = await goLive(who);
      expect(await videoOf(liveId)).toMatchObject({ state: 'live', via: 'rtmp' });
      expect((await node.call({ method: 'GET', url: `/v1/lives/${liveId}/video/index.m3u8` })).status).toBe(200);
    });

    it('reconnecting when the stream drops; back in time it carries on, past the grace period the LIVE ends', async () => {
      const who = await creator();
      const liveId = await goLive(who);
      const viewer = await watch(liveId);
      const key = (await settings(who)).ingest.streamKey;
      const first = publish(key);
      await viewer.event('video.changed', (e) => e.data.state === 'live');
      await first.stop();
      const dropped = await viewer.event('video.changed', (e) => e.data.state === 'reconnecting');
      expect(dropped.data.reconnectEndsAtMs).toBe(node.clock.nowMs() + GRACE_S * 1000);

      // Back within the grace period: live again, and the auto-end job leaves it.
      publish(key);
      await viewer.until((events) => (events.filter((e) => e.type === 'video.changed' && e.data.state === 'live').length === 2 ? true : undefined), 'live again');
      node.clock.advance((GRACE_S + 1) * 1000);
      await node.services.endAbandonedLives({ creatorAwayMs: 3_600_000 });
      expect((await call<Live>(null, 'GET', `/v1/lives/${liveId}`)).body.status).toBe('live');

      // Dropped again and gone past the grace period: the LIVE ends by itself.
      await Promise.all(running.splice(0).map((p) => p.stop()));
      await viewer.until((events) => (events.filter((e) => e.type === 'video.changed' && e.data.state === 'reconnecting').length === 2 ? true : undefined), 'reconnecting again');
      node.clock.advance((GRACE_S - 1) * 1000);
      await node.services.endAbandonedLives({ creatorAwayMs: 3_600_000 });
      expect((await call<Live>(null, 'GET', `/v1/lives/${liveId}`)).body.status).toBe('live');
      node.clock.advance(2_000);
      const run = await node.services.endAbandonedLives({ creatorAwayMs: 3_600_000 });
      expect(run.ended).toContain(liveId);
      expect((await viewer.event('live.ended')).data.endedBy).toBe('auto');
      expect((await call<Live>(who, 'GET', `/v1/lives/${liveId}`)).body).toMatchObject({ status: 'ended', endedBy: 'auto', endReason: 'The stream stopped and did not come back.', video: { state: 'ended' } });
    }, 60_000);

    it('takes the studio camera’s WebM over the ingest socket, from the LIVE’s creator only', async () => {
      const who = await creator();
      const liveId = await goLive(who);
      const viewer = await watch(liveId);
      const url = `${base.replace(/^http/, 'ws')}/v1/lives/${liveId}/ingest?mime=${encodeURIComponent('video/webm;codecs=vp8,opus')}`;
      const open = (cookie: string | null) =>
        new WebSocket(url, { headers: { origin: base, ...(cookie !== null ? { cookie } : {}) } });

      // Nobody is refused at the handshake; someone else is told why over the socket.
      const status = await new Promise<number>((resolve) => {
        const ws = open(null);
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
        });
        ws.on('open', () => {
          resolve(101);
        });
      });
      expect(status).toBe(401);
      const other = await signUpAs(node, { handle: `other${(handles++).toString(36)}` });
      const intruder = open(other.cookie);
      const told = await new Promise<string>((resolve) => {
        intruder.on('message', (data: Buffer) => {
          resolve(data.toString());
        });
      });
      expect(JSON.parse(told)).toMatchObject({ type: 'ingest.error', code: 'forbidden' });
      // A recording that is not WebM is refused with the reason.
      const wrong = new WebSocket(url.replace(/mime=[^&]+/, 'mime=video%2Fmp4'), { headers: { origin: base, cookie: who.cookie } });
      const refusal = await new Promise<string>((resolve) => wrong.on('message', (data: Buffer) => { resolve(data.toString()); }));
      expect(JSON.parse(refusal)).toMatchObject({ type: 'ingest.error', code: 'validation_failed' });

      const ws = open(who.cookie);
      const ready = await new Promise<string>((resolve, reject) => {
        ws.on('message', (data: Buffer) => { resolve(data.toString()); });
        ws.on('error', reject);
      });
      expect(JSON.parse(ready)).toEqual({ type: 'ingest.ready' });
      const camera = recordWebm(15);
      running.push(camera.publisher);
      camera.stdout.on('data', (chunk: Buffer) => { ws.send(chunk); });
      const live = await viewer.event('video.changed', (e) => e.data.state === 'live');
      expect(live.data.via).toBe('browser');
      expect((await node.call({ method: 'GET', url: `/v1/lives/${liveId}/video/index.m3u8` })).status).toBe(200);
      // OBS cannot publish over the camera's stream.
      expect(await publish((await settings(who)).ingest.streamKey, 5).exited).not.toBe(0);
      ws.close();
      await viewer.event('video.changed', (e) => e.data.state === 'reconnecting');
    }, 60_000);
  });
}
