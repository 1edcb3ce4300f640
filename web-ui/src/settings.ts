// User preferences (theme, font size), kept in localStorage.

import type { ITheme } from '@xterm/xterm';

export type ThemeName = 'dark' | 'light';

export interface Settings {
  theme: ThemeName;
  fontSize: number;
}

export const MIN_FONT = 8;
export const MAX_FONT = 32;
export const DEFAULT_FONT = 14;

export function clampFontSize(n: number): number {
  if (!Number.isFinite(n)) return DEFAULT_FONT;
  return Math.min(MAX_FONT, Math.max(MIN_FONT, Math.round(n)));
}

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function loadSettings(store: StorageLike | null, prefersDark: boolean): Settings {
  const theme = store?.getItem('deviceTunnel.theme');
  const font = store?.getItem('deviceTunnel.fontSize');
  return {
    theme: theme === 'light' || theme === 'dark' ? theme : prefersDark ? 'dark' : 'light',
    fontSize: font ? clampFontSize(Number(font)) : DEFAULT_FONT,
  };
}

export function saveSettings(store: StorageLike | null, s: Settings): void {
  try {
    store?.setItem('deviceTunnel.theme', s.theme);
    store?.setItem('deviceTunnel.fontSize', String(s.fontSize));
  } catch {
    // Private mode or full storage: preferences just won't stick.
  }
}

export const XTERM_THEMES: Record<ThemeName, ITheme> = {
  dark: {
    background: '#15181d',
    foreground: '#d8dee9',
    cursor: '#f0f0f0',
    selectionBackground: '#3a5a8c',
  },
  light: {
    background: '#fbfbf8',
    foreground: '#1f2328',
    cursor: '#1f2328',
    cursorAccent: '#fbfbf8',
    selectionBackground: '#b6d3ff',
    // xterm's default palette is tuned for dark backgrounds: darken the pale ones.
    black: '#1f2328',
    red: '#c0262d',
    green: '#1a7f37',
    yellow: '#8a6500',
    blue: '#0550ae',
    magenta: '#8250df',
    cyan: '#0f7b8a',
    white: '#6e7781',
    brightBlack: '#57606a',
    brightRed: '#a40e26',
    brightGreen: '#116329',
    brightYellow: '#6f4f00',
    brightBlue: '#0a3069',
    brightMagenta: '#6639ba',
    brightCyan: '#0b5f6b',
    brightWhite: '#8c959f',
  },
};
