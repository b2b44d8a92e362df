// A verification worker that starts, then fails the first piece of work it gets with a
// UserError: what a read worker does when the cache turns out damaged mid-run.
import { UserError } from '../../src-main/core/util/errors.js';
import { serveBatches } from '../../src-main/core/verify/worker-gang.js';

serveBatches<{ type: 'work' }>(() => {
  throw new UserError('the local cache is damaged.', 'E_CACHE_CORRUPT', 'Sync into a new cache (--rebuild).');
});
