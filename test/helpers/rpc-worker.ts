// A worker for the worker-rpc tests: each op exercises one part of the protocol.
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../src-main/core/util/errors.js';
import { serveCalls } from '../../src-main/core/util/worker-rpc.js';

export type RpcTestCall = { op: 'echo'; value: unknown } | { op: 'fail' } | { op: 'count'; to: number } | { op: 'wait' } | { op: 'crash' } | { op: 'hog' };

serveCalls<RpcTestCall, unknown, number>(async (call, { progress, signal }) => {
  switch (call.op) {
    case 'echo':
      return call.value;
    case 'fail':
      throw new UserError('the source refused the read.', 'E_AUTH', 'Check the role.');
    case 'count':
      for (let i = 1; i <= call.to; i++) progress(i);
      return call.to;
    case 'wait':
      while (!signal.aborted) await sleep(5);
      throw new UserError('stopped as asked.', 'E_CANCELLED');
    case 'crash':
      return process.exit(3);
    case 'hog': {
      // Answers once (a worker that ran), then keeps everything it allocates: stopped by its heap limit.
      progress(0);
      const kept: string[][] = [];
      for (;;) {
        kept.push(Array.from({ length: 10_000 }, (_, i) => `row ${kept.length} ${i}`));
        if (kept.length % 50 === 0) await sleep(0);
      }
    }
  }
});
