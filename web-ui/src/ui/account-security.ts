// Account security: the operator's own authenticator (TOTP). Enrol by QR code, confirm with a first
// code, see the recovery codes once; or remove the authenticator with a current code.

import { ApiError } from '../api.ts';
import { identityApi, type MfaStatus } from '../identity-api.ts';
import { byId, h } from './dom.ts';
import { qrSvg } from './qr.ts';
import { PasskeysPanel } from './passkeys-panel.ts';

function message(ex: unknown, fallback: string): string {
  return ex instanceof ApiError ? (ex.serverMessage ?? ex.describe('general')) : fallback;
}

export class AccountSecurity {
  private readonly dialog = byId<HTMLDialogElement>('security-dialog');
  private readonly error = byId('security-error');
  /** True while the role requires a factor this login has not got: the dialog cannot be dismissed. */
  private mandatory = false;

  /** `onEnrolled` runs after a confirmation that made this login a full one. */
  private readonly passkeys: PasskeysPanel;

  constructor(private readonly onEnrolled: () => Promise<void>) {
    // A first passkey is a first factor too: it ends a mandatory enrolment like a confirmed app does.
    this.passkeys = new PasskeysPanel(async () => {
      if (!this.mandatory) return;
      this.mandatory = false;
      this.dialog.close();
      await this.onEnrolled();
    });
    this.dialog.addEventListener('cancel', (e) => {
      if (this.mandatory) e.preventDefault();
    });
    byId('security-close').addEventListener('click', () => this.dialog.close());
    byId('totp-start').addEventListener('click', () => void this.begin());
    byId<HTMLFormElement>('totp-confirm-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.confirm();
    });
    byId<HTMLFormElement>('totp-remove-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.remove();
    });
    byId('recovery-done').addEventListener('click', () => {
      byId('recovery-codes').replaceChildren(); // shown once: gone from the page as well
      byId('recovery-panel').hidden = true;
      if (this.mandatory) {
        this.mandatory = false;
        this.dialog.close();
        void this.onEnrolled();
      } else {
        void this.refresh();
      }
    });
  }

  /** Opens the dialog; `mandatory` when the login may do nothing else until it enrols. */
  async open(mandatory: boolean): Promise<void> {
    this.mandatory = mandatory;
    byId('security-close').hidden = mandatory;
    byId('security-required').hidden = !mandatory;
    if (!this.dialog.open) this.dialog.showModal();
    await this.refresh();
  }

  private show(panel: 'status' | 'enrol' | 'recovery'): void {
    byId('security-status-panel').hidden = panel !== 'status';
    byId('totp-enrol-panel').hidden = panel !== 'enrol';
    byId('recovery-panel').hidden = panel !== 'recovery';
  }

  private fail(text: string): void {
    this.error.textContent = text;
    this.error.hidden = false;
  }

  private async refresh(): Promise<void> {
    this.error.hidden = true;
    void this.passkeys.refresh();
    let status: MfaStatus;
    try {
      status = await identityApi.mfaStatus();
    } catch (ex) {
      this.fail(message(ex, 'Could not read your second factors'));
      return;
    }
    byId('security-status').textContent = status.totp
      ? `Authenticator app: on. ${status.recoveryCodesLeft} recovery code(s) left.`
      : 'Authenticator app: off.';
    byId('totp-start').hidden = status.totp;
    byId('totp-remove-form').hidden = !status.totp || status.required;
    this.show('status');
  }

  private async begin(): Promise<void> {
    this.error.hidden = true;
    try {
      const enrolment = await identityApi.beginTotp();
      byId('totp-qr').replaceChildren(qrSvg(enrolment.uri, 'QR code to scan with your authenticator app'));
      byId('totp-secret').textContent = enrolment.secret;
      byId<HTMLInputElement>('totp-code').value = '';
      this.show('enrol');
      byId('totp-code').focus();
    } catch (ex) {
      this.fail(message(ex, 'Could not start the set-up'));
    }
  }

  private async confirm(): Promise<void> {
    this.error.hidden = true;
    const code = byId<HTMLInputElement>('totp-code').value.trim();
    try {
      const confirmed = await identityApi.confirmTotp(code);
      byId('totp-qr').replaceChildren();
      byId('totp-secret').textContent = '';
      byId('recovery-codes').replaceChildren(...confirmed.recoveryCodes.map((c) => h('li', {}, h('code', {}, c))));
      this.show('recovery');
      byId('recovery-done').focus();
    } catch (ex) {
      this.fail(message(ex, 'The code could not be checked'));
      byId<HTMLInputElement>('totp-code').select();
    }
  }

  private async remove(): Promise<void> {
    this.error.hidden = true;
    const input = byId<HTMLInputElement>('totp-remove-code');
    try {
      await identityApi.removeTotp(input.value.trim());
      input.value = '';
      await this.refresh();
    } catch (ex) {
      this.fail(message(ex, 'Could not remove the authenticator'));
    }
  }
}
