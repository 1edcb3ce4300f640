// The login page's "Sign in with <provider>" button, shown when the relay has single sign-on.

import { SSO_START, fetchSso, ssoView } from '../sso.ts';
import { byId } from './dom.ts';

export async function initSsoLogin(): Promise<void> {
  const info = await fetchSso();
  if (!info) return;
  const view = ssoView(info);
  const button = byId<HTMLAnchorElement>('sso-button');
  button.textContent = view.button;
  button.href = SSO_START;
  const note = byId('sso-password-note');
  note.textContent = view.passwordNote;
  note.hidden = !view.passwordNote;
  byId('sso-login').hidden = false;
}
