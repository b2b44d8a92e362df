// The engagement's last package of a tenant, the default --previous of its next export
// (#18): the newest export the reviewer journal recorded for the tenant whose file is
// still where it was written. The journal, not the exports/ folder, says which file is
// a package this cache wrote (a folder can hold anything).
import { existsSync } from 'node:fs';
import type { CacheDb } from '../cache/open.js';
import { journalEntries } from '../journal/journal.js';

export interface LastPackage {
  path: string;
  packageId: string;
  exportedAt: string;
}

export function lastPackageOf(db: CacheDb, tenant: string): LastPackage | null {
  const exports = journalEntries(db).filter((e) => e.action === 'export' && e.details.tenant === tenant && typeof e.details.out === 'string');
  for (const e of exports.reverse()) {
    const path = e.details.out as string;
    if (existsSync(path)) return { path, packageId: String(e.details.packageId), exportedAt: e.at };
  }
  return null;
}
