// The engagements this app knows (their folders can live anywhere: a shared drive, a
// folder handed over by a colleague) and the one opened last, kept in the app's data
// folder. The engagements themselves hold everything else; forgetting one here
// deletes nothing.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { ensurePrivateDir } from '../util/private-files.js';
import { readEngagementMeta, writeEngagementMeta, type EngagementMeta, type EngagementMetaInput } from './meta.js';
import { engagementPaths } from './paths.js';

const registrySchema = z.object({
  engagements: z.array(z.string().min(1)).default([]),
  lastOpened: z.string().nullable().default(null),
});
export type KnownEngagements = z.output<typeof registrySchema>;

export const REGISTRY_FILE = 'engagements.json';

export class EngagementRegistry {
  readonly path: string;
  constructor(readonly dataDir: string) {
    this.path = join(dataDir, REGISTRY_FILE);
  }

  /** False until the first engagement is created or the old shared cache migrated: that happens once. */
  exists(): boolean {
    return existsSync(this.path);
  }

  read(): KnownEngagements {
    if (!this.exists()) return registrySchema.parse({});
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      throw new UserError(
        `the list of engagements ${this.path} is not valid JSON (${(e as Error).message}).`,
        'E_CONFIG',
        'Fix or delete it; the engagement folders are untouched and can be opened again.',
      );
    }
    const parsed = registrySchema.safeParse(raw);
    if (!parsed.success) throw new UserError(`the list of engagements ${this.path} is invalid.`, 'E_CONFIG', 'Fix or delete it; the engagement folders are untouched and can be opened again.');
    return parsed.data;
  }

  private update(change: (known: KnownEngagements) => void): KnownEngagements {
    const known = this.read();
    change(known);
    writeFileAtomic(this.path, JSON.stringify(known, null, 2) + '\n');
    return known;
  }

  remember(dir: string, opened = false): void {
    const abs = resolve(dir);
    this.update((k) => {
      if (!k.engagements.includes(abs)) k.engagements.push(abs);
      if (opened) k.lastOpened = abs;
    });
  }

  forget(dir: string): boolean {
    const abs = resolve(dir);
    let forgotten = false;
    this.update((k) => {
      forgotten = k.engagements.includes(abs);
      k.engagements = k.engagements.filter((d) => d !== abs);
      if (k.lastOpened === abs) k.lastOpened = null;
    });
    return forgotten;
  }

  /** Where a new engagement goes unless the user names a folder. */
  defaultParent(): string {
    return join(this.dataDir, 'engagements');
  }
}

/** A folder name a person can read: the engagement's name, with a number when taken. */
export function freeFolderFor(parent: string, name: string): string {
  const slug =
    name
      .normalize('NFKD')
      .replace(/[^\w-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 60) || 'engagement';
  for (let n = 1; ; n++) {
    const dir = join(parent, n === 1 ? slug : `${slug}-${n}`);
    if (!existsSync(dir)) return dir;
  }
}

/** Creates the folder (owner-only: it will hold client data) and its engagement.json. */
export function createEngagementFolder(dir: string, meta: EngagementMetaInput): { dir: string; meta: EngagementMeta } {
  const paths = engagementPaths(dir);
  if (existsSync(paths.meta)) {
    throw new UserError(`${paths.dir} already holds an engagement.`, 'E_EXISTS', 'Open it instead, or pick another folder.');
  }
  mkdirSync(paths.dir, { recursive: true });
  ensurePrivateDir(paths.dir);
  return { dir: paths.dir, meta: writeEngagementMeta(paths.dir, meta) };
}

export function renameEngagement(dir: string, change: { name: string; client?: string }): EngagementMeta {
  const meta = readEngagementMeta(dir);
  return writeEngagementMeta(dir, { ...meta, name: change.name, ...(change.client !== undefined ? { client: change.client } : {}) });
}
