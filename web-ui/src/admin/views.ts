// The console's sections: the terminals (device list + tabs) and, by role, the administration
// views. A menu of buttons switches between them; the views load when shown.

import { h } from '../ui/dom.ts';
import { Account } from './account.ts';
import { Audit } from './audit.ts';
import { DevicesAdmin } from './devices-admin.ts';
import { Inventory } from './inventory.ts';
import { Enrollments } from './enrollments.ts';
import type { AdminView, ViewContext } from './kit.ts';
import { VIEW_TITLES, type ViewId, viewsFor } from './logic.ts';
import { Recordings } from './recordings.ts';
import { Runs } from './runs.ts';
import { Users } from './users.ts';

export class Views {
  private views = new Map<ViewId, AdminView>();
  private buttons = new Map<ViewId, HTMLButtonElement>();
  current: ViewId = 'terminals';

  constructor(
    private readonly nav: HTMLElement,
    private readonly terminals: HTMLElement,
    private readonly adminArea: HTMLElement,
    private readonly onViewChanged: (title: string | null) => void,
  ) {}

  /** Builds the menu the role may use; `onPasswordChanged`: the login just ended. */
  setUp(role: string, ctx: ViewContext, onPasswordChanged: () => void): void {
    this.tearDown();
    const make: Record<Exclude<ViewId, 'terminals'>, () => AdminView> = {
      runs: () => new Runs(ctx),
      inventory: () => new Inventory(ctx, role === 'admin'),
      'devices-admin': () => new DevicesAdmin(ctx),
      enrollments: () => new Enrollments(ctx),
      users: () => new Users(ctx),
      audit: () => new Audit(ctx, (id) => void this.playRecording(id)),
      recordings: () => new Recordings(ctx, role === 'admin'),
      account: () => new Account(ctx, onPasswordChanged),
    };
    for (const id of viewsFor(role)) {
      if (id !== 'terminals') this.views.set(id, make[id]());
      const b = h('button', { type: 'button', 'data-view': id }, VIEW_TITLES[id]);
      b.addEventListener('click', () => void this.show(id));
      this.buttons.set(id, b);
    }
    this.nav.replaceChildren(...this.buttons.values());
    this.nav.hidden = false;
    void this.show('terminals');
  }

  /** Opens the recordings view playing this recording (the audit view's links). */
  private async playRecording(id: string): Promise<void> {
    const view = this.views.get('recordings');
    if (!(view instanceof Recordings)) return;
    await this.show('recordings');
    await view.playById(id);
  }

  tearDown(): void {
    this.views.clear();
    this.buttons.clear();
    this.nav.replaceChildren();
    this.adminArea.replaceChildren();
    this.current = 'terminals';
    this.terminals.hidden = false;
    this.adminArea.hidden = true;
  }

  async show(id: ViewId): Promise<void> {
    this.current = id;
    for (const [v, b] of this.buttons) {
      if (v === id) b.setAttribute('aria-current', 'page');
      else b.removeAttribute('aria-current');
    }
    const view = this.views.get(id);
    this.terminals.hidden = view !== undefined;
    this.adminArea.hidden = view === undefined;
    if (view) this.adminArea.replaceChildren(view.el);
    this.onViewChanged(view ? VIEW_TITLES[id] : null);
    await view?.show();
  }
}
