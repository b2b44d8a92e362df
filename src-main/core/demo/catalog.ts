// The fictional world of the demo: three tenants, their people, AI agents and the
// things they talk about. Everything here is invented (example.* domains, TEST-NET IPs).
import type { Rng } from './prng.js';

export interface Agent {
  id: string;
  env: 'prod' | 'staging' | 'dev';
  provider: 'openai' | 'anthropic' | 'azure' | 'cohere';
  model: string;
  version: string;
  deploymentId: string | null;
  temperature: string;
  safetyMode: 'strict' | 'balanced' | 'relaxed';
  /** JSON text of the agent's extra configuration (already in JSON form for COPY). */
  modelConfig: string;
  channels: readonly ('api' | 'web' | 'slack' | 'voice')[];
  weight: number;
}

export interface Tenant {
  id: string;
  /** Share of all events and conversations. */
  share: number;
  domain: string;
  users: readonly string[];
  serviceAccount: string;
  admins: readonly string[];
  officeNet: string;
  entities: readonly { type: string; prefix: string; digits: number }[];
  agents: readonly Agent[];
  topics: readonly Topic[];
}

export interface Topic {
  prompt: (rng: Rng) => string;
  response: (rng: Rng) => string;
}

function agent(a: Omit<Agent, 'modelConfig'> & { config: Record<string, unknown> }): Agent {
  const { config, ...rest } = a;
  return { ...rest, modelConfig: JSON.stringify(config) };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

const ACME_TOPICS: Topic[] = [
  {
    prompt: (r) => `Summarise the adverse event narrative for case AER-2026-${pad(r.int(1, 9999), 5)}, focus on onset and outcome.`,
    response: (r) =>
      `Summary:\n- Event: ${r.pick(['headache', 'nausea', 'rash', 'dizziness', 'elevated ALT'])} (grade ${r.int(1, 3)})\n- Onset: day ${r.int(1, 28)} after first dose\n- Outcome: ${r.pick(['resolved', 'resolving', 'not resolved', 'unknown'])}\nNo causality assessment is given in the source; please confirm with the investigator.`,
  },
  {
    prompt: (r) => `What is the maximum daily dose of ${r.pick(['Zentravir', 'Oxalumab', 'Cardiprex', 'Neurofen-XR'])} for patients with renal impairment (eGFR < ${r.pick([30, 45, 60])})?`,
    response: (r) => `Per the current SmPC, section 4.2, the dose should be reduced to ${r.pick([5, 10, 20, 25])} mg once daily. Note: this is "guidance only" — consult the prescribing physician.`,
  },
  {
    prompt: () => `Translate the patient leaflet heading "Wie ist Zentravir aufzubewahren?" into English and French.`,
    response: () => `EN: "How to store Zentravir"\nFR: « Comment conserver Zentravir »`,
  },
  {
    prompt: (r) => `List open queries for site ${r.pick(['DE-014', 'FR-102', 'ES-007', 'JP-031'])} in trial ONC-0113, grouped by visit.`,
    response: (r) => `Visit 3: ${r.int(0, 6)} open queries (lab ranges, ECG timing)\nVisit 5: ${r.int(0, 4)} open queries\nSite contact: Dr. Müller, Größe der Kohorte n=${r.int(12, 80)}.`,
  },
  {
    prompt: () => `Draft a short note to the QA team: batch 24-117 passed release testing, certificate attached.`,
    response: () => `Hi QA team,\n\nbatch 24-117 passed release testing; the certificate of analysis is attached. Let me know if you need the raw data, too.\n\nBest regards`,
  },
];

const GLOBEX_TOPICS: Topic[] = [
  {
    prompt: (r) => `Why was card transaction TX-${pad(r.int(1, 99999999), 8)} flagged? Customer says it was a hotel in São Paulo.`,
    response: (r) =>
      `The transaction was flagged because the merchant country (BR) differs from the customer's last ${r.int(3, 12)} transactions (DE) and the amount, €${r.int(120, 2400)}.${pad(r.int(0, 99), 2)}, is above the usual range. A travel notice would clear it.`,
  },
  {
    prompt: (r) => `Check the KYC file KYC-${pad(r.int(1, 999999), 6)}: is the proof of address older than 3 months?`,
    response: (r) =>
      r.chance(0.5) ? `Yes. The utility bill is dated ${r.int(4, 11)} months ago, so a newer document is needed.` : `No, the bank statement is ${r.int(1, 8)} weeks old and acceptable.`,
  },
  {
    prompt: () => `What's the difference between a fixed and a variable rate mortgage? Explain like I'm new to this.`,
    response: () =>
      `With a fixed rate, your monthly payment stays the same for the fixed period, e.g. 10 years. With a variable rate it moves with the reference rate, so it can go up or down. "Cheaper today" doesn't mean cheaper over the whole term.`,
  },
  {
    prompt: (r) => `Summarise the loan application LA-${pad(r.int(1, 999999), 6)} for the credit committee, 3 bullet points.`,
    response: (r) =>
      `• Applicant income verified, debt-to-income ${r.int(18, 47)}%\n• Collateral: apartment, LTV ${r.int(55, 92)}%\n• Recommendation: ${r.pick(['approve', 'approve with conditions', 'decline', 'refer'])}`,
  },
  {
    prompt: () => `Ich möchte mein Tagesgeldkonto kündigen. Wie geht das?`,
    response: () => `Sie können das Tagesgeldkonto im Online-Banking unter „Konten → Verwalten“ kündigen; das Guthaben wird auf Ihr Girokonto überwiesen.`,
  },
];

const INITECH_TOPICS: Topic[] = [
  {
    prompt: (r) => `Customer on ticket TCK-${pad(r.int(1, 999999), 6)} can't log in after the SSO change, what should I tell them?`,
    response: () =>
      `Ask them to sign out everywhere, clear cookies for login.initech.example, then sign in again with their work e-mail. If it still fails, collect the error code shown after "Error:" and escalate to tier 2.`,
  },
  {
    prompt: (r) => `Review this diff:\n\`\`\`\n- if (user.role == "admin") {\n+ if (user.role === "admin" || user.id === ${r.int(1, 999)}) {\n\`\`\``,
    response: () => `The change adds a hard-coded user id bypass, which grants admin rights outside the role model. I'd reject it; use a role assignment instead.`,
  },
  {
    prompt: () => `Write a friendly follow-up e-mail to a trial customer, mention the 14-day trial ends Friday.`,
    response: () =>
      `Subject: Your Initech trial ends on Friday\n\nHi there,\n\nthanks for trying Initech! Your 14-day trial ends this Friday. Reply to this e-mail if you'd like a call — we're happy to help. 🙂`,
  },
  {
    prompt: (r) => `Summarise incident INC-${r.int(1000, 9999)} from the #ops channel for the post-mortem.`,
    response: (r) =>
      `Impact: ${r.int(3, 95)} minutes of elevated error rates on the API (5xx ≈ ${r.int(2, 40)}%).\nCause: a config push with an invalid cache TTL.\nFix: rollback; follow-up: add validation to the deploy pipeline.`,
  },
  {
    prompt: () => `東京オフィスの営業時間は？`,
    response: () => `東京オフィスの営業時間は平日 9:00〜18:00（日本時間）です。`,
  },
];

function users(domain: string, names: string[]): string[] {
  return names.map((n) => `${n}@${domain}`);
}

export const TENANTS: readonly Tenant[] = [
  {
    id: 'acme-pharma',
    share: 0.42,
    domain: 'acme-pharma.example',
    users: users('acme-pharma.example', ['a.keller', 'b.nguyen', 'c.rossi', 'd.richter', 'e.moreau', 'f.alvarez', 'g.svensson', 'h.tanaka', 'i.kowalski', 'j.osei', 'k.brennan', 'l.haddad']),
    serviceAccount: 'svc-pv-etl@acme-pharma.example',
    admins: ['a.keller@acme-pharma.example', 'g.svensson@acme-pharma.example'],
    officeNet: '10.12',
    entities: [
      { type: 'patient_record', prefix: 'PT-', digits: 6 },
      { type: 'adverse_event_report', prefix: 'AER-2026-', digits: 5 },
      { type: 'trial_dataset', prefix: 'TRIAL-ONC-', digits: 4 },
      { type: 'batch_record', prefix: 'BATCH-24-', digits: 3 },
    ],
    agents: [
      agent({
        id: 'pv-case-triage-prod',
        env: 'prod',
        provider: 'anthropic',
        model: 'claude-3-5-sonnet',
        version: '20241022',
        deploymentId: null,
        temperature: '0.2',
        safetyMode: 'strict',
        config: { max_tokens: 1024, top_p: 0.9 },
        channels: ['api', 'web'],
        weight: 4,
      }),
      agent({
        id: 'medinfo-assistant-prod',
        env: 'prod',
        provider: 'azure',
        model: 'gpt-4o',
        version: '2024-08-06',
        deploymentId: 'acme-gpt4o-weu-prod',
        temperature: '0.3',
        safetyMode: 'strict',
        config: { top_p: 0.95, frequency_penalty: 0.2 },
        channels: ['web', 'voice'],
        weight: 3,
      }),
      agent({
        id: 'lab-notes-summariser-staging',
        env: 'staging',
        provider: 'cohere',
        model: 'command-r-plus',
        version: '08-2024',
        deploymentId: null,
        temperature: '0.7',
        safetyMode: 'relaxed',
        config: { max_tokens: 512 },
        channels: ['api'],
        weight: 1,
      }),
      agent({
        id: 'regulatory-qa-prod',
        env: 'prod',
        provider: 'openai',
        model: 'gpt-4-turbo',
        version: '2024-04-09',
        deploymentId: null,
        temperature: '0.0',
        safetyMode: 'balanced',
        config: { top_p: 1, seed: 7 },
        channels: ['web', 'slack'],
        weight: 2,
      }),
    ],
    topics: ACME_TOPICS,
  },
  {
    id: 'globex-bank',
    share: 0.35,
    domain: 'globex-bank.example',
    users: users('globex-bank.example', ['m.schmidt', 'n.oconnor', 'o.petrov', 'p.dubois', 'q.lindqvist', 'r.mensah', 's.yilmaz', 't.fernandes', 'u.novak', 'v.castillo']),
    serviceAccount: 'svc-core-batch@globex-bank.example',
    admins: ['m.schmidt@globex-bank.example', 'r.mensah@globex-bank.example'],
    officeNet: '10.40',
    entities: [
      { type: 'customer_account', prefix: 'ACC-', digits: 8 },
      { type: 'transaction', prefix: 'TX-', digits: 8 },
      { type: 'loan_application', prefix: 'LA-', digits: 6 },
      { type: 'kyc_document', prefix: 'KYC-', digits: 6 },
    ],
    agents: [
      agent({
        id: 'kyc-review-assistant-prod',
        env: 'prod',
        provider: 'azure',
        model: 'gpt-4',
        version: '0613',
        deploymentId: 'globex-gpt4-eastus-prod',
        temperature: '0.1',
        safetyMode: 'strict',
        config: { top_p: 0.9, max_tokens: 800 },
        channels: ['web', 'api'],
        weight: 3,
      }),
      agent({
        id: 'fraud-explainer-prod',
        env: 'prod',
        provider: 'anthropic',
        model: 'claude-3-haiku',
        version: '20240307',
        deploymentId: null,
        temperature: '0.2',
        safetyMode: 'strict',
        config: { max_tokens: 600 },
        channels: ['api'],
        weight: 3,
      }),
      agent({
        id: 'wealth-chat-prod',
        env: 'prod',
        provider: 'openai',
        model: 'gpt-4o',
        version: '2024-08-06',
        deploymentId: null,
        temperature: '0.5',
        safetyMode: 'balanced',
        config: { top_p: 0.9, presence_penalty: 0.1 },
        channels: ['web', 'voice'],
        weight: 3,
      }),
      agent({
        id: 'dev-sandbox-bot-dev',
        env: 'dev',
        provider: 'openai',
        model: 'gpt-4o-mini',
        version: '2024-07-18',
        deploymentId: null,
        temperature: '0.9',
        safetyMode: 'relaxed',
        config: { top_p: 1 },
        channels: ['slack'],
        weight: 1,
      }),
    ],
    topics: GLOBEX_TOPICS,
  },
  {
    id: 'initech-ai',
    share: 0.23,
    domain: 'initech-ai.example',
    users: users('initech-ai.example', ['w.park', 'x.ibrahim', 'y.costa', 'z.weber', 'm.okafor', 'n.larsen', 'o.sato', 'p.murphy']),
    serviceAccount: 'svc-ci-runner@initech-ai.example',
    admins: ['w.park@initech-ai.example'],
    officeNet: '10.77',
    entities: [
      { type: 'support_ticket', prefix: 'TCK-', digits: 6 },
      { type: 'customer_profile', prefix: 'CUS-', digits: 6 },
      { type: 'code_repository', prefix: 'repo-', digits: 3 },
    ],
    agents: [
      agent({
        id: 'support-bot-prod',
        env: 'prod',
        provider: 'openai',
        model: 'gpt-4o-mini',
        version: '2024-07-18',
        deploymentId: null,
        temperature: '0.4',
        safetyMode: 'balanced',
        config: { top_p: 0.9, max_tokens: 400 },
        channels: ['web', 'slack', 'api'],
        weight: 4,
      }),
      agent({
        id: 'code-review-copilot-prod',
        env: 'prod',
        provider: 'azure',
        model: 'gpt-4o',
        version: '2024-08-06',
        deploymentId: 'initech-gpt4o-ncus-prod',
        temperature: '0.2',
        safetyMode: 'strict',
        config: { top_p: 0.95 },
        channels: ['api', 'slack'],
        weight: 2,
      }),
      agent({
        id: 'sales-email-drafter-staging',
        env: 'staging',
        provider: 'cohere',
        model: 'command-r',
        version: '08-2024',
        deploymentId: null,
        temperature: '0.8',
        safetyMode: 'relaxed',
        config: { max_tokens: 700, k: 40 },
        channels: ['web'],
        weight: 1,
      }),
      agent({
        id: 'incident-summariser-prod',
        env: 'prod',
        provider: 'anthropic',
        model: 'claude-3-5-sonnet',
        version: '20241022',
        deploymentId: null,
        temperature: '0.3',
        safetyMode: 'balanced',
        config: { max_tokens: 1500 },
        channels: ['slack'],
        weight: 2,
      }),
    ],
    topics: INITECH_TOPICS,
  },
];

export const TAMPERED_TENANT = 'globex-bank';

/**
 * The tenant whose chain the writer hashes with jcs-exact-sha256-v2 (issue 20), so both
 * profiles are exercised. Its json values are integers of up to 15 digits and strings,
 * which both profiles write alike: verifying every tenant with v1 stays intact, and a
 * mistake in v2's writer would show as breaks there.
 */
export const EXACT_PROFILE_TENANT = 'initech-ai';

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/141.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64) Firefox/144.0',
  'AuditDeskSDK/2.3 (python-requests)',
];
