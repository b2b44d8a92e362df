// chain.intact: the tenant's hash chain, verified by the existing engine on the live
// source (nothing recorded: a controls run keeps no checkpoint).
import { runVerification } from '../verify/run.js';
import { plural, qualifiedName, quoteIdent, requireTable, tableName } from './sql.js';
import type { Control } from './types.js';

const MAX_BREAKS_LISTED = 50;

export const chainIntact: Control = {
  id: 'chain.intact',
  async run(ctx) {
    const events = requireTable(ctx, 'events');
    const seq = quoteIdent(events.columns[events.keys.seq!]!.name);
    const tenantCol = events.keys.tenant === null ? null : events.columns[events.keys.tenant]!;
    // The statement session.streamRows sends (its tenant travels through set_config, as COPY takes no parameters).
    ctx.record(
      `COPY (SELECT ${events.columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${qualifiedName(events)} WHERE ${
        tenantCol ? `${quoteIdent(tenantCol.name)} = CAST(current_setting('auditdesk.p1') AS ${quoteIdent(tenantCol.type)})` : 'true'
      } ORDER BY ${seq}) TO STDOUT`,
    );
    const report = await runVerification({ session: ctx.session, tenants: [ctx.tenant], mapping: ctx.mapping, maxBreaks: MAX_BREAKS_LISTED });
    const chain = report.tenants.find((c) => c.tenant === ctx.tenant);
    if (!chain || chain.verdict === 'empty') {
      // An empty chain is a finding, as in verify (#21): the id may be wrong or RLS may hide the rows.
      const why = chain?.verdictExplanation ?? `no rows of ${ctx.tenant} are visible in ${tableName(events)}.`;
      return { status: 'fail', summary: `empty chain: ${why}`, evidence: { table: tableName(events), rows: 0, verdict: 'empty', explanation: why } };
    }
    const breaks = chain.breaks.map((b) => ({ seq: b.seq, kind: b.kind, id: b.id, explanation: b.explanation }));
    const evidence = {
      table: chain.table,
      rows: chain.rows,
      intactRows: chain.intactRows,
      firstSeq: chain.firstSeq,
      lastSeq: chain.lastSeq,
      headHash: chain.headHash,
      profile: report.profile.name,
      verdict: chain.verdict,
      breaks,
      breaksOmitted: chain.breaksOmitted,
    };
    if (!chain.intact) {
      const kinds = [...new Set(breaks.map((b) => b.kind))].join(', ');
      return { status: 'fail', summary: `the chain of ${plural(chain.rows, 'row')} has ${plural(breaks.length + chain.breaksOmitted, 'break')} (${kinds}).`, evidence };
    }
    return { status: 'pass', summary: `all ${plural(chain.rows, 'row')} of the chain verify (seq ${chain.firstSeq}–${chain.lastSeq}, head ${String(chain.headHash).slice(0, 16)}…).`, evidence };
  },
};
