// A tenant id is compared with the table's own tenant column type. A name that type
// cannot hold (a slug against a uuid column) would otherwise surface as PostgreSQL's
// "invalid input syntax for type uuid" from deep inside a sync or verification.
import { UserError } from '../util/errors.js';
import type { SourceTable } from './discover.js';

const FORMATS: Record<string, { pattern: RegExp; holds: string; example: string }> = {
  uuid: { pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, holds: 'uuids', example: '3f0c2b9e-…' },
  int2: { pattern: /^-?\d{1,5}$/, holds: 'integers', example: '42' },
  int4: { pattern: /^-?\d{1,10}$/, holds: 'integers', example: '42' },
  int8: { pattern: /^-?\d{1,19}$/, holds: 'integers', example: '42' },
};

/** Refuses, with the way out, a tenant id the table's tenant column cannot hold. */
export function checkTenantFits(table: SourceTable, tenant: string): void {
  if (table.keys.tenant === null) return;
  const col = table.columns[table.keys.tenant]!;
  const format = FORMATS[col.type];
  if (!format || format.pattern.test(tenant)) return;
  throw new UserError(
    `tenant "${tenant}" cannot be in ${table.schema}.${table.name}: its ${col.name} column holds ${format.holds}.`,
    'E_TENANT_FORMAT',
    `Name the tenant as that table stores it (e.g. ${format.example}), or remove "${tenant}" from the connection's tenants.`,
  );
}
