// Engagements: the list the app knows, opening one (the context closes the old cache,
// workers and profiles), renaming, taking one off the list, and archiving a folder.
import { basename, dirname, join } from 'node:path';
import type { EngagementView, engagementsContract } from '../../contract/engagements.js';
import type { AppContext } from '../context.js';
import { readEngagementMeta, type EngagementMeta } from '../../engagement/meta.js';
import { createEngagementFolder, freeFolderFor, renameEngagement } from '../../engagement/registry.js';
import { engagementPaths } from '../../engagement/paths.js';
import { glanceAt } from '../../engagement/glance.js';
import { existingAuditorKeyId } from '../../identity/auditor-key.js';
import { archiveFolder } from '../../engagement/archive.js';
import { defaultExportPath } from '../../engagement/export-name.js';
import { UserError, isUserError } from '../../util/errors.js';
import type { HandlersFor } from './types.js';

/** `ownKeyId`: the data folder's auditor key id, read once by a caller that views many engagements. */
function viewOf(ctx: AppContext, dir: string, ownKeyId: string | null = existingAuditorKeyId(ctx.dataDir)): EngagementView {
  const open = ctx.engagement?.dir === dir;
  let meta: EngagementMeta;
  try {
    meta = readEngagementMeta(dir);
  } catch (e) {
    const problem = isUserError(e) ? e.message : (e as Error).message;
    return { dir, name: dir, client: '', purpose: '', createdBy: '', createdAt: '', periodFrom: null, periodTo: null, demo: false, open, problem, lastSyncAt: null, sources: [], verdict: null };
  }
  const glance = glanceAt(engagementPaths(dir).cache, ownKeyId);
  return {
    dir,
    name: meta.name,
    client: meta.client,
    purpose: meta.purpose,
    createdBy: meta.createdBy,
    createdAt: meta.createdAt,
    periodFrom: meta.periodFrom,
    periodTo: meta.periodTo,
    demo: meta.demo ?? false,
    open,
    problem: glance.problem,
    lastSyncAt: glance.lastSyncAt,
    sources: glance.sources,
    verdict: glance.verdict,
  };
}

function openEngagementOf(ctx: AppContext) {
  const open = ctx.engagement;
  if (!open) throw new UserError('this session works on a single cache file, not an engagement.', 'E_ENGAGEMENT', 'Start the app without --cache to work with engagements.');
  return open;
}

export const engagementsHandlers: HandlersFor<typeof engagementsContract> = {
  'engagements.list': async (_input, ctx) => {
    const ownKeyId = existingAuditorKeyId(ctx.dataDir);
    return { engagements: ctx.engagements.read().engagements.map((dir) => viewOf(ctx, dir, ownKeyId)), notices: [...ctx.notices] };
  },

  'engagements.create': async ({ dir, open, ...details }, ctx) => {
    const target = dir ?? freeFolderFor(ctx.engagements.defaultParent(), details.name);
    const created = createEngagementFolder(target, { ...details, createdAt: new Date().toISOString() });
    ctx.engagements.remember(created.dir);
    if (open ?? true) ctx.openEngagement(created.dir);
    return viewOf(ctx, created.dir);
  },

  'engagements.open': async ({ dir }, ctx) => viewOf(ctx, ctx.openEngagement(dir).dir),

  'engagements.rename': async ({ dir, name, client }, ctx) => {
    const abs = engagementPaths(dir).dir;
    renameEngagement(abs, { name, client });
    if (ctx.engagement?.dir === abs) ctx.refreshEngagementMeta();
    return viewOf(ctx, abs);
  },

  'engagements.close': async ({ dir }, ctx) => {
    const abs = engagementPaths(dir).dir;
    if (ctx.engagement?.dir === abs) {
      throw new UserError('this engagement is open.', 'E_ENGAGEMENT_OPEN', 'Open another engagement first, then close this one.');
    }
    return { closed: ctx.engagements.forget(abs) };
  },

  'engagements.archive': async ({ dir, out }, ctx) => {
    const abs = engagementPaths(dir).dir;
    readEngagementMeta(abs); // refuse a folder that is not an engagement
    if (ctx.engagement?.dir === abs) {
      if (ctx.jobs.list().some((j) => j.state === 'running')) {
        throw new UserError('a sync, verification or export is still running in this engagement.', 'E_BUSY', 'Archive it when the job has finished.');
      }
      // Fold the write-ahead log into the cache file, so the archive holds every committed row.
      ctx.cache().pragma('wal_checkpoint(TRUNCATE)');
    }
    const target = out ?? join(dirname(abs), `${basename(abs)}-${new Date().toISOString().slice(0, 10)}.zip`);
    return archiveFolder(abs, target);
  },

  'engagements.defaultExportPath': async ({ tenant }, ctx) => {
    const open = openEngagementOf(ctx);
    return { path: defaultExportPath(open.dir, open.meta, tenant) };
  },
};
