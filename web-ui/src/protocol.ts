// Text-frame control messages of the terminal websocket (binary frames are raw terminal bytes).

export type ServerMessage =
  | { type: 'session'; id: string; offset: number; resumedThroughDevice?: boolean; watching?: 'watch' | 'join'; owner?: string }
  | { type: 'exit'; status: number }
  | { type: 'gap'; bytes: number }
  | { type: 'error'; error: string; message?: string }
  | { type: 'ping' }
  /** To the owner of a shared session: who watches it now. */
  | { type: 'watchers'; watchers: WatcherInfo[] }
  /** To a joiner: the owner allowed typing. */
  | { type: 'typing'; allowed: boolean }
  /** To a watcher who typed without the right to: dropped, said once. */
  | { type: 'input_refused'; message: string };

export interface WatcherInfo {
  id: string;
  user: string;
  mode: 'watch' | 'join';
  typing: boolean;
}

/** Parses a server text frame; unknown or malformed frames give null (ignored, never fatal). */
export function parseServerMessage(text: string): ServerMessage | null {
  let m: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return null;
    m = v as Record<string, unknown>;
  } catch {
    return null;
  }
  const num = (x: unknown, dflt: number) => (typeof x === 'number' && Number.isFinite(x) ? x : dflt);
  switch (m.type) {
    case 'session':
      return typeof m.id === 'string'
        ? {
            type: 'session', id: m.id, offset: num(m.offset, 0), resumedThroughDevice: m.resumedThroughDevice === true,
            ...(m.watching === 'watch' || m.watching === 'join' ? { watching: m.watching, owner: typeof m.owner === 'string' ? m.owner : '?' } : {}),
          }
        : null;
    case 'exit':
      return { type: 'exit', status: num(m.status, -1) };
    case 'gap':
      return { type: 'gap', bytes: num(m.bytes, 0) };
    case 'ping':
      return { type: 'ping' };
    case 'watchers':
      return Array.isArray(m.watchers) ? { type: 'watchers', watchers: m.watchers.filter(isWatcher) } : null;
    case 'typing':
      return { type: 'typing', allowed: m.allowed === true };
    case 'input_refused':
      return { type: 'input_refused', message: typeof m.message === 'string' ? m.message : 'Typing is not allowed here.' };
    case 'error':
      return {
        type: 'error',
        error: typeof m.error === 'string' ? m.error : 'internal',
        message: typeof m.message === 'string' ? m.message : undefined,
      };
    default:
      return null;
  }
}

function isWatcher(w: unknown): w is WatcherInfo {
  const o = w as Record<string, unknown> | null;
  return typeof o === 'object' && o !== null && typeof o.id === 'string' && typeof o.user === 'string'
    && (o.mode === 'watch' || o.mode === 'join') && typeof o.typing === 'boolean';
}

export function resizeMessage(cols: number, rows: number): string {
  return JSON.stringify({ type: 'resize', cols: Math.max(1, Math.floor(cols)), rows: Math.max(1, Math.floor(rows)) });
}

/** Answer to the relay's liveness ping: a browser that stops answering is treated as gone. */
export function pongMessage(): string {
  return JSON.stringify({ type: 'pong' });
}

/** The operator closed the tab: the relay ends the shell now instead of keeping it for a resume. */
export function closeMessage(): string {
  return JSON.stringify({ type: 'close' });
}

export function ackMessage(bytes: number): string {
  return JSON.stringify({ type: 'ack', bytes });
}
