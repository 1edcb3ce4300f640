// App-level keyboard shortcuts. All use Ctrl+Shift so plain Ctrl keys
// (Ctrl+C, Ctrl+W, Ctrl+R, ...) keep going to the shell.

export type Action =
  | 'copy'
  | 'paste'
  | 'search'
  | 'files'
  | 'focus-devices'
  | 'next-tab'
  | 'prev-tab'
  | 'focus-tabs';

export interface KeyLike {
  type: string;
  key: string;
  code?: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** Shortcut bound to a keydown, or null. Uses `code` where available so layouts with Shift-letters still match. */
export function shortcutFor(ev: KeyLike): Action | null {
  if (ev.type !== 'keydown' || !ev.ctrlKey || !ev.shiftKey || ev.altKey || ev.metaKey) return null;
  const code = ev.code ?? '';
  const key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
  const is = (letter: string) => code === `Key${letter.toUpperCase()}` || key === letter;
  if (is('c')) return 'copy';
  if (is('v')) return 'paste';
  if (is('f')) return 'search';
  if (is('u')) return 'files';
  if (is('l')) return 'focus-devices';
  if (key === 'ArrowRight' || key === 'PageDown') return 'next-tab';
  if (key === 'ArrowLeft' || key === 'PageUp') return 'prev-tab';
  if (key === 'ArrowUp') return 'focus-tabs';
  return null;
}

/** Text for the on-page shortcut help. */
export const SHORTCUT_HELP: [string, string][] = [
  ['Ctrl+Shift+L', 'Focus the device filter'],
  ['↑ / ↓, Enter', 'Move through devices, open a terminal'],
  ['Ctrl+Shift+← / →', 'Previous / next terminal tab'],
  ['Ctrl+Shift+↑', 'Focus the tab bar (Delete closes a tab)'],
  ['Ctrl+Shift+C / V', 'Copy selection / paste'],
  ['Ctrl+Shift+F', 'Search the scrollback'],
  ['Ctrl+Shift+U', 'File transfer panel'],
  ['Full screen button', 'Lets Ctrl+W, Ctrl+T, Ctrl+N reach the shell (Chrome)'],
];
