// The login page.

import { ApiError, api } from '../api.ts';
import { byId } from './dom.ts';
import { askForCode } from './mfa-login.ts';

export function showLogin(message = ''): void {
  document.title = 'Login · device-tunnel';
  byId('console-view').hidden = true;
  byId('login-view').hidden = false;
  byId('mfa-form').hidden = true;
  byId('login-form').hidden = false;
  const err = byId('login-error');
  err.textContent = message;
  err.hidden = !message;
  byId<HTMLInputElement>('password').value = '';
  const user = byId<HTMLInputElement>('username');
  (user.value ? byId<HTMLInputElement>('password') : user).focus();
}

/** Wires the form; `onLoggedIn` runs after a successful login. */
export function initLogin(onLoggedIn: () => Promise<void>): void {
  const form = byId<HTMLFormElement>('login-form');
  const submit = byId<HTMLButtonElement>('login-submit');
  const err = byId('login-error');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const username = byId<HTMLInputElement>('username').value.trim();
    const password = byId<HTMLInputElement>('password').value;
    if (!username || !password) {
      err.textContent = 'Enter your username and password';
      err.hidden = false;
      return;
    }
    submit.disabled = true;
    err.hidden = true;
    try {
      const result = await api.login(username, password);
      if (result.mfaRequired && result.mfaToken) {
        askForCode(result.mfaToken);
        return;
      }
      await onLoggedIn();
    } catch (ex) {
      err.textContent = ex instanceof ApiError ? ex.describe('login') : 'Login failed';
      err.hidden = false;
      byId<HTMLInputElement>('password').select();
    } finally {
      submit.disabled = false;
    }
  });
}
