// Entry point: decides login vs console, polls devices, wires global shortcuts.

import { ApiError, api, deviceFilterApi, openWebApp, shareApi, type Device, type Me, type ShareInfo } from './api.ts';
import { SavedFilters } from './saved-filters.ts';
import { SavedFilterBar } from './ui/saved-filter-bar.ts';
import { SESSION_EXPIRED } from './errors.ts';
import { clampFontSize, loadSettings, saveSettings, type Settings } from './settings.ts';
import { SHORTCUT_HELP, shortcutFor } from './shortcuts.ts';
import { DeviceList } from './ui/device-list.ts';
import { byId, h } from './ui/dom.ts';
import { rememberOpenSessions, takeOpenSessions } from './reload.ts';
import { deviceFromHash, watchFromHash } from './urls.ts';
import { initLogin, showLogin } from './ui/login.ts';
import { initSsoLogin } from './ui/sso-login.ts';
import { initMfaLogin } from './ui/mfa-login.ts';
import { initPasskeyLogin } from './ui/passkey-login.ts';
import { initStepUp } from './ui/step-up.ts';
import { AccountSecurity } from './ui/account-security.ts';
import { clearNotice, initNotice, showNotice } from './ui/notice.ts';
import { Tabs } from './ui/tabs.ts';
import type { TerminalTab } from './ui/terminal-tab.ts';
import { Views } from './admin/views.ts';

const POLL_MS = 2000;
const RELAY_DOWN = 'Cannot reach the relay — retrying…';

const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
})();
let settings: Settings = loadSettings(storage, window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? true);

let me: Me | null = null;
let pollTimer: number | undefined;
let pollGeneration = 0;

const tabs = new Tabs(expireSession, updateTitle);
const views = new Views(byId('view-nav'), byId('terminals-view'), byId('admin-view'), () => updateTitle());
const devices = new DeviceList(byId('devices'), byId<HTMLInputElement>('device-filter'), byId('devices-summary'), (d) => openTerminal(d),
  (d) => void launchWebApp(d));
const savedFilters = new SavedFilterBar(new SavedFilters(deviceFilterApi), byId<HTMLInputElement>('device-filter'),
  () => devices.applyFilter());

/**
 * Opens a loopback HTTP service of the device in a new window, at the app's own origin (never the
 * console's: its cookies and scripts cannot reach the console). The launch URL works once.
 */
async function launchWebApp(d: Device): Promise<void> {
  const answer = window.prompt(`Port of the web app on ${d.name || d.id} (its loopback HTTP service):`, '80');
  if (answer === null) return;
  const port = Number(answer.trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    window.alert('The port must be a number from 1 to 65535.');
    return;
  }
  try {
    const app = await openWebApp(d.id, port);
    window.open(app.url, '_blank', 'noopener,noreferrer');
  } catch (e) {
    window.alert(e instanceof Error ? e.message : String(e));
  }
}

function openTerminal(d: Device): void {
  if (views.current !== 'terminals') void views.show('terminals');
  tabs.open(d, settings);
}

function updateTitle(tab: TerminalTab | null = tabs.activeTab): void {
  if (byId('console-view').hidden) return;
  if (views.current !== 'terminals') {
    document.title = `${byId('admin-view').querySelector('h2')?.textContent ?? 'Admin'} · device-tunnel`;
    return;
  }
  document.title = tab ? `${tab.label} · device-tunnel` : 'Devices · device-tunnel';
}

function showConsole(user: Me): void {
  me = user;
  byId('login-view').hidden = true;
  byId('console-view').hidden = false;
  byId('current-user').textContent = user.username;
  byId('current-user').title = `role: ${user.role}`;
  views.setUp(user.role, { onUnauthorized: expireSession }, () => leaveConsole('Password changed: log in with the new one.'));
  updateTitle();
  startPolling();
  void savedFilters.load();
  resumeAfterReload();
  openLinkedDevice();
  openSharedLink();
  if (!tabs.activeTab) byId('device-filter').focus();
}

/** The shells this browser tab had before a reload come back in their tabs. */
function resumeAfterReload(): void {
  for (const s of takeOpenSessions(window.sessionStorage)) {
    tabs.open(devices.get(s.deviceId) ?? { id: s.deviceId, name: s.name, online: true, lastSeen: null, labels: {} }, settings, s.sessionId);
  }
}

/** `#device=<id>` opens a terminal on that device once; the relay decides whether it may. */
function openLinkedDevice(): void {
  const id = deviceFromHash(location.hash);
  if (!me || !id) return;
  // Consumed: a reload or the next login must not open it again.
  history.replaceState(null, '', location.pathname + location.search);
  openTerminal(devices.get(id) ?? { id, name: id, online: false, lastSeen: null, labels: {} });
}

/** `#watch=<session>&share=<token>`: a share link; opens a watching tab once (the relay decides whether it may). */
function openSharedLink(): void {
  const target = watchFromHash(location.hash);
  if (!me || !target) return;
  history.replaceState(null, '', location.pathname + location.search); // the token must not stay in the address bar
  if (views.current !== 'terminals') void views.show('terminals');
  tabs.open({ id: 'shared', name: 'shared session', online: true, lastSeen: null, labels: {} }, settings, undefined, target);
}

function watchShared(s: ShareInfo): void {
  if (views.current !== 'terminals') void views.show('terminals');
  tabs.open(devices.get(s.deviceId) ?? { id: s.deviceId, name: s.deviceId, online: true, lastSeen: null, labels: {} }, settings,
    undefined, { sessionId: s.sessionId, owner: s.owner });
}

/** Sessions shared with me by name, in the sidebar with a Watch button each. */
function showSharedWithMe(list: ShareInfo[]): void {
  const section = byId('shared-with-me');
  section.hidden = list.length === 0;
  const key = list.map((s) => s.id).join(',');
  if (section.dataset.key === key) return; // unchanged: keep focus and screen readers quiet
  section.dataset.key = key;
  byId('shared-list').replaceChildren(...list.map((s) => {
    const watch = h('button', { type: 'button', 'data-action': 'watch-shared', 'data-session-id': s.sessionId },
      s.mode === 'join' ? 'Join' : 'Watch');
    watch.addEventListener('click', () => watchShared(s));
    return h('li', {}, `${s.owner} on ${s.deviceId} `, watch);
  }));
}

function leaveConsole(message: string): void {
  me = null;
  stopPolling();
  tabs.closeAll();
  views.tearDown();
  devices.reset();
  savedFilters.reset();
  showSharedWithMe([]);
  clearNotice();
  showLogin(message);
}

/** Any API answer 401: the login is gone, back to the login page with a clear message. */
function expireSession(): void {
  if (me) leaveConsole(SESSION_EXPIRED);
}

// --- device polling (setTimeout chain, so slow answers never overlap) ---

function startPolling(): void {
  stopPolling();
  const gen = ++pollGeneration;
  const tick = async () => {
    try {
      const list = await api.devices();
      if (gen !== pollGeneration) return;
      devices.update(list);
      showSharedWithMe(await shareApi.sharedWithMe());
      tabs.devicesSeen(list); // the relay answers: waiting resumes try now, tabs of returned devices offer a reconnect
      clearNotice(RELAY_DOWN);
    } catch (e) {
      if (gen !== pollGeneration) return;
      if (e instanceof ApiError && e.status === 401) return expireSession();
      showNotice(e instanceof ApiError && e.status !== undefined ? `Device list: ${e.describe('general')}` : RELAY_DOWN);
    }
    if (gen === pollGeneration) pollTimer = window.setTimeout(tick, POLL_MS);
  };
  void tick();
}

function stopPolling(): void {
  pollGeneration++;
  window.clearTimeout(pollTimer);
}

// --- settings ---

function applySettings(next: Settings): void {
  settings = next;
  saveSettings(storage, settings);
  document.documentElement.dataset.theme = settings.theme;
  const toggle = byId('theme-toggle');
  toggle.textContent = settings.theme === 'dark' ? 'Light theme' : 'Dark theme';
  toggle.setAttribute('aria-label', `Switch to ${settings.theme === 'dark' ? 'light' : 'dark'} theme`);
  byId('font-size').textContent = `${settings.fontSize}px`;
  tabs.applySettings(settings);
}

// --- global keyboard shortcuts (capture phase, before xterm sees the key) ---

function onGlobalKey(e: KeyboardEvent): void {
  if (byId('console-view').hidden) return;
  const action = shortcutFor(e);
  if (!action || action === 'copy' || action === 'paste') return; // those belong to the terminal
  const t = e.target as HTMLElement;
  const inTextField = (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement) && !t.classList.contains('xterm-helper-textarea');
  // In text fields Ctrl+Shift+arrows select words: leave them alone.
  if (inTextField && (action === 'next-tab' || action === 'prev-tab' || action === 'focus-tabs')) return;
  e.preventDefault();
  const tab = tabs.activeTab;
  switch (action) {
    case 'search':
      tab?.toggleSearch(true);
      break;
    case 'files':
      tab?.toggleFiles();
      break;
    case 'focus-devices':
      byId('device-filter').focus();
      break;
    case 'next-tab':
      tabs.step(1);
      break;
    case 'prev-tab':
      tabs.step(-1);
      break;
    case 'focus-tabs':
      tabs.focusStrip();
      break;
  }
}

// --- boot ---

const security = new AccountSecurity(enterConsole);

async function enterConsole(): Promise<void> {
  try {
    const user = await api.me();
    if (user.mfaEnrolmentRequired) {
      byId('login-view').hidden = true;
      await security.open(true); // this login may do nothing else until it enrols
      return;
    }
    showConsole(user);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) showLogin('');
    else showLogin(e instanceof ApiError ? e.describe('general') : 'The relay could not be reached');
  }
}

function init(): void {
  initNotice();
  initLogin(enterConsole);
  void initSsoLogin();
  initMfaLogin(enterConsole);
  initPasskeyLogin(enterConsole);
  initStepUp();
  byId('security-open').addEventListener('click', () => void security.open(false));
  byId('logout').addEventListener('click', async () => {
    tabs.closeAll(); // ends the shells while the login still counts
    try {
      await api.logout();
    } catch {
      // Logged out locally either way; the cookie expires on its own.
    }
    leaveConsole('');
  });
  byId('theme-toggle').addEventListener('click', () => applySettings({ ...settings, theme: settings.theme === 'dark' ? 'light' : 'dark' }));
  byId('font-smaller').addEventListener('click', () => applySettings({ ...settings, fontSize: clampFontSize(settings.fontSize - 1) }));
  byId('font-larger').addEventListener('click', () => applySettings({ ...settings, fontSize: clampFontSize(settings.fontSize + 1) }));
  byId('shortcut-list').replaceChildren(...SHORTCUT_HELP.flatMap(([k, v]) => [h('dt', {}, h('kbd', {}, k)), h('dd', {}, v)]));
  document.addEventListener('keydown', onGlobalKey, true);
  window.addEventListener('online', () => tabs.retryNow());
  window.addEventListener('hashchange', openLinkedDevice);
  window.addEventListener('hashchange', openSharedLink);
  // Closing the browser tab kills live shells: ask first (Ctrl+W cannot be intercepted outside full screen).
  // Not under automation (navigator.webdriver): the prompt would block browser tests.
  window.addEventListener('pagehide', () => {
    const open = tabs.all.filter((t) => !t.watch && t.session.sessionId && (t.session.state === 'connected' || t.session.state === 'reconnecting'));
    rememberOpenSessions(window.sessionStorage, open.map((t) => ({ deviceId: t.device.id, name: t.device.name, sessionId: t.session.sessionId! })));
  });
  window.addEventListener('beforeunload', (e) => {
    if (navigator.webdriver) return;
    if (tabs.all.some((t) => t.session.state === 'connected' || t.session.state === 'reconnecting')) e.preventDefault();
  });
  applySettings(settings);

  // Stable hook for the browser tests.
  (window as unknown as { deviceTunnel: unknown }).deviceTunnel = {
    activeTerminalText: (): string => tabs.activeTab?.text() ?? '',
    terminalTexts: (): string[] => tabs.all.map((t) => t.text()),
    activeTerminalSize: (): { cols: number; rows: number } | null =>
      tabs.activeTab ? { cols: tabs.activeTab.term.cols, rows: tabs.activeTab.term.rows } : null,
  };

  void enterConsole();
}

init();
