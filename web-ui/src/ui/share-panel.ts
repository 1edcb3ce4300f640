// The owner's sharing panel of a terminal tab: create a link or share with a user (read-only, or
// may type after consent), see who watches, let a joiner type, remove a watcher, revoke a share.

import { ApiError, shareApi, type ShareInfo } from '../api.ts';
import type { WatcherInfo } from '../protocol.ts';
import { h } from './dom.ts';

export class SharePanel {
  readonly el: HTMLElement;
  private readonly watcherList: HTMLElement;
  private readonly shareList: HTMLElement;
  private readonly result: HTMLElement;
  private watchers: WatcherInfo[] = [];

  constructor(
    private readonly sessionId: () => string | null,
    /** Watchers changed: the tab shows how many watch. */
    private readonly onWatchers: (list: WatcherInfo[]) => void,
  ) {
    this.watcherList = h('ul', { class: 'watcher-list', 'aria-label': 'Who watches this session' });
    this.shareList = h('ul', { class: 'share-list', 'aria-label': 'Shares of this session' });
    this.result = h('p', { class: 'share-result', role: 'status', 'aria-live': 'polite' });
    const mode = h('select', { name: 'mode', 'aria-label': 'What they may do' },
      h('option', { value: 'watch' }, 'Watch (read-only)'),
      h('option', { value: 'join' }, 'Join (may type after I allow it)'));
    const minutes = h('input', { name: 'minutes', type: 'number', min: '1', max: '1440', value: '15', 'aria-label': 'Link valid for minutes' });
    const user = h('input', { name: 'user', type: 'text', placeholder: 'username', autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Share with user' });
    const linkButton = h('button', { type: 'button', 'data-action': 'create-link' }, 'Create link');
    const userButton = h('button', { type: 'button', 'data-action': 'share-user' }, 'Share with user');
    this.el = h('section', { class: 'share-panel', hidden: true, 'aria-label': 'Share this session' },
      h('div', { class: 'share-form' }, mode, h('label', {}, 'valid ', minutes, ' min'), linkButton, user, userButton),
      this.result,
      h('h3', {}, 'Watching now'), this.watcherList,
      h('h3', {}, 'Shares'), this.shareList);
    const modeValue = () => (mode.value === 'join' ? 'join' : 'watch') as 'watch' | 'join';
    linkButton.addEventListener('click', () => void this.create({ mode: modeValue(), minutes: Number(minutes.value) || 15 }));
    userButton.addEventListener('click', () => {
      if (user.value.trim()) void this.create({ mode: modeValue(), user: user.value.trim() });
    });
    this.renderWatchers();
  }

  get visible(): boolean {
    return !this.el.hidden;
  }

  toggle(): void {
    this.el.hidden = !this.el.hidden;
    if (!this.el.hidden) void this.refresh();
  }

  /** The relay pushed the watcher list (on the owner's terminal websocket). */
  watchersChanged(list: WatcherInfo[]): void {
    this.watchers = list;
    this.renderWatchers();
    this.onWatchers(list);
  }

  private async create(body: { mode: 'watch' | 'join'; minutes?: number; user?: string }): Promise<void> {
    const id = this.sessionId();
    if (!id) return;
    try {
      const share = await shareApi.create(id, body);
      if (share.link) {
        const url = new URL(share.link, location.href).toString();
        const field = h('input', { class: 'share-link', type: 'text', readonly: true, value: url, 'aria-label': 'Share link (shown once)' });
        this.result.replaceChildren(`Link (${body.mode === 'join' ? 'join' : 'read-only'}, shown once): `, field);
        field.select();
      } else {
        this.result.textContent = `Shared with ${share.user} (${share.mode === 'join' ? 'join' : 'read-only'}).`;
      }
      await this.refresh();
    } catch (e) {
      this.result.textContent = e instanceof ApiError ? e.describe('general') : 'Sharing failed.';
    }
  }

  private async refresh(): Promise<void> {
    const id = this.sessionId();
    if (!id) return;
    try {
      this.renderShares((await shareApi.list(id)).shares);
    } catch {
      // the session ended: the tab says so
    }
  }

  private renderShares(shares: ShareInfo[]): void {
    this.shareList.replaceChildren(...shares.map((s) => {
      const revoke = h('button', { type: 'button', 'data-action': 'revoke-share', 'data-share-id': s.id }, 'Revoke');
      revoke.addEventListener('click', () => void this.act(() => shareApi.revoke(this.sessionId()!, s.id)));
      const what = s.kind === 'link' ? `link, ${s.mode}` : `${s.user}, ${s.mode}`;
      const until = s.expiresAt ? ` until ${new Date(s.expiresAt).toLocaleTimeString()}` : '';
      return h('li', { 'data-share-id': s.id }, `${what}${until} `, revoke);
    }));
  }

  private renderWatchers(): void {
    if (this.watchers.length === 0) {
      this.watcherList.replaceChildren(h('li', { class: 'none' }, 'Nobody.'));
      return;
    }
    this.watcherList.replaceChildren(...this.watchers.map((w) => {
      const item = h('li', { 'data-watcher': w.user, 'data-watcher-id': w.id },
        `${w.user} — ${w.mode === 'join' ? (w.typing ? 'may type' : 'asks to type') : 'read-only'} `);
      if (w.mode === 'join' && !w.typing) {
        const allow = h('button', { type: 'button', 'data-action': 'allow-typing' }, 'Allow typing');
        allow.addEventListener('click', () => void this.act(() => shareApi.allowTyping(this.sessionId()!, w.id)));
        item.append(allow);
      }
      const remove = h('button', { type: 'button', 'data-action': 'remove-watcher' }, 'Remove');
      remove.addEventListener('click', () => void this.act(() => shareApi.removeWatcher(this.sessionId()!, w.id)));
      item.append(remove);
      return item;
    }));
  }

  private async act(call: () => Promise<void>): Promise<void> {
    try {
      await call();
      this.result.textContent = '';
    } catch (e) {
      this.result.textContent = e instanceof ApiError ? e.describe('general') : 'That failed.';
    }
    await this.refresh();
  }
}
