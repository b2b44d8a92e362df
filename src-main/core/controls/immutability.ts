// Immutable audit tables: nobody but the owner (and superusers) may change them, and
// the events table itself refuses UPDATE and DELETE.
import { auditTables, plural, requireTable, tableName } from './sql.js';
import type { Control } from './types.js';

const CHANGE_PRIVILEGES = ['UPDATE', 'DELETE', 'TRUNCATE'];

export const immutabilityPrivileges: Control = {
  id: 'immutability.privileges',
  async run(ctx) {
    const tables = auditTables(ctx);
    // has_table_privilege counts inherited grants (and PUBLIC); predefined pg_* roles are
    // left out as holders because only their members act, and those are listed themselves.
    const rows = await ctx.query(
      `SELECT t.schema_name, t.table_name, r.rolname::text, p.privilege, (r.rolname = current_user)::text
         FROM unnest($1::text[], $2::text[]) AS t(schema_name, table_name)
         JOIN pg_catalog.pg_namespace n ON n.nspname = t.schema_name
         JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = t.table_name
         CROSS JOIN pg_catalog.pg_roles r
         CROSS JOIN unnest($3::text[]) AS p(privilege)
        WHERE r.oid <> c.relowner AND NOT r.rolsuper AND r.rolname !~ '^pg_'
          AND has_table_privilege(r.oid, c.oid, p.privilege)
        ORDER BY 1, 2, 3, 4`,
      [tables.map((t) => t.schema), tables.map((t) => t.name), CHANGE_PRIVILEGES],
      null,
    );
    const [me] = await ctx.query(`SELECT current_user::text, rolsuper::text FROM pg_catalog.pg_roles WHERE rolname = current_user`, [], null);
    const holders = new Map<string, { table: string; role: string; privileges: string[] }>();
    for (const r of rows) {
      const key = `${r[0]}.${r[1]}\n${r[2]}`;
      const h = holders.get(key) ?? { table: `${r[0]}.${r[1]}`, role: r[2]!, privileges: [] };
      h.privileges.push(r[3]!);
      holders.set(key, h);
    }
    const list = [...holders.values()];
    const auditorRole = me?.[0] ?? null;
    const auditor = {
      role: auditorRole,
      superuser: me?.[1] === 'true',
      changePrivileges: list.filter((h) => h.role === auditorRole).map(({ table, privileges }) => ({ table, privileges })),
    };
    const evidence = { tables: tables.map(tableName), holders: list, auditor };
    if (list.length) {
      const roles = [...new Set(list.map((h) => h.role))];
      return {
        status: 'fail',
        summary: `${plural(roles.length, 'role')} other than the owner can change audit tables: ${list.map((h) => `${h.role} (${h.privileges.join(', ')} on ${h.table})`).join('; ')}.`,
        evidence,
      };
    }
    return {
      status: 'pass',
      summary: `no role but the owner and superusers holds UPDATE, DELETE or TRUNCATE on ${plural(tables.length, 'audit table')}${auditor.superuser ? " (note: the auditor's own role is a superuser)" : ''}.`,
      evidence,
    };
  },
};

// pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h).
const TRIGGER_BEFORE = 1 << 1;
const TRIGGER_DELETE = 1 << 3;
const TRIGGER_UPDATE = 1 << 4;
const TRIGGER_INSTEAD = 1 << 6;

export const immutabilityGuard: Control = {
  id: 'immutability.guard',
  async run(ctx) {
    const events = requireTable(ctx, 'events');
    // Read-only: we cannot try an UPDATE. A guard is an enabled BEFORE trigger whose
    // function raises, or a DO INSTEAD rule; both are read from the catalog.
    const triggers = await ctx.query(
      `SELECT t.tgname::text, t.tgenabled::text, t.tgtype::int::text, p.proname::text,
              (p.prosrc ~* 'raise\\s+exception')::text
         FROM pg_catalog.pg_trigger t
         JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
        WHERE n.nspname = $1 AND c.relname = $2 AND NOT t.tgisinternal
        ORDER BY 1`,
      [events.schema, events.name],
      null,
    );
    const rules = await ctx.query(
      `SELECT r.rulename::text, r.ev_type::text, r.is_instead::text, pg_get_ruledef(r.oid)
         FROM pg_catalog.pg_rewrite r
         JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND r.rulename <> '_RETURN'
        ORDER BY 1`,
      [events.schema, events.name],
      null,
    );
    const trig = triggers.map((r) => {
      const type = Number(r[2]);
      return {
        name: r[0]!,
        enabled: r[1] !== 'D',
        before: (type & TRIGGER_BEFORE) !== 0 || (type & TRIGGER_INSTEAD) !== 0,
        onUpdate: (type & TRIGGER_UPDATE) !== 0,
        onDelete: (type & TRIGGER_DELETE) !== 0,
        function: r[3]!,
        functionRaises: r[4] === 'true',
      };
    });
    // ev_type: 2 UPDATE, 4 DELETE.
    const rule = rules.map((r) => ({ name: r[0]!, onUpdate: r[1] === '2', onDelete: r[1] === '4', instead: r[2] === 'true', definition: r[3] }));
    const guards = (op: 'onUpdate' | 'onDelete') => trig.some((t) => t.enabled && t.before && t[op] && t.functionRaises) || rule.some((r) => r.instead && r[op]);
    const update = guards('onUpdate');
    const del = guards('onDelete');
    const evidence = { table: tableName(events), triggers: trig, rules: rule, rejectsUpdate: update, rejectsDelete: del };
    if (update && del) {
      return {
        status: 'pass',
        summary: `${tableName(events)} rejects UPDATE and DELETE (${[...trig.filter((t) => t.enabled && t.functionRaises).map((t) => `trigger ${t.name}`), ...rule.filter((r) => r.instead).map((r) => `rule ${r.name}`)].join(', ')}).`,
        evidence,
      };
    }
    const missing = [update ? null : 'UPDATE', del ? null : 'DELETE'].filter(Boolean).join(' and ');
    const disabled = trig.filter((t) => !t.enabled).map((t) => t.name);
    const privileges = ctx.earlier.get('immutability.privileges');
    const why = `nothing on ${tableName(events)} rejects ${missing}${disabled.length ? ` (trigger ${disabled.join(', ')} is disabled)` : ''}`;
    if (privileges?.status === 'pass') {
      return { status: 'warn', summary: `${why}; only the owner and superusers may change it, so privileges alone protect it.`, evidence };
    }
    return { status: 'fail', summary: `${why}, and privileges do not protect it either (see immutability.privileges).`, evidence };
  },
};
