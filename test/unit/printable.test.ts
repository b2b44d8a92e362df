// What the CLI and the app show of text someone else wrote (a source's rows, a cache, a
// package): every character that hides, moves or reorders text is written out as \u{XX};
// everything a reader can see is left as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printable, printableText } from '../../src-main/core/util/printable.js';

test('a bidi override, an escape sequence and an invisible character are shown, not obeyed', () => {
  assert.equal(printable('\u202Eknab-xebolg'), '\\u{202E}knab-xebolg');
  assert.equal(printable('ok\u001b[2K\u001b[1Aintact'), 'ok\\u{1B}[2K\\u{1B}[1Aintact');
  assert.equal(printable('a\u2066b\u2069c\u200ed\u061c'), 'a\\u{2066}b\\u{2069}c\\u{200E}d\\u{61C}');
  // Zero-width and other invisible characters make a second name look like the first.
  for (const hidden of ['\u200b', '\u200c', '\u200d', '\u2060', '\u2063', '\ufeff', '\u00ad', '\u180e']) {
    assert.equal(printable(`globex-bank${hidden}`), `globex-bank\\u{${hidden.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}}`, `U+${hidden.charCodeAt(0).toString(16)}`);
  }
});

test('what a reader can see is left alone, and escaping twice changes nothing', () => {
  const seen = 'RTL مرحبا שלום, emoji 😀, e\u0301, tab-free text; \\u{202E} typed as text';
  assert.equal(printable(seen), seen);
  const once = printable('\u202Eab\u200bc\n');
  assert.equal(printable(once), once);
});

test('in free text, line breaks, tabs and the joiner inside an emoji stay; the rest does not', () => {
  assert.equal(printableText('line one\r\n\tline two'), 'line one\r\n\tline two');
  assert.equal(printableText('👩\u200d⚕️ nurse'), '👩\u200d⚕️ nurse');
  assert.equal(printableText('a\u202Eb\u200bc\u001bd'), 'a\\u{202E}b\\u{200B}c\\u{1B}d');
  assert.equal(printable('line\n'), 'line\\u{0A}');
});
