// DOM-free logic of the administration views: which views a role sees, label text, the agent
// command line, audit queries and exports, and a recording's plain text and input. Unit-tested in node.

import type { EffectiveRecording } from '../api.ts';

/** The console's sections, in menu order. */
export type ViewId = 'terminals' | 'runs' | 'inventory' | 'devices-admin' | 'enrollments' | 'users' | 'audit' | 'recordings' | 'account';

export const VIEW_TITLES: Record<ViewId, string> = {
  terminals: 'Terminals',
  runs: 'Run',
  inventory: 'Inventory',
  'devices-admin': 'Manage devices',
  enrollments: 'Enrollment tokens',
  users: 'Users',
  audit: 'Audit',
  recordings: 'Recordings',
  account: 'My account',
};

/** Admin-only views are not shown to others (the relay refuses them anyway). Viewers open no sessions, so have no recordings. */
export function viewsFor(role: string): ViewId[] {
  if (role === 'admin') return ['terminals', 'runs', 'inventory', 'devices-admin', 'enrollments', 'users', 'audit', 'recordings', 'account'];
  if (role === 'operator') return ['terminals', 'runs', 'inventory', 'recordings', 'account'];
  if (role === 'viewer') return ['terminals', 'inventory', 'account'];
  return ['terminals', 'account'];
}

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const LABEL_VALUE = /^[A-Za-z0-9._-]{0,63}$/;

/** `site=lab, env=prod` → `{site:"lab", env:"prod"}`; throws an Error whose message names the bad pair. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const raw of text.split(',')) {
    const pair = raw.trim();
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq).trim();
    const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (eq <= 0 || !LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) {
      throw new Error(`"${pair}" is not a label: write key=value (letters, digits, '.', '_', '-').`);
    }
    labels[key] = value;
  }
  return labels;
}

export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Single-quotes for a POSIX shell. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * What an administrator pastes on a device to enroll it: the token goes into a file readable by
 * its owner only (never onto the agent's command line, where `ps` would show it), then the agent
 * starts with that file. Plain-http relays need the agent's explicit opt-in.
 */
export function agentCommand(relayUrl: string, token: string): string {
  const base = relayUrl.replace(/\/+$/, '');
  const plain = base.startsWith('http://') ? ' --allow-plain-http' : '';
  return [
    `(umask 077 && printf '%s\\n' ${shellQuote(token)} > enroll.token)`,
    `java -jar device-agent.jar --relay ${shellQuote(base)} --device-id "$(hostname)" --enrollment-token-file enroll.token${plain}`,
  ].join('\n');
}

export interface AuditFilter {
  operator?: string;
  deviceId?: string;
  event?: string;
  /** ISO instants. */
  from?: string;
  to?: string;
}

/** The query string of GET /api/v1/audit for a filter and page (empty fields do not filter). */
export function auditQuery(filter: AuditFilter, limit: number, before?: number): string {
  const params = new URLSearchParams();
  for (const key of ['operator', 'deviceId', 'event', 'from', 'to'] as const) {
    const value = filter[key]?.trim();
    if (value) params.set(key, value);
  }
  params.set('limit', String(limit));
  if (before !== undefined) params.set('before', String(before));
  return params.toString();
}

/** A `datetime-local` field's value (the browser's local time) as an ISO instant; '' stays ''. */
export function localToIso(local: string): string {
  if (!local) return '';
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? '' : t.toISOString();
}

/** One JSON object per line, the format log tools ingest (`jq -c`, Loki, Elastic). */
export function toJsonLines(items: readonly unknown[]): string {
  return items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : '');
}

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte escapes, and C0 controls but \n and \t.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f]/g;

/**
 * The text a session printed, from an asciicast v2 file: output events joined, terminal escapes
 * and carriage returns removed. Good for reading and searching, not a screen replay (cursor
 * movements are dropped, not applied).
 */
export function castToText(cast: string): string {
  const lines = cast.split('\n');
  let out = '';
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      continue; // a recording cut by a crash may end in half a line
    }
    if (Array.isArray(event) && event[1] === 'o' && typeof event[2] === 'string') out += event[2];
  }
  return out.replace(/\r\n/g, '\n').replace(ESCAPES, '');
}

/** Parses an asciicast's events, skipping the header and any line a crash cut short. */
function castEvents(cast: string): unknown[][] {
  const events: unknown[][] = [];
  for (const line of cast.split('\n').slice(1)) {
    if (!line.trim()) continue;
    try {
      const event: unknown = JSON.parse(line);
      if (Array.isArray(event) && typeof event[0] === 'number') events.push(event);
    } catch {
      // a recording cut by a crash may end in half a line
    }
  }
  return events;
}

/** When each burst of typing starts (seconds): input events after at least `gap` seconds without input. */
export function inputStarts(cast: string, gap = 1): number[] {
  const starts: number[] = [];
  let last = -Infinity;
  for (const [t, code] of castEvents(cast) as [number, string][]) {
    if (code !== 'i') continue;
    if (t - last >= gap) starts.push(t);
    last = t;
  }
  return starts;
}

/** The first of `starts` after `now` (a hundredth of a second past counts as after), or null. */
export function nextInputAt(starts: number[], now: number): number | null {
  return starts.find((t) => t > now + 0.01) ?? null;
}

/** One line saying what recording a device's sessions get and why (its own setting, what its labels raise, input). */
export function describeEffectiveRecording(e: EffectiveRecording): string {
  const policy = e.raisedBy.length > 0 ? `${e.policy}, raised from ${e.device} by ${e.raisedBy.join(', ')}` : e.policy;
  const input = e.policy === 'off' ? '' : e.inputRecordedFor.length > 0 ? `; keystrokes recorded for ${e.inputRecordedFor.join(', ')}` : '; keystrokes not recorded';
  return `Effective: ${policy}${input}`;
}

/** "1.2 KiB" style sizes for the recordings list. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** Session length for people: "42 s", "3 min 05 s", "running". */
export function formatDuration(startedAt: string, endedAt: string | null): string {
  if (!endedAt) return 'running';
  const s = Math.max(0, Math.round((Date.parse(endedAt) - Date.parse(startedAt)) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(s % 60).padStart(2, '0')} s`;
}

/** A time into a recording for people: "0:07", "12:30", "1:02:03". */
export function formatOffset(seconds: number): string {
  const t = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(t % 60)}` : `${m}:${two(t % 60)}`;
}
