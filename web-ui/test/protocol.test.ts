import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ackMessage, parseServerMessage, pongMessage, resizeMessage } from '../src/protocol.ts';

test('client control messages', () => {
  assert.deepEqual(JSON.parse(resizeMessage(120.4, 40)), { type: 'resize', cols: 120, rows: 40 });
  assert.deepEqual(JSON.parse(ackMessage(65536)), { type: 'ack', bytes: 65536 });
  assert.deepEqual(JSON.parse(pongMessage()), { type: 'pong' });
});

test('server control messages', () => {
  assert.deepEqual(parseServerMessage('{"type":"session","id":"s1","offset":0}'), { type: 'session', id: 's1', offset: 0, resumedThroughDevice: false });
  assert.deepEqual(parseServerMessage('{"type":"session","id":"s1","offset":9,"resumedThroughDevice":true}'), { type: 'session', id: 's1', offset: 9, resumedThroughDevice: true });
  assert.deepEqual(parseServerMessage('{"type":"exit","status":130}'), { type: 'exit', status: 130 });
  assert.deepEqual(parseServerMessage('{"type":"gap","bytes":42}'), { type: 'gap', bytes: 42 });
  assert.deepEqual(parseServerMessage('{"type":"ping"}'), { type: 'ping' });
  assert.deepEqual(parseServerMessage('{"type":"error","error":"forbidden","message":"no"}'), { type: 'error', error: 'forbidden', message: 'no' });
});

test('junk frames are ignored, not fatal', () => {
  assert.equal(parseServerMessage('not json'), null);
  assert.equal(parseServerMessage('null'), null);
  assert.equal(parseServerMessage('{"type":"future"}'), null);
  assert.equal(parseServerMessage('{"type":"session"}'), null);
});
