// How any failure crosses the API: a UserError keeps its code and words, a storage
// failure (full disk, read-only folder) becomes the UserError that names it, anything
// else is E_INTERNAL; secrets are redacted either way. Beside UserError so the job
// runner and the dispatcher share it without one importing the other.
import type { ApiError } from '../contract/define.js';
import { isUserError, redactSecrets } from './errors.js';
import { storageFailure } from './storage-errors.js';

export function toApiError(e: unknown): ApiError {
  const known = isUserError(e) ? e : storageFailure(e);
  if (known) return { code: known.code, message: redactSecrets(known.message) };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'E_INTERNAL', message: redactSecrets(message) };
}
