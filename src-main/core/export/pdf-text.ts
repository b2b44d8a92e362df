// Text in the report as written, in any script the package may hold: pdfkit draws one
// font per text call and does no font fallback or bidi, so a string is cut into runs,
// each drawn with a font that has its glyphs. DejaVu Sans Condensed (npm, always there)
// covers Latin, Greek, Cyrillic, Hebrew and Arabic; Noto Sans CJK (Debian's
// fonts-noto-cjk) covers Chinese, Japanese and Korean. A run of Hebrew or Arabic is laid
// out as one piece so fontkit shapes it and puts it right to left. Characters neither
// font has (emoji, rarer scripts) print as U+FFFD-like '?' and the CSVs keep them.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../util/errors.js';
import { printableText } from '../util/printable.js';

export type RunFont = 'text' | 'cjk' | 'rtl';

export interface TextRun {
  text: string;
  font: RunFont;
}

const DEJAVU_DIR = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

/** Where Debian's fonts-noto-cjk puts its collections (and the PostScript names inside them). */
const NOTO_CJK = {
  regular: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKjp-Regular' },
  bold: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', family: 'NotoSansCJKjp-Bold' },
};

export const FONTS = {
  body: join(DEJAVU_DIR, 'DejaVuSansCondensed.ttf'),
  bold: join(DEJAVU_DIR, 'DejaVuSansCondensed-Bold.ttf'),
};

/**
 * Registers the report's fonts on a document. The CJK font is needed only when a run of
 * CJK text is drawn (fontFor refuses then, naming the package): a report without such text
 * is made on a machine that lacks the font too.
 */
export function registerReportFonts(doc: PDFKit.PDFDocument): void {
  doc.registerFont('body', FONTS.body);
  doc.registerFont('bold', FONTS.bold);
  for (const [name, f] of [
    ['cjk', NOTO_CJK.regular],
    ['cjk-bold', NOTO_CJK.bold],
  ] as const) {
    if (existsSync(f.path)) doc.registerFont(name, f.path, f.family);
  }
}

function cjkFontMissing(path: string): UserError {
  return new UserError(
    `The report needs the Noto Sans CJK font (${path}) to print Chinese, Japanese and Korean text, and it is not installed.`,
    'E_FONT_MISSING',
    'Install it (Debian/Ubuntu: sudo apt install fonts-noto-cjk) and export again.',
  );
}

const CJK = /[\u1100-\u11ff\u2e80-\u2fdf\u2ff0-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/u;
const RTL = /[\u0590-\u05ff\u0600-\u06ff\u0700-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/u;
// Astral characters (emoji, historic scripts) and variation selectors: neither font has them.
// eslint-disable-next-line no-misleading-character-class -- each of these code points is dropped on its own, joiners included
const UNCOVERED = /[\u{10000}-\u{10ffff}\ufe00-\ufe0f\u200d]/gu;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * The runs of a string, in reading order of the page (left to right): bidi controls and
 * invisible characters written out as \u{XX} (printable.ts: pdfkit draws U+200B and U+202E
 * as nothing, so "globex-bank" + U+200B read as "globex-bank" on the page), the remaining
 * line breaks and tabs as spaces, uncovered characters '?'. Spaces and punctuation between
 * two RTL letters stay in the RTL run, so "שלום עולם" is one piece.
 */
export function textRuns(input: string): TextRun[] {
  const text = printableText(input).replace(CONTROL, ' ').replace(UNCOVERED, '?');
  const runs: TextRun[] = [];
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    let font: RunFont = CJK.test(c) ? 'cjk' : RTL.test(c) ? 'rtl' : 'text';
    // A neutral (space, digit, punctuation) between two RTL letters belongs to the RTL run.
    const last = runs.at(-1);
    if (font === 'text' && last?.font === 'rtl' && /[\s\p{P}]/u.test(c)) {
      const next = chars.slice(i + 1).find((x) => !/[\s\p{P}]/u.test(x));
      if (next && RTL.test(next)) font = 'rtl';
    }
    if (last && last.font === font) last.text += c;
    else runs.push({ text: c, font });
  }
  // pdfkit splits a fragment at ordinary spaces and lays out each word on its own, which
  // reverses the word order of RTL text; a no-break space keeps the run one piece.
  for (const r of runs) if (r.font === 'rtl') r.text = r.text.replace(/ /g, '\u00a0');
  return runs;
}

/** The font name registered for a run, regular or bold. */
export function fontFor(run: RunFont, bold: boolean): string {
  if (run === 'cjk') {
    const f = bold ? NOTO_CJK.bold : NOTO_CJK.regular;
    if (!existsSync(f.path)) throw cjkFontMissing(f.path);
    return bold ? 'cjk-bold' : 'cjk';
  }
  return bold ? 'bold' : 'body';
}
