// The device list, updated in place on every poll: rows are keyed by device
// id and only changed text is touched, so focus, scroll and filter survive.

import type { Device } from '../api.ts';
import { labelChips, matchesFilter, presenceText, sortDevices } from '../devices.ts';
import { h, setAttr, setText } from './dom.ts';

interface Row {
  el: HTMLLIElement;
  device: Device;
}

export class DeviceList {
  private rows = new Map<string, Row>();
  private loaded = false;

  constructor(
    private readonly list: HTMLElement,
    private readonly filter: HTMLInputElement,
    private readonly summary: HTMLElement,
    private readonly onOpen: (d: Device) => void,
    private readonly onOpenWebApp: (d: Device) => void = () => {},
  ) {
    filter.addEventListener('input', () => this.applyFilter());
    filter.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        this.visibleRows()[0]?.focus();
      } else if (e.key === 'Enter') {
        // Enter in the filter opens the device when the filter leaves exactly one.
        const visible = this.visibleRows();
        if (visible.length === 1) this.openRow(visible[0]);
      } else if (e.key === 'Escape' && filter.value) {
        filter.value = '';
        this.applyFilter();
      }
    });
    list.addEventListener('keydown', (e) => this.onListKey(e));
    list.addEventListener('click', (e) => {
      const app = (e.target as Element).closest('.open-web-app');
      if (app) {
        const device = this.rows.get((app.closest('[data-device-id]') as HTMLElement).dataset.deviceId ?? '')?.device;
        if (device) this.onOpenWebApp(device);
        return;
      }
      const btn = (e.target as Element).closest('.open-terminal');
      if (btn) this.openRow(btn.closest('[data-device-id]') as HTMLElement);
    });
    // The whole card opens on a double-click, as a newcomer expects (a single click only selects,
    // so a stray click while scrolling opens nothing). The button inside handles its own clicks.
    list.addEventListener('dblclick', (e) => {
      const target = e.target as Element;
      if (target.closest('.open-terminal, .open-web-app')) return;
      const row = target.closest<HTMLElement>('[data-device-id]');
      if (row) {
        window.getSelection()?.removeAllRanges(); // a double-click also selects a word
        this.openRow(row);
      }
    });
  }

  /** Logged out: forget the previous user's devices. */
  reset(): void {
    this.rows.clear();
    this.list.replaceChildren();
    this.loaded = false;
    this.applyFilter();
  }

  get(id: string): Device | undefined {
    return this.rows.get(id)?.device;
  }

  update(devices: Device[], now: number = Date.now()): void {
    this.loaded = true;
    const seen = new Set<string>();
    const sorted = sortDevices(devices);
    sorted.forEach((d, i) => {
      seen.add(d.id);
      let row = this.rows.get(d.id);
      if (!row) {
        row = { el: this.createRow(d), device: d };
        this.rows.set(d.id, row);
      }
      row.device = d;
      this.fillRow(row.el, d, now);
      // Move only rows that are out of place: moving a node can drop its focus.
      const at = this.list.children[i];
      if (at !== row.el) this.list.insertBefore(row.el, at ?? null);
    });
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        row.el.remove();
        this.rows.delete(id);
      }
    }
    this.applyFilter();
  }

  applyFilter(): void {
    const f = this.filter.value;
    let shown = 0;
    let online = 0;
    for (const { el, device } of this.rows.values()) {
      const match = matchesFilter(device, f);
      if (el.hidden === match) el.hidden = !match;
      if (match) shown++;
      if (device.online) online++;
    }
    const total = this.rows.size;
    let text: string;
    if (!this.loaded) text = 'Loading devices…';
    else if (total === 0) text = 'No devices registered yet.';
    else if (shown === 0) text = `No device matches “${f.trim()}”.`;
    else text = `${shown === total ? total : `${shown} of ${total}`} device${total === 1 ? '' : 's'}, ${online} online`;
    setText(this.summary, text);
  }

  private createRow(d: Device): HTMLLIElement {
    return h(
      'li',
      { class: 'device', tabindex: '0', 'data-device-id': d.id },
      h(
        'div',
        { class: 'device-head' },
        h('span', { class: 'presence-dot', 'aria-hidden': 'true' }),
        h('span', { class: 'device-name' }),
        h('button', { class: 'open-web-app', type: 'button', tabindex: '-1', hidden: '' }, 'Open web app'),
        h('button', { class: 'open-terminal', type: 'button', tabindex: '-1' }, 'Open terminal'),
      ),
      h('div', { class: 'device-meta' }, h('code', { class: 'device-id' }), h('span', { class: 'device-presence' })),
      h('ul', { class: 'device-labels', 'aria-label': 'labels' }),
    );
  }

  private fillRow(el: HTMLElement, d: Device, now: number): void {
    const name = d.name || d.id;
    const presence = presenceText(d, now);
    setAttr(el, 'data-online', String(d.online));
    setAttr(el, 'aria-label', `${name}, ${presence}. Press Enter to open a terminal.`);
    setText(el.querySelector('.device-name')!, name);
    setText(el.querySelector('.device-id')!, d.id);
    setText(el.querySelector('.device-presence')!, presence);
    setAttr(el.querySelector('.open-terminal')!, 'aria-label', `Open terminal on ${name}`);
    const webApp = el.querySelector<HTMLButtonElement>('.open-web-app')!;
    const webAppsOn = d.features?.webApps === true;
    if (webApp.hidden === webAppsOn) webApp.hidden = !webAppsOn;
    setAttr(webApp, 'aria-label', `Open a web app of ${name}`);
    const chips = labelChips(d);
    const ul = el.querySelector('.device-labels')!;
    if ([...ul.children].map((c) => c.textContent).join('\n') !== chips.join('\n')) {
      ul.replaceChildren(...chips.map((c) => h('li', { class: 'label-chip' }, c)));
    }
  }

  private visibleRows(): HTMLElement[] {
    return [...this.list.children].filter((el): el is HTMLElement => el instanceof HTMLElement && !el.hidden);
  }

  private openRow(el: HTMLElement | null): void {
    const d = el ? this.rows.get(el.dataset.deviceId ?? '')?.device : undefined;
    if (d) this.onOpen(d);
  }

  // Rows are one tab stop each; arrows move between rows, Enter opens.
  private onListKey(e: KeyboardEvent): void {
    const row = (e.target as Element).closest<HTMLElement>('[data-device-id]');
    if (!row || e.target !== row) return;
    const rows = this.visibleRows();
    const i = rows.indexOf(row);
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.openRow(row);
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      rows[Math.min(i + 1, rows.length - 1)]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (i <= 0) this.filter.focus();
      else rows[i - 1].focus();
    } else if (e.key === 'Home') {
      e.preventDefault();
      rows[0]?.focus();
    } else if (e.key === 'End') {
      e.preventDefault();
      rows[rows.length - 1]?.focus();
    }
  }
}
