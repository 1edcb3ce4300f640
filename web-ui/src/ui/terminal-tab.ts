// One terminal tab: xterm.js + a TerminalSession + toolbar, search bar, files panel.

import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import { api, checkAuth, type Device } from '../api.ts';
import { confirmSecondFactor } from './step-up.ts';
import { bufferText } from '../buffer-text.ts';
import { browserTimers } from '../flow.ts';
import { XTERM_THEMES, type Settings } from '../settings.ts';
import { shortcutFor } from '../shortcuts.ts';
import { TerminalSession, type ConnState, type SocketLike } from '../terminal-session.ts';
import { copyText } from './clipboard.ts';
import { h, q } from './dom.ts';
import { FilesPanel } from './files-panel.ts';
import { SharePanel } from './share-panel.ts';
import { watchUrl } from '../urls.ts';

/** Someone else's shared session this tab watches: by a link's token, or shared with us by name. */
export interface WatchTarget {
  sessionId: string;
  token?: string;
  owner?: string;
}

let nextTabNumber = 1;

export class TerminalTab {
  readonly id = `t${nextTabNumber++}`;
  readonly tabItem: HTMLElement;
  readonly tabButton: HTMLButtonElement;
  readonly closeButton: HTMLButtonElement;
  readonly panel: HTMLElement;
  readonly term: Terminal;
  readonly session: TerminalSession;
  private readonly fit = new FitAddon();
  private readonly search = new SearchAddon();
  private readonly files: FilesPanel;
  private readonly statusLine: HTMLElement;
  private readonly searchBar: HTMLElement;
  private readonly searchInput: HTMLInputElement;
  private readonly searchResult: HTMLElement;
  private readonly restartButton: HTMLButtonElement;
  private resizeObserver: ResizeObserver;
  private fitPending = false;
  private copyTimer: number | undefined;
  private readonly share: SharePanel | null;
  private readonly watchBanner: HTMLElement;
  private readonly broadcastBox: HTMLInputElement;
  /** Where typed input goes; the tab strip routes it to every broadcasting pane while this one broadcasts. */
  inputRouter: ((from: TerminalTab, data: string) => void) | null = null;

  constructor(
    readonly device: Device,
    settings: Settings,
    /** The relay said our login is gone. */
    onAuthExpired: () => void,
    /** 2 for the second tab on the same device, ... (shown in the tab only). */
    ordinal = 1,
    /** Watch someone's shared session instead of opening a shell. */
    readonly watch?: WatchTarget,
  ) {
    const label = (watch ? 'Watching ' : '') + (watch?.owner ? `${watch.owner} on ` : '') + (device.name || device.id)
      + (ordinal > 1 ? ` (${ordinal})` : '');
    this.tabButton = h(
      'button',
      { class: 'tab', type: 'button', role: 'tab', id: `tab-${this.id}`, 'data-session-tab': this.id, 'aria-controls': `panel-${this.id}`, 'aria-selected': 'false', tabindex: '-1', title: `${label} (${device.id})`, 'aria-keyshortcuts': 'Delete' },
      h('span', { class: 'tab-dot', 'aria-hidden': 'true' }),
      h('span', { class: 'tab-label' }, label),
    );
    // A tablist may hold only tabs (axe: aria-required-children), so the × is for the mouse alone:
    // hidden from screen readers, never a tab stop. From the keyboard, Delete on the tab closes it.
    this.closeButton = h('button', { class: 'tab-close', type: 'button', 'aria-hidden': 'true', title: 'Close tab (Delete)', tabindex: '-1' }, '×');
    this.tabItem = h('div', { class: 'tab-item', role: 'presentation' }, this.tabButton, this.closeButton);

    this.statusLine = h('span', { class: 'status-line', role: 'status', 'aria-live': 'polite', 'data-state': 'connecting' }, 'connecting…');
    this.restartButton = h('button', { class: 'restart-button', type: 'button', hidden: true }, 'New session');
    const filesButton = h('button', { class: 'files-button', type: 'button', 'aria-expanded': 'false', 'aria-keyshortcuts': 'Control+Shift+U' }, 'Files');
    const searchButton = h('button', { class: 'search-button', type: 'button', 'aria-keyshortcuts': 'Control+Shift+F' }, 'Search');
    const fullButton = h('button', { class: 'fullscreen-button', type: 'button', title: 'Full screen: Ctrl+W and friends reach the shell' }, 'Full screen');
    const shareButton = h('button', { class: 'share-button', type: 'button', 'aria-expanded': 'false', hidden: !!watch }, 'Share');
    const watchCount = h('span', { class: 'watch-count', 'aria-live': 'polite' });
    this.broadcastBox = h('input', { type: 'checkbox', class: 'broadcast-toggle' });
    const broadcastLabel = h('label', { class: 'broadcast-label', title: 'Type into every pane marked Broadcast at once' }, this.broadcastBox, ' Broadcast');
    this.watchBanner = h('p', { class: 'watch-banner', role: 'status', hidden: !watch },
      watch ? 'Watching — read-only.' : '');
    this.share = watch ? null : new SharePanel(() => this.session.sessionId, (list) => {
      watchCount.textContent = list.length ? `${list.length} watching` : '';
    });

    this.searchInput = h('input', { class: 'search-input', type: 'search', placeholder: 'Search scrollback', 'aria-label': 'Search scrollback' });
    this.searchResult = h('span', { class: 'search-result', 'aria-live': 'polite' });
    this.searchBar = h(
      'div',
      { class: 'search-bar', hidden: true, role: 'search' },
      this.searchInput,
      h('button', { type: 'button', class: 'search-prev', title: 'Previous match (Shift+Enter)' }, '↑ Prev'),
      h('button', { type: 'button', class: 'search-next', title: 'Next match (Enter)' }, '↓ Next'),
      h('button', { type: 'button', class: 'search-close', title: 'Close (Escape)' }, 'Close'),
      this.searchResult,
    );

    this.files = new FilesPanel(device.id, onAuthExpired);
    const host = h('div', { class: 'terminal-host' });
    this.panel = h(
      'section',
      { class: 'terminal-panel', role: 'tabpanel', id: `panel-${this.id}`, 'aria-labelledby': `tab-${this.id}`, 'data-session-tab': this.id, 'data-device-id': device.id },
      h('div', { class: 'panel-toolbar' }, this.statusLine, watchCount, h('span', { class: 'spacer' }), this.restartButton,
        broadcastLabel, shareButton, searchButton, filesButton, fullButton),
      this.watchBanner,
      ...(this.share ? [this.share.el] : []),
      this.searchBar,
      this.files.el,
      host,
    );

    this.term = new Terminal({
      fontSize: settings.fontSize,
      fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", monospace',
      theme: XTERM_THEMES[settings.theme],
      scrollback: 10_000,
      cursorBlink: true,
      macOptionIsMeta: true,
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(this.search);
    this.term.loadAddon(new WebLinksAddon((ev, uri) => {
      ev.preventDefault();
      window.open(uri, '_blank', 'noopener,noreferrer');
    }));

    this.session = new TerminalSession(
      device.id,
      {
        origin: location,
        // The browser WebSocket is a superset of SocketLike; only the event types differ.
        openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
        checkAuth,
        timers: browserTimers,
        now: () => Date.now(),
        endSession: (id) => void api.endSession(id).catch(() => undefined), // gone already: nothing to end
        stepUp: confirmSecondFactor,
      },
      {
        output: (data, rendered) => this.term.write(data, rendered),
        note: (text) => this.term.write(`\r\n\x1b[2m${text}\x1b[0m\r\n`),
        status: (state, text) => this.showStatus(state, text),
        authExpired: onAuthExpired,
        capReached: () => void this.showSlotHolders(),
        watchers: (list) => this.share?.watchersChanged(list),
        watching: (mode, owner) => this.showWatchBanner(mode === 'join'
          ? `Joined ${owner}'s session: you may type once ${owner} allows it.`
          : `Watching ${owner}'s session — read-only.`, mode),
        typingAllowed: () => this.showWatchBanner('You may type: the owner allowed it.', 'typing'),
        inputRefused: (message) => this.showWatchBanner(`Typing refused: ${message}`, 'refused'),
        deviceBack: () => {
          this.restartButton.textContent = 'Reconnect';
          this.restartButton.setAttribute('aria-label', `Reconnect to ${this.label}: a new session`);
        },
      },
      80,
      24,
    );

    this.wireTerminal(host);
    this.resizeObserver = new ResizeObserver(() => this.scheduleFit());
    this.resizeObserver.observe(host);

    this.restartButton.addEventListener('click', () => {
      this.restartButton.textContent = 'New session';
      this.restartButton.removeAttribute('aria-label');
      this.term.reset();
      this.session.start();
      this.term.focus();
    });
    searchButton.addEventListener('click', () => this.toggleSearch());
    filesButton.addEventListener('click', () => {
      this.files.toggle();
      filesButton.setAttribute('aria-expanded', String(this.files.visible));
    });
    fullButton.addEventListener('click', () => void this.fullscreen());
    shareButton.addEventListener('click', () => {
      this.share?.toggle();
      shareButton.setAttribute('aria-expanded', String(this.share?.visible ?? false));
    });
    this.broadcastBox.addEventListener('change', () => {
      this.panel.classList.toggle('broadcasting', this.broadcastBox.checked);
      this.onBroadcastChange?.();
    });
    this.wireSearch();
    this.wireDrop();
  }

  get label(): string {
    return this.device.name || this.device.id;
  }

  /** Must run once the panel is in the document and visible, so xterm can measure. */
  /** Opens the terminal and a new shell, or takes over {@code resumeId} (a session from before a page reload). */
  start(resumeId?: string): void {
    this.term.open(q(this.panel, '.terminal-host'));
    this.fitNow();
    this.session.resize(this.term.cols, this.term.rows);
    if (this.watch) this.session.watch(watchUrl(location, this.watch.sessionId, this.watch.token));
    else if (resumeId) this.session.resumeExisting(resumeId);
    else this.session.start();
  }

  /** After a cap refusal: who holds this device's sessions, with a button to end the detached ones we may end. */
  private async showSlotHolders(): Promise<void> {
    let held;
    try {
      held = await api.sessions(this.device.id);
    } catch {
      return; // the refusal text already says what happened
    }
    if (held.length === 0) return;
    const rows = held.map((s) => {
      const minutes = Math.max(0, Math.round((Date.now() - Date.parse(s.startedAt)) / 60000));
      const end = h('button', { type: 'button', class: 'end-session', 'data-session-id': s.id }, 'End');
      end.addEventListener('click', () => {
        end.disabled = true;
        void api.endSession(s.id).then(() => item.remove(), () => (end.disabled = false));
      });
      const item = h('li', {}, `${s.operator}, ${minutes} min, ${s.attached ? 'attached' : 'detached'} `, ...(s.attached ? [] : [end]));
      return item;
    });
    const list = h('div', { class: 'slot-holders', role: 'region', 'aria-label': 'Sessions holding this device' },
      h('p', {}, 'Your sessions on this device (end a detached one to free its slot):'), h('ul', {}, ...rows));
    this.panel.insertBefore(list, q(this.panel, '.terminal-host'));
  }

  /** Called when this pane's Broadcast box changes (the tab strip updates its banner). */
  onBroadcastChange: (() => void) | null = null;

  get broadcasting(): boolean {
    return this.broadcastBox.checked;
  }

  private showWatchBanner(text: string, state: string): void {
    this.watchBanner.textContent = text;
    this.watchBanner.dataset.state = state;
  }

  setActive(active: boolean): void {
    this.panel.classList.toggle('active', active);
    this.tabButton.setAttribute('aria-selected', String(active));
    this.tabButton.tabIndex = active ? 0 : -1;
    if (active) this.scheduleFit();
  }

  focus(): void {
    this.term.focus();
  }

  text(): string {
    return bufferText(this.term.buffer.active);
  }

  /** The pane's size may have changed (tiled or not). */
  refit(): void {
    this.scheduleFit();
  }

  applySettings(s: Settings): void {
    this.term.options.theme = XTERM_THEMES[s.theme];
    this.term.options.fontSize = s.fontSize;
    this.scheduleFit();
  }

  toggleSearch(show = this.searchBar.hidden): void {
    this.searchBar.hidden = !show;
    if (show) {
      const sel = this.term.getSelection();
      if (sel && !sel.includes('\n')) this.searchInput.value = sel;
      this.searchInput.focus();
      this.searchInput.select();
    } else {
      this.search.clearDecorations();
      this.term.focus();
    }
  }

  toggleFiles(): void {
    this.files.toggle();
    q(this.panel, '.files-button').setAttribute('aria-expanded', String(this.files.visible));
  }

  dispose(): void {
    this.session.close();
    this.resizeObserver.disconnect();
    this.files.cancel();
    this.term.dispose();
    this.tabItem.remove();
    this.panel.remove();
  }

  // --- wiring ---

  private wireTerminal(host: HTMLElement): void {
    this.term.onData((d) => (this.inputRouter ? this.inputRouter(this, d) : this.session.sendInput(d)));
    this.term.onBinary((d) => this.session.sendBinary(d));
    this.term.onResize(({ cols, rows }) => this.session.resize(cols, rows));
    // Copy on select (debounced: selection changes on every mouse move while dragging).
    this.term.onSelectionChange(() => {
      window.clearTimeout(this.copyTimer);
      this.copyTimer = window.setTimeout(() => {
        if (this.term.hasSelection()) void copyText(this.term.getSelection(), false);
      }, 200);
    });
    this.term.attachCustomKeyEventHandler((ev) => {
      const action = shortcutFor(ev);
      if (action === 'copy') {
        ev.preventDefault(); // also keeps Chrome's element inspector shut
        if (this.term.hasSelection()) void copyText(this.term.getSelection()).then(() => this.term.focus());
        return false;
      }
      // Paste: xterm must not see the key, and the browser's own paste
      // (Ctrl+Shift+V = paste as plain text) lands in xterm's textarea.
      // Other shortcuts are handled by the document listener in main.ts.
      return action === null;
    });
    host.addEventListener('mousedown', () => this.term.focus());
  }

  private wireSearch(): void {
    const find = (back: boolean, incremental = false) => {
      const text = this.searchInput.value;
      if (!text) {
        this.searchResult.textContent = '';
        this.search.clearDecorations();
        return;
      }
      const found = back ? this.search.findPrevious(text) : this.search.findNext(text, { incremental });
      this.searchResult.textContent = found ? '' : 'no match';
    };
    this.searchInput.addEventListener('input', () => find(false, true));
    this.searchInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        find(e.shiftKey);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        this.toggleSearch(false);
      }
    });
    q(this.searchBar, '.search-prev').addEventListener('click', () => find(true));
    q(this.searchBar, '.search-next').addEventListener('click', () => find(false));
    q(this.searchBar, '.search-close').addEventListener('click', () => this.toggleSearch(false));
  }

  private wireDrop(): void {
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
    this.panel.addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      this.panel.classList.add('drop-target');
    });
    this.panel.addEventListener('dragleave', (e) => {
      if (e.target === this.panel || !this.panel.contains(e.relatedTarget as Node)) this.panel.classList.remove('drop-target');
    });
    this.panel.addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      this.panel.classList.remove('drop-target');
      this.files.enqueue([...(e.dataTransfer?.files ?? [])]);
      q(this.panel, '.files-button').setAttribute('aria-expanded', 'true');
    });
  }

  private async fullscreen(): Promise<void> {
    try {
      await this.panel.requestFullscreen();
      // Keyboard Lock (Chrome) lets Ctrl+W/T/N reach the shell while in full screen.
      const kb = (navigator as Navigator & { keyboard?: { lock?: (codes?: string[]) => Promise<void> } }).keyboard;
      await kb?.lock?.(['KeyW', 'KeyT', 'KeyN', 'Escape']).catch(() => undefined);
    } catch {
      // Full screen refused (iframe, browser policy): nothing to do.
    }
    this.term.focus();
  }

  private scheduleFit(): void {
    if (this.fitPending) return;
    this.fitPending = true;
    requestAnimationFrame(() => {
      this.fitPending = false;
      this.fitNow();
    });
  }

  private fitNow(): void {
    // A hidden panel measures as 0x0; it is fitted again when shown.
    if (this.panel.getClientRects().length === 0 || !this.term.element) return;
    try {
      this.fit.fit();
    } catch {
      // Not measurable yet (fonts loading): the ResizeObserver will call again.
    }
  }

  private showStatus(state: ConnState, text: string): void {
    this.statusLine.textContent = text;
    this.statusLine.dataset.state = state;
    this.tabButton.dataset.state = state;
    this.restartButton.hidden = state !== 'closed';
  }
}
