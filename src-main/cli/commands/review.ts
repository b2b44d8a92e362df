// `auditdesk review list|decide|complete` and `auditdesk journal verify|list`: the
// audit-trail review from the command line (issue 14). The CLI has no signing session:
// every signature names the identity file and takes its password from
// AUDITDESK_P12_PASSWORD or --password-stdin, never from a flag.
// Exit codes: 0 ok · 1 findings (open exceptions for list, a broken or empty journal
// for verify) · 2 error (one line on stderr).
import type { Command } from 'commander';
import { DISPOSITIONS, EXCEPTION_KINDS, SIGNATURE_MEANINGS, type Disposition, type ExceptionItem, type ExceptionKind, type SignatureMeaning } from '../../core/contract/review.js';
import { UserError } from '../../core/util/errors.js';
import { printable } from '../../core/util/printable.js';
import { cacheFileOf, type CacheTargetFlags } from '../cache-target.js';
import { action, dataDirOf, readStdin, EXIT_FINDINGS, EXIT_OK } from '../run.js';

interface ListFlags extends CacheTargetFlags {
  tenant?: string;
  kind?: string;
  status?: string;
  anomalyThreshold: string;
  json?: boolean;
  dataDir?: string;
}

const DATA_DIR_HELP = "data folder holding this workstation's auditor key, which the verdicts reviewed must have been given with: default $AUDITDESK_DATA_DIR or ~/.auditdesk";

interface SignFlags extends CacheTargetFlags {
  identity: string;
  passwordStdin?: boolean;
  note: string;
  anomalyThreshold: string;
  json?: boolean;
}

interface DecideFlags extends SignFlags {
  item: string;
  decision: string;
  meaning: string;
  reference?: string;
  evidence?: string;
}

interface CompleteFlags extends SignFlags {
  acceptOpenItems?: boolean;
  dataDir?: string;
}

function withCache(cmd: Command): Command {
  return cmd.option('--engagement <dir>', 'engagement folder (its cache.sqlite)').option('--cache <file>', 'the SQLite cache file instead of an engagement');
}

/** Every signed action (decide, complete) asks for the identity the same way. */
function withSigning(cmd: Command, jsonHelp: string): Command {
  return cmd
    .requiredOption('--identity <file.p12>', 'your signing identity')
    .option('--password-stdin', 'read the identity password from standard input (else AUDITDESK_P12_PASSWORD)')
    .option('--anomaly-threshold <score>', 'as for list', '0.7')
    .option('--json', jsonHelp);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`${flag} "${value}" is not one of: ${allowed.join(', ')}.`, 'E_USAGE', `Pass ${flag} with one of those values${allowed.some((a) => a.includes(' ')) ? ' (quoted)' : ''}.`);
}

function threshold(text: string): number {
  const n = Number(text);
  if (!/^\d*\.?\d+$/.test(text.trim()) || n > 1) throw new UserError(`--anomaly-threshold must be a score from 0 to 1 (got "${text}").`, 'E_USAGE');
  return n;
}

export function registerReview(program: Command): void {
  const review = program.command('review').description('The exceptions queue of an engagement: list it, sign decisions, sign the completion.');
  withCache(review.command('list').description('List every exception (chain breaks, empty chains, drift, anomalies, model/config findings, control failures) with its status.'))
    .option('--tenant <id>', 'only this tenant')
    .option('--kind <kind>', `only this kind: ${EXCEPTION_KINDS.join(', ')}`)
    .option('--status <status>', 'open, decided or all', 'all')
    .option('--anomaly-threshold <score>', 'anomalies at or above this score are exceptions', '0.7')
    .option('--json', 'print the queue as JSON')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .addHelpText('after', "\nExit codes: 0 no exception is open · 1 exceptions are open, or the chain items are another auditor's verdicts, or the cache is damaged · 2 error.")
    .action(action(async (flags: ListFlags) => listCommand(flags)));
  const decide = withCache(review.command('decide').description('Sign a decision on one exception (a new decision supersedes the previous one; both stay).'))
    .requiredOption('--item <id>', 'the item id from `review list`')
    .requiredOption('--decision <d>', DISPOSITIONS.join(', '))
    .requiredOption('--meaning <m>', `the signature's meaning: ${SIGNATURE_MEANINGS.map((m) => `"${m}"`).join(', ')}`)
    .requiredOption('--note <text>', 'why (required)')
    .option('--reference <id>', 'e.g. a CAPA or ticket id')
    .option('--evidence <sha256>', 'the evidence hash you reviewed (from `review list --json`): refused if the item changed since');
  withSigning(decide, 'print the decision as JSON').action(action(async (flags: DecideFlags) => decideCommand(flags)));
  const complete = withCache(review.command('complete').description('Sign the completion of the review; open exceptions are refused unless --accept-open-items, and then listed in it.'))
    .requiredOption('--note <text>', 'what the review covered (required)')
    .option('--accept-open-items', 'complete although exceptions are open; the completion lists them')
    .option('--data-dir <dir>', DATA_DIR_HELP);
  withSigning(complete, 'print the completion as JSON').action(action(async (flags: CompleteFlags) => completeCommand(flags)));

  const journal = program.command('journal').description('The reviewer journal of an engagement: every sync, verification, decision, anchor, export and completion, hash-chained.');
  withCache(journal.command('verify').description('Re-verify the journal chain and every decision signature in it.'))
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit codes: 0 intact · 1 broken (the first altered entry and every failing signature are named) or empty · 2 error.')
    .action(action(async (flags: CacheTargetFlags & { json?: boolean }) => journalVerifyCommand(flags)));
  withCache(journal.command('list').description('Print the journal, oldest first.'))
    .option('--json', "print the entries as JSON lines (as in a package's journal.jsonl)")
    .action(action(async (flags: CacheTargetFlags & { json?: boolean }) => journalListCommand(flags)));
}

async function openTarget(flags: CacheTargetFlags) {
  const [{ openCache }, review] = await Promise.all([import('../../core/cache/open.js'), import('../../core/review/index.js')]);
  return { db: openCache(cacheFileOf(flags)), review };
}

function itemLines(i: ExceptionItem): string {
  const lines = [`${i.status === 'open' ? 'OPEN   ' : 'decided'}  ${i.itemId}  ${i.title}`];
  if (i.decision) {
    const d = i.decision;
    lines.push(`         ${d.disposition}: “${d.signature.meaning}” signed by ${d.signature.signerName} at ${d.signature.signedAt} (UTC): ${d.note}${d.reference ? ` [${d.reference}]` : ''}`);
    if (i.decisionOnEarlierEvidence) lines.push('         that decision covers earlier evidence: the item changed since and is open again');
  }
  for (const u of i.unsignedHistory) lines.push(`         unsigned earlier review: ${u.decision} by ${u.reviewer} at ${u.reviewedAt}: ${u.note}`);
  return lines.join('\n');
}

/**
 * The human output: item titles come from the source's rows, notes, names and journal text
 * from whoever worked in the engagement (one handed over): every control or bidi character
 * is shown escaped, so none can move the cursor over a line above (--json is JSON).
 */
function say(text: string): void {
  process.stdout.write(text.split('\n').map(printable).join('\n'));
}

async function listCommand(flags: ListFlags): Promise<number> {
  const kind = flags.kind === undefined ? undefined : oneOf<ExceptionKind>('--kind', flags.kind, EXCEPTION_KINDS);
  const status = oneOf('--status', flags.status ?? 'all', ['open', 'decided', 'all'] as const);
  const { db, review } = await openTarget(flags);
  try {
    const { existingAuditorKeyId } = await import('../../core/identity/auditor-key.js');
    const auditorKeyId = existingAuditorKeyId(dataDirOf(flags.dataDir));
    const q = review.exceptionQueue(db, { tenant: flags.tenant, kind, status, anomalyThreshold: threshold(flags.anomalyThreshold), auditorKeyId });
    if (flags.json) process.stdout.write(`${JSON.stringify(q, null, 2)}\n`);
    else {
      for (const d of q.cacheDamage) {
        say(
          `CACHE DAMAGED: ${d.message} The chain items below come from verdicts given before it (found ${d.foundAt} UTC); the review cannot be completed until the cache is rebuilt (auditdesk sync --rebuild).\n`,
        );
      }
      if (q.verifiedElsewhere.length) {
        say(
          `NOT CHECKED HERE: the chain items below come from verdicts not checked on this workstation (${q.verifiedElsewhere.length} chain(s), first: ${q.verifiedElsewhere[0]!.notCheckedHere.words}); verify the cache here (auditdesk verify --engagement DIR) before completing the review.\n`,
        );
      }
      const c = q.coverage;
      const kinds = EXCEPTION_KINDS.filter((k) => c.byKind[k].total).map((k) => `${k} ${c.byKind[k].decided}/${c.byKind[k].total}`);
      say(`${c.total} exceptions: ${c.decided} decided, ${c.open} open${kinds.length ? ` (decided/total: ${kinds.join(', ')})` : ''}\n`);
      for (const i of q.items) say(`${itemLines(i)}\n`);
      if (q.completion) {
        const s = q.completion.signature;
        say(`review completed by ${s.signerName} at ${s.signedAt} (UTC) with ${q.completion.openItemIds.length} open items\n`);
      } else say('review not completed\n');
    }
    return q.coverage.open || q.cacheDamage.length || q.verifiedElsewhere.length ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    db.close();
  }
}

async function identityOf(flags: SignFlags) {
  const { loadIdentity, passwordFrom } = await import('../../core/identity/index.js');
  // The password is read first: a wrong one stops here, before anything is written.
  return loadIdentity(flags.identity, passwordFrom(process.env, flags.passwordStdin ? await readStdin() : undefined));
}

async function decideCommand(flags: DecideFlags): Promise<number> {
  const disposition = oneOf<Disposition>('--decision', flags.decision, DISPOSITIONS);
  const meaning = oneOf<SignatureMeaning>('--meaning', flags.meaning, SIGNATURE_MEANINGS);
  if (flags.evidence !== undefined && !/^[0-9a-f]{64}$/.test(flags.evidence)) throw new UserError('--evidence must be 64 lowercase hex digits.', 'E_USAGE');
  const anomalyThreshold = threshold(flags.anomalyThreshold);
  const identity = await identityOf(flags);
  const { db, review } = await openTarget(flags);
  try {
    const item = review.findItem(db, flags.item, anomalyThreshold);
    const d = review.decide(db, identity, {
      itemId: flags.item,
      // Without --evidence the CLI signs the evidence the cache holds now, and prints it.
      evidenceHash: flags.evidence ?? item?.evidenceHash ?? '',
      disposition,
      meaning,
      note: flags.note,
      reference: flags.reference,
      anomalyThreshold,
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
    else {
      say(`decision #${d.decisionId} on ${d.itemId}: ${d.disposition}, “${d.signature.meaning}”, signed by ${d.signature.signerName} at ${d.signature.signedAt} (UTC)\n`);
      say(`evidence ${d.evidenceHash}${d.supersedes ? `; supersedes decision #${d.supersedes}` : ''}\n`);
    }
    return EXIT_OK;
  } finally {
    db.close();
  }
}

async function completeCommand(flags: CompleteFlags): Promise<number> {
  const anomalyThreshold = threshold(flags.anomalyThreshold);
  const identity = await identityOf(flags);
  const { db, review } = await openTarget(flags);
  try {
    const { existingAuditorKeyId } = await import('../../core/identity/auditor-key.js');
    const auditorKeyId = existingAuditorKeyId(dataDirOf(flags.dataDir));
    const c = review.completeReview(db, identity, { note: flags.note, acceptOpenItems: flags.acceptOpenItems ?? false, anomalyThreshold, auditorKeyId });
    if (flags.json) process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
    else {
      say(`review completed (“Review completed”) by ${c.signature.signerName} at ${c.signature.signedAt} (UTC): ${c.coverage.decided} of ${c.coverage.total} exceptions decided\n`);
      for (const id of c.openItemIds) say(`open at completion: ${id}\n`);
    }
    return EXIT_OK;
  } finally {
    db.close();
  }
}

async function journalVerifyCommand(flags: CacheTargetFlags & { json?: boolean }): Promise<number> {
  const { db, review } = await openTarget(flags);
  try {
    const v = review.verifyJournal(review.journalEntries(db));
    if (flags.json) process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
    else {
      say(`journal: ${v.verdict.toUpperCase()}, ${v.entries} entries, ${v.signaturesChecked} signatures checked${v.head ? `, head ${v.head}` : ''}\n`);
      if (v.firstBreak) say(`entry ${v.firstBreak.seq}: ${v.firstBreak.problem}\n`);
      for (const b of v.badSignatures) say(`entry ${b.seq}: ${b.problem}\n`);
    }
    return v.verdict === 'intact' ? EXIT_OK : EXIT_FINDINGS;
  } finally {
    db.close();
  }
}

async function journalListCommand(flags: CacheTargetFlags & { json?: boolean }): Promise<number> {
  const { db, review } = await openTarget(flags);
  try {
    for (const e of review.journalEntries(db)) {
      if (flags.json) process.stdout.write(`${JSON.stringify(e)}\n`);
      else say(`${e.seq}  ${e.at}  ${review.journalSummary(e)}\n`);
    }
    return EXIT_OK;
  } finally {
    db.close();
  }
}
