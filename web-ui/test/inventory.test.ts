import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Device, DeviceFacts } from '../src/api.ts';
import { matchesFilter } from '../src/devices.ts';
import { bytesText, compareVersions, driftText, factRows, inventoryRows, nextSort, uptimeText } from '../src/inventory.ts';

function facts(over: Partial<DeviceFacts>): DeviceFacts {
  return { os: null, kernel: null, architecture: null, hostname: null, agentVersion: null, bootTime: null, ipAddresses: null, cpuCount: null, memoryTotal: null, ...over };
}
const pump: Device = { id: 'pump', name: 'pump', online: true, lastSeen: null, labels: { site: 'berlin' },
  facts: facts({ os: 'Debian GNU/Linux 12 (bookworm)', architecture: 'aarch64', kernel: '6.1.0', agentVersion: '0.10.0', ipAddresses: ['10.0.0.7'] }) };
const gate: Device = { id: 'gate', name: 'gate', online: false, lastSeen: null, labels: {},
  facts: facts({ os: 'Ubuntu 24.04 LTS', architecture: 'x86_64', kernel: '6.8.0', agentVersion: '0.9.2' }) };
const fresh: Device = { id: 'fresh', name: 'fresh', online: false, lastSeen: null, labels: {}, facts: null };

test('the filter matches facts too: OS, architecture, version, addresses', () => {
  assert.ok(matchesFilter(pump, 'debian aarch64'));
  assert.ok(matchesFilter(pump, '10.0.0.7'));
  assert.ok(matchesFilter(gate, 'x86_64 0.9.2'));
  assert.ok(!matchesFilter(gate, 'debian'));
  assert.deepEqual(inventoryRows([pump, gate, fresh], 'ubuntu', { column: 'name', descending: false }).map((d) => d.id), ['gate']);
});

test('sorting by a fact: versions by their numbers, devices without facts last in both directions', () => {
  const list = [fresh, gate, pump];
  assert.deepEqual(inventoryRows(list, '', { column: 'agentVersion', descending: false }).map((d) => d.id), ['gate', 'pump', 'fresh']);
  assert.deepEqual(inventoryRows(list, '', { column: 'agentVersion', descending: true }).map((d) => d.id), ['pump', 'gate', 'fresh']);
  assert.deepEqual(inventoryRows(list, '', { column: 'architecture', descending: false }).map((d) => d.id), ['pump', 'gate', 'fresh']);
  assert.deepEqual(inventoryRows(list, '', { column: 'name', descending: false }).map((d) => d.id), ['fresh', 'gate', 'pump']);
  assert.ok(compareVersions('0.10.0', '0.9.2') > 0);
});

test('a header click sorts ascending, a second click flips', () => {
  const s = nextSort({ column: 'name', descending: false }, 'os');
  assert.deepEqual(s, { column: 'os', descending: false });
  assert.deepEqual(nextSort(s, 'os'), { column: 'os', descending: true });
});

test('details show every fact in words', () => {
  const now = Date.parse('2025-01-02T03:00:00Z');
  const d: Device = { ...pump, factsAt: '2025-01-02T02:59:00Z', facts: facts({ ...pump.facts, bootTime: now / 1000 - 90_000, cpuCount: 4, memoryTotal: 8 * 1024 ** 3 }) };
  const rows = Object.fromEntries(factRows(d, now));
  assert.equal(rows['Uptime'], '1 d 1 h');
  assert.equal(rows['Memory'], '8.0 GiB');
  assert.equal(rows['CPUs'], '4');
  assert.equal(rows['IP addresses'], '10.0.0.7');
  assert.equal(rows['Hostname'], '—');
  assert.match(factRows(fresh)[0][1], /not reported/);
  assert.equal(uptimeText(59 * 60), '59 min');
  assert.equal(bytesText(512 * 1024 ** 2), '512 MiB');
});

test('drift summary: newest version first, unreported last, drift named', () => {
  assert.equal(driftText([{ agentVersion: '0.9.2', devices: 40 }, { agentVersion: null, devices: 1 }, { agentVersion: '0.10.0', devices: 3 }]),
    'Agent versions: 0.10.0: 3 · 0.9.2: 40 · not reported: 1 (drift)');
  assert.equal(driftText([{ agentVersion: '0.10.0', devices: 3 }]), 'Agent versions: 0.10.0: 3');
});
