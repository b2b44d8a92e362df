// Reading a package ZIP into memory and writing edited copies of it: the tools every
// package attack test uses to build its hostile variant.
import { writeFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import yazl from 'yazl';

export type PackageFiles = Map<string, Buffer>;

export async function unzipAll(path: string): Promise<PackageFiles> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(path, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z!))));
  const out: PackageFiles = new Map();
  await new Promise<void>((res, rej) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, s) => {
        if (err) return rej(err);
        const chunks: Buffer[] = [];
        s!.on('data', (c: Buffer) => chunks.push(c));
        s!.on('end', () => {
          out.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.on('end', () => res());
    zip.on('error', rej);
    zip.readEntry();
  });
  return out;
}

export async function writeZip(path: string, entries: PackageFiles): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(data, name, { mtime: new Date(2026, 0, 1), forceDosTimestamp: true } as yazl.Options);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  writeFileSync(path, Buffer.concat(chunks));
  return path;
}

export function copyOf(files: PackageFiles, edit: (m: PackageFiles) => void): PackageFiles {
  const copy: PackageFiles = new Map([...files].map(([k, v]) => [k, Buffer.from(v)]));
  edit(copy);
  return copy;
}

/** An entry written as raw deflate data with whatever sizes the test claims (yauzl does not check CRC-32). */
export interface RawEntry {
  name: string;
  deflated: Buffer | Buffer[];
  /** The uncompressed size the headers claim. */
  claimedSize: number;
}

/** A ZIP written byte by byte, so a test can claim sizes the data does not have (a ZIP bomb). */
export function writeRawZip(path: string, files: PackageFiles, raw: RawEntry[]): void {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const all: RawEntry[] = [...[...files].map(([name, data]) => ({ name, deflated: deflateRawSync(data), claimedSize: data.length })), ...raw];
  for (const e of all) {
    const data = Array.isArray(e.deflated) ? e.deflated : [e.deflated];
    const compressed = data.reduce((n, b) => n + b.length, 0);
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(0, 14);
    local.writeUInt32LE(compressed, 18);
    local.writeUInt32LE(e.claimedSize, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x800, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(0, 16);
    cd.writeUInt32LE(compressed, 20);
    cd.writeUInt32LE(e.claimedSize, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    parts.push(local, name, ...data);
    central.push(cd, name);
    offset += 30 + name.length + compressed;
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(all.length, 8);
  end.writeUInt16LE(all.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(path, Buffer.concat([...parts, ...central, end]));
}

/**
 * Raw deflate data for `megabytes` MiB of zeros, ~1 KB per MiB: one sync-flushed block
 * repeated (each copy starts with a literal, so no copy reaches back into another) and
 * an empty final block. Built in milliseconds, unlike deflating 2 GB.
 */
export function zeroBomb(megabytes: number): Buffer[] {
  const zlib = deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
  return [...Array.from({ length: megabytes }, () => zlib), Buffer.from([0x03, 0x00])];
}

/** One entry of a package, or a thrown error naming what is missing. */
export async function zipEntry(path: string, name: string): Promise<Buffer> {
  const data = (await unzipAll(path)).get(name);
  if (!data) throw new Error(`${name} not in ${path}`);
  return data;
}
