import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeClose,
  describeError,
  namedClose,
  parseRetryAfter,
  SESSION_GONE,
  SESSION_MOVED,
  statusFromCloseCode,
  statusOfCode,
} from '../src/errors.ts';
import { ERROR_CODES, NAMED_CLOSES } from '../src/generated/error-codes.ts';

test('each status has its own words', () => {
  const words = [400, 401, 403, 404, 408, 409, 413, 429, 500, 502, 503, 504, 507].map((status) => describeError({ status }, 'device'));
  assert.equal(new Set(words).size, words.length);
  for (const w of words) assert.doesNotMatch(w, /^forbidden$/i);
});

test('status words for device sessions', () => {
  assert.equal(describeError({ status: 401 }, 'device'), 'Your session expired, please log in again');
  assert.equal(describeError({ status: 403 }, 'device'), 'You are not allowed to open a session on this device');
  assert.equal(describeError({ status: 404 }, 'device'), 'No such device');
  assert.match(describeError({ status: 409 }, 'device'), /too many sessions/i);
  assert.equal(describeError({ status: 502 }, 'device'), 'The device is offline or unreachable');
  assert.equal(describeError({ status: 504 }, 'device'), 'The device did not answer in time');
  assert.match(describeError({ status: 500 }, 'device'), /internal error/);
});

test('login 401 means wrong credentials, not an expired session', () => {
  assert.equal(describeError({ status: 401, code: 'unauthorized' }, 'login'), 'Wrong username or password');
});

test('429 uses Retry-After when known', () => {
  assert.match(describeError({ status: 429, retryAfterSeconds: 30 }, 'login'), /wait 30 seconds/);
  assert.match(describeError({ status: 429, retryAfterSeconds: 1 }, 'login'), /wait 1 second and/);
  assert.match(describeError({ status: 429 }, 'login'), /wait a moment/);
});

test('host_key_mismatch beats the bare 502', () => {
  const w = describeError({ status: 502, code: 'host_key_mismatch' }, 'device');
  assert.match(w, /host key does not match/);
  assert.match(w, /impersonation/);
});

test("the server's message is combined with the mapped words", () => {
  assert.equal(
    describeError({ status: 502, code: 'device_unreachable', message: 'agent for pi-7 is not connected' }, 'device'),
    'The device is offline or unreachable: agent for pi-7 is not connected',
  );
  // No "X: X" repetition.
  assert.equal(describeError({ status: 404, message: 'No such device.' }, 'device'), 'No such device');
  assert.equal(describeError({ status: 404, message: 'No such device: pi-9' }, 'device'), 'No such device: pi-9');
});

test('resume 404 means the session is gone', () => {
  assert.equal(describeError({ status: 404 }, 'resume'), SESSION_GONE);
  assert.equal(describeError({ status: 404, code: 'not_found', message: 'No such session (it may have ended).' }, 'resume'), SESSION_GONE);
});

test('close codes carry HTTP statuses', () => {
  assert.equal(statusFromCloseCode(4403), 403);
  assert.equal(statusFromCloseCode(1006), undefined);
  assert.equal(describeClose(4504, '', 'device'), 'The device did not answer in time');
  assert.equal(describeClose(1001, '', 'device'), 'The relay is shutting down');
});

test('Retry-After: seconds or HTTP date', () => {
  assert.equal(parseRetryAfter('120'), 120);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now), 10);
});

test("every code in the relay's table has words of its own, never the fallbacks", () => {
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    for (const ctx of ['device', 'resume', 'files', 'general'] as const) {
      const w = describeError({ code }, ctx);
      assert.doesNotMatch(w, /could not be reached|refused the request \(HTTP|failed \(HTTP/, `${code} in ${ctx}`);
    }
    assert.equal(statusOfCode(code), info.status);
  }
  assert.equal(statusOfCode('too_many_sessions'), undefined);
  assert.equal(statusOfCode('toString'), undefined);
});

test('named closes are not statuses: 4002 is a take-over, not "too many sessions"', () => {
  assert.equal(ERROR_CODES.session_moved.close, 4002);
  assert.equal(namedClose(4002), 'session_moved');
  assert.equal(namedClose(4409), undefined);
  assert.equal(statusFromCloseCode(4002), undefined);
  assert.equal(statusFromCloseCode(4409), 409);
  assert.equal(describeClose(4002, 'session resumed elsewhere', 'device'), SESSION_MOVED);
  assert.equal(SESSION_MOVED, 'This session was opened in another tab or window');
  for (const close of Object.keys(NAMED_CLOSES).map(Number)) assert.ok(close > 4000 && close < 4100);
});

test('408, 413 and 503 have words', () => {
  assert.equal(describeError({ code: 'idle_timeout' }, 'device'), 'The session was idle too long');
  assert.match(describeError({ status: 413 }, 'files'), /file is too large/);
  assert.match(describeError({ status: 413 }, 'device'), /message is too large/);
  assert.match(describeError({ code: 'service_unavailable' }, 'device'), /restarting/);
});

test('a lost device is said once, in the relay\'s words', () => {
  const words = describeError(
    { status: 502, code: 'device_unreachable', message: 'The connection to the device was lost (device stream failed).' },
    'device',
  );
  assert.equal(words, 'The connection to the device was lost (device stream failed).');
  assert.equal(describeError({ status: 502, code: 'device_unreachable' }, 'device'), 'The device is offline or unreachable');
});
