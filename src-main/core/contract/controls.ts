// Contract for controls (issue 15): run every control on a saved connection as a job
// (poll jobs.get; its result is the auditdesk-controls-v1 ControlsReport the CLI prints).
import { z } from 'zod';
import { method } from './define.js';
import { controlsPolicySchema } from './controls-policy.js';

export type { ControlsReport, ControlResult, ControlStatus, ControlsPolicy } from './controls-policy.js';

export const controlsContract = {
  /**
   * Tests the source's promises read-only on a saved connection (default: the active
   * one) for the given tenants (default: the connection's). `policy` overrides the
   * defaults field by field; the report carries the effective policy.
   */
  'controls.run': method<{ jobId: string }>()(
    z
      .object({
        connectionId: z.string().min(1).max(100).optional(),
        tenants: z.array(z.string().min(1).max(200)).max(100).optional(),
        policy: controlsPolicySchema.optional(),
      })
      .strict(),
  ),
};
