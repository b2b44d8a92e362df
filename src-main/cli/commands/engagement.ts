// `auditdesk engagement create|list|archive`: the engagement folders the app lists, from
// a terminal. create adds the folder to the data folder's list, so the app shows it.
// The cache reader and the ZIP writer are imported when a command needs them, as the
// other commands do: every `auditdesk` start would load SQLite, pg and yazl otherwise.
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { readEngagementMeta } from '../../core/engagement/meta.js';
import { EngagementRegistry, createEngagementFolder, freeFolderFor } from '../../core/engagement/registry.js';
import { engagementPaths } from '../../core/engagement/paths.js';
import type { EngagementGlance } from '../../core/engagement/glance.js';
import { isUserError } from '../../core/util/errors.js';
import { printable } from '../../core/util/printable.js';
import { action, dataDirOf, EXIT_OK } from '../run.js';

interface CreateFlags {
  name: string;
  client?: string;
  purpose?: string;
  createdBy?: string;
  periodFrom?: string;
  periodTo?: string;
  dir?: string;
  dataDir?: string;
  json?: boolean;
}

const DATA_DIR_HELP = 'data folder whose list of engagements the app shows: default $AUDITDESK_DATA_DIR or ~/.auditdesk';

/** The latest verdict as `engagement list` prints it: never "intact" over damage found since. */
function verdictWords(v: EngagementGlance['verdict']): string {
  if (!v) return 'never verified';
  if (v.cacheDamaged) return `cache damaged: the verdict of ${v.checkedAt} no longer applies (auditdesk verify --engagement DIR names the rows)`;
  const source = v.source ? `, ${v.source.label} ${v.source.fingerprint.slice(0, 12)}…` : '';
  const limits = v.intact && v.limited ? ', with limits: verify --engagement DIR names what it could not see' : '';
  const said = `${v.intact ? (v.limited ? 'intact, with limits' : 'intact') : 'NOT intact'} (${v.checkedAt}${source}${limits})`;
  if (!v.notCheckedHere) return said;
  // Not this auditor's check: it leads, so "intact" never opens the line.
  const whose = `${v.notCheckedHere.words}: verify --engagement DIR gives your own`;
  return v.intact ? `not checked here: says ${said}; ${whose}` : `${said}; not checked here, ${whose}`;
}

export function registerEngagement(program: Command): void {
  const eng = program.command('engagement').description('Create, list or archive engagements: one folder per client investigation (details, profiles, cache, exports).');

  eng
    .command('create')
    .description('Create an empty engagement folder and add it to the list the app shows.')
    .requiredOption('--name <name>', 'what the investigation is called, e.g. "Acme Q1 2026 review"')
    .option('--client <name>', 'the client')
    .option('--purpose <text>', 'why the investigation exists')
    .option('--created-by <name>', 'who opened it')
    .option('--period-from <YYYY-MM-DD>', 'first day of the period under review')
    .option('--period-to <YYYY-MM-DD>', 'last day of the period under review')
    .option('--dir <dir>', 'the new folder (default: <data-dir>/engagements/<name>)')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print the engagement as JSON')
    .action(
      action(async (flags: CreateFlags) => {
        const registry = new EngagementRegistry(dataDirOf(flags.dataDir));
        const target = flags.dir ? resolve(flags.dir) : freeFolderFor(registry.defaultParent(), flags.name);
        const { dir, meta } = createEngagementFolder(target, {
          name: flags.name,
          client: flags.client,
          purpose: flags.purpose,
          createdBy: flags.createdBy,
          createdAt: new Date().toISOString(),
          periodFrom: flags.periodFrom ?? null,
          periodTo: flags.periodTo ?? null,
        });
        registry.remember(dir);
        process.stdout.write(
          flags.json ? `${JSON.stringify({ dir, ...meta }, null, 2)}\n` : `created engagement "${meta.name}" in ${dir}\n  sync into it: auditdesk sync --engagement ${dir} --source URL\n`,
        );
        return EXIT_OK;
      }),
    );

  eng
    .command('list')
    .description('List the engagements the app knows: name, client, folder, last sync and latest verdict (with its source).')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print the list as JSON')
    .action(
      action(async (flags: { dataDir?: string; json?: boolean }) => {
        const { glanceAt } = await import('../../core/engagement/glance.js');
        const { existingAuditorKeyId } = await import('../../core/identity/auditor-key.js');
        const dataDir = dataDirOf(flags.dataDir);
        const registry = new EngagementRegistry(dataDir);
        const ownKeyId = existingAuditorKeyId(dataDir);
        const rows = registry.read().engagements.map((dir) => {
          try {
            return { dir, ...readEngagementMeta(dir), ...glanceAt(engagementPaths(dir).cache, ownKeyId) };
          } catch (e) {
            return { dir, problem: isUserError(e) ? e.message : (e as Error).message };
          }
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return EXIT_OK;
        }
        for (const r of rows) {
          // Names, times and labels come from each folder's files, which whoever handed it over wrote.
          if (!('name' in r)) {
            process.stdout.write(`${printable(r.dir)}\n  ${printable(r.problem)}\n`);
            continue;
          }
          // A file that cannot be read says nothing of its syncs or verdicts, not even "never".
          const state = r.problem ? `cache cannot be read: ${r.problem}` : `last sync ${r.lastSyncAt ?? 'never'} · ${verdictWords(r.verdict)}`;
          const lines = [`${r.name}${r.client ? ` · ${r.client}` : ''}`, `  ${r.dir}`, `  ${state}`];
          process.stdout.write(`${lines.map(printable).join('\n')}\n`);
        }
        return EXIT_OK;
      }),
    );

  eng
    .command('archive')
    .description('Write the whole engagement folder as one ZIP (never over an existing file), to hand the investigation over.')
    .argument('<dir>', 'the engagement folder')
    .option('--out <file.zip>', 'the archive (default: beside the folder, <folder>-<date>.zip)')
    .action(
      action(async (dir: string, flags: { out?: string }) => {
        const { archiveFolder, foldCacheLog } = await import('../../core/engagement/archive.js');
        const abs = engagementPaths(dir).dir;
        readEngagementMeta(abs);
        await foldCacheLog(engagementPaths(abs).cache);
        const out = resolve(flags.out ?? join(dirname(abs), `${basename(abs)}-${new Date().toISOString().slice(0, 10)}.zip`));
        const r = await archiveFolder(abs, out);
        process.stdout.write(`wrote ${r.out} (${r.files} files, ${r.bytes} bytes)\n`);
        return EXIT_OK;
      }),
    );
}
