// Step-up: a device that needs a recent second factor refused with `step_up_required`. The dialog
// asks for a code or a passkey, the relay renews the login (new cookie), and the caller retries. An
// account of the identity provider may instead sign in there again (a full-page round trip).

import { ApiError, api, onStepUpRequired } from '../api.ts';
import { passkeyApi, passkeyError } from '../passkey-api.ts';
import { fetchSso, stepUpSso } from '../sso.ts';
import { byId } from './dom.ts';

/** Shows "Sign in again with <provider>" for accounts of the identity provider. */
async function offerSso(): Promise<void> {
  const section = byId('step-up-sso');
  section.hidden = true;
  try {
    const [info, me] = await Promise.all([fetchSso(), api.me()]);
    const link = stepUpSso(info, me.sso === true);
    if (!link) return;
    const anchor = byId<HTMLAnchorElement>('step-up-sso-link');
    anchor.href = link.href;
    anchor.textContent = link.text;
    section.hidden = false;
  } catch {
    // without it the dialog still offers a code or a passkey
  }
}

let pending: Promise<boolean> | null = null;

/** Shows the dialog (once, however many callers ask at the same time); true after a successful step-up. */
export function confirmSecondFactor(): Promise<boolean> {
  pending ??= ask().finally(() => {
    pending = null;
  });
  return pending;
}

function ask(): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>('step-up-dialog');
  const form = byId<HTMLFormElement>('step-up-form');
  const code = byId<HTMLInputElement>('step-up-code');
  const err = byId('step-up-error');
  code.value = '';
  err.hidden = true;
  return new Promise<boolean>((resolve) => {
    const finish = (ok: boolean) => {
      form.onsubmit = null;
      byId('step-up-passkey').onclick = null;
      byId('step-up-cancel').onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(ok);
    };
    const fail = (text: string) => {
      err.textContent = text;
      err.hidden = false;
    };
    form.onsubmit = (e) => {
      e.preventDefault();
      const typed = code.value.trim();
      if (!typed) return;
      passkeyApi.stepUpWithCode(typed).then(
        () => finish(true),
        (ex) => fail(ex instanceof ApiError ? (ex.serverMessage ?? ex.describe('general')) : 'The code could not be checked'),
      );
    };
    byId('step-up-passkey').onclick = () => {
      passkeyApi.stepUp().then(() => finish(true), (ex) => fail(passkeyError(ex, 'The passkey could not be checked')));
    };
    byId('step-up-cancel').onclick = () => finish(false);
    dialog.onclose = () => finish(false);
    dialog.showModal();
    code.focus();
    void offerSso();
  });
}

/** API calls refused with `step_up_required` ask through this dialog and retry once. */
export function initStepUp(): void {
  onStepUpRequired(confirmSecondFactor);
}
