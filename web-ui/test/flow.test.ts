import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckBatcher } from '../src/flow.ts';
import { FakeTimers } from './fakes.ts';

const opts = { batchBytes: 64 * 1024, maxDelayMs: 100 };

test('acks at once when a batch worth of bytes is rendered', () => {
  const timers = new FakeTimers();
  const acks: number[] = [];
  const a = new AckBatcher((n) => acks.push(n), timers, opts);
  a.rendered(40_000);
  assert.deepEqual(acks, []);
  a.rendered(30_000);
  assert.deepEqual(acks, [70_000]);
  assert.equal(timers.count, 0, 'timer cleared after a batch ack');
});

test('acks small amounts after 100 ms, in one message', () => {
  const timers = new FakeTimers();
  const acks: number[] = [];
  const a = new AckBatcher((n) => acks.push(n), timers, opts);
  a.rendered(10);
  timers.advance(50);
  a.rendered(20);
  assert.deepEqual(acks, []);
  timers.advance(50);
  assert.deepEqual(acks, [30]);
  timers.advance(1000);
  assert.deepEqual(acks, [30], 'nothing pending, nothing sent');
});

test('every rendered byte is acked exactly once', () => {
  const timers = new FakeTimers();
  let total = 0;
  const a = new AckBatcher((n) => (total += n), timers, opts);
  let rendered = 0;
  for (let i = 0; i < 1000; i++) {
    const n = (i * 7919) % 5000;
    rendered += n;
    a.rendered(n);
    if (i % 10 === 0) timers.advance(30);
  }
  timers.advance(100);
  assert.equal(total, rendered);
  assert.equal(a.acked, rendered);
  assert.equal(a.pending, 0);
});

test('1 MiB of output never leaves more than a batch unacked once rendered', () => {
  const timers = new FakeTimers();
  const a = new AckBatcher(() => undefined, timers, opts);
  for (let i = 0; i < 256; i++) {
    a.rendered(4096);
    assert.ok(a.pending < opts.batchBytes);
  }
});

test('after dispose, late render callbacks are ignored', () => {
  const timers = new FakeTimers();
  const acks: number[] = [];
  const a = new AckBatcher((n) => acks.push(n), timers, opts);
  a.rendered(10);
  a.dispose();
  a.rendered(100_000);
  timers.advance(500);
  assert.deepEqual(acks, []);
});
