// A page reload keeps its shells, as tmux would: the open sessions are remembered in this browser
// tab's sessionStorage while the page unloads (the relay keeps them for the resume grace), and the
// new page takes them over. Closing the window drops sessionStorage: those shells end after the grace.

const KEY = 'devicetunnel.openSessions';

export interface OpenSession {
  deviceId: string;
  name: string;
  sessionId: string;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function rememberOpenSessions(storage: StorageLike, open: readonly OpenSession[]): void {
  if (open.length === 0) storage.removeItem(KEY);
  else storage.setItem(KEY, JSON.stringify(open));
}

/** The sessions the previous page had, once: a second call (or a later login) finds none. */
export function takeOpenSessions(storage: StorageLike): OpenSession[] {
  const raw = storage.getItem(KEY);
  storage.removeItem(KEY);
  if (!raw) return [];
  try {
    const list: unknown = JSON.parse(raw);
    if (!Array.isArray(list)) return [];
    return list.filter(
      (s): s is OpenSession =>
        typeof s === 'object' && s !== null && typeof s.deviceId === 'string' && typeof s.name === 'string' && typeof s.sessionId === 'string',
    );
  } catch {
    return [];
  }
}
