// Handlers for compliance packages and signing identities. Identities live in
// <dataDir>/identities/<fingerprint>.p12 with a .json sidecar (listable without
// the password); p12 passwords go to ctx.secrets (the OS keychain in Electron).
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { engagementPaths } from '../../engagement/paths.js';
import { exportContract } from '../../contract/export.js';
import type { IdentityView } from '../../contract/export.js';
import { previewExport, writePackage } from '../../export/package.js';
import { verifyPackage } from '../../export/verify-package.js';
import { lastPackageOf } from '../../export/last-package.js';
import { createIdentity, importIdentity, listIdentities, loadIdentity, recordIdentity, type IdentityInfo } from '../../identity/index.js';
import { UserError } from '../../util/errors.js';
import { loadOrCreateAuditorKey } from '../../identity/auditor-key.js';
import type { AppContext } from '../context.js';
import type { HandlersFor } from './types.js';

const secretKey = (fingerprint: string) => `identity-password:${fingerprint}`;

export function identityDir(ctx: AppContext): string {
  const dir = join(ctx.dataDir, 'identities');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** The app's identity with this fingerprint (its p12 file), or E_NOT_FOUND. */
export function knownIdentity(ctx: AppContext, fingerprint: string): IdentityInfo & { file: string } {
  const known = listIdentities(identityDir(ctx)).find((i) => i.fingerprint === fingerprint);
  if (!known) throw new UserError(`no identity with fingerprint ${fingerprint}.`, 'E_NOT_FOUND', 'Create or import one first (identity.create / identity.import).');
  return known;
}

async function view(ctx: AppContext, info: IdentityInfo & { file: string }): Promise<IdentityView> {
  return { ...info, passwordStored: (await ctx.secrets.get(secretKey(info.fingerprint))) !== undefined };
}

/** Writes to a temp name, then renames to <fingerprint>.p12 once the fingerprint is known. */
async function keep(ctx: AppContext, make: (out: string) => IdentityInfo, password: string, remember: boolean): Promise<IdentityView> {
  const dir = identityDir(ctx);
  const tmp = join(dir, `.new-${process.pid}-${Date.now()}.p12`);
  const info = make(tmp);
  const file = join(dir, `${info.fingerprint}.p12`);
  renameSync(tmp, file);
  recordIdentity(dir, file, info);
  if (remember) await ctx.secrets.set(secretKey(info.fingerprint), password);
  return view(ctx, { ...info, file });
}

function requireAbsolute(p: string, what: string): void {
  if (!isAbsolute(p)) throw new UserError(`${what} must be an absolute path.`, 'E_INPUT');
}

export const exportHandlers: HandlersFor<typeof exportContract> = {
  'export.preview': async ({ filter, subject }, ctx) => previewExport(ctx.cache(), filter, subject),

  'export.start': async (input, ctx) => {
    requireAbsolute(input.out, 'out');
    if (input.previous) requireAbsolute(input.previous, 'previous');
    const known = knownIdentity(ctx, input.identity);
    const password = input.password ?? (await ctx.secrets.get(secretKey(input.identity)));
    if (!password) throw new UserError('the identity password is needed.', 'E_PASSWORD', 'Enter it once; tick "remember" to keep it in the keychain.');
    const identity = loadIdentity(known.file, password);
    if (input.password && input.remember) await ctx.secrets.set(secretKey(input.identity), input.password);
    const db = ctx.cache();
    // The engagement's exports/ folder is made when the first package goes there.
    if (ctx.engagement && dirname(input.out) === engagementPaths(ctx.engagement.dir).exports) mkdirSync(dirname(input.out), { recursive: true });
    const jobId = ctx.jobs.start('export', async ({ signal, report }) =>
      writePackage({
        db,
        filter: input.filter,
        subject: input.subject,
        identity,
        out: input.out,
        createdAt: input.createdAt,
        neutraliseFormulas: input.neutraliseFormulas,
        appendixCap: input.appendixCap,
        anomalyThreshold: input.anomalyThreshold,
        approvedVersions: input.approvedVersions,
        previous: input.previous,
        auditorKey: loadOrCreateAuditorKey(ctx.dataDir),
        signal,
        onProgress: (p) => report({ phase: p.phase, done: p.done, total: p.total, message: null }),
      }),
    );
    return { jobId };
  },

  'export.lastPackage': async ({ tenant }, ctx) => lastPackageOf(ctx.cache(), tenant),

  'export.verifyPackage': async ({ path, trust }, ctx) => {
    requireAbsolute(path, 'path');
    return verifyPackage(path, { trust, trustedSigners: ctx.appConfig.read().trustedSigners });
  },

  'identity.list': async (_input, ctx) => Promise.all(listIdentities(identityDir(ctx)).map((i) => view(ctx, i))),

  'identity.create': async ({ name, org, email, password, remember }, ctx) => keep(ctx, (out) => createIdentity({ name, org, email, password, out }), password, remember),

  'identity.import': async ({ file, password, remember }, ctx) => {
    requireAbsolute(file, 'file');
    return keep(ctx, (out) => importIdentity(file, { password, out }), password, remember);
  },

  'identity.trusted': async (_input, ctx) => ctx.appConfig.read().trustedSigners,

  'identity.trust': async ({ fingerprint, label }, ctx) =>
    ctx.appConfig.update((c) => {
      c.trustedSigners = [...c.trustedSigners.filter((t) => t.fingerprint !== fingerprint), { fingerprint, label, addedAt: new Date().toISOString() }];
    }).trustedSigners,

  'identity.untrust': async ({ fingerprint }, ctx) =>
    ctx.appConfig.update((c) => {
      c.trustedSigners = c.trustedSigners.filter((t) => t.fingerprint !== fingerprint);
    }).trustedSigners,
};
