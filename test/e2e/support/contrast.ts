// WCAG 2.1 contrast of the text a reader sees, measured from computed colours in the
// page: a screenshot of a dark theme proves nothing to a test, a colour that was never
// switched (a hard-coded #333 on the dark background) shows up here as a low ratio.
import type { Page } from 'playwright-core';

export interface LowContrast {
  text: string;
  color: string;
  background: string;
  ratio: number;
}

export interface ContrastSample {
  /** the page background's relative luminance (0 black … 1 white) */
  backgroundLuminance: number;
  /** text elements measured */
  measured: number;
  /** those below the WCAG AA minimum (4.5:1, or 3:1 for large text), worst first */
  failing: LowContrast[];
}

// Runs in the browser. Kept as source text: the test tsconfig has no DOM library.
const MEASURE = `(() => {
  const parse = (s) => {
    const m = s.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  const lum = (c) => {
    const ch = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
  };
  const backgroundOf = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const rootBg = backgroundOf(document.body);
  const failing = [];
  let measured = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg, [disabled], [aria-disabled="true"], [hidden]')) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join(' ').trim();
    if (!own) continue;
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    const fg0 = parse(style.color);
    if (!fg0) continue;
    const bg = backgroundOf(el);
    const fg = over(fg0, bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    measured++;
    if (ratio < (large ? 3 : 4.5)) failing.push({ text: own.slice(0, 60), color: style.color, background: 'rgb(' + [bg.r, bg.g, bg.b].map(Math.round).join(', ') + ')', ratio: Math.round(ratio * 100) / 100 });
  }
  failing.sort((a, b) => a.ratio - b.ratio);
  return { backgroundLuminance: lum(rootBg), measured, failing };
})()`;

export async function measureContrast(page: Page): Promise<ContrastSample> {
  return (await page.evaluate(MEASURE)) as ContrastSample;
}

/** Measures once the screen shows more than a handful of texts (it loads its data first). */
export async function measureContrastOnceRendered(page: Page, minTexts = 10): Promise<ContrastSample> {
  await page.waitForFunction(`document.querySelectorAll('main *').length > ${minTexts}`);
  await page.waitForFunction(`!document.querySelector('main [aria-busy="true"]')`);
  return measureContrast(page);
}
