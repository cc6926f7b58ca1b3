// Proves the default gift catalog matches PRODUCT.md's names and prices, keeps its sticker/full-screen rules, and that every art and scene file it names exists as a small, self-contained, well-formed SVG.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GIFTS, FULLSCREEN_FROM_COINS } from './default-catalog.js';

const ART_DIR = fileURLToPath(new URL('../../assets/gifts/', import.meta.url));
const MAX_BYTES = 12 * 1024;

/** PRODUCT.md, "Gifts": Rose 1, Heart Me 1, Finger Heart 5, Doughnut 30, Hand Hearts 100, Corgi 299, Money Gun 500, Galaxy 1,000, Lion 29,999, Universe 34,999. */
const PRODUCT_GIFTS: [string, bigint][] = [
  ['Rose', 1n],
  ['Heart Me', 1n],
  ['Finger Heart', 5n],
  ['Doughnut', 30n],
  ['Hand Hearts', 100n],
  ['Corgi', 299n],
  ['Money Gun', 500n],
  ['Galaxy', 1_000n],
  ['Lion', 29_999n],
  ['Universe', 34_999n],
];

interface SvgFile {
  file: string;
  kind: 'art' | 'scene';
  text: string;
  bytes: number;
}

const files: SvgFile[] = DEFAULT_GIFTS.flatMap((g) => {
  const named: [string, SvgFile['kind']][] = [[g.art, 'art']];
  if (g.scene !== null) named.push([g.scene, 'scene']);
  return named.map(([file, kind]) => {
    const path = ART_DIR + file;
    return existsSync(path)
      ? { file, kind, text: readFileSync(path, 'utf8'), bytes: statSync(path).size }
      : { file, kind, text: '', bytes: 0 };
  });
});

/** Tags open and close in order (comments and self-closing tags allowed); returns the first problem, or null. */
function tagBalanceProblem(svg: string): string | null {
  const stack: string[] = [];
  const body = svg.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>/g)) {
    const [, closing, name = '', rest = ''] = m;
    if (closing) {
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open ?? 'nothing'}>`;
    } else if (!rest.trimEnd().endsWith('/')) {
      stack.push(name);
    }
  }
  return stack.length === 0 ? null : `unclosed <${stack.join('>, <')}>`;
}

function idsOf(svg: string): string[] {
  return [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1] ?? '');
}

/** Seconds of a CSS time token ("1.2s", "300ms", ".5s"). */
function seconds(token: string): number {
  return token.endsWith('ms') ? Number(token.slice(0, -2)) / 1000 : Number(token.slice(0, -1));
}

/** When the last finite animation of a scene ends (delay + duration × iterations); infinite loops are ignored. */
function finiteTimelineEnd(svg: string): number {
  let end = 0;
  for (const m of svg.matchAll(/animation:([^;}]+)/g)) {
    const decl = (m[1] ?? '').replace(/cubic-bezier\([^)]*\)|steps\([^)]*\)/g, ' ');
    if (decl.trim() === 'none!important' || /\binfinite\b/.test(decl)) continue;
    const tokens = decl.trim().split(/\s+/);
    const times = tokens.filter((t) => /^\d*\.?\d+m?s$/.test(t)).map(seconds);
    const count = tokens.find((t) => /^\d*\.?\d+$/.test(t));
    end = Math.max(end, (times[1] ?? 0) + (times[0] ?? 0) * (count === undefined ? 1 : Number(count)));
  }
  return end;
}

describe('DEFAULT_GIFTS', () => {
  it('lists PRODUCT.md gifts, names and prices in panel order', () => {
    expect(DEFAULT_GIFTS.map((g) => [g.name, g.coins])).toEqual(PRODUCT_GIFTS);
    const orders = DEFAULT_GIFTS.map((g) => g.sortOrder);
    expect([...orders].sort((a, b) => a - b)).toEqual(orders);
    expect(new Set(orders).size).toBe(orders.length);
  });

  it('has unique slug ids that name their art files', () => {
    const ids = DEFAULT_GIFTS.map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const g of DEFAULT_GIFTS) {
      expect(g.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(g.art).toBe(`${g.id}.svg`);
      if (g.scene !== null) expect(g.scene).toBe(`${g.id}-scene.svg`);
    }
  });

  it('plays gifts from FULLSCREEN_FROM_COINS full screen with a scene; combos exactly the sticker gifts', () => {
    for (const g of DEFAULT_GIFTS) {
      const fullscreen = g.coins >= FULLSCREEN_FROM_COINS;
      expect(g.animation, g.id).toBe(fullscreen ? 'fullscreen' : 'sticker');
      expect(g.comboable, g.id).toBe(g.animation === 'sticker');
      expect(g.scene !== null, g.id).toBe(fullscreen);
    }
    expect(DEFAULT_GIFTS.filter((g) => g.animation === 'fullscreen').map((g) => g.id)).toEqual(['galaxy', 'lion', 'universe']);
  });

  it('is frozen data', () => {
    expect(Object.isFrozen(DEFAULT_GIFTS)).toBe(true);
    for (const g of DEFAULT_GIFTS) expect(Object.isFrozen(g)).toBe(true);
  });
});

describe('gift art files', () => {
  it.each(files.map((f) => [f.file, f] as const))('%s is a small, self-contained, well-formed SVG', (_name, f) => {
    expect(f.bytes, `${f.file} missing or empty`).toBeGreaterThan(0);
    expect(f.bytes).toBeLessThan(MAX_BYTES);
    const svg = f.text;
    expect(svg.trimStart().startsWith('<svg')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain(f.kind === 'art' ? 'viewBox="0 0 128 128"' : 'viewBox="0 0 390 844"');
    expect(tagBalanceProblem(svg)).toBeNull();
    // Nothing active or external: no scripts, embedded documents, raster images, fonts or remote references.
    expect(svg).not.toMatch(/<script|<image|<foreignObject|<iframe|<font|@font-face|@import|<text/i);
    expect(svg).not.toMatch(/\son[a-z]+\s*=/i);
    for (const m of svg.matchAll(/href\s*=\s*"([^"]*)"/g)) expect(m[1]).toMatch(/^#/);
    for (const m of svg.matchAll(/url\(\s*([^)]*)\)/g)) expect(m[1]).toMatch(/^#/);
    // Every local reference resolves inside the same file.
    const ids = new Set(idsOf(svg));
    for (const m of svg.matchAll(/(?:url\(|href=")#([^)"]+)/g)) expect(ids.has(m[1] ?? ''), `#${m[1] ?? ''}`).toBe(true);
  });

  it('uses ids that are unique within and across files, so several can be inlined on one page', () => {
    const owner = new Map<string, string>();
    for (const f of files) {
      for (const id of idsOf(f.text)) {
        expect(owner.get(id), `id "${id}" in ${f.file}`).toBeUndefined();
        owner.set(id, f.file);
      }
    }
    expect(owner.size).toBeGreaterThan(0);
  });

  it.each(files.filter((f) => f.kind === 'scene').map((f) => [f.file, f] as const))(
    '%s animates transform/opacity for 2–4 s and stops moving under prefers-reduced-motion',
    (_name, f) => {
      const svg = f.text;
      const keyframes = [...svg.matchAll(/@keyframes\s+[\w-]+\s*\{((?:[^{}]*\{[^{}]*\})*)\s*\}/g)];
      expect(keyframes.length).toBeGreaterThan(0);
      expect(keyframes.length).toBe(svg.split('@keyframes').length - 1);
      for (const k of keyframes) {
        for (const p of (k[1] ?? '').matchAll(/([a-z-]+)\s*:/g)) expect(['transform', 'opacity']).toContain(p[1]);
      }
      const end = finiteTimelineEnd(svg);
      expect(end).toBeGreaterThanOrEqual(2);
      expect(end).toBeLessThanOrEqual(4);
      expect(svg).toMatch(/@media\s*\(prefers-reduced-motion:\s*reduce\)\s*\{\s*\*\s*\{\s*animation:\s*none\s*!important/);
    },
  );
});
