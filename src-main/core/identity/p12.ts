// PKCS#12 files holding more than one key. node-forge's toPkcs12Asn1 writes one key
// and one chain; an AuditDesk identity needs two keys (Ed25519 for the manifest,
// RSA for the PDF signature, see docs/package-format.md#identity), so the PFX is
// assembled here from forge's ASN.1 building blocks. The layout is what OpenSSL 3
// writes: PBES2/PBKDF2-SHA256/AES-256-CBC shrouded keys, plain certificate bags,
// an HMAC-SHA256 MAC over the authenticated safe.
import forge from 'node-forge';
import { createHash, randomBytes } from 'node:crypto';

const { asn1, pki } = forge;
const U = asn1.Class.UNIVERSAL;
const CTX = asn1.Class.CONTEXT_SPECIFIC;

/** Iterations for the key-encryption KDF and the MAC (forge runs them in JS, so loading costs ~10 ms per 1,000). */
const KEY_ITERATIONS = 20_000;
const MAC_ITERATIONS = 2048;

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
    asn1.create(U, asn1.Type.SEQUENCE, true, [
      oid(pki.oids.localKeyId!),
      asn1.create(U, asn1.Type.SET, true, [octets(bin(localKeyId))]),
    ]),
    asn1.create(U, asn1.Type.SEQUENCE, true, [
      oid(pki.oids.friendlyName!),
      asn1.create(U, asn1.Type.SET, true, [asn1.create(U, asn1.Type.BMPSTRING, false, friendlyName)]),
    ]),
  ]);
}

function dataContentInfo(inner: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(U, asn1.Type.SEQUENCE, true, [
    oid(pki.oids.data!),
    asn1.create(CTX, 0, true, [octets(asn1.toDer(inner).getBytes())]),
  ]);
}

/** Writes a password-protected PFX holding each key with its certificate (plus extra chain certificates). */
export function buildP12(entries: readonly P12KeyEntry[], password: string, chain: readonly Buffer[] = []): Buffer {
  const certBags: forge.asn1.Asn1[] = [];
  const keyBags: forge.asn1.Asn1[] = [];
  for (const e of entries) {
    const localKeyId = createHash('sha1').update(e.certDer).digest();
    const attrs = () => bagAttributes(localKeyId, e.friendlyName);
    certBags.push(certBag(e.certDer, attrs()));
    const encrypted = pki.encryptPrivateKeyInfo(asn1.fromDer(bin(e.pkcs8Der)), password, {
      algorithm: 'aes256',
      count: KEY_ITERATIONS,
      saltSize: 16,
      prfAlgorithm: 'sha256',
    } as forge.pki.EncryptionOptions);
    keyBags.push(
      asn1.create(U, asn1.Type.SEQUENCE, true, [oid(pki.oids.pkcs8ShroudedKeyBag!), asn1.create(CTX, 0, true, [encrypted]), attrs()]),
    );
  }
  for (const der of chain) certBags.push(certBag(der, undefined));

  const safe = asn1.create(U, asn1.Type.SEQUENCE, true, [
    dataContentInfo(asn1.create(U, asn1.Type.SEQUENCE, true, certBags)),
    dataContentInfo(asn1.create(U, asn1.Type.SEQUENCE, true, keyBags)),
  ]);
  const safeDer = asn1.toDer(safe).getBytes();

  const salt = randomBytes(16);
  const macKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(bin(salt)), 3, MAC_ITERATIONS, 32, forge.md.sha256.create());
  const hmac = forge.hmac.create();
  hmac.start(forge.md.sha256.create(), macKey.getBytes());
  hmac.update(safeDer);
  const macData = asn1.create(U, asn1.Type.SEQUENCE, true, [
    asn1.create(U, asn1.Type.SEQUENCE, true, [
      asn1.create(U, asn1.Type.SEQUENCE, true, [oid(pki.oids.sha256!), asn1.create(U, asn1.Type.NULL, false, '')]),
      octets(hmac.digest().getBytes()),
    ]),
    octets(bin(salt)),
    asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(MAC_ITERATIONS).getBytes()),
  ]);

  const pfx = asn1.create(U, asn1.Type.SEQUENCE, true, [
    asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()),
    asn1.create(U, asn1.Type.SEQUENCE, true, [oid(pki.oids.data!), asn1.create(CTX, 0, true, [octets(safeDer)])]),
    macData,
  ]);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}

function certBag(der: Buffer, attrs: forge.asn1.Asn1 | undefined): forge.asn1.Asn1 {
  const value = [
    oid(pki.oids.certBag!),
    asn1.create(CTX, 0, true, [
      asn1.create(U, asn1.Type.SEQUENCE, true, [
        oid(pki.oids.x509Certificate!),
        asn1.create(CTX, 0, true, [octets(bin(der))]),
      ]),
    ]),
  ];
  if (attrs) value.push(attrs);
  return asn1.create(U, asn1.Type.SEQUENCE, true, value);
}

export class P12PasswordError extends Error {}

/**
 * Reads every key and certificate of a PFX. Keys come back as PKCS#8 DER whatever
 * their algorithm (forge only understands RSA, so the raw ASN.1 is re-encoded).
 */
export function readP12(data: Buffer, password: string): P12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1.fromDer(bin(data), false), false, password);
  } catch (e) {
    const msg = (e as Error).message ?? '';
    if (/password|MAC could not be verified|decrypt/i.test(msg)) throw new P12PasswordError('wrong password');
    throw new Error(`not a readable PKCS#12 file (${msg})`);
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
