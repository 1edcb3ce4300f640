// The global banner (#notice) for errors not tied to a terminal tab.

import { byId } from './dom.ts';

let current: string | null = null;

export function showNotice(text: string, kind: 'error' | 'info' = 'error'): void {
  current = text;
  byId('notice').textContent = text;
  const bar = byId('notice-bar');
  bar.dataset.kind = kind;
  bar.hidden = false;
}

/** Hides the banner; with `onlyIf`, only when it still shows that text. */
export function clearNotice(onlyIf?: string): void {
  if (onlyIf !== undefined && current !== onlyIf) return;
  current = null;
  byId('notice').textContent = '';
  byId('notice-bar').hidden = true;
}

export function initNotice(): void {
  byId('notice-dismiss').addEventListener('click', () => clearNotice());
}
