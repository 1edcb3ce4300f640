import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServerMessage } from '../src/protocol.ts';
import { TerminalSession, type ConnState } from '../src/terminal-session.ts';
import { watchFromHash, watchUrl } from '../src/urls.ts';
import { FakeSocket, FakeTimers } from './fakes.ts';

function watching() {
  const timers = new FakeTimers();
  const sockets: FakeSocket[] = [];
  const statuses: [ConnState, string][] = [];
  const events: string[] = [];
  const session = new TerminalSession(
    'pi-7',
    {
      origin: { protocol: 'https:', host: 'relay' },
      openSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      checkAuth: async () => 'ok',
      timers,
      now: () => timers.now,
    },
    {
      output: (_d, rendered) => rendered(),
      note: () => undefined,
      status: (s, t) => statuses.push([s, t]),
      authExpired: () => undefined,
      watching: (mode, owner) => events.push(`watching ${mode} ${owner}`),
      watchers: (list) => events.push(`watchers ${list.map((w) => w.user).join(',')}`),
      typingAllowed: () => events.push('typing'),
      inputRefused: (m) => events.push(`refused ${m}`),
    },
    80,
    24,
  );
  return { session, sockets, statuses, events, timers };
}

test('share links live in the URL fragment and name the session and token', () => {
  assert.deepEqual(watchFromHash('#watch=s-1&share=tok_en-1'), { sessionId: 's-1', token: 'tok_en-1' });
  assert.deepEqual(watchFromHash('#watch=s-1'), { sessionId: 's-1', token: undefined });
  assert.equal(watchFromHash('#device=pi'), null);
  assert.equal(watchUrl({ protocol: 'https:', host: 'relay' }, 's 1', 'a/b'), 'wss://relay/api/v1/sessions/s%201/watch?share=a%2Fb');
  assert.equal(watchUrl({ protocol: 'http:', host: 'relay' }, 's1'), 'ws://relay/api/v1/sessions/s1/watch');
});

test('sharing messages are parsed; malformed watchers are dropped, not fatal', () => {
  assert.deepEqual(parseServerMessage('{"type":"watchers","watchers":[{"id":"w1","user":"bob","mode":"join","typing":false},{"id":3}]}'),
    { type: 'watchers', watchers: [{ id: 'w1', user: 'bob', mode: 'join', typing: false }] });
  assert.deepEqual(parseServerMessage('{"type":"typing","allowed":true}'), { type: 'typing', allowed: true });
  assert.deepEqual(parseServerMessage('{"type":"input_refused","message":"read-only"}'), { type: 'input_refused', message: 'read-only' });
  assert.deepEqual(parseServerMessage('{"type":"session","id":"s","offset":0,"watching":"watch","owner":"alice"}'),
    { type: 'session', id: 's', offset: 0, resumedThroughDevice: false, watching: 'watch', owner: 'alice' });
  assert.equal(parseServerMessage('{"type":"watchers","watchers":"bob"}'), null);
});

test('a watcher hears how it watches, consent and refusals, and a drop ends it without a resume', () => {
  const t = watching();
  t.session.watch('wss://relay/api/v1/sessions/s1/watch?share=x');
  const ws = t.sockets[0];
  ws.control({ type: 'session', id: 's1', offset: 0, watching: 'join', owner: 'alice' });
  assert.equal(t.session.state, 'connected');
  t.session.sendInput('ls\r');
  assert.equal(ws.sent.filter((f) => f instanceof Uint8Array).length, 1, 'input goes to the relay, which decides');
  ws.control({ type: 'input_refused', message: 'wait for consent' });
  ws.control({ type: 'typing', allowed: true });
  assert.deepEqual(t.events, ['watching join alice', 'refused wait for consent', 'typing']);
  ws.onclose?.({ code: 4403, reason: 'forbidden' });
  assert.equal(t.session.state, 'closed');
  t.timers.advance(120_000);
  assert.equal(t.sockets.length, 1, 'no resume of someone else\'s session');
});

test('the owner hears who watches', () => {
  const t = watching();
  t.session.start();
  t.sockets[0].control({ type: 'session', id: 's1', offset: 0 });
  t.sockets[0].control({ type: 'watchers', watchers: [{ id: 'w', user: 'bob', mode: 'watch', typing: false }] });
  assert.deepEqual(t.events, ['watchers bob']);
});
