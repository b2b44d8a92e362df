// Builds verify.html: one self-contained file (script and style inline, no network)
// that every package carries. The core modules it bundles are the ones verify-package
// runs; Node built-ins are replaced by node-shims/. The CSP allows exactly the inline
// script and style by their SHA-256, and nothing else (no fetch, no external file).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const NODE_STUB = here('./node-shims/unavailable.ts');

function singleFile(): Plugin {
  return {
    name: 'auditdesk-verify-page',
    generateBundle(_opts, bundle) {
      const chunks = Object.values(bundle).filter((b) => b.type === 'chunk');
      if (chunks.length !== 1) throw new Error(`the verify page must be one script, got ${chunks.length}`);
      const chunk = chunks[0]!;
      const script = chunk.type === 'chunk' ? chunk.code.replace(/<\/(script)/gi, '<\\/$1') : '';
      const style = readFileSync(here('./page.css'), 'utf8');
      const sri = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
      const csp = [
        "default-src 'none'",
        `script-src ${sri(script)}`,
        `style-src ${sri(style)}`,
        "img-src 'none'",
        "connect-src 'none'",
        "font-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
      ].join('; ');
      const html = readFileSync(here('./page.html'), 'utf8')
        .replace('%CSP%', () => csp)
        .replace('%STYLE%', () => style)
        .replace('%SCRIPT%', () => script);
      for (const name of Object.keys(bundle)) delete bundle[name];
      this.emitFile({ type: 'asset', fileName: 'verify.html', source: html });
    },
  };
}

export default defineConfig({
  root: here('.'),
  logLevel: 'warn',
  resolve: {
    alias: [
      { find: 'node:crypto', replacement: here('./node-shims/crypto.ts') },
      { find: /^node:(fs|path|os|events|string_decoder|stream|url|util|worker_threads|child_process)$/, replacement: NODE_STUB },
    ],
  },
  plugins: [singleFile()],
  build: {
    outDir: here('../../dist/verify-page'),
    emptyOutDir: true,
    minify: true,
    sourcemap: false,
    target: 'es2022',
    modulePreload: false,
    rollupOptions: {
      input: here('./main.ts'),
      output: { format: 'iife', entryFileNames: 'verify.js' },
    },
  },
});
