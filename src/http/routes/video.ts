// LIVE video over HTTP: a creator's stream settings and key rotation, and a LIVE's HLS playlist and
// segments (served by the node its stream arrives at; docs/VIDEO.md says how several nodes route it).
//
// Caching: a playlist changes every segment, so it is never cached (`no-cache`); a segment's name is
// unique to its stream and never rewritten, so it is cached for a day and immutable. A playlist is
// served only whole (#EXTM3U first, a full last line): an ffmpeg without temp-file renames may be
// rewriting it in place. No picture here (no stream, not ready, a segment rolled off) is 404 `no_video`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/services.js';
import type { StreamSettingsView } from '../../app/stream-key.js';
import { ErrorBody } from '../../protocol/common.js';
import { StreamSettings } from '../../protocol/video.js';
import { requirePrincipal } from '../auth.js';
import type { VideoNode } from '../../video/video-node.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const security: Record<string, string[]>[] = [{ session: [] }, { token: [] }];

// A playlist or segment at the top (a copied stream), or in a rendition's folder (the ladder's v0,
// v1, …, which the master playlist names relatively). Both routes call the segment after the LIVE
// `:name` (one name at one place of the route tree).
const FILE = /^(index\.m3u8|\d{1,20}-\d{1,20}\.ts)$/;
const VideoFileParams = z.object({ id: z.string().min(1).max(64), name: z.string().regex(FILE, 'a playlist or segment name') });
const RenditionFileParams = z.object({
  id: z.string().min(1).max(64),
  name: z.string().regex(/^v\d$/, 'a rendition (v0, v1, …)'),
  file: z.string().regex(FILE, 'a playlist or segment name'),
});

const PLAYLIST_RETRY_MS = 40;

function presentSettings(v: StreamSettingsView): StreamSettings {
  return {
    video: { available: v.video.available, reason: v.video.reason, ffmpeg: v.video.ffmpeg, transcode: v.video.transcode },
    ingest: { rtmpUrl: v.video.rtmpUrl(), streamKey: v.key.key, keyCreatedAtMs: v.key.createdAtMs, browser: v.video.browser },
    recommended: { ...v.recommended },
    publishing: v.key.publishing,
  };
}

/** A playlist as written in full, or null while ffmpeg is rewriting it. */
async function wholePlaylist(path: string): Promise<string | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null) return null;
    if (text.startsWith('#EXTM3U') && text.endsWith('\n')) return text;
    await new Promise((resolve) => setTimeout(resolve, PLAYLIST_RETRY_MS));
  }
  return null;
}

export function videoRoutes(services: Services, video: VideoNode): FastifyPluginAsync {
  return (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/v1/me/stream', {
      schema: {
        tags: ['video'],
        summary: 'Your stream settings: the RTMP server URL and stream key to paste into OBS, the recommended encoder settings, whether video is available here, and your stream arriving now (18+)',
        security,
        response: { 200: StreamSettings, ...errors },
      },
    }, async (request) => presentSettings(await services.getStreamSettings({ principal: requirePrincipal(request, 'lives:write') })));

    app.post('/v1/me/stream/key', {
      schema: { tags: ['video'], summary: 'Rotate your stream key: an encoder using the old one is cut and must be given the new one', security, response: { 200: StreamSettings, ...errors } },
    }, async (request) => presentSettings(await services.rotateStreamKey({ principal: requirePrincipal(request, 'lives:write') })));

    const serve = async (liveId: string, path: readonly string[], reply: FastifyReply) => {
      const live = await services.getLive({ liveId });
      const dir = live.status === 'live' ? video.streamDir(live.creator.id) : null;
      if (dir === null) return reply.status(404).send({ error: { code: 'no_video', message: 'This LIVE has no video here now.' } });
      const file = join(dir, ...path);
      if (file.endsWith('.m3u8')) {
        const text = await wholePlaylist(file);
        if (text === null) return reply.status(404).header('cache-control', 'no-cache').send({ error: { code: 'no_video', message: 'The playlist is not ready yet.' } });
        return reply.header('content-type', 'application/vnd.apple.mpegurl').header('cache-control', 'no-cache').send(text);
      }
      const bytes = await readFile(file).catch(() => null);
      if (bytes === null) return reply.status(404).send({ error: { code: 'no_video', message: 'No such segment (it may have rolled off the playlist).' } });
      return reply.header('content-type', 'video/mp2t').header('cache-control', 'public, max-age=86400, immutable').send(bytes);
    };

    app.get('/v1/lives/:id/video/:name', {
      schema: {
        tags: ['video'],
        summary: 'A LIVE’s HLS playlist (index.m3u8; with VIDEO_TRANSCODE=ladder the master playlist of its renditions) or a segment, while its stream arrives',
        params: VideoFileParams,
        response: { 404: ErrorBody, 400: ErrorBody },
      },
    }, (request, reply) => serve(request.params.id, [request.params.name], reply));

    app.get('/v1/lives/:id/video/:name/:file', {
      schema: { tags: ['video'], summary: 'A rendition’s playlist or segment (VIDEO_TRANSCODE=ladder)', params: RenditionFileParams, response: { 404: ErrorBody, 400: ErrorBody } },
    }, (request, reply) => serve(request.params.id, [request.params.name, request.params.file], reply));

    return Promise.resolve();
  };
}
