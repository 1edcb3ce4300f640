import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import {
  agentCommand,
  auditQuery,
  castToText,
  describeEffectiveRecording,
  formatBytes,
  formatDuration,
  formatOffset,
  formatLabels,
  inputStarts,
  nextInputAt,
  parseLabels,
  toJsonLines,
  viewsFor,
} from '../src/admin/logic.ts';

test('only admins see the administration views; viewers have no recordings', () => {
  assert.deepEqual(viewsFor('admin'), ['terminals', 'runs', 'inventory', 'devices-admin', 'enrollments', 'users', 'audit', 'recordings', 'account']);
  assert.deepEqual(viewsFor('operator'), ['terminals', 'runs', 'inventory', 'recordings', 'account']);
  assert.deepEqual(viewsFor('viewer'), ['terminals', 'inventory', 'account']);
  assert.deepEqual(viewsFor('something-new'), ['terminals', 'account']);
});

test('labels parse from key=value text and format back sorted', () => {
  assert.deepEqual(parseLabels(' site=lab, env=prod ,'), { site: 'lab', env: 'prod' });
  assert.deepEqual(parseLabels(''), {});
  assert.deepEqual(parseLabels('empty='), { empty: '' });
  assert.throws(() => parseLabels('site'), /"site" is not a label/);
  assert.throws(() => parseLabels('=lab'), /not a label/);
  assert.throws(() => parseLabels('a b=c'), /not a label/);
  assert.equal(formatLabels({ site: 'lab', env: 'prod' }), 'env=prod,site=lab');
});

test('the agent command keeps the token off the command line and quotes it for the shell', () => {
  const cmd = agentCommand('http://relay.local:8080/', "to'ken");
  assert.equal(
    cmd,
    "(umask 077 && printf '%s\\n' 'to'\\''ken' > enroll.token)\n" +
      "java -jar device-agent.jar --relay 'http://relay.local:8080' --device-id \"$(hostname)\" --enrollment-token-file enroll.token --allow-plain-http",
  );
  assert.doesNotMatch(agentCommand('https://relay.example', 't'), /allow-plain-http/);
  // The first line, run by a real shell, writes exactly the token.
  const written = execFileSync('sh', ['-c', `cd "$(mktemp -d)" && ${cmd.split('\n')[0]} && cat enroll.token && stat -c %a enroll.token`], {
    encoding: 'utf8',
  });
  assert.equal(written, "to'ken\n600\n");
});

test('audit queries carry only the filled filters, the page size and the cursor', () => {
  assert.equal(auditQuery({}, 50), 'limit=50');
  assert.equal(
    auditQuery({ operator: ' olga ', deviceId: '', event: 'login.ok', from: '2026-01-01T00:00:00.000Z' }, 100, 42),
    'operator=olga&event=login.ok&from=2026-01-01T00%3A00%3A00.000Z&limit=100&before=42',
  );
});

test('JSON lines: one object per line, newline-terminated', () => {
  assert.equal(toJsonLines([{ a: 1 }, { b: 'x\ny' }]), '{"a":1}\n{"b":"x\\ny"}\n');
  assert.equal(toJsonLines([]), '');
});

test('a cast becomes the plain text the session printed', () => {
  const cast = [
    JSON.stringify({ version: 2, width: 80, height: 24 }),
    JSON.stringify([0.1, 'o', '\x1b]0;title\x07\x1b[1;32muser@dev\x1b[0m:~$ ']),
    JSON.stringify([0.5, 'i', 'echo hi\r']),
    JSON.stringify([0.6, 'o', 'echo hi\r\nhi\r\n']),
    JSON.stringify([0.7, 'r', '100x30']),
    '[0.8, "o", "cut sho', // a crash mid-line
  ].join('\n');
  assert.equal(castToText(cast), 'user@dev:~$ echo hi\nhi\n');
});

test('sizes and durations read well', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MiB');
  assert.equal(formatDuration('2026-01-01T00:00:00Z', null), 'running');
  assert.equal(formatDuration('2026-01-01T00:00:00Z', '2026-01-01T00:00:42Z'), '42 s');
  assert.equal(formatDuration('2026-01-01T00:00:00Z', '2026-01-01T00:03:05Z'), '3 min 05 s');
});

test('a time into a recording reads as minutes:seconds, with hours when it is that long', () => {
  assert.equal(formatOffset(7.9), '0:07');
  assert.equal(formatOffset(750), '12:30');
  assert.equal(formatOffset(3723), '1:02:03');
  assert.equal(formatOffset(-1), '0:00');
});

test('typing bursts are found in a cast, and the next one after a moment', () => {
  const cast = [
    '{"version":2,"width":80,"height":24}',
    '[0.5,"o","$ "]',
    '[1.0,"i","l"]',
    '[1.2,"i","s\\r"]',
    '[1.3,"o","file\\r\\n"]',
    '[4.0,"i","exit\\r"]',
    '[4.1,"o","bye"',
  ].join('\n');
  assert.deepEqual(inputStarts(cast), [1.0, 4.0]);
  assert.equal(nextInputAt([1.0, 4.0], -1), 1.0);
  assert.equal(nextInputAt([1.0, 4.0], 1.0), 4.0);
  assert.equal(nextInputAt([1.0, 4.0], 4.0), null);
  assert.deepEqual(inputStarts('{"version":2}\n[0.1,"o","x"]\n'), []);
});

test('the effective recording says what labels raised and whose keystrokes are kept', () => {
  assert.equal(
    describeEffectiveRecording({ policy: 'required', device: 'off', raisedBy: ['env=prod:required'], inputRecordedFor: ['label:env=prod'] }),
    'Effective: required, raised from off by env=prod:required; keystrokes recorded for label:env=prod',
  );
  assert.equal(describeEffectiveRecording({ policy: 'on', device: 'on', raisedBy: [], inputRecordedFor: [] }), 'Effective: on; keystrokes not recorded');
  assert.equal(describeEffectiveRecording({ policy: 'off', device: 'off', raisedBy: [], inputRecordedFor: ['role:operator'] }), 'Effective: off');
});
