// The set-up most screen tests share: the demo tenant in a real PostgreSQL and the app in
// Chromium connected to it, optionally after the auditor's own Test + Sync on Connections.
import { startDemoDb, type DemoDb } from '../../helpers/demo-db.js';
import { startStack, type Stack } from './stack.js';
import { testAndSync } from '../actions/sync.js';
import { DEMO_CONNECTION_ID } from '../../../src-main/bridge/startup.js';

export async function startDemoStack(opts: { synced?: boolean } = {}): Promise<{ demo: DemoDb; stack: Stack }> {
  const demo = await startDemoDb();
  const stack = await startStack({ demo: { url: demo.url, tenants: demo.groundTruth.tenants } });
  if (opts.synced) await testAndSync(stack.page, DEMO_CONNECTION_ID);
  return { demo, stack };
}
