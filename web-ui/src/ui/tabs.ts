// The tab strip: open, switch, close terminal tabs; ARIA tablist keyboarding.

import type { Device } from '../api.ts';
import type { Settings } from '../settings.ts';
import { byId } from './dom.ts';
import { TerminalTab, type WatchTarget } from './terminal-tab.ts';

export class Tabs {
  private tabs: TerminalTab[] = [];
  private active: TerminalTab | null = null;
  private readonly strip = byId('tabs');
  private readonly panels = byId('panels');
  private readonly empty = byId('empty-state');
  private readonly tileToggle = byId('tile-toggle');
  private readonly broadcastBanner = byId('broadcast-banner');
  private tiled = false;

  constructor(
    private readonly onAuthExpired: () => void,
    /** Called whenever the active tab changes (page title). */
    private readonly onActiveChange: (tab: TerminalTab | null) => void,
  ) {
    this.strip.addEventListener('keydown', (e) => this.onStripKey(e));
    this.tileToggle.addEventListener('click', () => this.setTiled(!this.tiled));
  }

  /** Tiled: every terminal visible at once in a grid; the clicked one becomes active. */
  setTiled(on: boolean): void {
    this.tiled = on;
    this.panels.classList.toggle('tiled', on);
    this.tileToggle.setAttribute('aria-pressed', String(on));
    this.tileToggle.textContent = on ? 'One pane' : 'Tile panes';
    for (const t of this.tabs) t.refit();
  }

  /**
   * Input typed in a pane: into every pane marked Broadcast when the pane typed in is one of
   * them (opt-in per pane, with a banner saying how many), else into that pane alone.
   */
  private route(from: TerminalTab, data: string): void {
    if (!from.broadcasting) {
      from.session.sendInput(data);
      return;
    }
    for (const t of this.tabs) if (t.broadcasting) t.session.sendInput(data);
  }

  private broadcastChanged(): void {
    const n = this.tabs.filter((t) => t.broadcasting).length;
    this.broadcastBanner.hidden = n === 0;
    this.broadcastBanner.textContent = n === 0 ? ''
      : `Broadcasting: what you type in a marked pane goes to all ${n} marked pane${n === 1 ? '' : 's'}. Untick Broadcast to stop.`;
  }

  get activeTab(): TerminalTab | null {
    return this.active;
  }

  get all(): readonly TerminalTab[] {
    return this.tabs;
  }

  /** Opens a tab with a new shell, or with {@code resumeId}: a session this page had before a reload. */
  open(device: Device, settings: Settings, resumeId?: string, watch?: WatchTarget): TerminalTab {
    const ordinal = this.tabs.filter((t) => t.device.id === device.id).length + 1;
    const tab = new TerminalTab(device, settings, this.onAuthExpired, ordinal, watch);
    tab.inputRouter = (from, data) => this.route(from, data);
    tab.onBroadcastChange = () => this.broadcastChanged();
    tab.panel.addEventListener('mousedown', () => {
      if (this.tiled && this.active !== tab) this.activate(tab, false);
    });
    tab.tabButton.addEventListener('click', () => this.activate(tab, true));
    tab.closeButton.addEventListener('click', () => this.close(tab));
    this.strip.append(tab.tabItem);
    this.panels.append(tab.panel);
    this.tabs.push(tab);
    this.activate(tab, false);
    tab.start(resumeId);
    tab.focus();
    return tab;
  }

  activate(tab: TerminalTab, focus: boolean): void {
    this.active = tab;
    for (const t of this.tabs) t.setActive(t === tab);
    this.empty.hidden = true;
    this.onActiveChange(tab);
    if (focus) tab.focus();
  }

  close(tab: TerminalTab): void {
    const i = this.tabs.indexOf(tab);
    if (i < 0) return;
    tab.dispose();
    this.tabs.splice(i, 1);
    this.broadcastChanged();
    if (this.active === tab) {
      const next = this.tabs[Math.min(i, this.tabs.length - 1)] ?? null;
      if (next) {
        this.activate(next, true);
      } else {
        this.active = null;
        this.empty.hidden = false;
        this.onActiveChange(null);
      }
    }
  }

  closeAll(): void {
    for (const t of [...this.tabs]) this.close(t);
  }

  /** Moves to the neighbouring tab (wrapping) and focuses its terminal. */
  step(delta: number): void {
    if (this.tabs.length === 0 || !this.active) return;
    const i = this.tabs.indexOf(this.active);
    this.activate(this.tabs[(i + delta + this.tabs.length) % this.tabs.length], true);
  }

  focusStrip(): void {
    this.active?.tabButton.focus();
  }

  applySettings(s: Settings): void {
    for (const t of this.tabs) t.applySettings(s);
  }

  /** The device list answered: each tab hears whether its device is online. */
  devicesSeen(list: readonly Device[]): void {
    const online = new Map(list.map((d) => [d.id, d.online]));
    for (const t of this.tabs) t.session.deviceSeen(online.get(t.device.id) ?? false);
  }

  /** Tell sessions waiting to reconnect that the network is back. */
  retryNow(): void {
    for (const t of this.tabs) t.session.retryNow();
  }

  // WAI-ARIA tabs pattern: arrows move between tabs, Enter/Down goes into the terminal.
  private onStripKey(e: KeyboardEvent): void {
    const tab = this.tabs.find((t) => t.tabButton === e.target);
    if (!tab) return;
    const i = this.tabs.indexOf(tab);
    const go = (j: number) => {
      const t = this.tabs[(j + this.tabs.length) % this.tabs.length];
      this.activate(t, false);
      t.tabButton.focus();
    };
    switch (e.key) {
      case 'ArrowRight':
        go(i + 1);
        break;
      case 'ArrowLeft':
        go(i - 1);
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(this.tabs.length - 1);
        break;
      case 'Delete':
        this.close(tab);
        this.active?.tabButton.focus();
        break;
      case 'Enter':
      case 'ArrowDown':
        this.activate(tab, true);
        break;
      default:
        return;
    }
    e.preventDefault();
  }
}
