// Public face of the controls engine (issue 15).
export { runControls, CONTROLS, CONTROL_IDS, CONTROLS_FORMAT, worstStatus, countStatuses } from './engine.js';
export type { ControlsReport, ControlsOptions } from './engine.js';
export { parsePolicy, readPolicyFile, DEFAULT_POLICY, controlsPolicySchema } from './policy.js';
export type { ControlsPolicy } from './policy.js';
export { readDlqFile, parseDlq } from './dlq-file.js';
export type { DlqFile, DlqEvent, DlqMalformed } from './dlq-file.js';
export { humanControlsReport, STATUS_LABEL } from './report.js';
export { CONTROL_STATUSES } from './types.js';
export type { ControlResult, ControlStatus } from './types.js';
export { readControlsReport } from './report-file.js';
