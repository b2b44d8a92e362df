// The demo's defaults and limits, apart from the demo itself so that a command line can
// print them in its help without loading PostgreSQL's tooling.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_EVENTS = 50_000;
export const DEFAULT_SEED = 1;
export const DEFAULT_PORT = 54329;
export const MIN_EVENTS = 1_000;
export const MAX_EVENTS = 20_000_000;
export const defaultDemoDir = () => join(tmpdir(), 'auditdesk-demo');
