// SecretStore backed by Electron safeStorage (macOS Keychain, Windows DPAPI, Linux
// libsecret/kwallet). Encrypted blobs live in <dataDir>/secrets.json (mode 0600).
// On Linux without a keyring Electron falls back to 'basic_text' (a key hard-coded in
// Chromium, i.e. effectively plaintext): we refuse it and keep secrets in memory only,
// and the same when encryption is unavailable: a password is never written to disk
// in a form anyone with the file can read.
// safeStorage is passed in (main.ts gives Electron's), so this module loads without
// the Electron binary and is tested with a stand-in.
import type { SafeStorage } from 'electron';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySecretStore, type SecretStore } from '../core/app/secrets.js';
import { writeFileAtomic } from '../core/util/atomic.js';

/** The members of Electron's safeStorage this store uses. */
export type SafeStorageLike = Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'>;

type Blobs = Record<string, string>; // key → base64 ciphertext

export class KeychainSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;
  private readonly path: string;

  constructor(
    dataDir: string,
    private readonly safeStorage: SafeStorageLike,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    this.path = join(dataDir, 'secrets.json');
  }

  private read(): Blobs {
    if (!existsSync(this.path)) return {};
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.path, 'utf8'));
      return parsed && typeof parsed === 'object' ? (parsed as Blobs) : {};
    } catch {
      return {};
    }
  }

  private write(blobs: Blobs): void {
    writeFileAtomic(this.path, JSON.stringify(blobs), 0o600);
  }

  async get(key: string): Promise<string | undefined> {
    const blob = this.read()[key];
    if (blob === undefined) return undefined;
    let decrypted: { result: string; shouldReEncrypt: boolean };
    try {
      decrypted = await this.safeStorage.decryptStringAsync(Buffer.from(blob, 'base64'));
    } catch {
      // The keyring was reset or the file comes from another account: the password is
      // lost, not the app. Treated as "no password saved", so the user is asked again.
      this.warn(`a saved password (${key}) could not be decrypted with this system keychain: enter it again to save it anew.`);
      return undefined;
    }
    // The keychain rotated its key: store the value under the new one.
    if (decrypted.shouldReEncrypt) await this.set(key, decrypted.result);
    return decrypted.result;
  }

  async set(key: string, value: string): Promise<void> {
    const encrypted = await this.safeStorage.encryptStringAsync(value);
    const blobs = this.read();
    blobs[key] = encrypted.toString('base64');
    this.write(blobs);
  }

  async delete(key: string): Promise<void> {
    const blobs = this.read();
    if (!(key in blobs)) return;
    delete blobs[key];
    this.write(blobs);
  }
}

export interface SecretStoreChoice {
  store: SecretStore;
  /** shown to the user when passwords will not survive a restart */
  warning: string | null;
}

/** Call after app 'ready' (the Linux backend is only known then). */
export async function chooseSecretStore(dataDir: string, safeStorage: SafeStorageLike, opts: { platform?: NodeJS.Platform; warn?: (message: string) => void } = {}): Promise<SecretStoreChoice> {
  const platform = opts.platform ?? process.platform;
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    return {
      store: new MemorySecretStore(),
      warning:
        'No system keyring (GNOME Keyring / KWallet) was found, so passwords are kept in memory only and must be re-entered after a restart. Install and unlock a keyring to have them remembered.',
    };
  }
  if (!(await safeStorage.isAsyncEncryptionAvailable())) {
    return {
      store: new MemorySecretStore(),
      warning: 'The system keychain is not available, so passwords are kept in memory only and must be re-entered after a restart.',
    };
  }
  return { store: new KeychainSecretStore(dataDir, safeStorage, opts.warn), warning: null };
}
