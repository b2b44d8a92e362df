// node:crypto for the verify page: the hashes the bundled core calls (SHA-256 and
// SHA-512, one-shot and incremental), from @noble/hashes. Anything else the core's
// modules import is never called on the page's path and throws if it were.
import { sha256, sha512 } from '@noble/hashes/sha2';
import { Buffer } from 'buffer';

type Data = string | Uint8Array;
const toBytes = (d: Data, enc?: string) => (typeof d === 'string' ? Buffer.from(d, (enc ?? 'utf8') as BufferEncoding) : d);

function algo(name: string) {
  const n = name.toLowerCase();
  if (n === 'sha256') return sha256;
  if (n === 'sha512') return sha512;
  throw new Error(`${name} is not available on the verify page`);
}

function output(bytes: Uint8Array, enc?: string): string | Buffer {
  const b = Buffer.from(bytes);
  return enc ? b.toString(enc as BufferEncoding) : b;
}

export function hash(name: string, data: Data, enc?: string): string | Buffer {
  return output(algo(name)(toBytes(data)), enc ?? 'hex');
}

export function createHash(name: string) {
  const h = algo(name).create();
  const api = {
    update(data: Data, enc?: string) {
      h.update(toBytes(data, enc));
      return api;
    },
    digest(enc?: string) {
      return output(h.digest(), enc);
    },
  };
  return api;
}

const unavailable = (what: string) => () => {
  throw new Error(`${what} is not available on the verify page`);
};
export const sign = unavailable('sign');
export const verify = unavailable('verify');
export const createPrivateKey = unavailable('createPrivateKey');
export const createPublicKey = unavailable('createPublicKey');
export const generateKeyPairSync = unavailable('generateKeyPairSync');
export const randomBytes = unavailable('randomBytes');
export const randomUUID = unavailable('randomUUID');
export class X509Certificate {
  constructor() {
    throw new Error('X509Certificate is not available on the verify page');
  }
}
export default { hash, createHash };
