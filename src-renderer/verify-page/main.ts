// The verify page shipped inside every package (verify.html): a reader without a
// terminal picks the ZIP or its unpacked folder and sees the same verdict, failures and
// break list as `auditdesk verify-package`. No network: the page's CSP forbids it.
import './buffer-global.js';
import { checkPackage, type PageResult } from './check.js';
import { folderSource, zipSource } from './sources.js';
import { printable } from '../../src-main/core/util/printable.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function el(tag: string, text?: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = printable(text);
  if (cls) e.className = cls;
  return e;
}

function render(r: PageResult): void {
  const out = $('result');
  out.replaceChildren();
  const verdict = el('p', '', `verdict ${r.verdict}`);
  verdict.setAttribute('role', 'status');
  verdict.dataset.verdict = r.verdict;
  if (r.verdict === 'valid') verdict.textContent = printable(`VALID: every check passed, signed by ${r.signer!.name} (${r.signer!.org}), the fingerprint you expected.`);
  else if (r.verdict === 'unpinned')
    verdict.textContent = 'INTACT, but signed by an unpinned key; anyone can make such a package. Compare the fingerprint below with the one the auditor gave you, and enter it above.';
  else verdict.textContent = `INVALID: ${r.failures.length} problem(s) found. Do not rely on this package.`;
  out.append(verdict);

  if (r.signer) {
    out.append(el('p', `Signer (from the certificate): ${r.signer.name}, ${r.signer.org}, ${r.signer.email}`));
    const fp = el('p', `Signer fingerprint (SHA-256 of signer.pem): ${r.signer.fingerprint}`, 'mono');
    fp.id = 'fingerprint';
    out.append(fp);
  }
  if (r.packageId) out.append(el('p', `Package ${r.packageId}, created ${r.createdAt ?? '?'}`));

  const data = el('p', '', 'data');
  data.id = 'data-verdict';
  if (!r.chain) data.textContent = 'Data: no hash chain was recomputed (no audit_events.csv could be checked).';
  else if (r.chain.intact) data.textContent = `Data: hash chain intact as recomputed from audit_events.csv (${r.chain.rows} rows, seq ${r.chain.firstSeq ?? '-'} to ${r.chain.lastSeq ?? '-'}).`;
  else data.textContent = `Data: hash chain BROKEN: ${r.chain.breaks.length + r.chain.breaksOmitted} break(s) in audit_events.csv.`;
  data.dataset.intact = String(r.chain?.intact ?? '');
  out.append(data);

  if (r.failures.length) {
    out.append(el('h2', 'Problems'));
    const ul = el('ul');
    ul.id = 'failures';
    for (const f of r.failures) {
      const li = el('li', `${f.code}${f.file ? ` (${f.file})` : ''}: ${f.message}`);
      li.dataset.code = f.code;
      ul.append(li);
    }
    out.append(ul);
  }
  if (r.chain && r.chain.breaks.length) {
    out.append(el('h2', 'Breaks in the hash chain'));
    const ul = el('ul');
    ul.id = 'breaks';
    for (const b of r.chain.breaks) {
      const li = el('li', `[${b.kind}] seq ${b.seq ?? '-'}: ${b.explanation}`);
      li.dataset.kind = b.kind;
      ul.append(li);
    }
    out.append(ul);
  }
  for (const n of r.notes) out.append(el('p', `Note: ${n}`, 'note'));
  if (r.files.length) {
    out.append(el('h2', 'Files'));
    const table = el('table');
    for (const f of r.files) {
      const tr = el('tr');
      tr.append(el('td', f.ok ? '✓' : '✗'), el('td', f.name), el('td', String(f.size)), el('td', f.sha256, 'mono'));
      table.append(tr);
    }
    out.append(table);
  }
}

async function run(source: () => Promise<Parameters<typeof checkPackage>[0]>): Promise<void> {
  const out = $('result');
  out.replaceChildren(el('p', 'Checking…', 'verdict busy'));
  try {
    const pin = $<HTMLInputElement>('pin').value.trim() || null;
    render(await checkPackage(await source(), pin));
  } catch (e) {
    out.replaceChildren(el('p', `The check could not run: ${(e as Error).message}`, 'verdict invalid'));
  }
}

$<HTMLInputElement>('zip').addEventListener('change', (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (f) void run(() => zipSource(f));
});
$<HTMLInputElement>('folder').addEventListener('change', (ev) => {
  const files = [...((ev.target as HTMLInputElement).files ?? [])];
  if (files.length) void run(async () => folderSource(files));
});
