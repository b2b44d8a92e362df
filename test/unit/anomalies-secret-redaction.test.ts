// Secrets inside a model_config are reported so an auditor can act, but only as a
// redacted excerpt: the secret itself never reaches the UI, a PDF or an export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSecrets, redact } from '../../src-main/core/anomalies/findings.js';

const KEY = 'sk-proj-abcdefghijklmnopqrstuvwx0123456789';

test('keys named like secrets and sk-… values are found, redacted', () => {
  const found = findSecrets(JSON.stringify({ max_tokens: 512, api_key: KEY, nested: { headers: { Authorization: `Bearer ${KEY}` } }, password: 'hunter2' }));
  assert.deepEqual(found, [`api_key: "sk-…[REDACTED ${KEY.length} chars]"`, `nested.headers.Authorization: "sk-…[REDACTED ${KEY.length} chars]"`, 'password: "…[REDACTED 7 chars]"']);
  assert.ok(!found.join(' ').includes('abcdef') && !found.join(' ').includes('hunter2'));
});

test('token counts, placeholders and empty values are not secrets', () => {
  assert.deepEqual(findSecrets(JSON.stringify({ max_tokens: 1024, token_limit: 5, api_key: '${OPENAI_API_KEY}', secret: '', password: '***' })), []);
  assert.deepEqual(findSecrets(null), []);
  assert.deepEqual(findSecrets('{"model":"gpt-4o","temperature":0.2}'), []);
});

test('non-JSON text is scanned for known key shapes', () => {
  assert.deepEqual(findSecrets(`key=${KEY};`), [`"sk-…[REDACTED ${KEY.length} chars]"`]);
});

test('redaction keeps only a recognisable prefix and the length', () => {
  assert.equal(redact('AKIAABCDEFGHIJKLMNOP'), 'AKIA…[REDACTED 20 chars]');
  assert.equal(redact('plain-secret'), '…[REDACTED 12 chars]');
});
