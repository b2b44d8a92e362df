// Archive = the whole engagement folder in one ZIP, so handing an investigation over is
// one file. The cache's -wal/-shm side files are left out: the caller folds the WAL
// into the cache first (an open cache), so the copy is the committed state. So is the
// sync's writer lease (and its own side files): it names a process on this machine.
import { createWriteStream, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { basename, join, relative, sep } from 'node:path';
import yazl from 'yazl';
import { tempPathFor } from '../util/atomic.js';
import { UserError } from '../util/errors.js';

const LEFT_OUT = /(-wal|-shm|-journal|\.tmp|\.writer-lease)$/;

function filesUnder(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(root, full));
    else if (entry.isFile() && !LEFT_OUT.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/** Writes `out` (never over an existing file; a temp file renamed at the end) and returns its size. */
export async function archiveFolder(dir: string, out: string): Promise<{ out: string; bytes: number; files: number }> {
  if (existsSync(out)) throw new UserError(`${out} already exists.`, 'E_EXISTS', 'Pick another file name; an archive is never overwritten.');
  // Entries are named under the folder's own name, so unpacking gives the folder back.
  const top = basename(dir);
  const files = filesUnder(dir).filter((f) => f !== out);
  const zip = new yazl.ZipFile();
  const tmp = tempPathFor(out);
  const stream = createWriteStream(tmp, { mode: 0o600 });
  const failed = new Promise<never>((_, reject) => zip.on('error', reject));
  failed.catch(() => undefined);
  for (const f of files) zip.addFile(f, [top, ...relative(dir, f).split(sep)].join('/'));
  zip.end();
  try {
    zip.outputStream.pipe(stream);
    await Promise.race([once(stream, 'close'), failed]);
    renameSync(tmp, out);
  } catch (e) {
    stream.destroy();
    rmSync(tmp, { force: true });
    throw new UserError(`the archive ${out} could not be written (${(e as Error).message}); nothing was left there.`, 'E_EXPORT_WRITE');
  }
  return { out, bytes: statSync(out).size, files: files.length };
}

/** Folds a cache's write-ahead log into the file, so an archive taken now holds every committed row. */
export async function foldCacheLog(cachePath: string): Promise<void> {
  if (!existsSync(cachePath)) return;
  const { openCache } = await import('../cache/open.js');
  const db = openCache(cachePath);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
