// The browser-mode door on 127.0.0.1: our page works; other origins, other Host names
// (DNS rebinding), missing secrets, wrong content types and oversize bodies do not.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startStack, type Stack } from './support/stack.js';
import { SECRET_HEADER } from '../../src-main/bridge/http.js';
import type { PageGlobals } from './support/in-page.js';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

describe('browser-mode HTTP bridge', () => {
  let stack: Stack;
  let port: number;
  const json = () => ({ 'content-type': 'application/json', [SECRET_HEADER]: stack.bridge.secret });

  before(async () => {
    stack = await startStack({ open: false });
    port = stack.bridge.port;
  });
  after(async () => stack?.stop());

  test('our own page can call the API through window.auditdesk', async () => {
    await stack.page.goto(stack.bridge.url);
    const reply = (await stack.page.evaluate(() => (globalThis as unknown as PageGlobals).auditdesk!.invoke('status.get', {}))) as { ok: boolean; value?: { frontDoor: string } };
    assert.equal(reply.ok, true);
    assert.equal(reply.value?.frontDoor, 'browser');
    // the launch token is removed from the address bar and the secret from the DOM
    assert.doesNotMatch(stack.page.url(), /launch=/);
    assert.equal(await stack.page.locator('meta[name="auditdesk-secret"]').count(), 0);
  });

  test('the page is served with a strict CSP and no CORS headers', async () => {
    const res = await call(port, new URL(stack.bridge.url).pathname + new URL(stack.bridge.url).search);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  test('the page is refused without the launch token (another local program cannot read the secret)', async () => {
    const res = await call(port, '/');
    assert.equal(res.status, 403);
    assert.doesNotMatch(res.body, new RegExp(stack.bridge.secret));
  });

  test('a request with a foreign Host header is refused (DNS rebinding)', async () => {
    const res = await call(port, '/api/status.get', { method: 'POST', headers: { ...json(), host: 'evil.example:' + port }, body: '{}' });
    assert.equal(res.status, 421);
  });

  test('an API call without the secret is refused', async () => {
    const res = await call(port, '/api/status.get', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 403);
    assert.equal(JSON.parse(res.body).error.code, 'E_FORBIDDEN');
  });

  test('an API call from another origin is refused even with the secret', async () => {
    const res = await call(port, '/api/status.get', { method: 'POST', headers: { ...json(), origin: 'http://localhost:9999' }, body: '{}' });
    assert.equal(res.status, 403);
  });

  test('a cross-site fetch from another page cannot reach the API', async () => {
    const other = await stack.context.newPage();
    await other.goto('about:blank');
    const result = await other.evaluate(async (url) => {
      try {
        const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        return `status ${r.status}`;
      } catch (e) {
        return `blocked: ${(e as Error).message}`;
      }
    }, `${stack.bridge.origin}/api/status.get`);
    await other.close();
    assert.match(result, /blocked|status 403/);
  });

  test('non-JSON bodies, unknown methods and oversize bodies are rejected by name', async () => {
    const form = await call(port, '/api/status.get', { method: 'POST', headers: { ...json(), 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(form.status, 415);
    const unknown = await call(port, '/api/fs.readFile', { method: 'POST', headers: json(), body: '{}' });
    assert.equal(JSON.parse(unknown.body).error.code, 'E_UNKNOWN_METHOD');
    const big = await call(port, '/api/status.get', { method: 'POST', headers: json(), body: JSON.stringify({ x: 'a'.repeat(1_100_000) }) });
    assert.equal(big.status, 413);
    const bad = await call(port, '/api/status.get', { method: 'POST', headers: json(), body: '{not json' });
    assert.equal(JSON.parse(bad.body).error.code, 'E_INPUT');
  });

  test('static paths cannot escape the renderer folder', async () => {
    const res = await call(port, '/../../package.json');
    assert.equal(res.status, 404);
    const enc = await call(port, '/%2e%2e/%2e%2e/package.json');
    assert.equal(enc.status, 404);
  });
});
