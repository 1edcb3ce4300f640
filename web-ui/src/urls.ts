// URL building for the relay API. Same origin: http → ws, https → wss.

export interface OriginLike {
  protocol: string; // "http:" or "https:"
  host: string; // host[:port]
}

function wsBase(loc: OriginLike): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}`;
}

/** Websocket URL that opens a new shell session on a device. */
export function terminalUrl(loc: OriginLike, deviceId: string, cols: number, rows: number): string {
  const c = Math.max(1, Math.floor(cols));
  const r = Math.max(1, Math.floor(rows));
  return `${wsBase(loc)}/api/v1/devices/${encodeURIComponent(deviceId)}/terminal?cols=${c}&rows=${r}`;
}

/** Websocket URL that resumes a session, replaying output from byte `offset`. */
export function resumeUrl(loc: OriginLike, sessionId: string, offset: number): string {
  const o = Math.max(0, Math.floor(offset));
  return `${wsBase(loc)}/api/v1/sessions/${encodeURIComponent(sessionId)}/terminal?offset=${o}`;
}

/** Websocket URL that watches someone's shared session (by link token, or by a share for us by name). */
export function watchUrl(loc: OriginLike, sessionId: string, token?: string): string {
  const base = `${wsBase(loc)}/api/v1/sessions/${encodeURIComponent(sessionId)}/watch`;
  return token ? `${base}?share=${encodeURIComponent(token)}` : base;
}

/** `#watch=<session>&share=<token>` (a share link) → what to watch, or null. */
export function watchFromHash(hash: string): { sessionId: string; token?: string } | null {
  const m = /^#watch=([^&]+)(?:&share=([^&]+))?$/.exec(hash);
  if (!m) return null;
  try {
    return { sessionId: decodeURIComponent(m[1]), token: m[2] ? decodeURIComponent(m[2]) : undefined };
  } catch {
    return null;
  }
}

/** Same-origin path of the file endpoint for an absolute remote path. */
export function filesUrl(deviceId: string, remotePath: string): string {
  return `/api/v1/devices/${encodeURIComponent(deviceId)}/files?path=${encodeURIComponent(remotePath)}`;
}

/** Joins a remote directory and a file name into an absolute path ("/tmp" + "a.txt" → "/tmp/a.txt"). */
export function joinRemotePath(dir: string, name: string): string {
  let d = dir.trim() || '/tmp';
  if (!d.startsWith('/')) d = `/${d}`;
  // A file name must not climb out of the chosen directory.
  const base = name.replace(/^.*[\\/]/, '');
  return d.endsWith('/') ? `${d}${base}` : `${d}/${base}`;
}

/** Last path segment, used as the suggested download file name. */
export function baseName(remotePath: string): string {
  const parts = remotePath.split('/').filter((p) => p.length > 0);
  return parts.length ? parts[parts.length - 1] : 'download';
}

/** Device id from a `#device=<id>` link (bookmark of a device's terminal), or null. */
export function deviceFromHash(hash: string): string | null {
  const m = /^#device=(.+)$/.exec(hash);
  if (!m) return null;
  try {
    const id = decodeURIComponent(m[1]).trim();
    return id || null;
  } catch {
    return null; // malformed %-escape: not a link we understand
  }
}
