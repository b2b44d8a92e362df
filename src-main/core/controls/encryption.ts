// encryption.ip_address: the source promises IP addresses encrypted at rest, so no
// ip_address value may read as a plain IPv4 or IPv6 address. Values never leave here.
import { auditTables, plural, qualifiedName, quoteIdent, SAMPLE, tableName, tenantCondition } from './sql.js';
import { pgTextArray } from './retention.js';
import type { Control } from './types.js';

/** PostgreSQL regular expressions (ARE) for a plaintext address, possibly with a prefix length or zone. */
const IPV4 = '^\\s*(\\d{1,3}\\.){3}\\d{1,3}(/\\d{1,2})?\\s*$';
const IPV6 = '^\\s*\\[?[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}(:(\\d{1,3}\\.){3}\\d{1,3})?(%[0-9a-z]+)?\\]?(/\\d{1,3})?\\s*$';
const ADDRESS_TYPES = new Set(['inet', 'cidr']);

export const encryptionIpAddress: Control = {
  id: 'encryption.ip_address',
  async run(ctx) {
    const targets = auditTables(ctx).flatMap((t) => t.columns.flatMap((c, i) => (c.name === 'ip_address' || t.mapped[i]!.field === 'ip_address' ? [{ table: t, column: c }] : [])));
    if (!targets.length) {
      return { status: 'not_applicable', summary: 'no audit table has an ip_address column.', evidence: { columns: [] } };
    }
    const columns = [];
    for (const { table, column } of targets) {
      const col = quoteIdent(column.name);
      const id = quoteIdent(table.columns[table.keys.id]!.name);
      const order = table.keys.seq !== null ? quoteIdent(table.columns[table.keys.seq]!.name) : id;
      // inet/cidr columns hold addresses in the clear by their type.
      const plain = ADDRESS_TYPES.has(column.type) ? `${col} IS NOT NULL` : `(${col}::text ~ $2 OR ${col}::text ~* $3)`;
      const [r] = await ctx.query(
        `SELECT count(*) FILTER (WHERE ${col} IS NOT NULL), count(*) FILTER (WHERE ${plain}),
                (array_agg(${id}::text ORDER BY ${order}) FILTER (WHERE ${plain}))[1:${SAMPLE}]::text
           FROM ${qualifiedName(table)} WHERE ${tenantCondition(table, ctx.tenant, 1)}`,
        ADDRESS_TYPES.has(column.type) ? [ctx.tenant] : [ctx.tenant, IPV4, IPV6],
      );
      columns.push({ table: tableName(table), column: column.name, type: column.type, values: Number(r![0]), plaintext: Number(r![1]), firstIds: pgTextArray(r![2] ?? null) });
    }
    const evidence = { columns };
    const bad = columns.filter((c) => c.plaintext > 0);
    if (bad.length) {
      return {
        status: 'fail',
        summary: `${bad.map((c) => `${plural(c.plaintext, 'value')} of ${c.values} in ${c.table}.${c.column}`).join('; ')} ${bad.length === 1 && bad[0]!.plaintext === 1 ? 'is a' : 'are'} plaintext IP address${bad.reduce((a, c) => a + c.plaintext, 0) === 1 ? '' : 'es'}.`,
        evidence,
      };
    }
    return {
      status: 'pass',
      summary: `none of ${plural(
        columns.reduce((a, c) => a + c.values, 0),
        'ip_address value',
      )} reads as a plaintext address.`,
      evidence,
    };
  },
};
