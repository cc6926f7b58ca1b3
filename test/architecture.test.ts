// Proves docs/ARCHITECTURE.md stays true to the tree: every path it names in backticks exists.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const doc = readFileSync(join(root, 'docs', 'ARCHITECTURE.md'), 'utf8');
/** Backticked tokens that are project paths: under a top-level folder, or a root file with an extension. */
const paths = [
  ...new Set(
    [...doc.matchAll(/`([^`\s]+)`/g)]
      .map((m) => m[1] ?? '')
      .filter((p) => /^(src|bench|test|docs|bin|web|e2e|\.ci)\//.test(p) || /^[\w.-]+\.(js|ts|json|md)$/.test(p)),
  ),
];

describe('docs/ARCHITECTURE.md', () => {
  it('names folders at all', () => {
    expect(paths.length).toBeGreaterThan(10);
  });

  it.each(paths)('names %s, which exists', (p) => {
    expect(existsSync(join(root, p)), `${p} is named in docs/ARCHITECTURE.md but missing`).toBe(true);
  });
});
