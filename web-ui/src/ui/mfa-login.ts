// The login's second step: a code from the authenticator app (or a recovery code).

import { ApiError } from '../api.ts';
import { identityApi } from '../identity-api.ts';
import { byId } from './dom.ts';

let pendingToken: string | null = null;

/** The pending token while the second step is asked for (a passkey can answer it too). */
export function pendingMfaToken(): string | null {
  return pendingToken;
}

/** Swaps the password form for the code form; `mfaToken` is the relay's short-lived pending token. */
export function askForCode(mfaToken: string): void {
  pendingToken = mfaToken;
  byId('login-form').hidden = true;
  byId('mfa-form').hidden = false;
  byId('mfa-error').hidden = true;
  const code = byId<HTMLInputElement>('mfa-code');
  code.value = '';
  code.focus();
}

/** Back to the password form (also when the pending token is no longer good). */
export function backToPassword(message = ''): void {
  pendingToken = null;
  byId('mfa-form').hidden = true;
  byId('login-form').hidden = false;
  const err = byId('login-error');
  err.textContent = message;
  err.hidden = !message;
  byId<HTMLInputElement>('password').value = '';
  byId<HTMLInputElement>('password').focus();
}

export function initMfaLogin(onLoggedIn: () => Promise<void>): void {
  const form = byId<HTMLFormElement>('mfa-form');
  const submit = byId<HTMLButtonElement>('mfa-submit');
  const err = byId('mfa-error');
  byId('mfa-back').addEventListener('click', () => backToPassword());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const code = byId<HTMLInputElement>('mfa-code').value.trim();
    if (!code || !pendingToken) return;
    submit.disabled = true;
    err.hidden = true;
    try {
      await identityApi.secondFactor(pendingToken, code);
      pendingToken = null;
      form.hidden = true;
      byId('login-form').hidden = false;
      await onLoggedIn();
    } catch (ex) {
      if (ex instanceof ApiError && ex.status === 401 && /again/i.test(ex.serverMessage ?? '')) {
        backToPassword(ex.serverMessage);
        return;
      }
      err.textContent = ex instanceof ApiError ? (ex.serverMessage ?? ex.describe('general')) : 'The code could not be checked';
      err.hidden = false;
      byId<HTMLInputElement>('mfa-code').select();
    } finally {
      submit.disabled = false;
    }
  });
}
