// The signed-in user's own password. Changing it ends every login of the account, this one too.

import { adminApi } from '../api.ts';
import { h } from '../ui/dom.ts';
import { type AdminView, type ViewContext, StatusLine, field, input, section } from './kit.ts';

export class Account implements AdminView {
  private readonly status = new StatusLine();
  readonly el: HTMLElement;

  constructor(ctx: ViewContext, onChanged: () => void) {
    const current = input({ type: 'password', name: 'current-password', autocomplete: 'current-password', required: true });
    const next = input({ type: 'password', name: 'new-password', autocomplete: 'new-password', minlength: '8', required: true });
    const again = input({ type: 'password', name: 'new-password-again', autocomplete: 'new-password', required: true });
    const form = h(
      'form',
      { class: 'admin-form', id: 'change-password', 'aria-label': 'Change my password' },
      field('Current password', current),
      field('New password (8+ characters)', next),
      field('New password again', again),
      h('button', { type: 'submit' }, 'Change password'),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (next.value !== again.value) return this.status.say('The new passwords differ.', 'error');
      if (await this.status.run(ctx, () => adminApi.changeOwnPassword(current.value, next.value))) onChanged();
    });
    this.el = section('account', 'My account', h('p', {}, 'A new password ends all your logins, this one too.'), form, this.status.el);
  }

  async show(): Promise<void> {}
}
