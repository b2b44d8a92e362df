// What `npm start` runs after building: the Electron app when an Electron binary is
// installed, otherwise browser mode (same UI, local HTTP bridge, Chromium app window).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBrowserModeUntilExit } from './bridge/browser-mode.js';
import { environment } from './core/util/environment.js';

/** The Electron executable, without triggering electron's download-on-require. */
function electronBinary(): string | null {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const exe = join(override, process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron');
    return existsSync(exe) ? exe : null;
  }
  try {
    const pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    if (!existsSync(join(pkgDir, 'dist')) || !existsSync(pathFile)) return null;
    const exe = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(exe) ? exe : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const settings = environment();
  const electron = settings.browserMode ? null : electronBinary();
  if (electron) {
    const mainJs = join(dirname(fileURLToPath(import.meta.url)), 'electron', 'main.js');
    const child = spawn(electron, [mainJs], { stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  process.stdout.write('No Electron binary installed: starting browser mode.\n');
  await runBrowserModeUntilExit({ port: settings.port });
}

main().catch((e: unknown) => {
  process.stderr.write(`auditdesk: ${(e as Error)?.message ?? String(e)}\n`);
  process.exit(2);
});
