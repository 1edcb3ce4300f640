// Device list logic that needs no DOM: filtering, ordering, "last seen" words.

import type { Device } from './api.ts';

/** Lower-cased text a filter is matched against: name, id, labels (k=v), online state, inventory facts. */
function haystack(d: Device): string {
  const labels = Object.entries(d.labels ?? {}).map(([k, v]) => `${k}=${v} ${k} ${v}`);
  const f = d.facts;
  const facts = f ? [f.os, f.architecture, f.kernel, f.hostname, f.agentVersion, ...(f.ipAddresses ?? [])] : [];
  return [d.name, d.id, d.online ? 'online' : 'offline', ...labels, ...facts.filter(Boolean)].join(' ').toLowerCase();
}

/**
 * Every whitespace-separated word of the filter must occur somewhere, so
 * "web prod" or "env=prod offline" narrow down as expected.
 */
export function matchesFilter(d: Device, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = haystack(d);
  return words.every((w) => text.includes(w));
}

/** Stable display order: by name, then id (online state must not reorder rows under the user). */
export function sortDevices(list: Device[]): Device[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** "online", "last seen 3 min ago", "never seen". */
export function presenceText(d: Device, nowMs: number = Date.now()): string {
  if (d.online) return 'online';
  if (!d.lastSeen) return 'offline · never seen';
  const t = Date.parse(d.lastSeen);
  if (Number.isNaN(t)) return 'offline';
  return `offline · last seen ${relativeTime(nowMs - t)}`;
}

export function relativeTime(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** "k=v" strings for label chips, sorted for a stable look. */
export function labelChips(d: Device): string[] {
  return Object.entries(d.labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`));
}
