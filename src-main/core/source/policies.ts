// Which row-level-security policies decide what the auditor's role sees of a table,
// and whether any of them filters on more than the tenant. A hash chain reveals a
// row hidden in its middle (the next row's prev_hash points at nothing visible) but
// not rows hidden at its end: a policy such as `tenant_id = … AND event_type <> 'export'`
// silently shortens the chain the auditor verifies. The verify report states such a
// predicate as a `hidden_rows` limit; the controls check `rls.policy` judges it.
//
// Policies are read from pg_policies (deparsed by PostgreSQL itself, so the text is
// normalised: casts and parentheses spelled out) and pg_class's relrowsecurity /
// relforcerowsecurity; nothing here runs the expressions.
import type { TableRef } from './discover.js';

/** The setting the source session sets per tenant (session.ts enterSnapshot). */
export const TENANT_SETTING = 'app.current_tenant_id';

/** Anything that can run a read-only query: a SourceSession. */
export interface PolicyQuery {
  query(sql: string, params?: unknown[]): Promise<(string | null)[][]>;
}

export interface RlsPolicy {
  name: string;
  /** ALL, SELECT, INSERT, UPDATE or DELETE */
  command: string;
  permissive: boolean;
  roles: string[];
  /** The USING expression as PostgreSQL deparses it; null when the policy has none. */
  using: string | null;
  /** true when the policy governs SELECT for the current role (command ALL or SELECT, role matches). */
  appliesToReads: boolean;
  /** The USING conjuncts beyond the tenant comparison, as PostgreSQL prints them. */
  extraPredicates: string[];
  /** true when the USING expression compares the tenant column with the tenant setting. */
  comparesTenant: boolean;
}

/** Why the policies do not apply to this role at all, if they don't. */
export type RlsBypass = 'superuser' | 'bypassrls' | 'owner_not_forced' | null;

export interface TablePolicies {
  table: TableRef;
  rlsEnabled: boolean;
  rlsForced: boolean;
  bypassedBy: RlsBypass;
  policies: RlsPolicy[];
  /**
   * Predicates beyond the tenant comparison that can hide rows of the tenant from this
   * role: from restrictive policies (always ANDed) and, when no permissive policy is
   * tenant-only, from the permissive ones (ORed). Empty when RLS does not filter the role.
   */
  hidingPredicates: string[];
}

/**
 * The row-level-security state of one table for the session's role.
 * `tenantColumn` is the column that holds the tenant id (null: the table has none,
 * then every predicate counts as beyond the tenant).
 */
export async function readTablePolicies(session: PolicyQuery, table: TableRef, tenantColumn: string | null): Promise<TablePolicies> {
  const [state] = await session.query(
    `SELECT c.relrowsecurity::text, c.relforcerowsecurity::text,
            r.rolsuper::text, r.rolbypassrls::text, pg_has_role(current_user, c.relowner, 'USAGE')::text
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_roles r ON r.rolname = current_user
      WHERE n.nspname = $1 AND c.relname = $2`,
    [table.schema, table.name],
  );
  if (!state) throw new Error(`table ${table.schema}.${table.name} is not visible in pg_class`);
  const [enabled, forced, superuser, bypass, owner] = state.map((v) => v === 'true');
  const rows = await session.query(
    `SELECT p.policyname, p.cmd, p.permissive, array_to_json(p.roles)::text, p.qual,
            (p.cmd IN ('ALL', 'SELECT')
             AND EXISTS (SELECT 1 FROM unnest(p.roles) AS role
                          WHERE role = 'public' OR pg_has_role(current_user, role, 'MEMBER')))::text
       FROM pg_policies p
      WHERE p.schemaname = $1 AND p.tablename = $2
      ORDER BY p.policyname`,
    [table.schema, table.name],
  );
  const policies: RlsPolicy[] = rows.map((r) => {
    const using = r[4] ?? null;
    const split = using === null ? { comparesTenant: false, extra: [] } : classifyPolicyExpression(using, tenantColumn);
    return {
      name: r[0]!,
      command: r[1]!,
      permissive: r[2] === 'PERMISSIVE',
      roles: JSON.parse(r[3]!) as string[],
      using,
      appliesToReads: r[5] === 'true',
      extraPredicates: split.extra,
      comparesTenant: split.comparesTenant,
    };
  });
  const bypassedBy: RlsBypass = superuser ? 'superuser' : bypass ? 'bypassrls' : owner && !forced ? 'owner_not_forced' : null;
  const filtered = Boolean(enabled) && bypassedBy === null;
  return {
    table,
    rlsEnabled: Boolean(enabled),
    rlsForced: Boolean(forced),
    bypassedBy,
    policies,
    hidingPredicates: filtered ? hidingPredicates(policies) : [],
  };
}

/**
 * Restrictive policies are ANDed with the permissive ones, which are ORed together
 * (PostgreSQL docs, "Row Security Policies"). A permissive policy that compares the
 * tenant and nothing else lets every row of the tenant through, so other permissive
 * policies can only add rows; without one, their extra predicates can hide rows.
 */
function hidingPredicates(policies: RlsPolicy[]): string[] {
  const reads = policies.filter((p) => p.appliesToReads);
  const restrictive = reads.filter((p) => !p.permissive).flatMap((p) => p.extraPredicates);
  const permissive = reads.filter((p) => p.permissive);
  const tenantOnly = permissive.some((p) => p.using !== null && p.extraPredicates.length === 0);
  const fromPermissive = tenantOnly ? [] : permissive.flatMap((p) => p.extraPredicates);
  return [...new Set([...restrictive, ...fromPermissive])];
}

/**
 * Splits a deparsed USING expression into its top-level AND conjuncts and keeps
 * those that are not `tenant = current_setting('app.current_tenant_id' …)`. An
 * expression with a top-level OR is one predicate as a whole (it cannot be split).
 */
export function classifyPolicyExpression(expr: string, tenantColumn: string | null): { comparesTenant: boolean; extra: string[] } {
  const conjuncts = conjunctsOf(expr);
  let comparesTenant = false;
  const extra: string[] = [];
  for (const c of conjuncts) {
    if (tenantColumn !== null && isTenantComparison(c, tenantColumn)) comparesTenant = true;
    else extra.push(c);
  }
  return { comparesTenant, extra };
}

/** `(a AND b) AND c` → [a, b, c]: PostgreSQL deparses a chain of ANDs nested to the left. */
function conjunctsOf(expr: string): string[] {
  const parts = splitTopLevel(stripOuterParens(expr.trim()), 'AND');
  if (parts.length === 1) return [stripOuterParens(parts[0]!)];
  return parts.flatMap(conjunctsOf);
}

function isTenantComparison(conjunct: string, tenantColumn: string): boolean {
  const [left, right, ...more] = splitTopLevel(conjunct, '=');
  if (left === undefined || right === undefined || more.length) return false;
  const a = bare(left);
  const b = bare(right);
  return (isColumn(a, tenantColumn) && isTenantSetting(b)) || (isColumn(b, tenantColumn) && isTenantSetting(a));
}

/** Without casts (::type), whitespace and wrapping parentheses; string literals stay as they are. */
function bare(side: string): string {
  const out = side
    .split(/('(?:[^']|'')*')/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(CAST, '').replace(/\s+/g, '')))
    .join('');
  return stripOuterParens(out);
}

/** A cast as ruleutils.c prints it: ::text, ::uuid, ::character varying, ::"MyType", ::text[] */
const CAST = /::(?:"(?:[^"]|"")+"|[a-z_]\w*(?:\s+(?:varying|precision|with(?:out)?\s+time\s+zone))?)(?:\[\])*/gi;

function isColumn(s: string, column: string): boolean {
  return s === column || s === `"${column.replace(/"/g, '""')}"`;
}

function isTenantSetting(s: string): boolean {
  const name = `'${TENANT_SETTING}'`;
  return s === `current_setting(${name})` || s === `current_setting(${name},true)` || s === `current_setting(${name},false)`;
}

function stripOuterParens(s: string): string {
  let out = s;
  while (out.startsWith('(') && out.endsWith(')') && balanced(out.slice(1, -1))) out = out.slice(1, -1).trim();
  return out;
}

/** true when the parentheses of `s` (outside string literals) never close more than they open and end at depth 0. */
function balanced(s: string): boolean {
  let depth = 0;
  let quoted = false;
  for (const ch of s) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Splits at `op` (AND, or a single-character operator) where it stands outside parentheses and literals. */
function splitTopLevel(s: string, op: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  const word = /^\w+$/.test(op);
  if (word && topLevelWord(s, 'OR')) return [s];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && matchesAt(s, i, op, word)) {
      parts.push(s.slice(start, i));
      i += op.length - 1;
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}

function matchesAt(s: string, i: number, op: string, word: boolean): boolean {
  if (!word) {
    // '=' but not part of <=, >=, <>, !=, =>
    return s[i] === op && !/[<>!=]/.test(s[i - 1] ?? '') && !/[>=]/.test(s[i + 1] ?? '');
  }
  return s.slice(i, i + op.length).toUpperCase() === op && /\s/.test(s[i - 1] ?? '') && /\s/.test(s[i + op.length] ?? '');
}

function topLevelWord(s: string, op: string): boolean {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && matchesAt(s, i, op, true)) return true;
  }
  return false;
}
