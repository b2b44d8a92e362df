import type { Command } from 'commander';
import { action, EXIT_OK } from '../run.js';
import { UserError } from '../../core/util/errors.js';

/** `auditdesk serve`: the app in browser mode (what `npm start` does without Electron). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the workstation UI in browser mode on 127.0.0.1 (local HTTP bridge with a per-launch secret).')
    .option('--port <n>', 'port to listen on (default: a free one)')
    .option('--data-dir <dir>', 'data folder (default: $AUDITDESK_DATA_DIR or ~/.auditdesk)')
    .option('--no-demo', 'do not start the embedded demo tenant when no connection is configured')
    .option('--no-open', 'do not open a Chromium window; just print the URL')
    .action(
      action(async (opts: { port?: string; dataDir?: string; demo: boolean; open: boolean }) => {
        let port: number | undefined;
        if (opts.port !== undefined) {
          port = Number(opts.port);
          if (!Number.isInteger(port) || port < 0 || port > 65535) {
            throw new UserError(`--port ${opts.port} is not a port number.`, 'E_INPUT', 'Use 1-65535, or leave it out for a free port.');
          }
        }
        const { runBrowserModeUntilExit } = await import('../../bridge/browser-mode.js');
        await runBrowserModeUntilExit({ port, dataDir: opts.dataDir, demo: opts.demo, open: opts.open });
        return EXIT_OK;
      }),
    );
}
