import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SSO_START, ssoView, stepUpSso } from '../src/sso.ts';

test('the SSO button names the provider', () => {
  assert.equal(ssoView({ provider: 'Keycloak', passwordLogin: true }).button, 'Sign in with Keycloak');
  assert.equal(ssoView({ provider: 'Keycloak', passwordLogin: true }).passwordNote, '');
});

test('with password login off the form says it is for emergency accounts', () => {
  assert.match(ssoView({ provider: 'Okta', passwordLogin: false }).passwordNote, /emergency/);
});

test('the button starts the sign-in at the relay', () => {
  assert.equal(SSO_START, '/api/v1/auth/oidc/start');
});

test('step-up offers a fresh provider sign-in to accounts of the provider only', () => {
  const info = { provider: 'Corp SSO', passwordLogin: true };
  assert.deepEqual(stepUpSso(info, true), { href: `${SSO_START}?step_up=1`, text: 'Sign in again with Corp SSO' });
  assert.equal(stepUpSso(info, false), null);
  assert.equal(stepUpSso(null, true), null);
});
