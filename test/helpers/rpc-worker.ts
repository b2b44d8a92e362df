// A worker for the worker-rpc tests: each op exercises one part of the protocol.
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../src-main/core/util/errors.js';
import { serveCalls } from '../../src-main/core/util/worker-rpc.js';

export type RpcTestCall = { op: 'echo'; value: unknown } | { op: 'fail' } | { op: 'count'; to: number } | { op: 'wait' } | { op: 'crash' };

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
      process.exit(3);
  }
});
