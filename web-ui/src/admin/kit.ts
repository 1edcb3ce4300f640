// Small building blocks the administration views share: a section with a live status line,
// labelled fields, tables, and running an API call with its outcome said in that status line.

import { ApiError } from '../api.ts';
import { h } from '../ui/dom.ts';

/** One administration view: built once, refreshed each time it is shown. */
export interface AdminView {
  readonly el: HTMLElement;
  show(): Promise<void>;
}

/** What a view needs from the console: where to say things, and what to do when the login is gone. */
export interface ViewContext {
  onUnauthorized(): void;
}

export class StatusLine {
  readonly el = h('p', { class: 'view-status', role: 'status' });

  say(text: string, kind: 'ok' | 'error' = 'ok'): void {
    this.el.textContent = text;
    this.el.dataset.kind = kind;
  }

  /** Runs an API call; its error (or `done`) goes to the status line. False when it failed. */
  async run(ctx: ViewContext, what: () => Promise<unknown>, done?: string): Promise<boolean> {
    try {
      await what();
      if (done) this.say(done);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) ctx.onUnauthorized();
      this.say(e instanceof ApiError ? e.describe('general') : String((e as Error).message ?? e), 'error');
      return false;
    }
  }
}

export function section(id: string, title: string, ...children: (Node | string)[]): HTMLElement {
  return h('section', { id, class: 'admin-section', 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);
}

/** A label wrapping its control, so the pair stays together and the name is always there. */
export function field(label: string, control: HTMLElement): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

export function input(attrs: Record<string, string | boolean | undefined>): HTMLInputElement {
  return h('input', { autocomplete: 'off', spellcheck: 'false', ...attrs });
}

export function select(name: string, options: readonly string[], value: string, label?: string): HTMLSelectElement {
  const el = h('select', { name, 'aria-label': label }, ...options.map((o) => h('option', { value: o }, o)));
  el.value = value;
  return el;
}

export function button(text: string, attrs: Record<string, string | boolean | undefined> = {}): HTMLButtonElement {
  return h('button', { type: 'button', ...attrs }, text);
}

export function table(caption: string, headers: readonly string[], rows: HTMLTableRowElement[]): HTMLTableElement {
  return h(
    'table',
    { class: 'admin-table' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows),
  );
}

export function cells(...children: (Node | string)[]): HTMLTableRowElement {
  return h('tr', {}, ...children.map((c) => h('td', {}, c)));
}

export function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** Saves text as a file through a temporary object URL. */
export function download(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
