// Where connection passwords and p12 passphrases live. Electron supplies a store
// backed by safeStorage (the OS keychain); elsewhere secrets stay in memory for the
// life of the process and are never written to disk, logs or exports.
export interface SecretStore {
  /** "keychain" when secrets survive a restart, "memory" when they do not. */
  readonly kind: 'keychain' | 'memory';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  private values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}
