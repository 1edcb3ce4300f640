// The security dialog's passkeys: the account's list (name, added, last used), add one, remove one.

import { passkeyApi, passkeyError, type PasskeyInfo } from '../passkey-api.ts';
import { byId, h } from './dom.ts';

export class PasskeysPanel {
  private readonly list = byId('passkey-list');
  private readonly error = byId('passkey-error');

  /** `onFirstFactor`: the account's first factor was just added (the login now counts as two-factor). */
  constructor(private readonly onFirstFactor: () => Promise<void>) {
    byId<HTMLFormElement>('passkey-add-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.add();
    });
  }

  async refresh(): Promise<void> {
    this.error.hidden = true;
    try {
      this.render(await passkeyApi.list());
    } catch (ex) {
      this.fail(passkeyError(ex, 'Could not read your passkeys'));
    }
  }

  private render(keys: PasskeyInfo[]): void {
    this.list.replaceChildren(...keys.map((k) => {
      const remove = h('button', { type: 'button', 'aria-label': `Remove passkey ${k.name}` }, 'Remove');
      remove.addEventListener('click', () => void this.remove(k.id));
      const used = k.lastUsedAt ? `last used ${new Date(k.lastUsedAt).toLocaleString()}` : 'never used';
      return h('li', { 'data-passkey-id': k.id }, h('span', { class: 'passkey-name' }, k.name), ` — added ${new Date(k.createdAt).toLocaleDateString()}, ${used} `, remove);
    }));
    byId('passkey-none').hidden = keys.length > 0;
  }

  private async add(): Promise<void> {
    this.error.hidden = true;
    const name = byId<HTMLInputElement>('passkey-name');
    try {
      const added = await passkeyApi.register(name.value.trim() || 'Passkey');
      name.value = '';
      if (added.token) await this.onFirstFactor();
      await this.refresh();
    } catch (ex) {
      this.fail(passkeyError(ex, 'Could not add the passkey'));
    }
  }

  private async remove(id: string): Promise<void> {
    this.error.hidden = true;
    try {
      await passkeyApi.remove(id);
      await this.refresh();
    } catch (ex) {
      this.fail(passkeyError(ex, 'Could not remove the passkey'));
    }
  }

  private fail(text: string): void {
    this.error.textContent = text;
    this.error.hidden = false;
  }
}
