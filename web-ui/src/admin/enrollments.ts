// Enrollment tokens, for admins: create one (shown once, with the command that enrolls a device
// with it), list them, revoke one.

import { adminApi, type EnrollmentToken } from '../api.ts';
import { copyText } from '../ui/clipboard.ts';
import { h } from '../ui/dom.ts';
import { agentCommand, formatLabels, parseLabels } from './logic.ts';
import { type AdminView, type ViewContext, StatusLine, button, cells, field, input, section, select, table, when } from './kit.ts';

const EXPIRY: Record<string, number> = { '1 hour': 3600, '1 day': 86_400, '7 days': 604_800, '30 days': 2_592_000, '365 days': 31_536_000 };

export class Enrollments implements AdminView {
  private readonly status = new StatusLine();
  private readonly created = h('div', { class: 'created-token', 'aria-live': 'polite' });
  private readonly list = h('div');
  readonly el: HTMLElement;

  constructor(private readonly ctx: ViewContext) {
    const reusable = input({ type: 'checkbox', name: 'reusable' });
    const autoAccept = input({ type: 'checkbox', name: 'autoAccept' });
    const expiry = select('expiry', Object.keys(EXPIRY), '1 day');
    const labels = input({ name: 'labels', placeholder: 'site=lab,env=prod' });
    const form = h(
      'form',
      { class: 'admin-form', 'aria-label': 'New enrollment token' },
      h('label', { class: 'switch' }, reusable, 'Reusable (many devices)'),
      h('label', { class: 'switch' }, autoAccept, 'Accept devices at once'),
      field('Expires after', expiry),
      field('Labels for enrolled devices', labels),
      h('button', { type: 'submit', id: 'create-enrollment' }, 'Create token'),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      let token: EnrollmentToken | undefined;
      const ok = await this.status.run(this.ctx, async () => {
        token = await adminApi.createEnrollment({
          reusable: reusable.checked,
          autoAccept: autoAccept.checked,
          expiresInSeconds: EXPIRY[expiry.value],
          labels: parseLabels(labels.value),
        });
      });
      if (ok && token?.token) {
        this.showOnce(token.token);
        await this.refresh();
      }
    });
    this.el = section('enrollments', 'Enrollment tokens', form, this.status.el, this.created, this.list);
  }

  async show(): Promise<void> {
    this.created.replaceChildren();
    await this.refresh();
  }

  /** The secret is never shown again: the relay keeps only its hash. */
  private showOnce(secret: string): void {
    const command = agentCommand(location.origin, secret);
    const copy = button('Copy command');
    copy.addEventListener('click', async () => this.status.say((await copyText(command)) ? 'Command copied.' : 'Copy failed: select the text instead.'));
    this.created.replaceChildren(
      h('p', {}, h('strong', {}, 'Shown once. '), 'Run this on the device (the token is written to a file only its owner reads):'),
      h('pre', { id: 'agent-command', tabindex: '0', 'aria-label': 'Agent command line' }, command),
      copy,
    );
  }

  private async refresh(): Promise<void> {
    let tokens: EnrollmentToken[] = [];
    if (!(await this.status.run(this.ctx, async () => (tokens = await adminApi.enrollments())))) return;
    this.list.replaceChildren(
      table(
        'Enrollment tokens',
        ['Created', 'Kind', 'Labels', 'Expires', 'Uses', 'State', 'Actions'],
        tokens.map((t) => {
          const revoke = button('Revoke', { 'aria-label': `Revoke token created ${when(t.createdAt)}`, disabled: !t.usable });
          revoke.addEventListener('click', async () => {
            if (await this.status.run(this.ctx, () => adminApi.revokeEnrollment(t.id), 'Token revoked.')) await this.refresh();
          });
          const tr = cells(
            `${when(t.createdAt)} by ${t.createdBy}`,
            `${t.reusable ? 'reusable' : 'one-time'}${t.autoAccept ? ', auto-accept' : ''}`,
            formatLabels(t.labels),
            when(t.expiresAt),
            String(t.uses),
            t.revoked ? 'revoked' : t.usable ? 'usable' : 'used up or expired',
            revoke,
          );
          tr.dataset.enrollmentId = t.id;
          return tr;
        }),
      ),
    );
  }
}
