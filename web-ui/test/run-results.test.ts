import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DeviceResult, RunResults, formatExit, formatMillis } from '../src/admin/run-results.ts';

function result(device: string, status: string, exitCode: number | null = null): DeviceResult {
  return { device, status, exitCode, durationMs: null, stdout: '', stderr: '', message: null, truncated: false };
}

test('device events add rows once and then update them; the summary counts statuses in a fixed order', () => {
  const r = new RunResults();
  assert.equal(r.apply(result('a', 'pending')), true);
  assert.equal(r.apply(result('b', 'offline')), true);
  assert.equal(r.summary(), '1 pending · 1 offline');
  assert.equal(r.apply(result('a', 'running')), false);
  assert.equal(r.apply(result('a', 'timed_out')), false);
  assert.equal(r.summary(), '1 timed out · 1 offline');
  assert.equal(r.all().length, 2);
  assert.equal(formatExit(result('c', 'failed', 3)), '3');
  assert.equal(formatExit(result('c', 'offline')), '—');
  assert.equal(formatMillis(1500), '1.5 s');
  assert.equal(formatMillis(12), '12 ms');
});
