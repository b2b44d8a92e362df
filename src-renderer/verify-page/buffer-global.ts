// The bundled core uses Node's Buffer (hex and latin1 conversions in the Merkle code).
// Imported first by main.ts, so it is in place before any core module runs.
import { Buffer } from 'buffer';

(globalThis as { Buffer?: unknown }).Buffer ??= Buffer;
