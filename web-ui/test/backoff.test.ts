import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, backoffDelay } from '../src/backoff.ts';

test('delays double from 0.5 s up to 10 s', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map((i) => backoffDelay(i)), [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
});

test('gives up once 60 s have passed since the drop', () => {
  const b = new Backoff();
  let now = 1_000;
  const delays: number[] = [];
  for (;;) {
    const d = b.next(now);
    if (d === null) break;
    delays.push(d);
    now += d;
  }
  assert.deepEqual(delays.slice(0, 5), [500, 1000, 2000, 4000, 8000]);
  assert.equal(delays.reduce((s, d) => s + d, 0), 60_000, 'last attempt lands right at the deadline');
  assert.ok(delays.length >= 9 && delays.length <= 11);
});

test('reset starts a fresh outage', () => {
  const b = new Backoff();
  b.next(0);
  b.next(500);
  b.reset();
  assert.equal(b.next(100_000), 500);
});
