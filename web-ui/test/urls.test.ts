import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseName, deviceFromHash, filesUrl, joinRemotePath, resumeUrl, terminalUrl } from '../src/urls.ts';

const http = { protocol: 'http:', host: 'relay.local:8080' };
const https = { protocol: 'https:', host: 'relay.example' };

test('terminal URL follows the page scheme and escapes the id', () => {
  assert.equal(terminalUrl(http, 'pi-7', 120, 40), 'ws://relay.local:8080/api/v1/devices/pi-7/terminal?cols=120&rows=40');
  assert.equal(terminalUrl(https, 'a/b c', 80.7, 0), 'wss://relay.example/api/v1/devices/a%2Fb%20c/terminal?cols=80&rows=1');
});

test('resume URL carries the byte offset', () => {
  assert.equal(resumeUrl(https, 's-1', 12345), 'wss://relay.example/api/v1/sessions/s-1/terminal?offset=12345');
  assert.equal(resumeUrl(http, 's 2', -5), 'ws://relay.local:8080/api/v1/sessions/s%202/terminal?offset=0');
});

test('files URL escapes the path', () => {
  assert.equal(filesUrl('pi-7', '/tmp/a b.txt'), '/api/v1/devices/pi-7/files?path=%2Ftmp%2Fa%20b.txt');
});

test('remote path joining', () => {
  assert.equal(joinRemotePath('/tmp', 'x.bin'), '/tmp/x.bin');
  assert.equal(joinRemotePath('/tmp/', 'x.bin'), '/tmp/x.bin');
  assert.equal(joinRemotePath('', 'x.bin'), '/tmp/x.bin');
  assert.equal(joinRemotePath('home/pi', 'x'), '/home/pi/x');
  assert.equal(joinRemotePath('/tmp', '../../etc/passwd'), '/tmp/passwd');
  assert.equal(baseName('/var/log/syslog'), 'syslog');
  assert.equal(baseName('/'), 'download');
});

test('device links in the URL fragment', () => {
  assert.equal(deviceFromHash('#device=pi-7'), 'pi-7');
  assert.equal(deviceFromHash('#device=a%2Fb'), 'a/b');
  assert.equal(deviceFromHash('#device='), null);
  assert.equal(deviceFromHash('#device=%E0%A4%A'), null);
  assert.equal(deviceFromHash(''), null);
  assert.equal(deviceFromHash('#other=pi-7'), null);
});
