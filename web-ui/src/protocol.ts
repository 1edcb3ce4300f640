// Text-frame control messages of the terminal websocket (binary frames are raw terminal bytes).

export type ServerMessage =
  | { type: 'session'; id: string; offset: number; resumedThroughDevice?: boolean }
  | { type: 'exit'; status: number }
  | { type: 'gap'; bytes: number }
  | { type: 'error'; error: string; message?: string }
  | { type: 'ping' };

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
        ? { type: 'session', id: m.id, offset: num(m.offset, 0), resumedThroughDevice: m.resumedThroughDevice === true }
        : null;
    case 'exit':
      return { type: 'exit', status: num(m.status, -1) };
    case 'gap':
      return { type: 'gap', bytes: num(m.bytes, 0) };
    case 'ping':
      return { type: 'ping' };
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
