// Passkeys at the login page: passwordless sign-in, and a passkey as the second step after the password.

import { passkeyApi, passkeyError } from '../passkey-api.ts';
import { byId } from './dom.ts';
import { pendingMfaToken } from './mfa-login.ts';

export function initPasskeyLogin(onLoggedIn: () => Promise<void>): void {
  byId('passkey-login').addEventListener('click', () => {
    const err = byId('login-error');
    err.hidden = true;
    passkeyApi.login().then(onLoggedIn, (ex) => {
      err.textContent = passkeyError(ex, 'Sign-in with a passkey failed');
      err.hidden = false;
    });
  });
  byId('mfa-passkey').addEventListener('click', () => {
    const token = pendingMfaToken();
    const err = byId('mfa-error');
    if (!token) return;
    err.hidden = true;
    passkeyApi.secondFactor(token).then(async () => {
      byId('mfa-form').hidden = true;
      byId('login-form').hidden = false;
      await onLoggedIn();
    }, (ex) => {
      err.textContent = passkeyError(ex, 'The passkey could not be checked');
      err.hidden = false;
    });
  });
}
