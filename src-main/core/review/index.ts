export { exceptionQueue, deriveItems, findItem, kindOfItemId, coverageOf, itemIdOf, latestCompletion, DEFAULT_ANOMALY_THRESHOLD, type QueueOptions } from './queue.js';
export { decide, completeReview, type DecideInput, type CompleteInput } from './decide.js';
export {
  appendJournal,
  journalEntries,
  journalSummary,
  toEntryView,
  verifyJournal,
  signJournalHead,
  journalHeadProblem,
  JOURNAL_ACTIONS,
  type JournalEntry,
  type JournalAction,
  type SignedJournalHead,
} from '../journal/journal.js';
export { signatureProblem, evidenceHashOf, DECISION_FORMAT, COMPLETION_FORMAT } from '../journal/signing.js';
export { storeControlsRun, latestControlsRun } from './controls-store.js';
export { SigningSessionState, SIGNING_IDLE_MS } from './session.js';
export { journalEngagementOpened, journalSync, journalVerification, journalAnchor, journalExport } from '../journal/journal-events.js';
