// Hash chains as a source writes them (every column of the demo's events table, plus one
// AuditDesk does not know), and random damage to them: edits, forged hashes, deletions,
// copies, foreign rows, swapped and NULL seqs, non-hex hashes, rewritten rows. Shared by
// the tests that must give one report however a chain is read.
import fc from 'fast-check';
import { chainHash, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { EVENT_COLUMNS, uuidOf, type SourceRow } from './cache-fixture.js';

export const payload = makePayloadBuilder(EVENT_COLUMNS);
export const valuesOf = (r: SourceRow) => EVENT_COLUMNS.map((c) => r[c.name] ?? null);
const forged = (label: string) => chainHash('forged', label);

/** A valid chain of n rows, hashes included; every `accentEvery`-th row has a non-ASCII character (0: none). */
export function chain(n: number, accentEvery = 1, tenant = 'acme'): SourceRow[] {
  const rows: SourceRow[] = [];
  let prev = '0'.repeat(64);
  for (let s = 1; s <= n; s++) {
    const row: SourceRow = {
      id: uuidOf(`row-${s}`),
      seq: String(s),
      tenant_id: tenant,
      event_type: s % 3 ? 'read' : 'login',
      entity_type: 'document',
      entity_id: `doc-${s % 7}`,
      severity: 'info',
      user_id: `u-${s % 5}`,
      action_details: `{"n": ${s}, "tags": ["a", "${accentEvery && s % accentEvery === 0 ? 'é' : 'e'}"], "nested": {"b": 1.5, "a": null}}`,
      ip_address: '10.0.0.1',
      created_at: `2026-01-05 08:${String(s % 60).padStart(2, '0')}:12.${String(s).padStart(6, '0')}+00`,
      region: s % 2 ? 'eu-west' : null,
      prev_hash: prev,
    };
    row.hash = chainHash(prev, payload(valuesOf(row)));
    prev = row.hash;
    rows.push(row);
  }
  return rows;
}

export type Damage = { kind: 'edit' | 'forge' | 'delete' | 'copy' | 'foreign' | 'swap' | 'nullseq' | 'nonhex' | 'rehash'; at: number };

/** Applies damage in order; `at` picks a row of the chain as it is at that moment. */
export function damage(rows: SourceRow[], list: Damage[]): SourceRow[] {
  const out = rows.map((r) => ({ ...r }));
  list.forEach((d, i) => {
    if (!out.length) return;
    const k = d.at % out.length;
    const row = out[k]!;
    switch (d.kind) {
      case 'edit':
        row.severity = 'edited';
        break;
      case 'forge':
        row.hash = forged(`h${i}`);
        break;
      case 'delete':
        out.splice(k, 1);
        break;
      case 'copy':
        // The cache keys rows by id, so a copy that lands in it carries an id of its own.
        out.splice(k + 1, 0, { ...row, id: uuidOf(`copy-${i}`) });
        break;
      case 'foreign':
        out.splice(k + 1, 0, { ...row, id: uuidOf(`foreign-${i}`), user_id: 'mallory', hash: forged(`f${i}`) });
        break;
      case 'swap': {
        const other = out[(k + 1) % out.length]!;
        [row.seq, other.seq] = [other.seq ?? null, row.seq ?? null];
        break;
      }
      case 'nullseq':
        row.seq = null;
        break;
      case 'nonhex':
        row.prev_hash = 'not a hash';
        break;
      case 'rehash':
        row.event_type = 'rewritten';
        row.hash = chainHash(row.prev_hash!, payload(valuesOf(row)));
        break;
    }
  });
  return out;
}

export const damageArb = fc.record({
  kind: fc.constantFrom<Damage['kind']>('edit', 'forge', 'delete', 'copy', 'foreign', 'swap', 'nullseq', 'nonhex', 'rehash'),
  at: fc.nat(),
});
