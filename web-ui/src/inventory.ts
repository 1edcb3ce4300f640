// Inventory logic that needs no DOM: the table's columns, sorting (versions compare by their
// numbers, missing facts last), the facts of one device as label/value rows, and the drift summary.

import type { AgentVersionCount, Device } from './api.ts';
import { matchesFilter } from './devices.ts';

export type InventoryColumn = 'name' | 'os' | 'architecture' | 'kernel' | 'agentVersion' | 'online';

export const INVENTORY_COLUMNS: { key: InventoryColumn; title: string }[] = [
  { key: 'name', title: 'Device' },
  { key: 'os', title: 'OS' },
  { key: 'architecture', title: 'Arch' },
  { key: 'kernel', title: 'Kernel' },
  { key: 'agentVersion', title: 'Agent version' },
  { key: 'online', title: 'State' },
];

export interface InventorySort {
  column: InventoryColumn;
  descending: boolean;
}

/** The text a column shows for a device ('' when the device has not reported it). */
export function cellText(d: Device, column: InventoryColumn): string {
  switch (column) {
    case 'name':
      return d.name || d.id;
    case 'online':
      return d.online ? 'online' : 'offline';
    default:
      return d.facts?.[column] ?? '';
  }
}

/** "0.10.2" after "0.9.1": compares numeric parts as numbers, the rest as text. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
}

/** Filtered by every word (name, id, labels, state, facts), then sorted; devices without the fact go last either way. */
export function inventoryRows(list: Device[], filter: string, sort: InventorySort): Device[] {
  const dir = sort.descending ? -1 : 1;
  return list
    .filter((d) => matchesFilter(d, filter))
    .sort((a, b) => {
      const x = cellText(a, sort.column);
      const y = cellText(b, sort.column);
      if (!x !== !y) return x ? -1 : 1;
      const byColumn = sort.column === 'agentVersion' || sort.column === 'kernel' ? compareVersions(x, y) : x.localeCompare(y);
      return dir * byColumn || a.id.localeCompare(b.id);
    });
}

/** Clicking a header: a new column sorts ascending, the same one flips. */
export function nextSort(current: InventorySort, column: InventoryColumn): InventorySort {
  return current.column === column ? { column, descending: !current.descending } : { column, descending: false };
}

/** Every fact of one device as [label, value] rows for the details panel. */
export function factRows(d: Device, nowMs: number = Date.now()): [string, string][] {
  const f = d.facts;
  if (!f) return [['Facts', 'not reported yet (never connected, or an agent older than inventory)']];
  const rows: [string, string][] = [
    ['OS', f.os ?? '—'],
    ['Kernel', f.kernel ?? '—'],
    ['Architecture', f.architecture ?? '—'],
    ['Hostname', f.hostname ?? '—'],
    ['Agent version', f.agentVersion ?? '—'],
    ['Uptime', f.bootTime == null ? '—' : uptimeText(nowMs / 1000 - f.bootTime)],
    ['IP addresses', f.ipAddresses?.length ? f.ipAddresses.join(', ') : '—'],
    ['CPUs', f.cpuCount == null ? '—' : String(f.cpuCount)],
    ['Memory', f.memoryTotal == null ? '—' : bytesText(f.memoryTotal)],
  ];
  if (d.factsAt) rows.push(['Reported', new Date(d.factsAt).toISOString()]);
  return rows;
}

export function uptimeText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min`;
}

export function bytesText(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** "0.2.0: 40 · 0.1.0: 3 · not reported: 1", newest version first. */
export function driftText(counts: AgentVersionCount[]): string {
  if (counts.length === 0) return 'No devices.';
  const known = counts.filter((c) => c.agentVersion !== null).sort((a, b) => compareVersions(b.agentVersion!, a.agentVersion!));
  const unknown = counts.filter((c) => c.agentVersion === null);
  const parts = [...known.map((c) => `${c.agentVersion}: ${c.devices}`), ...unknown.map((c) => `not reported: ${c.devices}`)];
  return `Agent versions: ${parts.join(' · ')}${known.length > 1 ? ' (drift)' : ''}`;
}
