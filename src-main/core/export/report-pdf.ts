// report.pdf: the human-readable half of the package, drawn with pdfkit (charts are
// vector rectangles, no images) and signed with an embedded CMS signature
// (@signpdf, ETSI.CAdES.detached) by the identity's RSA key. Everything that
// varies between runs (creation date, signing time, document id) is pinned to the
// package's createdAt, so the same inputs give the same bytes.
import PDFDocument from 'pdfkit';
import forge from 'node-forge';
import { SignPdf } from '@signpdf/signpdf';
import { pdfkitAddPlaceholder } from '@signpdf/placeholder-pdfkit';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import type { IntegrityEntry } from './integrity.js';
import { emptySentence, verdictPhrase } from '../verify/limits.js';
import type { DriftSummary } from './changes.js';
import type { LoadedIdentity } from '../identity/identity.js';
import { lookAlikeWords, printable, printableText } from '../util/printable.js';
import { fontFor, registerReportFonts, textRuns } from './pdf-text.js';

export interface Count {
  label: string;
  n: number;
}

export interface ConfigFinding {
  agent: string | null;
  provider: string | null;
  model: string | null;
  version: string | null;
  deployment: string | null;
  value: string | null;
  count: number;
  firstLogId: string;
}

export interface SecretFinding {
  logId: string;
  agent: string | null;
  redactedConfig: string;
}

export interface AppendixRow {
  /** the row's id at the source (drift findings name rows by it) */
  key: string;
  seq: string;
  ts: string;
  type: string;
  severity: string;
  user: string;
  entity: string;
}

export interface AnomalyLine {
  id: string;
  eventId: string;
  score: string;
  detector: string;
  detectedAt: string;
  /** The auditor's latest decision (confirmed / false_positive), or "open". */
  review: string;
}

/** One conversation in the PDF's conversation appendix: the prompt as written, in any script. */
export interface ConversationLine {
  ts: string;
  agent: string;
  model: string;
  prompt: string;
}

/** One signed decision as the exceptions section prints it (Part 11 §11.50: name, time, meaning). */
export interface DecisionLine {
  disposition: string;
  meaning: string;
  signer: string;
  signerFingerprint: string;
  /** UTC, ISO 8601 with Z */
  at: string;
  note: string;
  reference: string | null;
  /** a later decision replaced this one; both stay in the record */
  superseded: boolean;
}

/** One item of the exceptions queue at export, with every decision on it (latest first). */
export interface ExceptionLine {
  itemId: string;
  kind: string;
  title: string;
  status: 'open' | 'decided';
  /** the latest decision was signed over an earlier version of the item's evidence */
  decidedOnEarlierEvidence: boolean;
  decisions: DecisionLine[];
  /** decisions from before signatures existed: shown, never counted as deciding the item */
  unsigned: { decision: string; reviewer: string; at: string; note: string }[];
}

export interface ReportData {
  packageId: string;
  createdAt: string;
  toolVersion: string;
  tenant: string;
  /** Another tenant of the cache whose id draws like this one's (printable.ts lookAlikes), named beside it on page 1; null when none does. */
  tenantLooksLike: string | null;
  period: { from: string | null; to: string | null };
  filterLines: string[];
  auditor: { name: string; org: string; email: string; fingerprint: string; pdfFingerprint: string };
  source: { label: string; fingerprint: string } | null;
  counts: Count[];
  eventsPerDay: Count[];
  eventsByType: Count[];
  eventsBySeverity: Count[];
  conversationsByProvider: Count[];
  conversationsByVersion: Count[];
  integrity: IntegrityEntry | null;
  contiguous: boolean;
  anomalyThreshold: number;
  anomaliesAbove: AnomalyLine[];
  anomaliesAboveTotal: number;
  highTemperature: ConfigFinding[];
  relaxedSafety: ConfigFinding[];
  /** null when no approved-version list was given. */
  unapprovedVersions: ConfigFinding[] | null;
  approvedVersions: string[];
  secrets: SecretFinding[];
  appendix: AppendixRow[];
  appendixCap: number;
  appendixTotal: number;
  files: { name: string; rows: number | null; sha256: string }[];
  /** The tenant's verdicts from an `auditdesk controls` run, when the export was given one. */
  controls?: ControlsSection | null;
  /** Drift findings of the exported rows (changes.csv): the verdict block states them on page 1. */
  drift: { summary: DriftSummary; lines: DriftLine[] };
  /** Times (canonical UTC) of the first and last exported event or conversation: the period in dates when no bound was given. */
  span: { first: string | null; last: string | null };
  /** A GDPR data-subject package: whose rows, and the rule that chose them (shown on page 1). */
  subject: { userId: string; sessions: string[]; rule: string } | null;
  /** The tenant's exceptions queue at export, and the latest signed completion of the review. */
  review: {
    total: number;
    decided: number;
    open: number;
    completion: { by: string; at: string; meaning: string; openItems: number } | null;
    items: ExceptionLine[];
  };
  /** The first conversations of the selection with their prompts (cap), and how many there are. */
  conversations: { lines: ConversationLine[]; cap: number; total: number };
  /** With --previous: the earlier package's QA cosignature, when it carries one that verifies (auditdesk cosign). */
  previousCosignature?: { packageId: string | null; rows: number; name: string; org: string; email: string; fingerprint: string; time: string } | null;
}

/** One tenant's part of a controls report (auditdesk-controls-v1), as the PDF lists it. */
export interface ControlsSection {
  checkedAt: string;
  source: { label: string; fingerprint: string };
  policy: Record<string, unknown>;
  controls: { id: string; status: string; summary: string }[];
}

export interface DriftLine {
  table: string;
  key: string;
  kind: string;
  detectedAt: string;
  status: string;
}

const A4 = { w: 595.28, h: 841.89 };
const M = 50;
const INK = '#1a1a1a';
const MUTED = '#666666';
const BAR = '#3b6ea5';
const BAD = '#b03030';
const GOOD = '#2f7a3b';

// Registered font names (pdf-text.ts): DejaVu Sans Condensed for Latin, Greek, Cyrillic,
// Hebrew and Arabic, Noto Sans CJK for Chinese, Japanese and Korean, chosen per run of text.
const BODY = 'body';
const BOLD = 'bold';

/** Longest cell text drawn; the rest is named, never cut silently (the CSVs hold every character). */
const MAX_CELL_CHARS = 600;

function capped(text: string): string {
  const chars = [...text];
  return chars.length > MAX_CELL_CHARS ? `${chars.slice(0, MAX_CELL_CHARS).join('')} [... ${chars.length - MAX_CELL_CHARS} more characters in the CSV]` : text;
}

/** A Signer for @signpdf that uses the identity's RSA key and a fixed signing time. */
class IdentitySigner extends Signer {
  constructor(
    private readonly id: LoadedIdentity,
    private readonly signingTime: Date,
  ) {
    super();
  }

  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(pdfBuffer.toString('binary'));
    p7.addCertificate(this.id.pdfCert);
    for (const c of this.id.chain) p7.addCertificate(c);
    p7.addSigner({
      key: this.id.pdfKey,
      certificate: this.id.pdfCert,
      digestAlgorithm: forge.pki.oids.sha256!,
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType!, value: forge.pki.oids.data },
        { type: forge.pki.oids.signingTime!, value: this.signingTime as unknown as string },
        { type: forge.pki.oids.messageDigest! },
      ],
    });
    p7.sign({ detached: true });
    return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
  }
}

interface TextStyle {
  bold?: boolean;
  size: number;
  color?: string;
}

class Layout {
  constructor(readonly doc: PDFKit.PDFDocument) {}

  get y(): number {
    return this.doc.y;
  }

  ensure(space: number): void {
    if (this.doc.y + space > A4.h - M - 20) this.doc.addPage();
  }

  /**
   * Text as written, whatever its script: drawn run by run, each in a font that has its
   * glyphs (pdf-text.ts), wrapped within `opts.width` unless `lineBreak` is false.
   */
  write(text: string, style: TextStyle, at: { x: number; y?: number | undefined } | null, opts: PDFKit.Mixins.TextOptions = {}): void {
    const runs = textRuns(text);
    if (!runs.length) runs.push({ text: '', font: 'text' });
    runs.forEach((run, i) => {
      this.doc
        .font(fontFor(run.font, style.bold ?? false))
        .fontSize(style.size)
        .fillColor(style.color ?? INK);
      const o = { ...opts, continued: i < runs.length - 1 };
      if (i === 0 && at) this.doc.text(run.text, at.x, at.y, o);
      else this.doc.text(run.text, o);
    });
  }

  widthOf(text: string, style: TextStyle): number {
    return textRuns(text).reduce(
      (w, run) =>
        w +
        this.doc
          .font(fontFor(run.font, style.bold ?? false))
          .fontSize(style.size)
          .widthOfString(run.text),
      0,
    );
  }

  /**
   * A cell of one line in the body font that fits its column: most cells of the event and
   * conversation tables. It is drawn as one fragment, without pdfkit's line wrapper, which
   * measured word by word cost most of a long appendix's time (the same glyphs, placed alike).
   */
  fitsOneLine(text: string, size: number, width: number): boolean {
    if (text.includes('\n') || textRuns(text).some((run) => run.font !== 'text' || run.text !== text)) return false;
    return this.doc.font(BODY).fontSize(size).widthOfString(text) <= width;
  }

  /** The height `text` takes when wrapped at `width`: exact for one font, generous when runs mix fonts. */
  heightOf(text: string, style: TextStyle, width: number): number {
    const runs = textRuns(text);
    this.doc.font(style.bold ? BOLD : BODY).fontSize(style.size);
    if (runs.every((r) => r.font === 'text')) return this.doc.heightOfString(printableText(text), { width });
    const lineH = this.doc.currentLineHeight(true);
    const lines = text.split('\n').reduce((n, part) => n + Math.max(1, Math.ceil((this.widthOf(part, style) * 1.2) / width)), 0);
    return lines * lineH;
  }

  h1(text: string): void {
    this.doc.addPage();
    this.write(text, { bold: true, size: 16 }, { x: M, y: M }, { width: A4.w - 2 * M });
    this.doc.moveDown(0.6);
  }

  h2(text: string): void {
    this.ensure(60);
    this.doc.moveDown(0.4);
    this.write(text, { bold: true, size: 11.5 }, { x: M }, { width: A4.w - 2 * M });
    this.doc.moveDown(0.25);
  }

  para(text: string, color = INK, size = 9.5, bold = false, indent = 0): void {
    this.ensure(30);
    this.write(text, { size, color, bold }, { x: M + indent }, { width: A4.w - 2 * M - indent });
  }

  kv(rows: [string, string][]): void {
    for (const [k, v] of rows) {
      this.ensure(16);
      const y = this.doc.y;
      this.write(k, { bold: true, size: 9.5 }, { x: M, y }, { width: 130 });
      const yk = this.doc.y;
      this.write(v, { size: 9.5 }, { x: M + 135, y }, { width: A4.w - 2 * M - 135 });
      this.doc.y = Math.max(yk, this.doc.y) + 2;
    }
  }

  /**
   * Fixed-column table whose cells wrap: a model version, a timestamp or an id is
   * printed whole, never shortened. `colourOf` gives a row its text colour (e.g. a
   * tampered row in red).
   */
  table(headers: string[], widths: number[], rows: string[][], size = 7.5, colourOf?: (row: number) => string | null): void {
    const lineH = size + 3;
    const bottom = A4.h - M - 20;
    const drawHeader = () => {
      let x = M;
      const y = this.doc.y;
      this.doc.font(BOLD).fontSize(size).fillColor(INK);
      headers.forEach((h, i) => {
        this.doc.text(h, x, y, { width: widths[i]! - 4, lineBreak: false });
        x += widths[i]!;
      });
      this.doc
        .moveTo(M, y + lineH - 1)
        .lineTo(A4.w - M, y + lineH - 1)
        .lineWidth(0.5)
        .strokeColor(MUTED)
        .stroke();
      this.doc.y = y + lineH + 1;
    };
    this.ensure(lineH * 3);
    drawHeader();
    rows.forEach((row, r) => {
      const cells = row.map(capped);
      const oneLine = cells.map((c, i) => this.fitsOneLine(c, size, widths[i]! - 4));
      const height = Math.max(lineH, ...cells.map((c, i) => (oneLine[i] ? lineH : this.heightOf(c, { size }, widths[i]! - 4) + 1)));
      if (this.doc.y + height > bottom) {
        this.doc.addPage();
        this.doc.y = M;
        drawHeader();
      }
      const colour = colourOf?.(r) ?? INK;
      let x = M;
      const y = this.doc.y;
      let below = y + lineH;
      cells.forEach((cell, i) => {
        const w = widths[i]!;
        if (oneLine[i]) {
          this.doc.font(BODY).fontSize(size).fillColor(colour).text(cell, x, y, { lineBreak: false });
          this.doc.y = y;
        } else {
          this.write(cell, { size, color: colour }, { x, y }, { width: w - 4 });
          below = Math.max(below, this.doc.y + 1);
        }
        x += w;
      });
      this.doc.y = below;
    });
    this.doc.x = M;
    this.doc.moveDown(0.3);
  }

  /** Horizontal bar chart (label, bar, value), at most `max` bars; long labels wrap. */
  hbars(title: string, data: Count[], max = 14): void {
    if (!data.length) return;
    const shown = data.slice(0, max);
    const labelW = 150;
    const heights = shown.map((d) => Math.max(13, this.heightOf(d.label, { size: 8 }, labelW - 4) + 3));
    this.ensure(24 + heights.reduce((a, b) => a + b, 0));
    this.write(title, { bold: true, size: 9.5 }, { x: M }, { width: A4.w - 2 * M });
    let y = this.doc.y + 3;
    const peak = Math.max(...shown.map((d) => d.n), 1);
    const barW = A4.w - 2 * M - labelW - 60;
    shown.forEach((d, i) => {
      const rowH = heights[i]!;
      if (y + rowH > A4.h - M - 20) {
        this.doc.addPage();
        y = M;
      }
      this.write(d.label, { size: 8 }, { x: M, y: y + 1 }, { width: labelW - 4 });
      const w = Math.max(1, (d.n / peak) * barW);
      this.doc.rect(M + labelW, y + 1, w, 9).fill(BAR);
      this.doc
        .font(BODY)
        .fontSize(8)
        .fillColor(INK)
        .text(String(d.n), M + labelW + w + 4, y + 1, { lineBreak: false });
      y += rowH;
    });
    this.doc.x = M;
    this.doc.y = y + 6;
    if (data.length > max) this.para(`(${data.length - max} more not drawn; the CSV files hold every row)`, MUTED, 8);
  }

  /** Vertical bars over days, with the first and last day labelled. */
  columns(title: string, data: Count[]): void {
    if (!data.length) return;
    const h = 120;
    this.ensure(h + 40);
    this.write(title, { bold: true, size: 9.5 }, { x: M }, { width: A4.w - 2 * M });
    const top = this.doc.y + 4;
    const width = A4.w - 2 * M;
    const peak = Math.max(...data.map((d) => d.n), 1);
    const slot = width / data.length;
    const bar = Math.max(0.5, slot * 0.8);
    this.doc
      .moveTo(M, top + h)
      .lineTo(M + width, top + h)
      .lineWidth(0.5)
      .strokeColor(MUTED)
      .stroke();
    data.forEach((d, i) => {
      const bh = (d.n / peak) * (h - 10);
      this.doc.rect(M + i * slot, top + h - bh, bar, bh).fill(BAR);
    });
    this.doc.font(BODY).fontSize(7.5).fillColor(MUTED);
    this.doc.text(`peak ${peak}/day`, M, top - 2, { width, align: 'right', lineBreak: false });
    this.doc.text(data[0]!.label, M, top + h + 3, { lineBreak: false });
    this.doc.text(data[data.length - 1]!.label, M, top + h + 3, { width, align: 'right', lineBreak: false });
    this.doc.x = M;
    this.doc.y = top + h + 16;
  }
}

function configRows(list: ConfigFinding[]): string[][] {
  return list.map((f) => [f.agent ?? '-', [f.provider, f.model, f.version].filter(Boolean).join(' / ') || '-', f.deployment ?? '-', f.value ?? '-', String(f.count), f.firstLogId]);
}

/** Renders and signs the report. Returns the signed PDF bytes. */
/**
 * "What this verification cannot show": one section, every limit of the chain in the
 * words the CLI prints (verify/limits.ts), so a green heading is never read as more
 * than was proven.
 */
function limitsSection(L: Layout, integ: IntegrityEntry | null, tenant: string): void {
  if (!integ) {
    L.h1('What this verification cannot show');
    L.para(`Anything about the hash chain: ${emptySentence(tenant, undefined)}`);
    return;
  }
  if (!integ.limits) return;
  L.h1('What this verification cannot show');
  if (integ.verdict === 'empty') L.para(integ.verdictExplanation ?? 'The chain has no rows: nothing about it was proven.');
  const earliest = earliestHead(integ);
  if (earliest) {
    // A checkpoint only protects what happened after it: the first sync's own head cannot reveal a tail cut before that sync.
    L.para(
      `before_anchor: the chain was compared with heads recorded earlier, the first of them ${earliest.label}. A tail removed, or a history rewritten consistently from its start, before that was recorded would not be seen.`,
      INK,
      9,
    );
  }
  if (!integ.limits.length && integ.verdict !== 'empty') {
    L.para(`No other limit was found for this chain: every value it holds is protected by the profile used (${integ.anchor ? `checked against ${integ.anchor.label}` : 'no earlier anchor'}).`);
    return;
  }
  for (const l of integ.limits) {
    L.para(`${l.kind}: ${l.explanation}`, INK, 9);
    if ((l.kind === 'number_precision' || l.kind === 'duplicate_key') && l.seqs.length) {
      L.para(`    seqs: ${l.seqs.join(', ')}${l.rows > l.seqs.length ? ` and ${l.rows - l.seqs.length} more` : ''}`, MUTED, 7.5);
    }
  }
}

/** The first recorded head the chain was compared with (not one whose signature failed). */
function earliestHead(integ: IntegrityEntry): { label: string } | null {
  const usable = integ.checkpoints.filter((c) => c.signature !== 'invalid');
  const dated = usable.filter((c) => c.createdAt).sort((a, b) => (a.createdAt! < b.createdAt! ? -1 : 1));
  return dated[0] ?? usable[0] ?? null;
}

/** The controls run the auditor attached: verdicts as the CLI words them, with where and when they were tested. */
function controlsSection(L: Layout, c: ControlsSection): void {
  L.h1('Controls');
  L.kv([
    ['Checked', `${c.checkedAt}, read-only`],
    ['Source', `${c.source.label} (fingerprint ${c.source.fingerprint.slice(0, 16)}...)`],
    ['Policy', JSON.stringify(c.policy)],
  ]);
  const words: Record<string, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', not_applicable: 'N/A', error: 'ERROR' };
  L.table(
    ['control', 'verdict', 'summary'],
    [120, 40, 335],
    c.controls.map((x) => [x.id, words[x.status] ?? x.status, x.summary]),
  );
  L.para('Evidence and the exact SQL of each verdict are in the controls report (auditdesk controls --json) the auditor keeps with this package.', MUTED, 8.5);
}

export async function renderReport(data: ReportData, id: LoadedIdentity): Promise<Buffer> {
  const created = new Date(data.createdAt);
  const doc = new PDFDocument({
    size: 'A4',
    margin: M,
    bufferPages: true,
    autoFirstPage: false,
    info: {
      Title: `AuditDesk compliance package ${data.packageId}`,
      Author: `${data.auditor.name} (${data.auditor.org})`,
      Subject: `Tenant ${data.tenant}`,
      Creator: `AuditDesk ${data.toolVersion}`,
      Producer: 'AuditDesk (pdfkit)',
      CreationDate: created,
      ModDate: created,
    },
  });
  registerReportFonts(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const L = new Layout(doc);
  const period = periodInDates(data);

  // Cover
  doc.addPage();
  doc
    .font(BOLD)
    .fontSize(22)
    .fillColor(INK)
    .text(data.subject ? 'Data-subject package' : 'Compliance package', M, 120);
  L.write(
    data.subject ? `Every row of one data subject (GDPR), user ${printable(data.subject.userId)}` : 'Audit trail export with integrity verification',
    { size: 13, color: MUTED },
    { x: M },
    { width: A4.w - 2 * M },
  );
  doc.moveDown(2);
  L.kv([
    ['Tenant', data.tenantLooksLike === null ? data.tenant : `${data.tenant} (${lookAlikeWords(data.tenant, data.tenantLooksLike)})`],
    ...(data.subject
      ? ([
          // A subject id is typed by a person: control and bidi characters are shown escaped, never obeyed.
          ['Data subject', printable(data.subject.userId)],
          ['Rule', `${data.subject.rule}${data.subject.sessions.length ? ` (sessions: ${data.subject.sessions.map(printable).join(', ')})` : ' (no session named)'}`],
        ] as [string, string][])
      : []),
    ['Period', period],
    ...(data.filterLines.length ? data.filterLines.map((f, i): [string, string] => [i ? '' : 'Filters', f]) : [['Filters', 'none (whole period)'] as [string, string]]),
    ['Auditor', `${data.auditor.name}, ${data.auditor.org} <${data.auditor.email}>`],
    ['Signer fingerprint', data.auditor.fingerprint],
    ['Created', data.createdAt],
    ['Tool', `AuditDesk ${data.toolVersion}`],
    ['Package id', data.packageId],
    ['Source', data.source ? `${data.source.label} (fingerprint ${data.source.fingerprint.slice(0, 16)}...)` : 'none'],
  ]);
  doc.moveDown(1);
  verdictBlock(doc, L, data);
  doc.moveDown(1);
  L.para(
    'This report summarises the files of the package. The CSV files hold every row of the selected range; manifest.json lists each file with its SHA-256, size and row count and is signed (manifest.sig, Ed25519). docs/verify-by-hand.md in AuditDesk explains how to check the package with unzip, sha256sum and openssl alone.',
    MUTED,
    9,
  );

  // Summary
  L.h1('Summary');
  L.table(
    ['Item', 'Rows'],
    [300, 100],
    data.counts.map((c) => [c.label, String(c.n)]),
    9,
  );
  L.columns('Events per day', data.eventsPerDay);
  L.hbars('Events by type', data.eventsByType);
  L.hbars('Events by severity', data.eventsBySeverity);
  L.hbars('Conversations by model provider', data.conversationsByProvider);
  L.hbars('Conversations by model version', data.conversationsByVersion);

  // Integrity
  L.h1('Integrity');
  const integ = data.integrity;
  if (!integ) {
    // Not "intact": a typo'd tenant, rows hidden at sync time or a removed chain all look like this.
    doc.font(BOLD).fontSize(12).fillColor(BAD).text('Hash chain EMPTY: no events in the selection', M);
    doc.moveDown(0.3);
    L.para(`No audit events in the selection, so no hash chain was verified: ${emptySentence(data.tenant, undefined)}`);
  } else {
    doc.font(BOLD).fontSize(12).fillColor(chainColour(integ, data)).text(chainVerdict(integ, data), M);
    doc.moveDown(0.3);
    if (integ.verdictExplanation) L.para(integ.verdictExplanation);
    L.kv([
      ['Checked against', integ.anchor ? integ.anchor.label : integ.limits ? 'no earlier anchor' : '-'],
      ['Table', integ.table],
      ['Rows checked', `${integ.rows} (${integ.intactRows} intact)`],
      ['First row', integ.firstSeq === null ? '-' : `seq ${integ.firstSeq}`],
      ['Chain head', integ.lastSeq === null ? '-' : `seq ${integ.lastSeq}, hash ${integ.headHash ?? 'NULL'}`],
      ['Merkle root', integ.merkleRoot ? `${integ.merkleRoot} (RFC 6962, over the row digests of audit_events.csv)` : '-'],
      [
        'Scope',
        data.contiguous
          ? 'every event of the period, checked by the verification engine (missing rows are breaks)'
          : 'a filtered subset (rows are checked on their own and linked where seq is consecutive)',
      ],
    ]);
    if (integ.checkpoints.length) {
      L.h2('Signed checkpoints compared');
      L.table(
        ['checkpoint', 'seq', 'signature', 'outcome'],
        [230, 70, 70, 125],
        integ.checkpoints.map((c) => [c.label, String(c.lastSeq), c.signature, c.outcome]),
      );
    }
    previousCosignatureSection(L, data);
    if (integ.breaks.length) {
      L.h2('Every break');
      L.table(
        ['seq', 'kind', 'row id', 'time'],
        [60, 70, 190, 175],
        integ.breaks.map((b) => [String(b.seq ?? '-'), b.kind, b.id ?? '-', b.time ?? '-']),
      );
      if (integ.breaksOmitted) L.para(`${integ.breaksOmitted} further break(s) are counted but not listed.`, MUTED, 8.5);
      L.h2('Explanations');
      for (const b of integ.breaks) {
        L.para(`seq ${b.seq ?? '-'} (${b.kind}): ${b.explanation}`, INK, 8.5);
        L.para(`    expected ${b.expected ?? 'NULL'}`, MUTED, 7.5);
        L.para(`    found    ${b.found ?? 'NULL'}`, MUTED, 7.5);
      }
    }
  }

  limitsSection(L, integ, data.tenant);
  exceptionsSection(L, data);

  // Anomalies
  L.h1(`Anomalies with score >= ${data.anomalyThreshold}`);
  if (!data.anomaliesAbove.length) L.para('None in the selection.');
  else {
    L.table(
      ['score', 'detected at', 'review', 'audit event', 'anomaly id'],
      [30, 110, 57, 149, 149],
      data.anomaliesAbove.map((a) => [a.score, a.detectedAt, a.review, a.eventId, a.id]),
    );
    L.para('Decisions and notes are in reviews.csv; detectors and features in anomalies.csv.', MUTED, 8);
    if (data.anomaliesAboveTotal > data.anomaliesAbove.length) {
      L.para(`${data.anomaliesAboveTotal - data.anomaliesAbove.length} more are listed in anomalies.csv.`, MUTED, 8.5);
    }
  }

  // Model and configuration findings
  L.h1('Model and configuration findings');
  const cfgHeaders = ['agent', 'provider / model / version', 'deployment', 'value', 'rows', 'first log id'];
  const cfgWidths = [65, 135, 70, 35, 35, 155];
  L.h2(`Temperature above 0.8 (${data.highTemperature.reduce((s, f) => s + f.count, 0)} conversations)`);
  if (data.highTemperature.length) L.table(cfgHeaders, cfgWidths, configRows(data.highTemperature));
  else L.para('None.');
  L.h2(`Relaxed safety mode (${data.relaxedSafety.reduce((s, f) => s + f.count, 0)} conversations)`);
  if (data.relaxedSafety.length) L.table(cfgHeaders, cfgWidths, configRows(data.relaxedSafety));
  else L.para('None.');
  L.h2('Model versions outside the approved list');
  if (data.unapprovedVersions === null) {
    L.para('No approved-version list was given for this export (--approved-version), so every version in use is listed for review:', MUTED, 9);
    L.table(
      ['provider / model / version', 'conversations'],
      [300, 100],
      data.conversationsByVersion.map((c) => [c.label, String(c.n)]),
    );
  } else if (!data.unapprovedVersions.length) L.para(`None. Approved: ${data.approvedVersions.join(', ')}.`);
  else {
    L.para(`Approved: ${data.approvedVersions.join(', ')}.`, MUTED, 9);
    L.table(cfgHeaders, cfgWidths, configRows(data.unapprovedVersions));
  }
  L.h2(`Secrets in model_config (${data.secrets.length} conversations)`);
  if (data.secrets.length) {
    L.para('Values are REDACTED here. The CSV keeps the source value unchanged, as evidence.', MUTED, 8.5);
    L.table(
      ['log id', 'agent', 'model_config (redacted)'],
      [150, 60, 285],
      data.secrets.slice(0, 500).map((s) => [s.logId, s.agent ?? '-', s.redactedConfig]),
    );
  } else L.para('None found.');

  if (data.controls) controlsSection(L, data.controls);

  // Appendix
  L.h1('Appendix: audit events');
  L.para(
    data.appendixTotal > data.appendixCap
      ? `The first ${data.appendixCap} of ${data.appendixTotal} events are listed (cap ${data.appendixCap}); audit_events.csv holds all of them.`
      : `All ${data.appendixTotal} events are listed (cap ${data.appendixCap}).`,
    MUTED,
    9,
  );
  const marks = appendixMarks(data);
  if (marks.size) L.para(`${marks.size} listed row(s) are marked in red: a break of the hash chain is reported at the row, or the row changed at the source after it was first cached.`, BAD, 8.5);
  L.table(
    ['seq', 'time (UTC)', 'event type', 'severity', 'user', 'entity', 'finding'],
    [40, 105, 75, 45, 80, 70, 80],
    data.appendix.map((r) => [r.seq, r.ts, r.type, r.severity, r.user, r.entity, marks.get(r.seq) ?? marks.get(`key:${r.key}`) ?? '']),
    7,
    (i) => (marks.has(data.appendix[i]!.seq) || marks.has(`key:${data.appendix[i]!.key}`) ? BAD : null),
  );

  conversationAppendix(L, data);

  driftSection(L, data);

  // Signature page (the invisible signature widget is attached here)
  L.h1('Signature');
  L.kv([
    ['Signed by', `${data.auditor.name}, ${data.auditor.org} <${data.auditor.email}>`],
    ['Meaning', PACKAGE_SIGNATURE_MEANING],
    ['Manifest key', `Ed25519, certificate SHA-256 ${data.auditor.fingerprint}`],
    ['PDF key', `RSA, certificate SHA-256 ${data.auditor.pdfFingerprint}`],
    ['Signed at', `${data.createdAt} (UTC)`],
    ['Package id', data.packageId],
  ]);
  L.h2('Files covered by the signed manifest');
  L.table(
    ['file', 'rows', 'SHA-256'],
    [110, 50, 335],
    data.files.map((f) => [f.name, f.rows === null ? '-' : String(f.rows), f.sha256]),
    7,
  );
  L.para(
    "This PDF carries an embedded signature by the PDF key above. manifest.json names this PDF's certificate fingerprint and every file's SHA-256, and manifest.sig is the Ed25519 signature of manifest.json by the manifest key.",
    MUTED,
    8.5,
  );
  pdfkitAddPlaceholder({
    pdf: doc,
    pdfBuffer: Buffer.alloc(0),
    reason: `AuditDesk compliance package ${data.packageId}`,
    contactInfo: data.auditor.email,
    name: data.auditor.name,
    location: data.auditor.org,
    signingTime: created,
    signatureLength: 16384,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    widgetRect: [0, 0, 0, 0],
  } as Parameters<typeof pdfkitAddPlaceholder>[0]);

  // Page numbers on every page (buffered pages), written without moving the layout.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font(BODY)
      .fontSize(8)
      .fillColor(MUTED)
      .text(`Page ${i + 1} of ${range.count}  -  package ${data.packageId}`, M, A4.h - 30, { width: A4.w - 2 * M, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  const unsigned = await done;
  return new SignPdf().sign(unsigned, new IdentitySigner(id, created), created);
}

/**
 * The period as explicit UTC times, never "beginning to end": a bound the export was
 * given, else the time of the first or last exported row (and it says which).
 */
function periodInDates(data: ReportData): string {
  const { from, to } = data.period;
  const { first, last } = data.span;
  if (!from && !to && !first) return 'no rows in the selection';
  const start = from ? `${from} (from, inclusive)` : `${first} (first exported row)`;
  const end = to ? `${to} (to, exclusive)` : `${last} (last exported row)`;
  return `${start} to ${end}${!from && !to ? '; no period bound: every row of the tenant in the cache' : ''}`;
}

/** Page 1's exceptions and review lines: what needed a human decision, and whether the review was signed off. */
function reviewLines(data: ReportData): { text: string; colour: string }[] {
  const r = data.review;
  const exceptions = r.total
    ? { text: `Exceptions: ${r.total} in the queue, ${r.decided} decided, ${r.open} open.`, colour: r.open ? BAD : GOOD }
    : { text: 'Exceptions: none in the queue at export.', colour: INK };
  const c = r.completion;
  const completion = c
    ? { text: `Review completed by ${c.by} at ${c.at} (UTC), signed as "${c.meaning}"${c.openItems ? `, with ${c.openItems} item(s) signed off as open` : ''}.`, colour: c.openItems ? BAD : INK }
    : { text: 'Review not completed: no signed completion record.', colour: BAD };
  return [exceptions, completion];
}

/** Drift findings of one table: a table with any is never called intact. */
function driftIn(data: ReportData, table: string | null): number {
  if (!table) return 0;
  return Object.values(data.drift.summary.byTable[table] ?? {}).reduce((n, k) => n + (k ?? 0), 0);
}

type ChainEntry = NonNullable<ReportData['integrity']>;

function chainVerdict(integ: ChainEntry, data: ReportData): string {
  const nBreaks = integ.breaks.length + integ.breaksOmitted;
  if (integ.verdict === 'empty') return 'Hash chain EMPTY: no rows to verify';
  if (!integ.intact) return `Hash chain BROKEN: ${nBreaks} break(s)${breakKinds(integ)}`;
  const drift = driftIn(data, integ.table);
  if (drift) return `Hash chain links up, but ${drift} of its rows changed at the source after they were first cached`;
  // A subset (a filter, or one data subject) proves each row, not the chain between them.
  if (!data.contiguous) return `Rows of the hash chain: each row's hash recomputed and matching (a subset: chain continuity is not shown)`;
  return `Hash chain ${verdictPhrase(integ)}`;
}

/** " (1 modified, 1 deleted)": the kinds of the listed breaks, and how many more the report omits. */
function breakKinds(integ: ChainEntry): string {
  const byKind = new Map<string, number>();
  for (const b of integ.breaks) byKind.set(b.kind, (byKind.get(b.kind) ?? 0) + 1);
  const parts = [...byKind].map(([kind, n]) => `${n} ${kind}`);
  if (integ.breaksOmitted) parts.push(`${integ.breaksOmitted} more not listed`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function chainColour(integ: ChainEntry, data: ReportData): string {
  return integ.intact && integ.verdict !== 'empty' && !driftIn(data, integ.table) ? GOOD : BAD;
}

/** Page 1: what the package shows about integrity, in two lines an auditor reads first. */
function verdictBlock(doc: PDFKit.PDFDocument, L: Layout, data: ReportData): void {
  const integ = data.integrity;
  const d = data.drift.summary;
  doc.font(BOLD).fontSize(12).fillColor(INK).text('Verdict', M);
  doc.moveDown(0.2);
  const chain = integ ? chainVerdict(integ, data) : 'No audit events in the selection, so no hash chain to verify';
  doc
    .font(BOLD)
    .fontSize(10)
    .fillColor(integ ? chainColour(integ, data) : MUTED)
    .text(chain, M);
  if (d.findings) {
    const tables = Object.entries(d.byTable)
      .map(
        ([t, kinds]) =>
          `${t}: ${Object.entries(kinds)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')}`,
      )
      .join('; ');
    doc.font(BOLD).fontSize(10).fillColor(BAD).text(`${d.statement} (${tables}). Both versions of each are in changes.csv; ${d.open} not decided yet.`, M);
  } else {
    doc.font(BODY).fontSize(10).fillColor(GOOD).text('No row in the package changed at the source after it was first cached.', M);
  }
  for (const line of reviewLines(data)) L.write(line.text, { bold: true, size: 10, color: line.colour }, { x: M }, { width: A4.w - 2 * M });
  L.para('A package whose data shows breaks or changes is still authentic when its signature and hashes verify: these are findings about the source.', MUTED, 8.5);
}

/** Every drift finding of the package (capped like the appendix), after the integrity part. */
function driftSection(L: Layout, data: ReportData): void {
  const d = data.drift.summary;
  if (!d.findings) return;
  L.h1('Changes at the source');
  L.para(
    `${d.statement}. AuditDesk keeps every version it saw: the earlier and later values of each row are in changes.csv. A deleted row stays in its table's CSV as it was cached; changes.csv marks it deleted at the source.`,
  );
  L.table(
    ['table', 'row id', 'change', 'first detected', 'status'],
    [120, 170, 55, 110, 40],
    data.drift.lines.map((l) => [l.table, l.key, l.kind, l.detectedAt, l.status]),
  );
  if (data.drift.lines.length < d.findings) L.para(`${d.findings - data.drift.lines.length} further finding(s) are in changes.csv but not listed here.`, MUTED, 8.5);
}

/**
 * What the package signature means (Part 11 §11.50(a)(3)): authorship of the package, not
 * a judgement of the data. docs/package-format.md states the same words.
 */
export const PACKAGE_SIGNATURE_MEANING =
  'Authorship: the signer exported this package from the source named on page 1 and attests that its files are the ones listed below, unchanged. It is not a statement that the data is intact: the verdict on page 1 says what the data shows.';

/** Exceptions shown in full; the rest are counted (decisions.csv and journal.jsonl hold every one). */
const MAX_EXCEPTIONS_LISTED = 500;

/**
 * Every item of the exceptions queue with each signed decision on it: disposition, the
 * signer's printed name, the time in UTC, the meaning and the note (Part 11 §11.50);
 * superseded decisions stay, marked as such.
 */
function exceptionsSection(L: Layout, data: ReportData): void {
  const r = data.review;
  L.h1('Exceptions and decisions');
  if (!r.items.length) {
    L.para('The exceptions queue was empty at export: no chain break, drift finding, anomaly at or above the threshold, model/configuration finding or failed control needed a decision.');
    return;
  }
  L.para(
    `${r.total} item(s): ${r.decided} decided, ${r.open} open. Each decision is signed with the reviewer's identity over the item's evidence hash (docs/review.md); the signatures are in decisions.csv and journal.jsonl, and verify-package checks them. Times are UTC.`,
    MUTED,
    8.5,
  );
  for (const item of r.items.slice(0, MAX_EXCEPTIONS_LISTED)) {
    L.ensure(60);
    L.doc.moveDown(0.4);
    const open = item.status === 'open';
    L.para(`${open ? 'OPEN' : 'DECIDED'} [${item.kind}] ${item.title}`, open ? BAD : INK, 9, true);
    if (item.decidedOnEarlierEvidence) L.para('The item changed after its latest decision was signed: it needs deciding again.', BAD, 8, false, 12);
    if (!item.decisions.length) L.para('No signed decision.', MUTED, 8, false, 12);
    for (const d of item.decisions) {
      const ref = d.reference ? `, reference ${d.reference}` : '';
      L.para(
        `${d.superseded ? 'SUPERSEDED: ' : ''}${d.disposition}${ref}; signed by ${d.signer} at ${d.at} (UTC), meaning "${d.meaning}" (certificate SHA-256 ${d.signerFingerprint.slice(0, 16)}...)`,
        d.superseded ? MUTED : INK,
        8,
        false,
        12,
      );
      L.para(`note: ${d.note}`, d.superseded ? MUTED : INK, 8, false, 24);
    }
    for (const u of item.unsigned) L.para(`UNSIGNED (recorded before signatures existed): ${u.decision} by "${u.reviewer}" (typed name) at ${u.at}; note: ${u.note}`, MUTED, 8, false, 12);
  }
  if (r.items.length > MAX_EXCEPTIONS_LISTED) L.para(`${r.items.length - MAX_EXCEPTIONS_LISTED} further item(s) are not listed here; decisions.csv holds every decision.`, MUTED, 8.5);
}

/** The events appendix's marks: a break of the chain at a seq, or a row changed at the source (by key). */
function appendixMarks(data: ReportData): Map<string, string> {
  const marks = new Map<string, string>();
  const integ = data.integrity;
  for (const b of integ?.breaks ?? []) if (b.seq !== null && b.seq !== undefined) marks.set(String(b.seq), `TAMPERED: ${b.kind}`);
  const eventsTable = integ?.table ?? null;
  for (const l of data.drift.lines) if (l.table === eventsTable) marks.set(`key:${l.key}`, `CHANGED AT SOURCE: ${l.kind}`);
  return marks;
}

/** The first conversations with their prompts as written (CJK, Arabic and Hebrew print as such). */
function conversationAppendix(L: Layout, data: ReportData): void {
  const c = data.conversations;
  if (!c.total) return;
  L.h1('Appendix: conversations');
  L.para(
    c.total > c.lines.length
      ? `The first ${c.lines.length} of ${c.total} conversations are listed with their prompts (cap ${c.cap}); conversation_logs.csv holds all of them with the responses.`
      : `All ${c.total} conversations are listed with their prompts; conversation_logs.csv also holds the responses.`,
    MUTED,
    9,
  );
  L.table(
    ['time (UTC)', 'agent', 'provider / model / version', 'prompt'],
    [112, 60, 100, 223],
    c.lines.map((l) => [l.ts, l.agent, l.model, l.prompt]),
    7,
  );
}

/** The four-eyes review of the previous visit: who cosigned the checkpoint this chain was compared with. */
function previousCosignatureSection(L: Layout, data: ReportData): void {
  const c = data.previousCosignature;
  if (!c) return;
  L.h2('Cosigned previous package');
  L.para(
    `The checkpoint of the previous package ${c.packageId ?? ''} (${c.rows} rows) was cosigned by ${c.name}, ${c.org} <${c.email}> at ${c.time} (C2SP tlog-cosignature; cosigner fingerprint ${c.fingerprint}, from the package's cosigner.pem: compare it with the one the cosigner gave you).`,
  );
}
