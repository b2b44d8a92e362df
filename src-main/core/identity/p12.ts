// PKCS#12 files holding more than one key. node-forge's toPkcs12Asn1 writes one key
// and one chain; an AuditDesk identity needs two keys (Ed25519 for the manifest,
// RSA for the PDF signature, see docs/package-format.md#identity), so the PFX is
// assembled here from forge's ASN.1 building blocks. The layout is what OpenSSL 3
// writes: PBES2/PBKDF2-SHA256/AES-256-CBC shrouded keys, plain certificate bags,
// an HMAC-SHA256 MAC over the authenticated safe.
//
// Every password-based key derivation runs here on node:crypto, not in forge's
// JavaScript: the MAC's (RFC 7292 appendix B; 100,000 iterations, issue 11: at least
// the keys') and each key's PBES2 (PBKDF2, RFC 8018). Forge took seconds per file,
// which stalled every signature and every export while the identity was opened.
// The PBES2 password is its UTF-8 bytes, as OpenSSL takes it; forge used one byte per
// character, so keys it encrypted under a non-ASCII password are opened by forge.
import forge from 'node-forge';
import { createCipheriv, createHash, createHmac, createPrivateKey, hash as oneShotHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const { asn1, pki } = forge;
const U = asn1.Class.UNIVERSAL;
const CTX = asn1.Class.CONTEXT_SPECIFIC;

/** Iterations for the key-encryption KDF and the MAC (never fewer than the keys'). */
const KEY_ITERATIONS = 20_000;
export const MAC_ITERATIONS = 100_000;

/** Hash name, output and block size in bytes, by the OID a MacData names. */
const MAC_HASHES: Record<string, { name: string; u: number; v: number }> = {
  [pki.oids.sha1!]: { name: 'sha1', u: 20, v: 64 },
  [pki.oids.sha256!]: { name: 'sha256', u: 32, v: 64 },
  [pki.oids.sha384!]: { name: 'sha384', u: 48, v: 128 },
  [pki.oids.sha512!]: { name: 'sha512', u: 64, v: 128 },
};

function repeatTo(b: Buffer, v: number): Buffer {
  if (!b.length) return b;
  const len = v * Math.ceil(b.length / v);
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) out[i] = b[i % b.length]!;
  return out;
}

/** RFC 7292 B.2 with ID 3 (MAC key), for a key no longer than one hash output (always so for HMAC keys). */
function macKey(hash: { name: string; u: number; v: number }, password: string, salt: Buffer, iterations: number): Buffer {
  // The password as a BMPString (UTF-16 big-endian) with a 2-byte terminator.
  const bmp = Buffer.from(`${password}\0`, 'utf16le').swap16();
  let a = createHash(hash.name)
    .update(Buffer.concat([Buffer.alloc(hash.v, 3), repeatTo(salt, hash.v), repeatTo(bmp, hash.v)]))
    .digest();
  // crypto.hash: one call per round, no Hash object; 2.5 × faster at 100,000 rounds.
  for (let i = 1; i < iterations; i++) a = oneShotHash(hash.name, a, 'buffer');
  return a;
}

export interface P12KeyEntry {
  /** PrivateKeyInfo (PKCS#8) DER of any algorithm. */
  pkcs8Der: Buffer;
  /** DER of the certificate that pairs with this key; localKeyId ties them together. */
  certDer: Buffer;
  friendlyName: string;
}

export interface P12Contents {
  keys: { pkcs8Der: Buffer; localKeyId: string | null; friendlyName: string | null }[];
  certs: { der: Buffer; localKeyId: string | null; friendlyName: string | null }[];
}

function bin(buf: Buffer): string {
  return buf.toString('binary');
}

function oid(id: string): forge.asn1.Asn1 {
  return asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
}

function octets(bytes: string): forge.asn1.Asn1 {
  return asn1.create(U, asn1.Type.OCTETSTRING, false, bytes);
}

function bagAttributes(localKeyId: Buffer, friendlyName: string): forge.asn1.Asn1 {
  return asn1.create(U, asn1.Type.SET, true, [
    asn1.create(U, asn1.Type.SEQUENCE, true, [oid(pki.oids.localKeyId!), asn1.create(U, asn1.Type.SET, true, [octets(bin(localKeyId))])]),
    asn1.create(U, asn1.Type.SEQUENCE, true, [oid(pki.oids.friendlyName!), asn1.create(U, asn1.Type.SET, true, [asn1.create(U, asn1.Type.BMPSTRING, false, friendlyName)])]),
  ]);
}

function dataContentInfo(inner: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(U, asn1.Type.SEQUENCE, true, [oid(pki.oids.data!), asn1.create(CTX, 0, true, [octets(asn1.toDer(inner).getBytes())])]);
}

/** EncryptedPrivateKeyInfo (RFC 5958) of a PKCS#8 key: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, the layout OpenSSL 3 writes. */
function encryptedKeyInfo(pkcs8Der: Buffer, password: string, iterations: number): forge.asn1.Asn1 {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(pkcs8Der), cipher.final()]);
  const seq = (items: forge.asn1.Asn1[]) => asn1.create(U, asn1.Type.SEQUENCE, true, items);
  const int = (n: number) => asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
  return seq([
    seq([
      oid(pki.oids.pkcs5PBES2!),
      seq([
        seq([oid(pki.oids.pkcs5PBKDF2!), seq([octets(bin(salt)), int(iterations), int(32), seq([oid(pki.oids.hmacWithSHA256!), asn1.create(U, asn1.Type.NULL, false, '')])])]),
        seq([oid(pki.oids['aes256-CBC']!), octets(bin(iv))]),
      ]),
    ]),
    octets(bin(encrypted)),
  ]);
}

/** Writes a password-protected PFX holding each key with its certificate (plus extra chain certificates). */
export function buildP12(entries: readonly P12KeyEntry[], password: string, chain: readonly Buffer[] = [], opts: { macIterations?: number } = {}): Buffer {
  const macIterations = opts.macIterations ?? MAC_ITERATIONS;
  const certBags: forge.asn1.Asn1[] = [];
  const keyBags: forge.asn1.Asn1[] = [];
  for (const e of entries) {
    const localKeyId = createHash('sha1').update(e.certDer).digest();
    const attrs = () => bagAttributes(localKeyId, e.friendlyName);
    certBags.push(certBag(e.certDer, attrs()));
    const encrypted = encryptedKeyInfo(e.pkcs8Der, password, KEY_ITERATIONS);
    keyBags.push(asn1.create(U, asn1.Type.SEQUENCE, true, [oid(pki.oids.pkcs8ShroudedKeyBag!), asn1.create(CTX, 0, true, [encrypted]), attrs()]));
  }
  for (const der of chain) certBags.push(certBag(der, undefined));

  const safe = asn1.create(U, asn1.Type.SEQUENCE, true, [dataContentInfo(asn1.create(U, asn1.Type.SEQUENCE, true, certBags)), dataContentInfo(asn1.create(U, asn1.Type.SEQUENCE, true, keyBags))]);
  const safeDer = asn1.toDer(safe).getBytes();

  const salt = randomBytes(16);
  const key = macKey(MAC_HASHES[pki.oids.sha256!]!, password, salt, macIterations);
  const mac = createHmac('sha256', key).update(Buffer.from(safeDer, 'binary')).digest();
  const macData = asn1.create(U, asn1.Type.SEQUENCE, true, [
    asn1.create(U, asn1.Type.SEQUENCE, true, [asn1.create(U, asn1.Type.SEQUENCE, true, [oid(pki.oids.sha256!), asn1.create(U, asn1.Type.NULL, false, '')]), octets(bin(mac))]),
    octets(bin(salt)),
    asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(macIterations).getBytes()),
  ]);

  const pfx = asn1.create(U, asn1.Type.SEQUENCE, true, [
    asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()),
    asn1.create(U, asn1.Type.SEQUENCE, true, [oid(pki.oids.data!), asn1.create(CTX, 0, true, [octets(safeDer)])]),
    macData,
  ]);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}

function certBag(der: Buffer, attrs: forge.asn1.Asn1 | undefined): forge.asn1.Asn1 {
  const value = [oid(pki.oids.certBag!), asn1.create(CTX, 0, true, [asn1.create(U, asn1.Type.SEQUENCE, true, [oid(pki.oids.x509Certificate!), asn1.create(CTX, 0, true, [octets(bin(der))])])])];
  if (attrs) value.push(attrs);
  return asn1.create(U, asn1.Type.SEQUENCE, true, value);
}

export class P12PasswordError extends Error {}

/**
 * Reads every key and certificate of a PFX. Keys come back as PKCS#8 DER whatever
 * their algorithm (forge only understands RSA, so the raw ASN.1 is re-encoded).
 */
/**
 * Checks the MAC on node:crypto and returns the PFX without its MacData (forge then
 * skips its own, slow check); returns the PFX unchanged when it cannot (an unusual
 * layout or algorithm), so forge checks it. Throws P12PasswordError on a wrong MAC.
 */
function withMacChecked(pfx: forge.asn1.Asn1, password: string): forge.asn1.Asn1 {
  try {
    const [version, authSafe, macData] = pfx.value as forge.asn1.Asn1[];
    if (!macData) return pfx;
    const content = ((authSafe!.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[])[0]!;
    if (content.constructed) return pfx;
    const [digestInfo, saltNode, iterNode] = macData.value as forge.asn1.Asn1[];
    const [algId, digest] = digestInfo!.value as forge.asn1.Asn1[];
    const hash = MAC_HASHES[asn1.derToOid((algId!.value as forge.asn1.Asn1[])[0]!.value as string)];
    if (!hash) return pfx;
    const iterations = iterNode ? Number.parseInt(forge.util.bytesToHex(iterNode.value as string), 16) : 1;
    if (!(iterations >= 1 && iterations <= 10_000_000)) return pfx;
    const key = macKey(hash, password, Buffer.from(saltNode!.value as string, 'binary'), iterations);
    const mac = createHmac(hash.name, key)
      .update(Buffer.from(content.value as string, 'binary'))
      .digest();
    const expected = Buffer.from(digest!.value as string, 'binary');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new P12PasswordError('wrong password');
    return asn1.create(pfx.tagClass, pfx.type as number, true, [version!, authSafe!]);
  } catch (e) {
    if (e instanceof P12PasswordError) throw e;
    return pfx;
  }
}

/** The PrivateKeyInfo inside a shrouded key bag, decrypted by OpenSSL, or null when it cannot (forge then tries). */
function decryptedKeyInfo(encrypted: forge.asn1.Asn1, password: string): forge.asn1.Asn1 | null {
  try {
    const der = createPrivateKey({ key: Buffer.from(asn1.toDer(encrypted).getBytes(), 'binary'), format: 'der', type: 'pkcs8', passphrase: password }).export({ format: 'der', type: 'pkcs8' });
    return asn1.fromDer(bin(der));
  } catch {
    return null;
  }
}

/**
 * The PFX with each shrouded key bag of its plain SafeContents replaced by the key bag it
 * decrypts to, so forge has no key left to derive in JavaScript. Only for a PFX whose MAC
 * was checked and dropped (withMacChecked): forge would check a MAC over the rewritten
 * content and fail. Anything of another layout is left as it is.
 */
function withKeysDecrypted(pfx: forge.asn1.Asn1, password: string): forge.asn1.Asn1 {
  const [version, authSafe, macData] = pfx.value as forge.asn1.Asn1[];
  if (macData || !authSafe) return pfx;
  try {
    const [type, wrapped] = authSafe.value as forge.asn1.Asn1[];
    const content = (wrapped!.value as forge.asn1.Asn1[])[0]!;
    if (asn1.derToOid(type!.value as string) !== pki.oids.data || content.constructed) return pfx;
    const infos = asn1.fromDer(content.value as string, false);
    let changed = false;
    for (const info of infos.value as forge.asn1.Asn1[]) {
      const [infoType, infoWrapped] = info.value as forge.asn1.Asn1[];
      const infoContent = (infoWrapped?.value as forge.asn1.Asn1[] | undefined)?.[0];
      if (asn1.derToOid(infoType!.value as string) !== pki.oids.data || !infoContent || infoContent.constructed) continue;
      const bags = asn1.fromDer(infoContent.value as string, false);
      let bagsChanged = false;
      for (const bag of bags.value as forge.asn1.Asn1[]) {
        const [bagType, bagValue] = bag.value as forge.asn1.Asn1[];
        if (asn1.derToOid(bagType!.value as string) !== pki.oids.pkcs8ShroudedKeyBag) continue;
        const keyInfo = decryptedKeyInfo((bagValue!.value as forge.asn1.Asn1[])[0]!, password);
        if (!keyInfo) continue;
        (bag.value as forge.asn1.Asn1[])[0] = oid(pki.oids.keyBag!);
        bagValue!.value = [keyInfo];
        bagsChanged = true;
      }
      if (bagsChanged) {
        infoContent.value = asn1.toDer(bags).getBytes();
        changed = true;
      }
    }
    if (!changed) return pfx;
    return asn1.create(pfx.tagClass, pfx.type as number, true, [version!, asn1.create(U, asn1.Type.SEQUENCE, true, [type!, asn1.create(CTX, 0, true, [octets(asn1.toDer(infos).getBytes())])])]);
  } catch {
    return pfx;
  }
}

export function readP12(data: Buffer, password: string): P12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(withKeysDecrypted(withMacChecked(asn1.fromDer(bin(data), false), password), password), false, password);
  } catch (e) {
    const msg = (e as Error).message ?? '';
    if (/password|MAC could not be verified|decrypt/i.test(msg)) throw new P12PasswordError('wrong password', { cause: e });
    throw new Error(`not a readable PKCS#12 file (${msg})`, { cause: e });
  }
  const out: P12Contents = { keys: [], certs: [] };
  for (const safe of p12.safeContents) {
    for (const bag of safe.safeBags) {
      const localKeyId = attrHex(bag.attributes?.localKeyId?.[0]);
      const friendlyName = (bag.attributes?.friendlyName?.[0] as string | undefined) ?? null;
      if (bag.type === pki.oids.pkcs8ShroudedKeyBag || bag.type === pki.oids.keyBag) {
        const raw = bag.key ? pki.wrapRsaPrivateKey(pki.privateKeyToAsn1(bag.key)) : (bag as unknown as { asn1: forge.asn1.Asn1 }).asn1;
        out.keys.push({ pkcs8Der: Buffer.from(asn1.toDer(raw).getBytes(), 'binary'), localKeyId, friendlyName });
      } else if (bag.type === pki.oids.certBag) {
        const raw = bag.cert ? pki.certificateToAsn1(bag.cert) : (bag as unknown as { asn1: forge.asn1.Asn1 }).asn1;
        out.certs.push({ der: Buffer.from(asn1.toDer(raw).getBytes(), 'binary'), localKeyId, friendlyName });
      }
    }
  }
  return out;
}

function attrHex(v: unknown): string | null {
  return typeof v === 'string' ? Buffer.from(v, 'binary').toString('hex') : null;
}
