import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Device } from '../src/api.ts';
import { labelChips, matchesFilter, presenceText, relativeTime, sortDevices } from '../src/devices.ts';

const pi: Device = { id: 'pi-7', name: 'Kitchen Pi', online: true, lastSeen: null, labels: { env: 'prod', site: 'berlin' } };
const gw: Device = { id: 'gw-1', name: 'gateway', online: false, lastSeen: '2025-01-01T00:00:00Z', labels: {} };

test('filter matches name, id, labels and state; all words must match', () => {
  assert.ok(matchesFilter(pi, ''));
  assert.ok(matchesFilter(pi, 'kitchen'));
  assert.ok(matchesFilter(pi, 'PI-7'));
  assert.ok(matchesFilter(pi, 'env=prod'));
  assert.ok(matchesFilter(pi, 'berlin online'));
  assert.ok(!matchesFilter(pi, 'berlin offline'));
  assert.ok(matchesFilter(gw, 'offline'));
  assert.ok(!matchesFilter(gw, 'prod'));
});

test('sorted by name, then id', () => {
  const a = { ...gw, id: 'b', name: 'same' };
  const b = { ...gw, id: 'a', name: 'same' };
  assert.deepEqual(sortDevices([pi, a, b]).map((d) => d.id), ['pi-7', 'a', 'b'], 'Kitchen Pi < same');
});

test('presence words', () => {
  const now = Date.parse('2025-01-01T00:05:00Z');
  assert.equal(presenceText(pi, now), 'online');
  assert.equal(presenceText(gw, now), 'offline · last seen 5 min ago');
  assert.equal(presenceText({ ...gw, lastSeen: null }, now), 'offline · never seen');
  assert.equal(relativeTime(3000), 'just now');
  assert.equal(relativeTime(3 * 3600_000), '3 h ago');
  assert.equal(relativeTime(5 * 86400_000), '5 days ago');
});

test('label chips are sorted k=v', () => {
  assert.deepEqual(labelChips(pi), ['env=prod', 'site=berlin']);
});
