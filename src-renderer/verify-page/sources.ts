// The two ways a reader hands the page a package: the ZIP itself, or the folder it was
// unpacked into. ZIP-level problems (unsafe names, duplicates, links, damage) are found
// here, with verify-package's codes; a folder cannot show them, and the page says so.
import { isUnsafePath } from '../../src-main/core/export/package-files.js';
import { LargerThanLimit, type PackageSource, type PageFailure } from './package-source.js';
export { LargerThanLimit } from './package-source.js';
import { entryBytes, readCentralDirectory, ZipError, type ZipEntry } from './zip.js';

export async function zipSource(file: File): Promise<PackageSource> {
  const zip = new Uint8Array(await file.arrayBuffer());
  const problems: PageFailure[] = [];
  let entries: ZipEntry[] = [];
  try {
    entries = readCentralDirectory(zip);
  } catch (e) {
    problems.push({ code: 'ZIP_UNREADABLE', message: `the ZIP cannot be read (truncated or damaged): ${(e as Error).message}` });
  }
  const byName = new Map<string, ZipEntry>();
  for (const e of entries) {
    if (isUnsafePath(e.name)) {
      problems.push({ code: 'UNSAFE_PATH', file: e.name, message: `the ZIP holds an entry with an unsafe path "${e.name}" (absolute or climbing out with ..)` });
      continue;
    }
    if (e.isSymlink) {
      problems.push({ code: 'UNSAFE_PATH', file: e.name, message: `the ZIP entry "${e.name}" is a symbolic link` });
      continue;
    }
    if (byName.has(e.name)) {
      problems.push({ code: 'DUPLICATE_ENTRY', file: e.name, message: `the ZIP holds "${e.name}" more than once` });
      continue;
    }
    byName.set(e.name, e);
  }
  return {
    names: [...byName.keys()],
    problems,
    async read(name, limit) {
      const e = byName.get(name);
      if (!e) return null;
      try {
        return await entryBytes(zip, e, limit);
      } catch (err) {
        if (err instanceof ZipError && e.size > limit) {
          // Larger than the limit (the signed size + 1): refused unread, as verify-package does by the ZIP header.
          throw new LargerThanLimit(`its ZIP header says ${e.size} bytes, more than the ${limit - 1} the manifest signs (not read)`);
        }
        throw err;
      }
    },
  };
}

/** Files picked with a folder input: names relative to the folder the reader chose. */
export function folderSource(files: readonly File[]): PackageSource {
  const byName = new Map<string, File>();
  for (const f of files) {
    const rel = (f.webkitRelativePath || f.name).split('/').slice(1).join('/') || f.name;
    byName.set(rel, f);
  }
  return {
    names: [...byName.keys()],
    problems: [],
    async read(name, limit) {
      const f = byName.get(name);
      if (!f) return null;
      return new Uint8Array(await f.slice(0, limit).arrayBuffer());
    },
  };
}
