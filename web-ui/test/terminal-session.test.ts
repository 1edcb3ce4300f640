import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TerminalSession, type ConnState } from '../src/terminal-session.ts';
import { FakeSocket, FakeTimers, flush } from './fakes.ts';

function setup(auth: 'ok' | 'unauthorized' | 'unknown' = 'ok', stepUp?: () => Promise<boolean>) {
  const timers = new FakeTimers();
  const ended: string[] = [];
  let capReached = 0;
  let deviceBack = 0;
  const sockets: FakeSocket[] = [];
  const statuses: [ConnState, string][] = [];
  const notes: string[] = [];
  const pendingRenders: (() => void)[] = [];
  let written = 0;
  let expired = 0;
  const session = new TerminalSession(
    'pi-7',
    {
      origin: { protocol: 'https:', host: 'relay' },
      openSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      checkAuth: async () => auth,
      timers,
      now: () => timers.now,
      endSession: (id) => ended.push(id),
      stepUp,
    },
    {
      output: (data, rendered) => {
        written += data.byteLength;
        pendingRenders.push(rendered);
      },
      note: (t) => notes.push(t),
      status: (s, t) => statuses.push([s, t]),
      authExpired: () => expired++,
      capReached: () => capReached++,
      deviceBack: () => deviceBack++,
    },
    100,
    30,
  );
  const renderAll = () => pendingRenders.splice(0).forEach((r) => r());
  return {
    session, timers, sockets, statuses, notes, renderAll, ended,
    get capReached() { return capReached; },
    get deviceBack() { return deviceBack; },
    get written() { return written; },
    get expired() { return expired; },
    last: () => statuses[statuses.length - 1],
    ws: () => sockets[sockets.length - 1],
  };
}

test('connects with the terminal size and becomes connected on the session message', () => {
  const t = setup();
  t.session.start();
  assert.equal(t.ws().url, 'wss://relay/api/v1/devices/pi-7/terminal?cols=100&rows=30');
  assert.equal(t.ws().binaryType, 'arraybuffer');
  assert.equal(t.last()[0], 'connecting');
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  assert.deepEqual(t.last(), ['connected', 'connected']);
  assert.equal(t.session.sessionId, 's1');
});

test('answers the relay\'s liveness ping with a pong', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().control({ type: 'ping' });
  assert.deepEqual(t.ws().controls, [{ type: 'pong' }]);
});

test('keystrokes go out as binary UTF-8, resize as JSON', () => {
  const t = setup();
  t.session.start();
  t.session.sendInput('x'); // not connected yet: kept, sent first once the shell is there
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.session.sendInput('ä\x03');
  t.session.resize(120, 40);
  t.session.resize(120, 40); // unchanged: not resent
  const [early, keys, resize, ...rest] = t.ws().sent;
  assert.deepEqual([...(early as Uint8Array)], [0x78]);
  assert.deepEqual([...(keys as Uint8Array)], [0xc3, 0xa4, 0x03]);
  assert.deepEqual(JSON.parse(resize as string), { type: 'resize', cols: 120, rows: 40 });
  assert.equal(rest.length, 0);
});

test('acks rendered bytes only, in batches', () => {
  const t = setup();
  t.session.start();
  const ws = t.ws();
  ws.control({ type: 'session', id: 's1', offset: 0 });
  for (let i = 0; i < 40; i++) ws.output(4096); // 160 KiB received
  assert.equal(t.written, 40 * 4096);
  assert.equal(ws.controls.filter((c) => c.type === 'ack').length, 0, 'nothing rendered, nothing acked');
  t.renderAll();
  t.timers.advance(100);
  const acked = ws.controls.filter((c) => c.type === 'ack').reduce((s, c) => s + (c.bytes as number), 0);
  assert.equal(acked, 40 * 4096);
  assert.ok(ws.controls.filter((c) => c.type === 'ack').length <= 4, 'batched, not one ack per frame');
});

test('exit shows the status and does not reconnect', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().control({ type: 'exit', status: 3 });
  t.ws().drop(1000);
  t.timers.advance(120_000);
  assert.deepEqual(t.last(), ['closed', 'closed — exited with status 3']);
  assert.equal(t.sockets.length, 1);
  assert.match(t.notes[0], /exited with status 3/);
});

test('error frame + 4xxx close shows the mapped words with the server message', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'error', error: 'forbidden', message: 'role viewer cannot open shells' });
  t.ws().drop(4403);
  assert.deepEqual(t.last(), ['closed', 'closed — You are not allowed to open a session on this device: role viewer cannot open shells']);
  t.timers.advance(120_000);
  assert.equal(t.sockets.length, 1);
});

test('host key mismatch gets its own words', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'error', error: 'host_key_mismatch' });
  t.ws().drop(4502);
  assert.match(t.last()[1], /host key does not match.*impersonation/);
});

test('4xxx close without an error frame still maps the status', () => {
  const t = setup();
  t.session.start();
  t.ws().drop(4504);
  assert.deepEqual(t.last(), ['closed', 'closed — The device did not answer in time']);
});

test('4401 sends the user back to login', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'error', error: 'unauthorized' });
  t.ws().drop(4401);
  assert.equal(t.expired, 1);
  assert.match(t.last()[1], /session expired/);
});

test('refused upgrade (1006 before session) + /me 401 → login', async () => {
  const t = setup('unauthorized');
  t.session.start();
  t.ws().drop(1006);
  await flush();
  assert.equal(t.expired, 1);
  assert.equal(t.sockets.length, 1, 'no retry');
});

test('refused upgrade with a valid login → "The relay refused the connection"', async () => {
  const t = setup('ok');
  t.session.start();
  t.ws().drop(1006);
  await flush();
  assert.deepEqual(t.last(), ['closed', 'closed — The relay refused the connection']);
  assert.equal(t.expired, 0);
});

test('a dropped socket resumes from the received offset with backoff', async () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().output('hello'); // 5 bytes
  t.ws().output(1000);
  t.ws().drop(1006);
  assert.equal(t.last()[0], 'reconnecting');
  assert.match(t.last()[1], /^reconnecting/);
  t.timers.advance(499);
  assert.equal(t.sockets.length, 1);
  t.timers.advance(1);
  assert.equal(t.ws().url, 'wss://relay/api/v1/sessions/s1/terminal?offset=1005');
  // Still down: next try after 1 s.
  t.ws().drop(1006);
  await flush();
  t.timers.advance(999);
  assert.equal(t.sockets.length, 2);
  t.timers.advance(1);
  assert.equal(t.sockets.length, 3);
  t.ws().control({ type: 'session', id: 's1', offset: 1005 });
  assert.deepEqual(t.last(), ['connected', 'connected']);
  // The size is re-sent after a resume.
  assert.deepEqual(t.ws().controls[0], { type: 'resize', cols: 100, rows: 30 });
  t.ws().output(10);
  assert.equal(t.session.received, 1015);
});

test('1001 (relay shutting down) without exit also resumes', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().drop(1001);
  t.timers.advance(500);
  assert.match(t.ws().url, /\/sessions\/s1\/terminal\?offset=0$/);
});

test('gap on resume advances the offset and tells the user', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().output(100);
  t.ws().drop(1006);
  t.timers.advance(500);
  t.ws().control({ type: 'session', id: 's1', offset: 100 });
  t.ws().control({ type: 'gap', bytes: 50 });
  t.ws().output(10);
  assert.equal(t.session.received, 160);
  assert.match(t.notes.at(-1)!, /50 bytes of output were lost/);
});

test('resume refused with 4404 → the session no longer exists: start a new one', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().drop(1006);
  t.timers.advance(500);
  t.ws().control({ type: 'error', error: 'not_found', message: 'no such session' });
  t.ws().drop(4404);
  assert.equal(t.last()[0], 'closed');
  assert.match(t.last()[1], /no longer exists on the relay .*start a new session/);
  t.timers.advance(120_000);
  assert.equal(t.sockets.length, 2);
});

test('gives up after ~60 s of failed resumes', async () => {
  const t = setup('unknown');
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().drop(1006);
  for (let i = 0; i < 30 && t.last()[0] !== 'closed'; i++) {
    t.timers.advance(10_000);
    t.ws().drop(1006);
    await flush();
  }
  assert.deepEqual(t.last(), ['closed', 'closed — session ended (could not resume)']);
  assert.ok(t.timers.now <= 71_000, `gave up at ${t.timers.now} ms`);
  assert.ok(t.sockets.length >= 6, `only ${t.sockets.length} attempts`);
});

test('a failed resume whose cause is an expired login goes to login', async () => {
  const t = setup('unauthorized');
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().drop(1006);
  t.timers.advance(500);
  t.ws().drop(1006);
  await flush();
  assert.equal(t.expired, 1);
  assert.equal(t.last()[0], 'closed');
});

test('closing the tab stops everything', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  const ws = t.ws();
  t.session.close();
  assert.equal(ws.closedWith, 1000);
  ws.drop(1006);
  t.timers.advance(120_000);
  assert.equal(t.sockets.length, 1);
});

test('closing the tab tells the relay to end the shell before the socket closes', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.session.close();
  assert.deepEqual(t.ws().controls, [{ type: 'close' }]);
  assert.deepEqual(t.ended, []);
});

test('closing a tab that waits to resume ends its shell through the API', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().drop(1006);
  assert.equal(t.session.state, 'reconnecting');
  t.session.close();
  assert.deepEqual(t.ended, ['s1']);
});

test('a tab whose shell exited ends nothing when closed', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().control({ type: 'exit', status: 0 });
  t.session.close();
  assert.deepEqual(t.ws().controls, []);
  assert.deepEqual(t.ended, []);
});

test('after a reload the tab takes over its session from offset 0', () => {
  const t = setup();
  t.session.resumeExisting('s9');
  assert.equal(t.ws().url, 'wss://relay/api/v1/sessions/s9/terminal?offset=0');
  t.ws().control({ type: 'session', id: 's9', offset: 0 });
  assert.equal(t.session.state, 'connected');
});

test('a cap refusal (409) asks the tab to show who holds the slots', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'error', error: 'conflict', message: 'This device already has 8 open sessions (the limit).' });
  t.ws().drop(4409);
  assert.equal(t.capReached, 1);
});

test('retryNow skips the backoff wait', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().drop(1006);
  t.session.retryNow();
  assert.equal(t.sockets.length, 2);
  assert.equal(t.timers.count, 0);
});

test('acks from before a reconnect are not sent on the new socket', () => {
  const t = setup();
  t.session.start();
  const first = t.ws();
  first.control({ type: 'session', id: 's1', offset: 0 });
  first.output(1000);
  first.drop(1006);
  t.timers.advance(500);
  const second = t.ws();
  second.control({ type: 'session', id: 's1', offset: 1000 });
  t.renderAll(); // bytes of the old connection finish rendering now
  t.timers.advance(200);
  assert.equal(second.controls.filter((c) => c.type === 'ack').length, 0);
});

test('a session taken over by another relay says so once', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().drop(1006);
  t.timers.advance(60_000);
  t.ws().control({ type: 'session', id: 's1', offset: 0, resumedThroughDevice: true });
  assert.deepEqual(t.notes, ['[device-tunnel: relay changed, session resumed]']);
});

test('a session taken over by another tab says so, is not a cap refusal and does not reconnect', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().drop(4002, 'session resumed elsewhere');
  assert.deepEqual(t.last(), ['closed', 'closed — This session was opened in another tab or window']);
  assert.equal(t.capReached, 0);
  t.timers.advance(60_000);
  assert.equal(t.sockets.length, 1);
});

test('a draining relay (error 503, then 1001) is explained and the session resumes', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().output(10);
  t.ws().control({ type: 'error', error: 'service_unavailable', message: 'relay shutting down' });
  t.ws().drop(1001, 'relay shutting down');
  assert.equal(t.last()[0], 'reconnecting');
  assert.match(t.last()[1], /^The relay is restarting; reconnecting… \(attempt 1/);
  assert.doesNotMatch(t.last()[1], /could not be reached/);
  t.timers.advance(500);
  assert.equal(t.ws().url, 'wss://relay/api/v1/sessions/s1/terminal?offset=10');
  assert.match(t.last()[1], /^The relay is restarting/);
});

test('a 503 on resume keeps retrying until the session is back', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().drop(1006);
  t.timers.advance(500);
  t.ws().control({ type: 'error', error: 'service_unavailable', message: 'The relay is shutting down; try again in a moment.' });
  t.ws().drop(4503);
  assert.equal(t.session.state, 'reconnecting');
  assert.match(t.last()[1], /^The relay is restarting; reconnecting…/);
  t.timers.advance(1000);
  assert.equal(t.sockets.length, 3);
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  assert.deepEqual(t.last(), ['connected', 'connected']);
  // Once back, a later plain drop reads as a plain reconnect again.
  t.ws().drop(1006);
  assert.match(t.last()[1], /^reconnecting…/);
});

test('a new session refused with 503 says the relay is restarting, not unreachable', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'error', error: 'service_unavailable', message: 'The relay is shutting down.' });
  t.ws().drop(4503);
  assert.equal(t.session.state, 'closed');
  assert.match(t.last()[1], /The relay is restarting or not ready/);
  assert.doesNotMatch(t.last()[1], /could not be reached/);
});

test('after a relay restart the device list answering makes the resume try at once, and 4404 ends it at once', async () => {
  const t = setup('unknown');
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().drop(1006); // the relay went away
  for (let i = 0; i < 4; i++) {
    t.timers.advance(10_000);
    t.ws().drop(1006);
    await flush();
  }
  assert.equal(t.last()[0], 'reconnecting');
  const attempts = t.sockets.length;
  t.session.deviceSeen(true); // the relay is back: its device list answered
  assert.equal(t.sockets.length, attempts + 1, 'resumed without waiting out the backoff');
  t.ws().control({ type: 'error', error: 'not_found', message: 'No such session (it may have ended).' });
  t.ws().drop(4404);
  assert.equal(t.last()[0], 'closed');
  assert.match(t.last()[1], /no longer exists on the relay/);
  assert.doesNotMatch(t.last()[1], /No such session/);
  t.timers.advance(120_000);
  assert.equal(t.sockets.length, attempts + 1);
});

test('a tab closed because its device was lost offers to reconnect once the device is online again', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().control({ type: 'error', error: 'device_unreachable', message: 'The connection to the device was lost (device stream failed).' });
  t.ws().drop(4502);
  assert.deepEqual(t.last(), ['closed', 'closed — The connection to the device was lost (device stream failed).']);
  t.session.deviceSeen(true); // the list has not noticed yet: not news
  assert.equal(t.deviceBack, 0);
  t.session.deviceSeen(false);
  assert.equal(t.deviceBack, 0);
  t.session.deviceSeen(true);
  assert.equal(t.deviceBack, 1);
  assert.match(t.last()[1], /device stream failed\)\. The device is online again: reconnect for a new session$/);
  t.session.deviceSeen(true);
  assert.equal(t.deviceBack, 1, 'offered once');
});

test('a tab whose shell exited is not offered a reconnect', () => {
  const t = setup();
  t.session.start();
  t.ws().control({ type: 'session', id: 's1', offset: 0 });
  t.ws().control({ type: 'exit', status: 0 });
  t.ws().drop(1000);
  t.session.deviceSeen(true);
  assert.equal(t.deviceBack, 0);
});

test('step_up_required → asks for the second factor, then opens the session again', async () => {
  let asked = 0;
  const t = setup('ok', async () => {
    asked++;
    return true;
  });
  t.session.start();
  t.ws().control({ type: 'error', error: 'step_up_required', message: 'Device pi-7 needs your second factor' });
  t.ws().drop(4403);
  await flush();
  assert.equal(asked, 1);
  assert.equal(t.sockets.length, 2, 'opened again after the step-up');
  assert.equal(t.ws().url, 'wss://relay/api/v1/devices/pi-7/terminal?cols=100&rows=30');
  t.ws().control({ type: 'session', id: 's2', offset: 0 });
  assert.deepEqual(t.last(), ['connected', 'connected']);
});

test('step_up_required and the operator cancels → closed with the relay\'s words, no new socket', async () => {
  const t = setup('ok', async () => false);
  t.session.start();
  t.ws().control({ type: 'error', error: 'step_up_required', message: 'Device pi-7 needs your second factor' });
  t.ws().drop(4403);
  await flush();
  assert.equal(t.sockets.length, 1);
  assert.equal(t.last()[0], 'closed');
  assert.match(t.last()[1], /second factor/);
});
