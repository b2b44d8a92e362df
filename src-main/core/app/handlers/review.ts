// Handlers for the audit-trail review (issue 14). A signature's password is always
// typed: it is never read from the keychain, because signing is the signer's act.
import type { reviewContract } from '../../contract/review.js';
import { loadIdentity, type LoadedIdentity } from '../../identity/index.js';
import { existingAuditorKeyId } from '../../identity/auditor-key.js';
import { completeReview, decide, exceptionQueue, journalEntries, toEntryView, verifyJournal } from '../../review/index.js';
import { UserError } from '../../util/errors.js';
import type { AppContext } from '../context.js';
import { knownIdentity } from './export.js';
import type { HandlersFor } from './types.js';

/** Opens the identity for one signature: the named one, else the live session's (needs identity after 15 min idle). */
function signingIdentity(ctx: AppContext, named: string | undefined, password: string): LoadedIdentity {
  const fingerprint = ctx.signingSession.identityFor(named);
  if (!fingerprint) {
    throw new UserError(
      'this signature needs your identity as well as the password (first signature of the session, or 15 minutes idle).',
      'E_IDENTITY_NEEDED',
      'Choose your identity and enter its password.',
    );
  }
  return loadIdentity(knownIdentity(ctx, fingerprint).file, password);
}

export const reviewHandlers: HandlersFor<typeof reviewContract> = {
  'review.queue': async (input, ctx) => exceptionQueue(ctx.cache(), { ...input, auditorKeyId: existingAuditorKeyId(ctx.dataDir) }),

  'review.session': async (_input, ctx) => ctx.signingSession.view(),

  'review.decide': async ({ identity, password, ...input }, ctx) => {
    const id = signingIdentity(ctx, identity, password);
    const decision = decide(ctx.cache(), id, input);
    ctx.signingSession.signed(id.info.fingerprint);
    return decision;
  },

  'review.complete': async ({ identity, password, ...input }, ctx) => {
    const id = signingIdentity(ctx, identity, password);
    const completion = completeReview(ctx.cache(), id, { ...input, auditorKeyId: existingAuditorKeyId(ctx.dataDir) });
    ctx.signingSession.signed(id.info.fingerprint);
    return completion;
  },

  'journal.list': async ({ limit }, ctx) => journalEntries(ctx.cache()).slice(-limit).map(toEntryView),

  'journal.verify': async (_input, ctx) => verifyJournal(journalEntries(ctx.cache())),
};
