// A small ZIP reader for the verify page: central directory, stored and deflated
// entries (the browser's own DecompressionStream), CRC-32 and size checks, and a cap on
// how much any entry may inflate to, so a hostile package cannot fill the tab's memory.
// Only what AuditDesk packages use: no ZIP64, no encryption, no multi-disk archives.

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
  /** an entry whose Unix mode marks it as a symbolic link */
  isSymlink: boolean;
}

export class ZipError extends Error {}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

export function readCentralDirectory(zip: Uint8Array<ArrayBuffer>): ZipEntry[] {
  // End of central directory: the last 22 bytes plus up to 64 KiB of comment.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (u32(zip, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('no end-of-central-directory record: not a ZIP, or truncated');
  const count = u16(zip, eocd + 10);
  const cdSize = u32(zip, eocd + 12);
  const cdOffset = u32(zip, eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new ZipError('ZIP64 archives are not AuditDesk packages');
  if (cdOffset + cdSize > eocd) throw new ZipError('the central directory lies outside the file: truncated');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  const utf8 = new TextDecoder('utf-8', { fatal: false });
  const latin1 = new TextDecoder('latin1');
  for (let i = 0; i < count; i++) {
    if (p + 46 > zip.length || u32(zip, p) !== 0x02014b50) throw new ZipError('the central directory is damaged');
    const flags = u16(zip, p + 8);
    const nameLen = u16(zip, p + 28);
    const extraLen = u16(zip, p + 30);
    const commentLen = u16(zip, p + 32);
    const rawName = zip.subarray(p + 46, p + 46 + nameLen);
    const external = u32(zip, p + 38);
    entries.push({
      name: (flags & 0x800 ? utf8 : latin1).decode(rawName),
      method: u16(zip, p + 10),
      crc32: u32(zip, p + 16),
      compressedSize: u32(zip, p + 20),
      size: u32(zip, p + 24),
      localHeaderOffset: u32(zip, p + 42),
      isSymlink: ((external >>> 16) & 0o170000) === 0o120000,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The entry's bytes, inflated, checked against its CRC and declared size. Inflating
 * stops as soon as more than `limit` bytes (or more than the declared size) come out.
 */
export async function entryBytes(zip: Uint8Array<ArrayBuffer>, e: ZipEntry, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const h = e.localHeaderOffset;
  if (h + 30 > zip.length || u32(zip, h) !== 0x04034b50) throw new ZipError(`${e.name}: local header missing`);
  const start = h + 30 + u16(zip, h + 26) + u16(zip, h + 28);
  const end = start + e.compressedSize;
  if (end > zip.length) throw new ZipError(`${e.name}: data runs past the end of the file`);
  const cap = Math.min(limit, e.size);
  if (e.size > limit) throw new ZipError(`${e.name} declares ${e.size} bytes, more than the ${limit} this check reads`);
  let out: Uint8Array<ArrayBuffer>;
  if (e.method === 0) {
    out = zip.slice(start, end);
  } else if (e.method === 8) {
    const stream = new Blob([zip.subarray(start, end)]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    const reader = stream.getReader();
    const parts: Uint8Array[] = [];
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.length;
      if (n > cap) {
        await reader.cancel();
        throw new ZipError(`${e.name} inflates to more than its declared ${e.size} bytes`);
      }
      parts.push(value);
    }
    out = new Uint8Array(n);
    let o = 0;
    for (const part of parts) {
      out.set(part, o);
      o += part.length;
    }
  } else {
    throw new ZipError(`${e.name}: compression method ${e.method} is not used by AuditDesk packages`);
  }
  if (out.length !== e.size) throw new ZipError(`${e.name} has ${out.length} bytes; its ZIP header says ${e.size}`);
  if (crc32(out) !== e.crc32) throw new ZipError(`${e.name} fails its CRC-32 check (damaged)`);
  return out;
}
