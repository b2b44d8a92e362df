export * from './identity.js';
export { formatFingerprint, subjectOf, OID_ED25519 } from './certs.js';
