// Dead-letter files of audit events that failed to persist (audit_dlq_*.jsonl, one JSON
// object per line). The writer's envelope varies, so an event is read from the line
// itself or from its "event" member; a line we cannot read is kept as malformed, never dropped.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UserError } from '../util/errors.js';

export interface DlqEvent {
  file: string;
  line: number;
  id: string | null;
  tenant: string;
  eventType: string;
  entityType: string | null;
  entityId: string | null;
  userId: string | null;
  /** ISO time as written in the file */
  at: string;
}

export interface DlqMalformed {
  file: string;
  line: number;
  reason: string;
}

export interface DlqFile {
  path: string;
  events: DlqEvent[];
  malformed: DlqMalformed[];
}

export function readDlqFile(path: string): DlqFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read the dead-letter file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'E_DLQ', 'Check the path given with --dlq.');
  }
  return parseDlq(path, text);
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : typeof v === 'number' ? String(v) : null);

export function parseDlq(path: string, text: string): DlqFile {
  const file = basename(path);
  const out: DlqFile = { path, events: [], malformed: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      out.malformed.push({ file, line, reason: 'not JSON' });
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      out.malformed.push({ file, line, reason: 'not a JSON object' });
      return;
    }
    const outer = parsed as Record<string, unknown>;
    const e = (outer.event && typeof outer.event === 'object' ? outer.event : outer) as Record<string, unknown>;
    const tenant = str(e.tenant_id) ?? str(outer.tenant_id);
    const eventType = str(e.event_type);
    const at = str(e.created_at) ?? str(e.timestamp);
    const missing = [tenant ? null : 'tenant_id', eventType ? null : 'event_type', at ? null : 'created_at'].filter(Boolean);
    if (missing.length) {
      out.malformed.push({ file, line, reason: `no ${missing.join(', ')}` });
      return;
    }
    // The fallback match compares times on the server; a text it cannot read would fail the whole query.
    if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/.test(at!.trim()) || Number.isNaN(Date.parse(at!.trim().replace(' ', 'T')))) {
      out.malformed.push({ file, line, reason: `created_at "${at!.slice(0, 40)}" is not an ISO time` });
      return;
    }
    out.events.push({
      file,
      line,
      id: str(e.id) ?? str(e.event_id),
      tenant: tenant!,
      eventType: eventType!,
      entityType: str(e.entity_type),
      entityId: str(e.entity_id),
      userId: str(e.user_id),
      at: at!.trim(),
    });
  });
  return out;
}
