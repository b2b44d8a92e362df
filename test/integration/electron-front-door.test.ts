// The Electron front door without the Electron binary (it cannot be downloaded here):
// the IPC handler, window settings and guards, the app:// file server, the preload and
// the keychain store are plain modules, run here against a real AppContext on a real
// SQLite cache. Only Electron's own objects (ipcRenderer, contextBridge, safeStorage,
// WebContents, Session) are stand-ins: they are the missing binary, not our code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import vm from 'node:vm';
import { AppContext } from '../../src-main/core/app/context.js';
import { MemorySecretStore } from '../../src-main/core/app/secrets.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import { RENDERER_CSP, SECRET_HEADER, startHttpBridge, type HttpBridge } from '../../src-main/bridge/http.js';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { APP_ORIGIN, APP_START_URL, isAppUrl, serveRenderer } from '../../src-main/electron/app-protocol.js';
import { INVOKE_CHANNEL, createInvokeHandler, type InvokeEvent } from '../../src-main/electron/ipc.js';
import { guardContents, guardSession, navigationAllowed, preloadPath, windowOptions } from '../../src-main/electron/window-options.js';
import { KeychainSecretStore, chooseSecretStore, type SafeStorageLike } from '../../src-main/electron/keychain.js';

const appFrame = (path = '/index.html#/timeline'): InvokeEvent => ({ senderFrame: { url: `${APP_ORIGIN}${path}` } });

function postJson(bridge: HttpBridge, method: string, input: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(input);
    const req = request(
      {
        host: '127.0.0.1',
        port: bridge.port,
        path: `/api/${method}`,
        method: 'POST',
        headers: { host: `127.0.0.1:${bridge.port}`, 'content-type': 'application/json', [SECRET_HEADER]: bridge.secret },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// What the renderer receives: Electron sends the reply by structured clone, the bridge as JSON.
const asReceived = (reply: unknown) => JSON.parse(JSON.stringify(structuredClone(reply))) as { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } };

test('only main.js and the preload load electron at run time: the rest of the door runs without the binary', () => {
  const dir = dirname(preloadPath());
  const loaders = readdirSync(dir)
    .filter((f) => /\.c?js$/.test(f))
    .filter((f) => /\brequire\(\s*["']electron["']\s*\)|\bfrom\s*["']electron["']|import\(\s*["']electron["']\s*\)/.test(readFileSync(join(dir, f), 'utf8')));
  assert.deepEqual(loaders.sort(), ['main.js', 'preload.cjs']);
});

describe('Electron IPC handler over a real cache', () => {
  let dir: string;
  let ctx: AppContext;
  let bridge: HttpBridge;
  let handler: ReturnType<typeof createInvokeHandler>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auditdesk-electron-'));
    const f = new CacheFixture(join(dir, 'cache.sqlite'));
    fillDemoLike(f, 'acme-pharma', 120, { conversations: 30 });
    f.close();
    ctx = new AppContext({ dataDir: join(dir, 'data'), frontDoor: 'electron', cachePath: join(dir, 'cache.sqlite'), queryWorkers: 1, log: () => undefined });
    handler = createInvokeHandler(ctx);
    bridge = await startHttpBridge({ ctx, rendererDir: dir });
  });
  after(async () => {
    await bridge?.close();
    ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a call from the app:// page reaches dispatch and answers what the HTTP bridge answers', async () => {
    const ipcStatus = asReceived(await handler(appFrame(), 'status.get', {}));
    const httpStatus = asReceived(await postJson(bridge, 'status.get', {}));
    assert.equal(ipcStatus.ok, true);
    assert.equal(ipcStatus.value!.frontDoor, 'electron');
    delete ipcStatus.value!.checkedAt;
    delete httpStatus.value!.checkedAt;
    assert.deepEqual(ipcStatus, httpStatus);

    const input = { filter: { kind: 'all', tenant: ['acme-pharma'] }, limit: 50 };
    const ipcPage = asReceived(await handler(appFrame(), 'records.query', input));
    assert.equal(ipcPage.ok, true);
    assert.equal((ipcPage.value!.rows as unknown[]).length, 50);
    assert.deepEqual(ipcPage, asReceived(await postJson(bridge, 'records.query', input)));
    const count = asReceived(await handler(appFrame(), 'records.count', { filter: { kind: 'all' } }));
    assert.deepEqual({ total: count.value!.total, events: count.value!.events, conversations: count.value!.conversations }, { total: 150, events: 120, conversations: 30 });
  });

  test('calls from any other frame are refused before dispatch', async () => {
    for (const [i, event] of [
      { senderFrame: { url: 'https://evil.example/index.html' } },
      { senderFrame: { url: 'file:///home/user/index.html' } },
      { senderFrame: { url: 'app://evil/index.html' } },
      { senderFrame: { url: 'http://127.0.0.1:5173/' } },
      { senderFrame: { url: 'not a url' } },
      { senderFrame: null },
      {},
      {
        get senderFrame(): { url: string } {
          throw new Error('Render frame was disposed');
        },
      },
    ].entries() as IterableIterator<[number, InvokeEvent]>) {
      const reply = asReceived(await handler(event, 'status.get', {}));
      assert.equal(reply.ok, false);
      assert.equal(reply.error!.code, 'E_FORBIDDEN', `caller #${i}`);
    }
  });

  test('unknown methods and invalid input get the contract’s errors', async () => {
    const unknown = asReceived(await handler(appFrame(), 'fs.readFile', { path: '/etc/passwd' }));
    assert.equal(unknown.error!.code, 'E_UNKNOWN_METHOD');
    const bad = asReceived(await handler(appFrame(), 'records.query', { limit: 100_000 }));
    assert.equal(bad.error!.code, 'E_INPUT');
    assert.match(bad.error!.message, /records\.query: limit/);
    const extra = asReceived(await handler(appFrame(), 'records.query', { filter: { kind: 'all' }, sql: 'DROP TABLE records' }));
    assert.equal(extra.error!.code, 'E_INPUT');
    // the same refusals as the HTTP bridge gives
    assert.deepEqual(bad, asReceived(await postJson(bridge, 'records.query', { limit: 100_000 })));
  });
});

describe('Electron window settings and guards', () => {
  test('the renderer runs isolated and sandboxed, with the compiled preload', () => {
    const prefs = windowOptions().webPreferences!;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.preload, preloadPath());
    assert.ok(existsSync(prefs.preload!), `${prefs.preload} is in the build`);
    assert.match(prefs.preload!, /preload\.cjs$/);
  });

  test('navigation stays on app://auditdesk', () => {
    assert.equal(navigationAllowed(APP_START_URL), true);
    assert.equal(navigationAllowed(`${APP_ORIGIN}/index.html#/integrity`), true);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://evil/index.html', 'http://auditdesk/', 'javascript:alert(1)', 'data:text/html,x', '']) {
      assert.equal(navigationAllowed(url), false, url);
    }
  });

  test('the guards prevent foreign navigation and webviews, deny new windows and refuse every permission', () => {
    class Contents extends EventEmitter {
      openHandler: ((d: { url: string }) => { action: string }) | undefined;
      setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }) {
        this.openHandler = h;
      }
    }
    const contents = new Contents();
    guardContents(contents);
    const navigate = (name: string, url?: string) => {
      let prevented = false;
      contents.emit(name, { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    assert.equal(navigate('will-navigate', 'https://evil.example/phish'), true);
    assert.equal(navigate('will-navigate', 'file:///etc/passwd'), true);
    assert.equal(navigate('will-redirect', 'https://evil.example/'), true);
    assert.equal(navigate('will-navigate', `${APP_ORIGIN}/index.html`), false);
    assert.equal(navigate('will-attach-webview'), true);
    assert.deepEqual(contents.openHandler!({ url: `${APP_ORIGIN}/index.html` }), { action: 'deny' });
    assert.deepEqual(contents.openHandler!({ url: 'https://evil.example/' }), { action: 'deny' });

    let request: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | undefined;
    let check: ((wc: unknown, permission: string) => boolean) | undefined;
    guardSession({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fileSystem']) {
      let granted: boolean | undefined;
      request!(null, permission, (g) => (granted = g));
      assert.equal(granted, false, permission);
      assert.equal(check!(null, permission), false, permission);
    }
  });
});

describe('app:// renderer file server', () => {
  let root: string;
  let rendererDir: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'auditdesk-app-proto-'));
    rendererDir = join(root, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>AuditDesk</title>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'export {};');
    writeFileSync(join(root, 'secret.txt'), 'outside the renderer');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const get = (url: string, method = 'GET') => serveRenderer(rendererDir, new Request(url, { method }));

  test('serves index.html and assets with the renderer CSP', async () => {
    for (const url of [`${APP_ORIGIN}/index.html`, `${APP_ORIGIN}/`]) {
      const res = get(url);
      assert.equal(res.status, 200, url);
      assert.equal(res.headers.get('content-security-policy'), RENDERER_CSP);
      assert.match(res.headers.get('content-type')!, /^text\/html/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.match(await res.text(), /<title>AuditDesk/);
    }
    const js = get(`${APP_ORIGIN}/assets/app.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type')!, /^text\/javascript/);
    assert.equal(js.headers.get('content-security-policy'), RENDERER_CSP);
  });

  test('refuses paths out of the renderer folder, other hosts and schemes, and non-GET methods', async () => {
    for (const path of ['/..%2fsecret.txt', '/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/assets', '/missing.js']) {
      const res = get(`${APP_ORIGIN}${path}`);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /outside the renderer/);
    }
    assert.equal(get(`${APP_ORIGIN}/%E0%A4%A`).status, 400);
    assert.equal(get('app://evil/index.html').status, 404);
    assert.equal(get('https://auditdesk/index.html').status, 404);
    assert.equal(get(`${APP_ORIGIN}/index.html`, 'POST').status, 405);
    assert.equal(isAppUrl(`${APP_ORIGIN}/index.html`), true);
  });

  test('the browser-mode bridge answers the same paths the same way (one rule for both front doors)', async () => {
    const ctx = new AppContext({ dataDir: join(root, 'data'), frontDoor: 'browser', cachePath: join(root, 'cache.sqlite'), queryWorkers: 0, log: () => undefined });
    const bridge = await startHttpBridge({ ctx, rendererDir });
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: bridge.port, path, headers: { host: `127.0.0.1:${bridge.port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    try {
      for (const path of ['/assets/app.js', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/assets', '/missing.js', '/%E0%A4%A']) {
        assert.equal(await status(path), get(`${APP_ORIGIN}${path}`).status, path);
      }
    } finally {
      await bridge.close();
      ctx.close();
    }
  });
});

describe('preload', () => {
  interface Stub {
    exposed: Map<string, unknown>;
    sent: unknown[][];
    other: string[];
  }
  function loadPreload(): Stub & { api: { invoke(method: unknown, input: unknown): Promise<unknown> } } {
    const stub: Stub = { exposed: new Map(), sent: [], other: [] };
    const ipcRenderer = new Proxy(
      { invoke: (...args: unknown[]) => (stub.sent.push(args), Promise.resolve({ ok: true, value: 'from main' })) },
      { get: (t, k) => (k === 'invoke' ? t.invoke : (stub.other.push(String(k)), () => undefined)) },
    );
    const contextBridge = { exposeInMainWorld: (key: string, value: unknown) => stub.exposed.set(key, value) };
    const required: string[] = [];
    const module = { exports: {} };
    const sandbox = {
      module,
      exports: module.exports,
      require: (name: string) => {
        required.push(name);
        if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
        return { ipcRenderer, contextBridge };
      },
      Promise,
    };
    vm.runInNewContext(readFileSync(preloadPath(), 'utf8'), sandbox, { filename: preloadPath() });
    assert.deepEqual(required, ['electron']);
    return { ...stub, api: stub.exposed.get('auditdesk') as never };
  }

  test('exposes window.auditdesk with invoke(method, input) only, forwarded over one channel', async () => {
    const p = loadPreload();
    assert.deepEqual([...p.exposed.keys()], ['auditdesk'], 'one global for the page');
    assert.deepEqual(Object.keys(p.api), ['invoke'], 'the shape src-renderer/global.d.ts declares (AuditDeskHost)');
    assert.equal(typeof p.api.invoke, 'function');
    const input = { filter: { kind: 'all' }, limit: 5 };
    assert.deepEqual(await p.api.invoke('records.query', input), { ok: true, value: 'from main' });
    assert.deepEqual(p.sent, [[INVOKE_CHANNEL, 'records.query', input]]);
    assert.deepEqual(p.other, [], 'nothing but ipcRenderer.invoke is touched');
  });

  test('a non-string or oversized method name never reaches the main process', async () => {
    const p = loadPreload();
    for (const bad of [42, null, { toString: () => 'status.get' }, 'x'.repeat(101)]) {
      const reply = (await p.api.invoke(bad, {})) as { ok: boolean; error: { code: string } };
      assert.equal(reply.ok, false);
      assert.equal(reply.error.code, 'E_UNKNOWN_METHOD');
    }
    assert.deepEqual(p.sent, []);
    // the exposed function hands the page nothing of ipcRenderer: only the reply
    assert.equal(Object.getOwnPropertyNames(p.api).length, 1);
  });
});

describe('keychain secret store', () => {
  // A stand-in for safeStorage: real AES-GCM under a key only this process knows,
  // as the OS keychain would hold it.
  function fakeSafeStorage(opts: { available?: boolean; backend?: ReturnType<SafeStorageLike['getSelectedStorageBackend']>; rotate?: boolean } = {}) {
    const key = randomBytes(32);
    let encrypts = 0;
    const storage: SafeStorageLike = {
      isAsyncEncryptionAvailable: async () => opts.available ?? true,
      getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
      encryptStringAsync: async (plain: string) => {
        encrypts++;
        const iv = randomBytes(12);
        const c = createCipheriv('aes-256-gcm', key, iv);
        const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
        return Buffer.concat([iv, c.getAuthTag(), body]);
      },
      decryptStringAsync: async (blob: Buffer) => {
        const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
        d.setAuthTag(blob.subarray(12, 28));
        const result = Buffer.concat([d.update(blob.subarray(28)), d.final()]).toString('utf8');
        return { result, shouldReEncrypt: opts.rotate ?? false };
      },
    };
    return { storage, encrypts: () => encrypts };
  }
  const PASSWORD = 'pässwörd-Ω-7f3c9';
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'auditdesk-keychain-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** What the Connections screen learns about the store from status.get. */
  async function statusSecrets(data: string, choice: Awaited<ReturnType<typeof chooseSecretStore>>) {
    const ctx = new AppContext({ dataDir: data, frontDoor: 'electron', secrets: choice.store, secretsNote: choice.warning, queryWorkers: 0, log: () => undefined });
    try {
      const reply = (await dispatch(ctx, 'status.get', {})) as { ok: boolean; value?: { secrets: unknown } };
      return reply.value?.secrets;
    } finally {
      ctx.close();
    }
  }

  test('a saved password round-trips and is on disk only encrypted, in a file only the user can read', async () => {
    const data = mkdtempSync(join(dir, 'ok-'));
    const { storage } = fakeSafeStorage();
    const choice = await chooseSecretStore(data, storage, { platform: 'linux' });
    assert.equal(choice.warning, null);
    assert.equal(choice.store.kind, 'keychain');
    assert.deepEqual(await statusSecrets(data, choice), { store: 'keychain', note: null });
    await choice.store.set('connection:demo', PASSWORD);
    const file = join(data, 'secrets.json');
    const raw = readFileSync(file);
    for (const form of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(PASSWORD).toString('hex')]) {
      assert.equal(raw.includes(form), false, `plaintext (${form.slice(0, 8)}…) in secrets.json`);
    }
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
    // a new store on the same folder (the next launch) reads it back
    const again = new KeychainSecretStore(data, storage);
    assert.equal(await again.get('connection:demo'), PASSWORD);
    await again.delete('connection:demo');
    assert.equal(await choice.store.get('connection:demo'), undefined);
  });

  test('without a usable keychain passwords stay in memory only, nothing is written, and the app says so', async () => {
    for (const [label, opts, platform] of [
      ['encryption unavailable', { available: false }, 'darwin'],
      ['Linux basic_text fallback', { backend: 'basic_text' as const }, 'linux'],
    ] as const) {
      const data = mkdtempSync(join(dir, 'mem-'));
      const { storage, encrypts } = fakeSafeStorage(opts);
      const choice = await chooseSecretStore(data, storage, { platform });
      assert.ok(choice.store instanceof MemorySecretStore, label);
      assert.equal(choice.store.kind, 'memory');
      assert.match(choice.warning ?? '', /kept in memory only and must be re-entered after a restart/, label);
      // the status the Connections screen shows beside the password field carries the reason
      assert.deepEqual(await statusSecrets(data, choice), { store: 'memory', note: choice.warning }, label);
      await choice.store.set('connection:demo', PASSWORD);
      assert.equal(await choice.store.get('connection:demo'), PASSWORD);
      assert.equal(existsSync(join(data, 'secrets.json')), false, label);
      assert.equal(encrypts(), 0, label);
    }
  });

  test('a blob this keychain cannot decrypt reads as "no password saved", with a warning, not an error', async () => {
    const data = mkdtempSync(join(dir, 'lost-'));
    const warnings: string[] = [];
    await new KeychainSecretStore(data, fakeSafeStorage().storage).set('connection:demo', PASSWORD);
    // another keychain (reset keyring, copied profile) opens the same file
    const other = new KeychainSecretStore(data, fakeSafeStorage().storage, (m) => warnings.push(m));
    assert.equal(await other.get('connection:demo'), undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /could not be decrypted.*enter it again/);
    assert.doesNotMatch(warnings[0]!, new RegExp(PASSWORD));
  });

  test('a value the keychain asks to re-encrypt (rotated key) is stored again', async () => {
    const data = mkdtempSync(join(dir, 'rotate-'));
    const { storage, encrypts } = fakeSafeStorage({ rotate: true });
    const store = new KeychainSecretStore(data, storage);
    await store.set('connection:demo', PASSWORD);
    const before = readFileSync(join(data, 'secrets.json'), 'utf8');
    assert.equal(await store.get('connection:demo'), PASSWORD);
    assert.equal(encrypts(), 2);
    assert.notEqual(readFileSync(join(data, 'secrets.json'), 'utf8'), before);
  });
});
