// A process that holds a cache's writer lease until it is killed, standing in for a
// sync of that cache run elsewhere (sync-one-writer.test.ts). Prints "held" once it holds it.
import { takeWriterLease } from '../../src-main/core/sync/writer-lease.js';

await takeWriterLease(process.argv[2]!);
process.stdout.write('held\n');
setInterval(() => undefined, 60_000);
