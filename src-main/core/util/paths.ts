import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder that holds package.json and migrations/, whether we run from src or dist. */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'migrations')) && existsSync(join(dir, 'package.json'))) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the AuditDesk install folder (migrations/ is missing)');
    dir = parent;
  }
}

export function migrationsDir(kind: 'cache' | 'demo'): string {
  return join(projectRoot(), 'migrations', kind);
}
