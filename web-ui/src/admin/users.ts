// Users, for admins: add (role, label scope, first password), change role and scope, reset a
// password, remove. The relay refuses removing yourself or the last admin, and says so.

import { adminApi, type UserAccount } from '../api.ts';
import { h } from '../ui/dom.ts';
import { formatLabels, parseLabels } from './logic.ts';
import { type AdminView, type ViewContext, StatusLine, button, cells, field, input, section, select, table } from './kit.ts';

const ROLES = ['admin', 'operator', 'viewer'] as const;

export class Users implements AdminView {
  private readonly status = new StatusLine();
  private readonly list = h('div');
  readonly el: HTMLElement;

  constructor(private readonly ctx: ViewContext) {
    const username = input({ name: 'username', required: true });
    const role = select('role', ROLES, 'operator');
    const labels = input({ name: 'labels', placeholder: 'empty: every device' });
    const password = input({ name: 'password', type: 'password', autocomplete: 'new-password', minlength: '8', required: true });
    const form = h(
      'form',
      { class: 'admin-form', id: 'add-user', 'aria-label': 'Add a user' },
      field('User name', username),
      field('Role', role),
      field('Only devices labelled', labels),
      field('Password (8+ characters)', password),
      h('button', { type: 'submit' }, 'Add user'),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const name = username.value.trim();
      const ok = await this.status.run(
        this.ctx,
        () => adminApi.addUser({ username: name, role: role.value, labels: parseLabels(labels.value), password: password.value }),
        `${name} added.`,
      );
      if (ok) {
        form.reset();
        await this.refresh();
      }
    });
    this.el = section('users', 'Users', form, this.status.el, this.list);
  }

  async show(): Promise<void> {
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    let users: UserAccount[] = [];
    if (!(await this.status.run(this.ctx, async () => (users = await adminApi.users())))) return;
    this.list.replaceChildren(table('Users', ['User', 'Role', 'Label scope', 'New password', 'Actions'], users.map((u) => this.row(u))));
  }

  private row(u: UserAccount): HTMLTableRowElement {
    const role = select('role', ROLES, u.role, `Role of ${u.username}`);
    const labels = input({ name: 'labels', value: formatLabels(u.labels), 'aria-label': `Label scope of ${u.username}`, placeholder: 'every device' });
    const save = button('Save', { 'aria-label': `Save role and scope of ${u.username}` });
    save.addEventListener('click', () =>
      void this.status.run(this.ctx, () => adminApi.changeUser(u.username, { role: role.value, labels: parseLabels(labels.value) }), `${u.username} saved.`),
    );
    const password = input({ type: 'password', name: 'new-password', autocomplete: 'new-password', 'aria-label': `New password for ${u.username}` });
    const reset = button('Reset', { 'aria-label': `Reset the password of ${u.username}` });
    reset.addEventListener('click', async () => {
      if (await this.status.run(this.ctx, () => adminApi.resetPassword(u.username, password.value), `${u.username}'s password reset; their logins ended.`)) {
        password.value = '';
      }
    });
    const remove = button('Remove', { 'aria-label': `Remove ${u.username}` });
    remove.addEventListener('click', async () => {
      if (!navigator.webdriver && !window.confirm(`Remove ${u.username}? Their sessions end now.`)) return;
      if (await this.status.run(this.ctx, () => adminApi.removeUser(u.username), `${u.username} removed.`)) await this.refresh();
    });
    const tr = cells(u.username, role, labels, h('div', { class: 'inline-form' }, password, reset), h('div', { class: 'actions' }, save, remove));
    tr.dataset.username = u.username;
    return tr;
  }
}
