// The viewer side of the latency measurement: the time a shown frame was made, read from its pixels.
// The page draws the <video> into a canvas (any size; 320×180 is plenty and cheap to read) and hands
// over getImageData's pixels; no DOM types here, so the server's tests use it on decoded frames too.
import { readTimestampCode } from './timestamp-code.js';

/**
 * The wall-clock time (ms since 1970) stamped into this frame by the test pattern, or null when the
 * frame carries no readable code (another picture, a frame mid-scaling, heavy compression damage).
 *
 * @example
 * context.drawImage(video, 0, 0, 320, 180);
 * const { data, width, height } = context.getImageData(0, 0, 320, 180);
 * const madeAtMs = readFrameTime(data, width, height);
 * if (madeAtMs !== null) latencyMs = Date.now() - madeAtMs;
 */
export function readFrameTime(rgba: Uint8ClampedArray, width: number, height: number): number | null {
  return readTimestampCode(rgba, width, height, 4);
}
