// The browser-mode launch URL sits in Chromium's command line, which every local user
// can read (/proc/PID/cmdline) for as long as the window is open. Its token must be
// spent by the launch: it opens the page once, and only for a short while.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppContext } from '../../src-main/core/app/context.js';
import { startHttpBridge, type HttpBridge } from '../../src-main/bridge/http.js';
import { scratchDir } from '../helpers/scratch.js';

let ctx: AppContext;
let rendererDir: string;
const bridges: HttpBridge[] = [];

before(() => {
  ctx = new AppContext({ dataDir: scratchDir('auditdesk-launch-'), frontDoor: 'test', queryWorkers: 0, log: () => undefined });
  rendererDir = scratchDir('auditdesk-renderer-');
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head><title>AuditDesk</title></head><body></body></html>');
});

after(async () => {
  for (const b of bridges) await b.close();
  ctx.close();
});

async function bridge(launchTokenTtlMs?: number): Promise<HttpBridge> {
  const b = await startHttpBridge({ ctx, rendererDir, ...(launchTokenTtlMs !== undefined ? { launchTokenTtlMs } : {}) });
  bridges.push(b);
  return b;
}

test('a launch URL opens the page once; read again from a command line it is refused and reveals no secret', async () => {
  const b = await bridge();
  const url = b.url;
  const first = await fetch(url);
  assert.equal(first.status, 200);
  assert.match(await first.text(), new RegExp(b.secret));
  const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
  const replay = await fetch(url);
  assert.equal(replay.status, 403);
  assert.doesNotMatch(await replay.text(), new RegExp(b.secret));
  // The browser that launched keeps working through its session cookie (reloads).
  const reload = await fetch(`${b.origin}/`, { headers: { cookie } });
  assert.equal(reload.status, 200);
});

test('an unused launch URL stops working after its short lifetime', async (t) => {
  // The bridge's clock is moved, not waited for: the boundary is tested on both sides.
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const b = await bridge(200);
  const url = b.url;
  const inTime = b.url;
  t.mock.timers.tick(199);
  assert.equal((await fetch(inTime)).status, 200, 'a launch URL opens the app within its lifetime');
  t.mock.timers.tick(2);
  const late = await fetch(url);
  assert.equal(late.status, 403);
  assert.doesNotMatch(await late.text(), new RegExp(b.secret));
  const fresh = await fetch(b.url);
  assert.equal(fresh.status, 200, 'a newly minted launch URL still opens the app');
});

test('a made-up or truncated token opens nothing', async () => {
  const b = await bridge();
  const url = new URL(b.url);
  for (const token of ['x', url.searchParams.get('launch')!.slice(0, -1), '']) {
    const r = await fetch(`${b.origin}/?launch=${encodeURIComponent(token)}`);
    assert.equal(r.status, 403);
  }
});

test('a bundle named by its content hash may be cached; the page with the secret and the API replies may not', async () => {
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'assets', 'index-CIHw7EMe.js'), 'export {};');
  writeFileSync(join(rendererDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const b = await bridge();
  const page = await fetch(b.url);
  assert.equal(page.headers.get('cache-control'), 'no-store');
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const bundle = await fetch(`${b.origin}/assets/index-CIHw7EMe.js`, { headers: { cookie } });
  assert.equal(bundle.status, 200);
  assert.equal(bundle.headers.get('cache-control'), 'private, max-age=31536000, immutable');
  assert.ok(bundle.headers.get('content-security-policy'), 'the bundle keeps its CSP');
  const unhashed = await fetch(`${b.origin}/favicon.svg`, { headers: { cookie } });
  assert.equal(unhashed.headers.get('cache-control'), 'no-store', 'a name without a hash can change meaning');
  const api = await fetch(`${b.origin}/api/status.get`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auditdesk-secret': b.secret }, body: '{}' });
  assert.equal(api.status, 200);
  assert.equal(api.headers.get('cache-control'), 'no-store');
});
