import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bufferText, type BufferLineLike } from '../src/buffer-text.ts';
import { clampFontSize, loadSettings } from '../src/settings.ts';
import { shortcutFor, type KeyLike } from '../src/shortcuts.ts';

const key = (k: Partial<KeyLike>): KeyLike => ({ type: 'keydown', key: '', ctrlKey: false, shiftKey: false, altKey: false, metaKey: false, ...k });

test('Ctrl+Shift shortcuts; plain Ctrl keys stay with the shell', () => {
  assert.equal(shortcutFor(key({ key: 'C', code: 'KeyC', ctrlKey: true, shiftKey: true })), 'copy');
  assert.equal(shortcutFor(key({ key: 'V', code: 'KeyV', ctrlKey: true, shiftKey: true })), 'paste');
  assert.equal(shortcutFor(key({ key: 'F', code: 'KeyF', ctrlKey: true, shiftKey: true })), 'search');
  assert.equal(shortcutFor(key({ key: 'ArrowRight', ctrlKey: true, shiftKey: true })), 'next-tab');
  assert.equal(shortcutFor(key({ key: 'c', code: 'KeyC', ctrlKey: true })), null);
  assert.equal(shortcutFor(key({ key: 'w', code: 'KeyW', ctrlKey: true })), null);
  assert.equal(shortcutFor(key({ type: 'keyup', key: 'C', code: 'KeyC', ctrlKey: true, shiftKey: true })), null);
});

test('font size is clamped, settings survive bad storage', () => {
  assert.equal(clampFontSize(3), 8);
  assert.equal(clampFontSize(100), 32);
  assert.equal(clampFontSize(Number.NaN), 14);
  const store = new Map([['deviceTunnel.theme', 'neon'], ['deviceTunnel.fontSize', '17']]);
  const s = loadSettings({ getItem: (k) => store.get(k) ?? null, setItem: () => undefined }, false);
  assert.deepEqual(s, { theme: 'light', fontSize: 17 });
});

test('buffer text joins wrapped rows and trims', () => {
  const line = (text: string, isWrapped = false): BufferLineLike => ({
    isWrapped,
    translateToString: (trim?: boolean) => (trim ? text.trimEnd() : text),
  });
  const rows = [line('$ echo  '), line('abcde'), line('fgh  ', true), line('$    '), line('     '), line('')];
  assert.equal(bufferText({ length: rows.length, getLine: (y) => rows[y] }), '$ echo\nabcdefgh\n$');
});

test('a reload takes over the open sessions once', async () => {
  const { rememberOpenSessions, takeOpenSessions } = await import('../src/reload.ts');
  const store = new Map<string, string>();
  const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) };
  rememberOpenSessions(storage, [{ deviceId: 'pi-1', name: 'Pi', sessionId: 's1' }]);
  assert.deepEqual(takeOpenSessions(storage), [{ deviceId: 'pi-1', name: 'Pi', sessionId: 's1' }]);
  assert.deepEqual(takeOpenSessions(storage), []);
  store.set('devicetunnel.openSessions', '{"not":"a list"}');
  assert.deepEqual(takeOpenSessions(storage), []);
});

test('every dependency with an install script is allowed in package.json, so npm ci (make up) prints no warning', async () => {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
  const allowed = new Set(Object.keys(pkg.allowScripts ?? {}).map((k: string) => k.replace(/@[^@/]+$/, '')));
  const withScripts = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
    .filter(([, p]) => p.hasInstallScript)
    .map(([path]) => path.replace(/^.*node_modules\//, ''));
  assert.ok(withScripts.includes('esbuild'), 'esbuild has a postinstall script');
  for (const name of withScripts) assert.ok(allowed.has(name), `${name} runs an install script: add it to allowScripts`);
});
