// The gift art we serve: every .svg under assets/gifts/, read once at start-up (a few KB each), so
// serving needs no file system access and a name outside the folder cannot be asked for.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtLibrary } from '../app/ports.js';

export const ART_DIR = new URL('../../assets/gifts/', import.meta.url);

export class FileArtLibrary implements ArtLibrary {
  private readonly files = new Map<string, Buffer>();

  constructor(dir: string = ART_DIR.pathname) {
    for (const name of readdirSync(dir)) {
      if (/^[a-z0-9-]+\.svg$/.test(name)) this.files.set(name, readFileSync(join(dir, name)));
    }
  }

  has(name: string): boolean {
    return this.files.has(name);
  }

  list(): string[] {
    return [...this.files.keys()].sort();
  }

  read(name: string): Buffer | undefined {
    return this.files.get(name);
  }
}
