// The built renderer's files as both front doors serve them: the HTTP bridge (browser
// mode) and Electron's app:// protocol. One rule for which paths resolve, so a path
// trick refused by one is refused by the other.
import { existsSync, statSync } from 'node:fs';
import { extname, normalize, resolve, sep } from 'node:path';

/** Strict CSP for the renderer: only our own scripts, no inline script, no framing. */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Content types of the renderer's built files (shared with Electron's app:// handler). */
export const RENDERER_MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** A request path resolved inside the renderer folder, or the status to answer instead. */
export type RendererFile = { file: string; contentType: string } | { status: 400 | 404 };

export function rendererFile(rendererDir: string, pathname: string): RendererFile {
  const root = resolve(rendererDir);
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return { status: 400 };
  }
  const rel = normalize(path).replace(/^([/\\])+/, '') || 'index.html';
  const file = resolve(root, rel);
  // normalize() already folds "/../" away; the prefix check is what refuses anything outside.
  if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) return { status: 404 };
  return { file, contentType: RENDERER_MIME[extname(file)] ?? 'application/octet-stream' };
}
