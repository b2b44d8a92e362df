// What the CLI and the app show of text someone else wrote (a source's rows, a cache, a
// package): every character that hides, moves or reorders text is written out as \u{XX};
// everything a reader can see is left as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookAlikes, lookAlikeWords, printable, printableLookAlike, printableText } from '../../src-main/core/util/printable.js';

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

test('two names that draw alike are found: hidden characters, Cyrillic and Greek look-alikes, case', () => {
  const tenants = ['globex-bank', 'gl\u043ebex-bank', 'globex-bank\u200b', 'GLOBEX-BANK', 'acme-pharma', '\u0430\u0441m\u0435-pharma', 'initech-ai'];
  const alike = lookAlikes(tenants);
  assert.equal(alike.get('gl\u043ebex-bank'), 'globex-bank', 'a Cyrillic о');
  assert.equal(alike.get('globex-bank\u200b'), 'globex-bank', 'a zero-width space');
  assert.equal(alike.get('GLOBEX-BANK'), 'globex-bank', 'case');
  assert.equal(alike.get('globex-bank'), 'gl\u043ebex-bank', 'each of a pair names the other');
  assert.equal(alike.get('\u0430\u0441m\u0435-pharma'), 'acme-pharma', 'Cyrillic а, с, е');
  assert.equal(alike.has('initech-ai'), false, 'a name like no other is not flagged');
});

test('names in other scripts, or merely similar, are not look-alikes', () => {
  assert.equal(lookAlikes(['Ревизор', 'revizor', 'münchen-re', 'munchen-re', 'acme', 'acme-2', 'Ωmega', 'omega']).size, 0);
});

test('a name of a look-alike pair is written so that it differs from the other', () => {
  assert.equal(printableLookAlike('gl\u043ebex-bank'), 'gl\\u{43E}bex-bank');
  assert.equal(printableLookAlike('globex-bank\u200b'), 'globex-bank\\u{200B}');
  assert.equal(printableLookAlike('globex-bank'), 'globex-bank');
});

test('the words beside a look-alike pair write both names so that they differ', () => {
  assert.equal(lookAlikeWords('gl\u043ebex-bank', 'globex-bank'), 'gl\\u{43E}bex-bank looks like globex-bank');
  assert.equal(lookAlikeWords('globex-bank', 'globex-bank\u200b'), 'globex-bank looks like globex-bank\\u{200B}');
});
