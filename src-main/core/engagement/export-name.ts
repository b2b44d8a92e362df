// The name a package gets by default, readable in a file browser months later:
// <client>-<tenant>-<period>-<date>.zip, in the engagement's exports/ folder, with a
// number added rather than ever pointing at an existing file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EngagementMeta } from './meta.js';
import { engagementPaths } from './paths.js';

const part = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);

export function defaultExportPath(dir: string, meta: EngagementMeta, tenant: string, today = new Date()): string {
  const period = meta.periodFrom || meta.periodTo ? `${meta.periodFrom ?? 'start'}_${meta.periodTo ?? 'now'}` : 'all-time';
  const base = [part(meta.client) || part(meta.name) || 'engagement', part(tenant) || 'tenant', period, today.toISOString().slice(0, 10)].join('-');
  const folder = engagementPaths(dir).exports;
  for (let n = 1; ; n++) {
    const path = join(folder, n === 1 ? `${base}.zip` : `${base}-${n}.zip`);
    if (!existsSync(path)) return path;
  }
}
