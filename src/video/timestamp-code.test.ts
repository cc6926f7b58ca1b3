// Proves the timestamp code reads back the time it was drawn with, at any scale the picture is shown at
// (nearest and bilinear, smaller and larger, stretched), and that a damaged code reads as null, never
// as a different time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TIMESTAMP_CODE_GEOMETRY, TIMESTAMP_CODE_TIME_LIMIT_MS, drawTimestampCode, readTimestampCode, timestampCodeBlocks, timestampCodeCell } from './timestamp-code.js';

const W = 640;
const H = 360;

/** A grey frame (RGBA) with the code for `timeMs` drawn on it, and some noise elsewhere. */
function frameWith(timeMs: number, width = W, height = H): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < rgba.length; i += 4) {
    const p = i / 4;
    rgba[i] = (p * 7) % 256;
    rgba[i + 1] = (p * 13) % 256;
    rgba[i + 2] = 90;
    rgba[i + 3] = 255;
  }
  drawTimestampCode(rgba, width, height, 4, timeMs);
  return rgba;
}

function scaleNearest(src: Uint8ClampedArray, sw: number, sh: number, dw: number, dh: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(dw * dh * 4);
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / dh));
    for (let x = 0; x < dw; x++) {
      const sx = Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / dw));
      for (let c = 0; c < 4; c++) out[(y * dw + x) * 4 + c] = src[(sy * sw + sx) * 4 + c] ?? 0;
    }
  }
  return out;
}

/** Bilinear, pixel centres aligned (as ffmpeg's and browsers' scalers place them). */
function scaleBilinear(src: Uint8ClampedArray, sw: number, sh: number, dw: number, dh: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(dw * dh * 4);
  for (let y = 0; y < dh; y++) {
    const fy = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / dh - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / dw - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(sw - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 4; c++) {
        const at = (xx: number, yy: number) => src[(yy * sw + xx) * 4 + c] ?? 0;
        const top = at(x0, y0) * (1 - wx) + at(x1, y0) * wx;
        const bottom = at(x0, y1) * (1 - wx) + at(x1, y1) * wx;
        out[(y * dw + x) * 4 + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

/** Paints cell (column, row) of an RGBA frame with one grey level. */
function paintCell(rgba: Uint8ClampedArray, width: number, height: number, column: number, row: number, level: number): void {
  const cell = timestampCodeCell(column, row, width, height);
  for (let y = cell.y; y < cell.y + cell.height; y++) {
    for (let x = cell.x; x < cell.x + cell.width; x++) {
      const i = (y * width + x) * 4;
      rgba[i] = level;
      rgba[i + 1] = level;
      rgba[i + 2] = level;
    }
  }
}

const times = fc.integer({ min: 0, max: TIMESTAMP_CODE_TIME_LIMIT_MS - 1 });
const nowish = fc.integer({ min: 1_600_000_000_000, max: 2_600_000_000_000 });

describe('timestamp code', () => {
  it('reads back the time it was drawn with, in RGBA and RGB', () => {
    const t = 1_767_225_600_123;
    expect(readTimestampCode(frameWith(t), W, H)).toBe(t);
    const rgb = new Uint8Array(W * H * 3);
    drawTimestampCode(rgb, W, H, 3, t);
    expect(readTimestampCode(rgb, W, H, 3)).toBe(t);
    expect(readTimestampCode(frameWith(0), W, H)).toBe(0);
    expect(readTimestampCode(frameWith(TIMESTAMP_CODE_TIME_LIMIT_MS - 1), W, H)).toBe(TIMESTAMP_CODE_TIME_LIMIT_MS - 1);
  });

  it('has cells of at least 12×12 px at 640×360, on the 16-px macroblock grid, inside the frame', () => {
    const cells = timestampCodeBlocks(0, W, H).slice(1);
    expect(cells).toHaveLength(TIMESTAMP_CODE_GEOMETRY.columns * TIMESTAMP_CODE_GEOMETRY.rows);
    for (const cell of cells) {
      expect(cell.width).toBe(16);
      expect(cell.height).toBe(16);
      expect(cell.x % 16).toBe(0);
      expect(cell.y % 16).toBe(0);
      expect(cell.x + cell.width).toBeLessThanOrEqual(W);
      expect(cell.y + cell.height).toBeLessThanOrEqual(H);
    }
  });

  it('rejects times it cannot hold', () => {
    for (const bad of [-1, 1.5, TIMESTAMP_CODE_TIME_LIMIT_MS, Number.NaN]) expect(() => timestampCodeBlocks(bad, W, H)).toThrow(RangeError);
  });

  it('reads null from a frame without a code, a flat frame, or a frame too small to read', () => {
    const blank = new Uint8ClampedArray(W * H * 4).fill(255);
    expect(readTimestampCode(blank, W, H)).toBeNull();
    expect(readTimestampCode(new Uint8ClampedArray(W * H * 4), W, H)).toBeNull();
    const noisy = frameWith(0);
    for (let i = 0; i < noisy.length; i++) noisy[i] = (i * 2654435761) % 256;
    expect(readTimestampCode(noisy, W, H)).toBeNull();
    expect(readTimestampCode(frameWith(5, 40, 20), 40, 20)).toBeNull();
    expect(readTimestampCode(new Uint8ClampedArray(10), W, H)).toBeNull();
  });

  it('reads the time at any scale: nearest and bilinear, 0.5×, 0.75×, 1.5×, and stretched', () => {
    const sizes: [number, number][] = [[320, 180], [480, 270], [960, 540], [400, 300], [1280, 360]];
    fc.assert(
      fc.property(nowish, fc.constantFrom(...sizes), fc.boolean(), (t, [dw, dh], bilinear) => {
        const scaled = (bilinear ? scaleBilinear : scaleNearest)(frameWith(t), W, H, dw, dh);
        return readTimestampCode(scaled, dw, dh) === t;
      }),
      { numRuns: 40 },
    );
  });

  it('reads the time drawn at another size, shown at yet another', () => {
    const t = 1_767_225_600_999;
    const big = frameWith(t, 1280, 720);
    expect(readTimestampCode(scaleBilinear(big, 1280, 720, 427, 240), 427, 240)).toBe(t);
  });

  it('reads any time in range', () => {
    fc.assert(fc.property(times, (t) => readTimestampCode(frameWith(t, 320, 180), 320, 180) === t), { numRuns: 200 });
  });

  it('answers null, never another time, when a few cells are damaged (flipped or grey)', () => {
    const { columns, rows } = TIMESTAMP_CODE_GEOMETRY;
    fc.assert(
      fc.property(
        nowish,
        fc.uniqueArray(fc.integer({ min: 0, max: columns * rows - 1 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('flip', 'grey'),
        (t, damaged, how) => {
          const rgba = frameWith(t);
          for (const index of damaged) {
            const column = index % columns;
            const row = Math.floor(index / columns);
            const cell = timestampCodeCell(column, row, W, H);
            const centre = ((cell.y + cell.height / 2) * W + cell.x + cell.width / 2) * 4;
            paintCell(rgba, W, H, column, row, how === 'grey' ? 128 : 255 - (rgba[centre] ?? 0));
          }
          const read = readTimestampCode(rgba, W, H);
          return read === null || read === t;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers null when any one cell is flipped (the CRC or the markers catch it)', () => {
    const t = 1_767_225_600_123;
    const { columns, rows } = TIMESTAMP_CODE_GEOMETRY;
    for (let index = 0; index < columns * rows; index++) {
      const rgba = frameWith(t);
      const column = index % columns;
      const row = Math.floor(index / columns);
      const cell = timestampCodeCell(column, row, W, H);
      const centre = ((cell.y + cell.height / 2) * W + cell.x + cell.width / 2) * 4;
      paintCell(rgba, W, H, column, row, 255 - (rgba[centre] ?? 0));
      expect(readTimestampCode(rgba, W, H), `cell ${column},${row}`).toBeNull();
    }
  });

  it('still reads a darker, washed-out picture (levels judged against the markers)', () => {
    const t = 1_767_225_600_123;
    const rgba = frameWith(t);
    for (let i = 0; i < rgba.length; i += 4) for (let c = 0; c < 3; c++) rgba[i + c] = 40 + (rgba[i + c] ?? 0) * 0.5;
    expect(readTimestampCode(rgba, W, H)).toBe(t);
  });
});
