// The timestamp code: a wall-clock time burned into a video frame as big black and white blocks, so a
// viewer's page can read, from the very frame it shows, when that frame was made — and measure the
// glass-to-glass latency against its own clock. It must survive H.264 at modest bitrates and any
// scaling of the picture, and a misread must answer null, never a wrong time.
//
// The design, for those reasons:
// - Two rows of 36 cells at the bottom of the frame, each cell 1/40 of the width by 2/45 of the height
//   (16×16 px at 640×360, lined up with H.264's 16×16 macroblocks there, so each cell is one flat
//   block the encoder keeps). Positions are fractions of the frame, so a decoder finds the cells at any
//   size, even a stretched one.
// - Each row is framed by markers, black-white at the start and white-black at the end, on a white
//   quiet zone. The markers prove the code is there and give the black and white levels the data
//   cells are judged against (so a darker or washed-out picture still reads).
// - 64 data cells: the time in ms (48 bits, good until the year 10889) then its CRC-16. A cell whose
//   level is too close to the middle makes the whole read null rather than a guess, and the CRC
//   rejects what the level check lets through (1 in 65 536 random misreads would pass it).
// Pure and without node: imports, so the browser bundle uses the same decoder as the tests.

/** Where the code sits, as fractions of the frame's width and height. */
export const TIMESTAMP_CODE_GEOMETRY = {
  /** Cells per row: 2 start markers, 32 data cells, 2 stop markers. */
  columns: 36,
  rows: 2,
  /** The first column's left edge, as a fraction of the frame width. */
  left: 2 / 40,
  /** A cell's width, as a fraction of the frame width. */
  cellWidth: 1 / 40,
  /** The first row's top edge, as a fraction of the frame height. */
  top: 1 - 2.5 * (2 / 45),
  /** A cell's height, as a fraction of the frame height. */
  cellHeight: 2 / 45,
  /** The white quiet zone around the cells (fractions of width and height): nothing else is drawn there. */
  quietZone: { left: 1 / 40, top: 1 - 3 * (2 / 45), right: 39 / 40, bottom: 1 },
} as const;

/** The largest time the code holds (exclusive): 2^48 ms. */
export const TIMESTAMP_CODE_TIME_LIMIT_MS = 2 ** 48;

const G = TIMESTAMP_CODE_GEOMETRY;
const TIME_BITS = 48;
const CRC_BITS = 16;
const DATA_PER_ROW = (TIME_BITS + CRC_BITS) / G.rows;
/** Marker colours by column at each end of a row (true = white); the data cells sit between. */
const START_MARKERS = [false, true] as const;
const STOP_MARKERS = [true, false] as const;
/** Black and white must differ by at least this much luma (of 255) for a read at all. */
const MIN_CONTRAST = 64;
/** A cell reads as black below this fraction of the way from black to white, white above 1 − it; between is no read. */
const DECISION_MARGIN = 0.3;

/** A rectangle in pixels: left, top, width, height. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A block of the code to paint, in pixels, white or black. */
export interface TimestampCodeBlock extends PixelRect {
  readonly white: boolean;
}

/** The pixel rectangle of cell (column, row) in a frame of this size. */
export function timestampCodeCell(column: number, row: number, width: number, height: number): PixelRect {
  const x0 = Math.round((G.left + column * G.cellWidth) * width);
  const x1 = Math.round((G.left + (column + 1) * G.cellWidth) * width);
  const y0 = Math.round((G.top + row * G.cellHeight) * height);
  const y1 = Math.round((G.top + (row + 1) * G.cellHeight) * height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The pixel rectangle of the white quiet zone in a frame of this size. */
export function timestampCodeQuietZone(width: number, height: number): PixelRect {
  const q = G.quietZone;
  const x0 = Math.round(q.left * width);
  const y0 = Math.round(q.top * height);
  return { x: x0, y: y0, width: Math.round(q.right * width) - x0, height: Math.round(q.bottom * height) - y0 };
}

/** CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) of the time's 6 bytes, most significant first. */
function crc16(timeMs: number): number {
  let crc = 0xffff;
  const high = Math.floor(timeMs / 2 ** 24);
  const low = timeMs % 2 ** 24;
  const bytes = [(high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff, (low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff];
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The 64 data bits (true = 1 = black), time then CRC, most significant first. */
function dataBits(timeMs: number): boolean[] {
  const bits: boolean[] = [];
  for (let i = TIME_BITS - 1; i >= 0; i--) bits.push(Math.floor(timeMs / 2 ** i) % 2 === 1);
  const crc = crc16(timeMs);
  for (let i = CRC_BITS - 1; i >= 0; i--) bits.push(((crc >>> i) & 1) === 1);
  return bits;
}

/** A marker cell's colour (true = white), or null for a data cell. */
function markerIsWhite(column: number): boolean | null {
  if (column < START_MARKERS.length) return START_MARKERS[column] ?? null;
  return STOP_MARKERS[column - (START_MARKERS.length + DATA_PER_ROW)] ?? null;
}

/** Whether cell (column, row) is white, given the data bits. */
function cellIsWhite(bits: readonly boolean[], column: number, row: number): boolean {
  return markerIsWhite(column) ?? !bits[row * DATA_PER_ROW + column - START_MARKERS.length];
}

function assertTime(timeMs: number): void {
  if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs >= TIMESTAMP_CODE_TIME_LIMIT_MS) {
    throw new RangeError(`A timestamp code holds a whole number of ms in [0, 2^48), not ${timeMs}`);
  }
}

/**
 * The blocks that draw the code for `timeMs` into a frame of this size: the white quiet zone first,
 * then every cell (paint them in order). The painter is the caller's, so any pixel format works.
 *
 * @example
 * for (const block of timestampCodeBlocks(Date.now(), 640, 360)) fillRect(block, block.white ? WHITE : BLACK);
 */
export function timestampCodeBlocks(timeMs: number, width: number, height: number): TimestampCodeBlock[] {
  assertTime(timeMs);
  const bits = dataBits(timeMs);
  const blocks: TimestampCodeBlock[] = [{ ...timestampCodeQuietZone(width, height), white: true }];
  for (let row = 0; row < G.rows; row++) {
    for (let column = 0; column < G.columns; column++) {
      blocks.push({ ...timestampCodeCell(column, row, width, height), white: cellIsWhite(bits, column, row) });
    }
  }
  return blocks;
}

/** Draws the code for `timeMs` into an RGB (3 channels) or RGBA (4) frame, in place. */
export function drawTimestampCode(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: 3 | 4, timeMs: number): void {
  if (pixels.length < width * height * channels) throw new RangeError('The frame is smaller than width × height × channels');
  for (const block of timestampCodeBlocks(timeMs, width, height)) {
    const level = block.white ? 255 : 0;
    for (let y = block.y; y < block.y + block.height; y++) {
      const start = (y * width + block.x) * channels;
      const end = start + block.width * channels;
      if (channels === 3) pixels.fill(level, start, end);
      else for (let i = start; i < end; i += 4) {
        pixels[i] = level;
        pixels[i + 1] = level;
        pixels[i + 2] = level;
        pixels[i + 3] = 255;
      }
    }
  }
}

/** The luma (0–255) of pixel (x, y). */
function luma(pixels: Uint8Array | Uint8ClampedArray, width: number, channels: number, x: number, y: number): number {
  const i = (y * width + x) * channels;
  return (77 * (pixels[i] ?? 0) + 150 * (pixels[i + 1] ?? 0) + 29 * (pixels[i + 2] ?? 0)) / 256;
}

/**
 * The mean luma of cell (column, row)'s middle half in each direction: the edges are where scaling
 * blurs and H.264 rings, so they are left out. The cell is placed from the fractions, not from rounded
 * pixels, so a small picture is sampled where the cell really fell; a cell too small for a middle half
 * reads its centre pixel.
 */
function cellLuma(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number, column: number, row: number): number {
  const cx = (G.left + (column + 0.5) * G.cellWidth) * width;
  const cy = (G.top + (row + 0.5) * G.cellHeight) * height;
  const rx = (G.cellWidth * width) / 4;
  const ry = (G.cellHeight * height) / 4;
  // Pixel i covers [i, i + 1): take those whose centre lies in the middle half.
  const x0 = Math.max(0, Math.ceil(cx - rx - 0.5));
  const x1 = Math.min(width - 1, Math.floor(cx + rx - 0.5));
  const y0 = Math.max(0, Math.ceil(cy - ry - 0.5));
  const y1 = Math.min(height - 1, Math.floor(cy + ry - 0.5));
  if (x1 < x0 || y1 < y0) return luma(pixels, width, channels, Math.min(width - 1, Math.floor(cx)), Math.min(height - 1, Math.floor(cy)));
  let sum = 0;
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) sum += luma(pixels, width, channels, x, y);
  return sum / ((x1 - x0 + 1) * (y1 - y0 + 1));
}

/**
 * Reads the time burned into a frame, from its pixels (RGBA as a canvas's getImageData gives them, or
 * RGB with `channels` 3) at any size: null when the code is missing, unclear or fails its CRC — never
 * a wrong time.
 *
 * @example
 * const image = context.getImageData(0, 0, canvas.width, canvas.height);
 * const madeAtMs = readTimestampCode(image.data, image.width, image.height);
 * if (madeAtMs !== null) latencies.push(Date.now() - madeAtMs);
 */
export function readTimestampCode(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: 3 | 4 = 4): number | null {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || pixels.length < width * height * channels) return null;
  // Below about 2 px a cell, nothing is left to read after scaling.
  if (width * G.cellWidth < 2 || height * G.cellHeight < 2) return null;
  const levels: number[] = [];
  let blackSum = 0;
  let blacks = 0;
  let whiteSum = 0;
  let whites = 0;
  for (let row = 0; row < G.rows; row++) {
    for (let column = 0; column < G.columns; column++) {
      const level = cellLuma(pixels, width, height, channels, column, row);
      levels.push(level);
      const marker = markerIsWhite(column);
      if (marker === true) {
        whiteSum += level;
        whites++;
      } else if (marker === false) {
        blackSum += level;
        blacks++;
      }
    }
  }
  const black = blackSum / blacks;
  const white = whiteSum / whites;
  if (white - black < MIN_CONTRAST) return null;
  const bits: boolean[] = [];
  for (const [i, level] of levels.entries()) {
    // Where the cell falls between the black and the white markers: near either end, or no read.
    const at = (level - black) / (white - black);
    if (at > DECISION_MARGIN && at < 1 - DECISION_MARGIN) return null;
    const isWhite = at >= 1 - DECISION_MARGIN;
    const marker = markerIsWhite(i % G.columns);
    if (marker === null) bits.push(!isWhite);
    else if (isWhite !== marker) return null;
  }
  let timeMs = 0;
  for (let i = 0; i < TIME_BITS; i++) timeMs = timeMs * 2 + (bits[i] ? 1 : 0);
  let crc = 0;
  for (let i = TIME_BITS; i < TIME_BITS + CRC_BITS; i++) crc = (crc << 1) | (bits[i] ? 1 : 0);
  return crc === crc16(timeMs) ? timeMs : null;
}
