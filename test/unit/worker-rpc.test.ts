// Issue 12: one protocol for every worker. A result, an error that keeps its code across
// the thread, progress, cancel, a crash mid-call, and a worker that cannot start (the
// caller then runs the work in its own thread) — each as a caller sees it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RpcWorker, WorkerDidNotStart, runOffThread } from '../../src-main/core/util/worker-rpc.js';
import { projectRoot } from '../../src-main/core/util/paths.js';
import type { RpcTestCall } from '../helpers/rpc-worker.js';

const WORKER = new URL('../helpers/rpc-worker.js', import.meta.url);
const start = () => RpcWorker.start<RpcTestCall, unknown, number>(WORKER, 'test')!;

test('calls are answered by their own results, several at once on one worker', async () => {
  const w = start();
  try {
    const answers = await Promise.all([w.call({ op: 'echo', value: 'a' }), w.call({ op: 'echo', value: { n: 2 } }), w.call({ op: 'count', to: 3 })]);
    assert.deepEqual(answers, ['a', { n: 2 }, 3]);
  } finally {
    await w.terminate();
  }
});

test('an error keeps its E_* code across the thread, and progress arrives before the result', async () => {
  const w = start();
  try {
    await assert.rejects(w.call({ op: 'fail' }), (e: Error & { code?: string }) => e.code === 'E_AUTH' && /the source refused the read/.test(e.message));
    const seen: number[] = [];
    assert.equal(await w.call({ op: 'count', to: 4 }, { onProgress: (p) => seen.push(p) }), 4);
    assert.deepEqual(seen, [1, 2, 3, 4]);
  } finally {
    await w.terminate();
  }
});

test('cancel reaches the running call, which ends with its own E_CANCELLED', async () => {
  const w = start();
  try {
    const controller = new AbortController();
    const running = w.call({ op: 'wait' }, { signal: controller.signal });
    controller.abort();
    await assert.rejects(running, (e: Error & { code?: string }) => e.code === 'E_CANCELLED');
  } finally {
    await w.terminate();
  }
});

test("a worker that dies mid-call fails the call with the caller's own error", async () => {
  const w = RpcWorker.start<RpcTestCall, unknown, number>(WORKER, 'test', { onExit: (code) => new Error(`stopped with ${code}`) })!;
  await w.call({ op: 'echo', value: 1 });
  await assert.rejects(w.call({ op: 'crash' }), /stopped with 3/);
});

test('a worker that cannot start is told apart, and runOffThread then does the work in this thread', async () => {
  const missing = new URL('../helpers/no-such-worker.js', import.meta.url);
  const w = RpcWorker.start<RpcTestCall, unknown, number>(missing, 'missing');
  if (w) await assert.rejects(w.call({ op: 'echo', value: 1 }), WorkerDidNotStart);
  const seen: number[] = [];
  const value = await runOffThread<RpcTestCall, unknown, number>(
    missing,
    'missing',
    { op: 'count', to: 2 },
    async (call, ctx) => {
      ctx.progress(1);
      return call.op === 'count' ? `here ${call.to}` : null;
    },
    { onProgress: (p) => seen.push(p) },
  );
  assert.equal(value, 'here 2');
  assert.deepEqual(seen, [1]);
  // A worker that starts does the work there instead.
  assert.equal(await runOffThread<RpcTestCall, unknown, number>(WORKER, 'test', { op: 'echo', value: 'there' }, async () => 'here'), 'there');
});

test('startAnswering gives a worker only once it answered its hello, else null (the caller works in its own thread)', async () => {
  assert.equal(await RpcWorker.startAnswering<RpcTestCall, unknown, number>(new URL('../helpers/no-such-worker.js', import.meta.url), 'missing', { op: 'echo', value: 1 }), null);
  assert.equal(await RpcWorker.startAnswering<RpcTestCall, unknown, number>(WORKER, 'test', { op: 'fail' }), null, 'a hello answered with an error is no start either');
  const w = await RpcWorker.startAnswering<RpcTestCall, unknown, number>(WORKER, 'test', { op: 'echo', value: 'hello' });
  try {
    assert.ok(w);
    assert.equal(await w.call({ op: 'echo', value: 'after' }), 'after');
  } finally {
    await w?.terminate();
  }
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.(c|m)?ts$/.test(name) ? [p] : [];
  });
}

test('every worker speaks worker-rpc: only util/start-worker.ts makes one, only util/worker-rpc.ts posts messages', () => {
  const root = projectRoot();
  const files = sources(join(root, 'src-main')).map((f) => [relative(root, f), readFileSync(f, 'utf8')] as const);
  const using = (pattern: RegExp) =>
    files
      .filter(([, text]) => pattern.test(text))
      .map(([f]) => f)
      .sort();
  assert.deepEqual(using(/\bnew Worker\(/), ['src-main/core/util/start-worker.ts'], "a worker made without startWorker loses the parent's flags handling");
  assert.deepEqual(using(/\bstartWorker\(/), ['src-main/core/util/start-worker.ts', 'src-main/core/util/worker-rpc.ts'], 'a worker started outside worker-rpc speaks a message shape of its own');
  assert.deepEqual(using(/\b(parentPort|postMessage)\b/), ['src-main/core/util/worker-rpc.ts'], 'a message posted outside worker-rpc bypasses its errors, progress and cancel');
});
