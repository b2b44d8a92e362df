// Contract for connection profiles. Profiles live in the app's settings without
// passwords; a password goes to the secret store (the OS keychain in Electron)
// and only `hasPassword` ever comes back.
import { z } from 'zod';
import { method } from './define.js';
import { connectionProfileSchema } from './connection-profile.js';

export interface TableMappingView {
  events?: string;
  conversations?: string;
  anomalies?: string;
  access?: string;
  columns?: Record<string, Record<string, string>>;
}

export interface ConnectionView {
  id: string;
  name: string;
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  sslRootCert?: string;
  allowCleartextPassword?: boolean;
  tenants: string[];
  schema: string;
  mapping?: TableMappingView;
  isDemo?: boolean;
  /** host:port/db */
  label: string;
  /** a password is stored for this profile (never returned) */
  hasPassword: boolean;
  active: boolean;
}

export interface ConnectionTestResult {
  ok: boolean;
  /** the server answered and the session is open: when ok is false, the tables or the mapping are what is wrong */
  connected: boolean;
  label: string;
  /** one line naming the problem and the way out, when ok is false */
  error: string | null;
  errorCode: string | null;
  serverVersion: string | null;
  readOnly: boolean | null;
  /** table kind → source table found (schema.name) */
  tables: Partial<Record<'events' | 'conversations' | 'anomalies' | 'access', string>>;
  privilegeWarnings: string[];
  /** tenants visible or configured */
  tenants: string[];
  /** what the user should know about the connection, e.g. which CA store checked the server's certificate */
  notices: string[];
}

export type TableKindName = 'events' | 'conversations' | 'anomalies' | 'access';

/** What a profile's table mapping can name: the tables looked for without one, and the field names columns may be renamed to. */
export interface MappingFields {
  defaultTables: Record<TableKindName, string>;
  fields: Record<TableKindName, string[]>;
}

const id = z.string().min(1).max(100);
const password = z.string().max(1024);

export const connectionsContract = {
  'connections.list': method<ConnectionView[]>()(z.object({}).strict()),
  /** Creates or replaces a profile (by id). `password`: set it; null: forget it; absent: keep it. */
  'connections.save': method<ConnectionView>()(z.object({ profile: connectionProfileSchema, password: password.nullable().optional(), makeActive: z.boolean().optional() }).strict()),
  'connections.delete': method<{ deleted: boolean }>()(z.object({ id }).strict()),
  'connections.setActive': method<{ activeConnectionId: string | null }>()(z.object({ id: id.nullable() }).strict()),
  'connections.mappingFields': method<MappingFields>()(z.object({}).strict()),
  /** Tests a saved profile (by id) or an unsaved one (profile + password). */
  'connections.test': method<ConnectionTestResult>()(z.union([z.object({ id }).strict(), z.object({ profile: connectionProfileSchema, password: password.optional() }).strict()])),
};
