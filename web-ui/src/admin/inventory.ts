// Inventory: every visible device with its OS, architecture, kernel and agent version; filter by
// any word, sort by clicking a header, select a row to see all its facts. Admins also see how many
// devices run each agent version (drift).

import { api, adminApi, type Device } from '../api.ts';
import { INVENTORY_COLUMNS, type InventorySort, cellText, driftText, factRows, inventoryRows, nextSort } from '../inventory.ts';
import { h } from '../ui/dom.ts';
import { type AdminView, type ViewContext, StatusLine, input, section } from './kit.ts';

export class Inventory implements AdminView {
  private readonly status = new StatusLine();
  private readonly drift = h('p', { class: 'inventory-drift', role: 'status' });
  private readonly filter = input({ type: 'search', name: 'inventory-filter', 'aria-label': 'Filter devices by name, label or fact', placeholder: 'Filter: debian aarch64 0.1.0 …' });
  private readonly tableArea = h('div', { class: 'inventory-table' });
  private readonly details = h('aside', { class: 'inventory-details', 'aria-label': 'Device facts' });
  readonly el = section('inventory', 'Inventory', this.status.el, this.drift, this.filter, h('div', { class: 'inventory-layout' }, this.tableArea, this.details));
  private devices: Device[] = [];
  private sort: InventorySort = { column: 'name', descending: false };
  private selected: string | null = null;

  constructor(private readonly ctx: ViewContext, private readonly isAdmin: boolean) {
    this.filter.addEventListener('input', () => this.render());
  }

  async show(): Promise<void> {
    if (!(await this.status.run(this.ctx, async () => (this.devices = await api.devices())))) return;
    this.drift.hidden = !this.isAdmin;
    if (this.isAdmin) await this.status.run(this.ctx, async () => (this.drift.textContent = driftText(await adminApi.agentVersions())));
    this.render();
  }

  private render(): void {
    const rows = inventoryRows(this.devices, this.filter.value, this.sort);
    const headers = INVENTORY_COLUMNS.map(({ key, title }) => {
      const sorted = this.sort.column === key;
      const b = h('button', { type: 'button', class: 'sort', 'data-sort': key }, title + (sorted ? (this.sort.descending ? ' ▼' : ' ▲') : ''));
      b.addEventListener('click', () => {
        this.sort = nextSort(this.sort, key);
        this.render();
      });
      return h('th', { scope: 'col', 'aria-sort': sorted ? (this.sort.descending ? 'descending' : 'ascending') : 'none' }, b);
    });
    const body = rows.map((d) => {
      const tr = h('tr', { tabindex: '0', 'data-device-id': d.id, 'aria-selected': String(d.id === this.selected) },
        ...INVENTORY_COLUMNS.map(({ key }) => h('td', {}, cellText(d, key) || '—')));
      const select = () => {
        this.selected = d.id;
        this.render();
      };
      tr.addEventListener('click', select);
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          select();
        }
      });
      return tr;
    });
    this.tableArea.replaceChildren(
      h('p', { class: 'muted' }, `${rows.length} of ${this.devices.length} devices`),
      h('table', { class: 'admin-table' }, h('caption', { class: 'visually-hidden' }, 'Device inventory'), h('thead', {}, h('tr', {}, ...headers)), h('tbody', {}, ...body)),
    );
    const device = this.devices.find((d) => d.id === this.selected);
    this.details.replaceChildren(
      ...(device
        ? [h('h3', {}, device.name || device.id), h('dl', {}, ...factRows(device).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))]
        : [h('p', { class: 'muted' }, 'Select a device to see all its facts.')]),
    );
  }
}
