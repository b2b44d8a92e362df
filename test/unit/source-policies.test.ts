// Which parts of a row-level-security policy filter on more than the tenant: the
// expressions are PostgreSQL's own deparsed text (pg_policies.qual).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyPolicyExpression } from '../../src-main/core/source/policies.js';

const TENANT = "(tenant_id = current_setting('app.current_tenant_id'::text, true))";

test('the demo policy compares the tenant and nothing else', () => {
  assert.deepEqual(classifyPolicyExpression(TENANT, 'tenant_id'), { comparesTenant: true, extra: [] });
  // uuid tenants, the setting first, no missing_ok argument, a quoted column
  assert.deepEqual(classifyPolicyExpression("(tenant_id = (current_setting('app.current_tenant_id'::text))::uuid)", 'tenant_id').extra, []);
  assert.deepEqual(classifyPolicyExpression(`(current_setting('app.current_tenant_id'::text, true) = ("Tenant"::character varying)::text)`, 'Tenant').extra, []);
});

test('a predicate beyond the tenant comparison is named as PostgreSQL prints it', () => {
  const r = classifyPolicyExpression(`(${TENANT} AND ((event_type)::text <> 'export'::text))`, 'tenant_id');
  assert.deepEqual(r, { comparesTenant: true, extra: ["(event_type)::text <> 'export'::text"] });
  const three = classifyPolicyExpression(`((${TENANT} AND (seq < 100)) AND (actor <> 'a AND b'::text))`, 'tenant_id');
  assert.deepEqual(three.extra, ['seq < 100', "actor <> 'a AND b'::text"]);
});

test('an OR at the top cannot be split: the whole expression counts as beyond the tenant', () => {
  const expr = `(${TENANT} OR (current_user = 'admin'::name))`;
  const r = classifyPolicyExpression(expr, 'tenant_id');
  assert.equal(r.comparesTenant, false);
  assert.equal(r.extra.length, 1);
});

test('a comparison with another setting, another column or another operator is not the tenant comparison', () => {
  for (const expr of [
    "(tenant_id = current_setting('app.tenant'::text, true))",
    "(owner_id = current_setting('app.current_tenant_id'::text, true))",
    "(tenant_id <> current_setting('app.current_tenant_id'::text, true))",
    "(tenant_id >= current_setting('app.current_tenant_id'::text, true))",
    'true',
  ]) {
    assert.deepEqual(classifyPolicyExpression(expr, 'tenant_id').comparesTenant, false, expr);
  }
  assert.equal(classifyPolicyExpression(TENANT, null).comparesTenant, false);
});
