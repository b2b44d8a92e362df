// The app:// origin the Electron window loads the renderer from, and the file server
// behind it. Plain Node (no 'electron' import), so it is tested without the binary;
// main.ts hands serveRenderer to protocol.handle.
import { readFileSync } from 'node:fs';
import { RENDERER_CSP, rendererFile } from '../bridge/renderer-files.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'auditdesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** standard: relative URLs and 'self' work as for https; secure: no mixed-content downgrade. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const;

/**
 * Node's URL gives every non-special scheme the origin "null" (Chromium knows app: is
 * standard, Node does not), so comparing `.origin` would refuse our own page: compare
 * scheme and host instead.
 */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } });
}

/** The protocol.handle callback: files of the built renderer only, each with the renderer's CSP. */
export function serveRenderer(rendererDir: string, request: Request): Response {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return plain(400, 'bad request');
  }
  if (!isAppUrl(request.url)) return plain(404, 'not found');
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
  const asset = rendererFile(rendererDir, url.pathname);
  if ('status' in asset) return plain(asset.status, asset.status === 400 ? 'bad path' : 'not found');
  return new Response(readFileSync(asset.file), {
    headers: {
      'content-type': asset.contentType,
      'content-security-policy': RENDERER_CSP,
      'x-content-type-options': 'nosniff',
    },
  });
}
