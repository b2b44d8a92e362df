// Browser-mode front door: the built renderer plus POST /api/<method> over HTTP on
// 127.0.0.1. Any web page the user opens can send requests to localhost, so every
// API call must prove it comes from our own page:
//  - the server listens on 127.0.0.1 only and checks Host (defeats DNS rebinding);
//  - POSTs need a same-origin Origin and Content-Type application/json (a cross-origin
//    page would need a CORS preflight, which we never grant);
//  - every API request carries a per-launch random secret in a header; the secret is
//    written into the served HTML, which other origins cannot read;
//  - the HTML itself is only served to a browser that opened the launch URL (it holds
//    a launch token, traded for an HttpOnly SameSite=Strict cookie so reloads work),
//    so another local program cannot fetch the page to learn the secret without the URL.
//    A launch token opens the page once and only within LAUNCH_TOKEN_TTL_MS: the URL
//    sits in Chromium's command line (readable by every local user in /proc) for as
//    long as the window is open, so it must be worthless once the launch is done.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppContext } from '../core/app/context.js';
import { dispatch } from '../core/app/dispatch.js';
import { projectRoot } from '../core/util/paths.js';
import { RENDERER_CSP, RENDERER_MIME, rendererFile } from './renderer-files.js';

export const SECRET_HEADER = 'x-auditdesk-secret';
const SESSION_COOKIE = 'auditdesk_session';
const MAX_BODY_BYTES = 1024 * 1024;
/** How long an unused launch URL opens the app. */
export const LAUNCH_TOKEN_TTL_MS = 2 * 60_000;

export { RENDERER_CSP, RENDERER_MIME } from './renderer-files.js';

export interface HttpBridgeOptions {
  ctx: AppContext;
  /** 0 (default) picks a free port */
  port?: number;
  /** folder with the built renderer (index.html); default <project>/dist/renderer */
  rendererDir?: string;
  /** lifetime of an unused launch token (tests shorten it); default LAUNCH_TOKEN_TTL_MS */
  launchTokenTtlMs?: number;
}

export interface HttpBridge {
  /**
   * A launch URL: what the browser opens. Every read mints a new token that opens the
   * page once, within the token's lifetime; reloads then ride on the session cookie.
   */
  readonly url: string;
  /** origin only (http://127.0.0.1:port) */
  origin: string;
  port: number;
  /** the per-launch API secret (tests use it to call the API directly) */
  secret: string;
  close(): Promise<void>;
}

/** Runs in the page before the app: the same `window.auditdesk.invoke` shape the Electron preload exposes. */
const BRIDGE_SCRIPT = `(() => {
  const meta = document.querySelector('meta[name="auditdesk-secret"]');
  const secret = meta ? meta.getAttribute('content') : '';
  if (meta) meta.remove();
  const url = new URL(location.href);
  if (url.searchParams.has('launch')) { url.searchParams.delete('launch'); history.replaceState(null, '', url.pathname + url.search + url.hash); }
  async function invoke(method, input) {
    if (typeof method !== 'string') throw new TypeError('method must be a string');
    let res;
    try {
      res = await fetch('./api/' + encodeURIComponent(method), {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: { 'content-type': 'application/json', '${SECRET_HEADER}': secret },
        body: JSON.stringify(input === undefined ? {} : input),
      });
    } catch (e) {
      return { ok: false, error: { code: 'E_BRIDGE', message: 'The AuditDesk process is not answering: start it again (npm start).' } };
    }
    try { return await res.json(); }
    catch { return { ok: false, error: { code: 'E_BRIDGE', message: 'The AuditDesk process sent an unreadable reply (HTTP ' + res.status + ').' } }; }
  }
  Object.defineProperty(window, 'auditdesk', { value: Object.freeze({ invoke }), writable: false, configurable: false });
})();
`;

export function defaultRendererDir(): string {
  return join(projectRoot(), 'dist', 'renderer');
}

/** Vite's output names: assets/<name>-<8 or more base64url characters of content hash>.<ext> */
const HASHED_ASSET = /^\/assets\/[A-Za-z0-9_.]+-[A-Za-z0-9_-]{8,}\.(js|css|woff2?|svg|png)$/;

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'x-frame-options': 'DENY',
    ...extra,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

function apiError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } });
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startHttpBridge(opts: HttpBridgeOptions): Promise<HttpBridge> {
  const rendererDir = resolve(opts.rendererDir ?? defaultRendererDir());
  const secret = randomBytes(32).toString('base64url');
  const ttlMs = opts.launchTokenTtlMs ?? LAUNCH_TOKEN_TTL_MS;
  /** unused launch tokens → when they stop working */
  const launchTokens = new Map<string, number>();
  const mintLaunchToken = (): string => {
    const token = randomBytes(24).toString('base64url');
    launchTokens.set(token, Date.now() + ttlMs);
    return token;
  };
  /** True once per valid token: the token is spent whether or not it is still fresh. */
  const spendLaunchToken = (given: string | null): boolean => {
    if (given === null) return false;
    for (const [token, expires] of launchTokens) {
      if (Date.now() > expires) launchTokens.delete(token);
      else if (safeEqual(given, token)) {
        launchTokens.delete(token);
        return true;
      }
    }
    return false;
  };
  const sessionToken = randomBytes(32).toString('base64url');
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const indexHtml = (): string | null => {
    const path = join(rendererDir, 'index.html');
    if (!existsSync(path)) return null;
    const html = readFileSync(path, 'utf8');
    // The bridge script must run before the app's module script: inject both right after <head>.
    const inject = `<meta name="auditdesk-secret" content="${secret}"><script src="./auditdesk-bridge.js"></script>`;
    return html.replace(/<head>/i, `<head>${inject}`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = req.headers.host ?? '';
    if (!allowedHosts().has(host)) return send(res, 421, 'wrong host', 'text/plain; charset=utf-8');
    const url = new URL(req.url ?? '/', `http://${host}`);
    const fetchSite = req.headers['sec-fetch-site'];
    const csp = { 'content-security-policy': RENDERER_CSP };

    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return apiError(res, 405, 'E_BRIDGE', 'API calls are POST only.');
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${host}`) return apiError(res, 403, 'E_FORBIDDEN', 'cross-origin request refused.');
      if (fetchSite !== undefined && fetchSite !== 'same-origin') return apiError(res, 403, 'E_FORBIDDEN', 'cross-site request refused.');
      const given = req.headers[SECRET_HEADER];
      if (typeof given !== 'string' || !safeEqual(given, secret)) return apiError(res, 403, 'E_FORBIDDEN', 'missing or wrong API secret: reopen the app from the URL it printed.');
      if (!/^application\/json(\s*;|$)/i.test(req.headers['content-type'] ?? '')) {
        return apiError(res, 415, 'E_INPUT', 'API calls must send Content-Type application/json.');
      }
      const body = await readBody(req);
      if (body === null) return apiError(res, 413, 'E_INPUT', `request body over ${MAX_BODY_BYTES} bytes.`);
      let input: unknown;
      try {
        input = body.trim() === '' ? {} : JSON.parse(body);
      } catch {
        return apiError(res, 400, 'E_INPUT', 'request body is not valid JSON.');
      }
      let method: string;
      try {
        method = decodeURIComponent(url.pathname.slice('/api/'.length));
      } catch {
        return apiError(res, 400, 'E_INPUT', 'bad method name.');
      }
      // dispatch() checks the method against the contract (the allowlist) and validates input.
      const reply = await dispatch(opts.ctx, method, input);
      return sendJson(res, 200, reply);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', 'text/plain; charset=utf-8');
    if (fetchSite === 'cross-site') return send(res, 403, 'cross-site request refused', 'text/plain; charset=utf-8');

    if (url.pathname === '/auditdesk-bridge.js') return send(res, 200, BRIDGE_SCRIPT, RENDERER_MIME['.js']!, csp);

    if (url.pathname === '/' || url.pathname === '/index.html') {
      const hasLaunch = spendLaunchToken(url.searchParams.get('launch'));
      const cookie = cookieValue(req, SESSION_COOKIE);
      const hasSession = cookie !== undefined && safeEqual(cookie, sessionToken);
      if (!hasLaunch && !hasSession) {
        return send(res, 403, 'Open AuditDesk from the URL it printed at start (it holds the launch token).', 'text/plain; charset=utf-8');
      }
      const html = indexHtml();
      if (html === null) {
        return send(res, 500, `The renderer is not built (${rendererDir}/index.html missing): run npm run build.`, 'text/plain; charset=utf-8');
      }
      const extra: Record<string, string> = { ...csp };
      if (hasLaunch) extra['set-cookie'] = `${SESSION_COOKIE}=${sessionToken}; HttpOnly; SameSite=Strict; Path=/`;
      return send(res, 200, html, RENDERER_MIME['.html']!, extra);
    }

    // Static assets: only files inside the renderer folder, no directory listings.
    const asset = rendererFile(rendererDir, url.pathname);
    if ('status' in asset) return send(res, asset.status, asset.status === 400 ? 'bad path' : 'not found', 'text/plain; charset=utf-8');
    // A build names its bundles by content hash, so a name never changes meaning: let the
    // browser keep them (and its compiled code) across reloads. Everything else, the page
    // that carries the secret and every API reply with tenant data, stays no-store.
    const immutable: Record<string, string> = HASHED_ASSET.test(url.pathname) ? { 'cache-control': 'private, max-age=31536000, immutable' } : {};
    return send(res, 200, readFileSync(asset.file), asset.contentType, { ...csp, ...immutable });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      opts.ctx.log('error', `http bridge: ${(e as Error)?.message ?? String(e)}`);
      if (!res.headersSent) apiError(res, 500, 'E_INTERNAL', 'internal error in the HTTP bridge.');
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 120_000;

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('HTTP bridge did not get a TCP address');
  port = address.port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    get url() {
      return `${origin}/?launch=${mintLaunchToken()}`;
    },
    origin,
    port,
    secret,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
