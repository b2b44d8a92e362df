// The set-up most screen tests share: the demo tenant in a real PostgreSQL and the app in
// Chromium connected to it, optionally after the auditor's own Test + Sync on Connections.
import { startDemoDb, type DemoDb } from '../../helpers/demo-db.js';
import { startStack, type Stack } from './stack.js';
import { testAndSync } from '../actions/sync.js';
import { DEMO_CONNECTION_ID } from '../../../src-main/bridge/startup.js';

/**
 * A step that fails stops what the earlier ones started: the caller's after() gets nothing
 * to stop, and a PostgreSQL or Chromium left running keeps the test process, and with it
 * the whole suite, from ending (seen: a timed-out Test left CI waiting).
 */
export async function startDemoStack(opts: { synced?: boolean } = {}): Promise<{ demo: DemoDb; stack: Stack }> {
  const demo = await startDemoDb();
  let stack: Stack | undefined;
  try {
    stack = await startStack({ demo: { url: demo.url, tenants: demo.groundTruth.tenants } });
    if (opts.synced) await testAndSync(stack.page, DEMO_CONNECTION_ID);
    return { demo, stack };
  } catch (e) {
    await stack?.stop().catch(() => undefined);
    await demo.stop().catch(() => undefined);
    throw e;
  }
}
