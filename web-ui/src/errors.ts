// Turns relay errors (HTTP status, websocket close code, JSON error body) into
// words an operator can act on. Every status has its own sentence: a generic
// "forbidden" tells nobody what to do next.

/** Where the error happened; a few statuses read differently per context. */
export type ErrorContext = 'login' | 'device' | 'session' | 'resume' | 'files' | 'general';

export interface RelayError {
  /** HTTP status, or close code minus 4000 for websocket closes. */
  status?: number;
  /** The `error` field of the JSON body, e.g. "host_key_mismatch". */
  code?: string;
  /** The `message` field of the JSON body: the server's own words. */
  message?: string;
  /** Seconds from a Retry-After header, when known. */
  retryAfterSeconds?: number;
}

export const SESSION_EXPIRED = 'Your session expired, please log in again';
export const RELAY_REFUSED = 'The relay refused the connection';
export const RESUME_FAILED = 'session ended (could not resume)';
/** A resume the relay answered with 404: nothing to wait for, the shell is gone. */
export const SESSION_GONE = 'The session no longer exists on the relay (it restarted, or the session ended): start a new session';

// Specific error codes win over the bare status: one 502 can mean several things.
const CODE_WORDS: Record<string, string> = {
  host_key_mismatch:
    "The device's host key does not match the one on record — refusing to connect (possible impersonation)",
  device_offline: 'The device is offline',
  device_unreachable: 'The device is offline or unreachable',
  device_timeout: 'The device did not answer in time',
};

/** Codes meaning the device went away: the relay's sentence says how, ours would only repeat it. */
const DEVICE_CODES = new Set(['device_offline', 'device_unreachable', 'device_timeout']);

function waitWords(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return 'wait a moment and try again';
  const s = Math.ceil(seconds);
  return `wait ${s} second${s === 1 ? '' : 's'} and try again`;
}

function statusWords(status: number | undefined, ctx: ErrorContext, retryAfter?: number): string {
  switch (status) {
    case 400:
      return 'The relay rejected the request as malformed';
    case 401:
      return ctx === 'login' ? 'Wrong username or password' : SESSION_EXPIRED;
    case 403:
      return ctx === 'files'
        ? 'You are not allowed to transfer files on this device'
        : 'You are not allowed to open a session on this device';
    case 404:
      if (ctx === 'resume') return SESSION_GONE;
      if (ctx === 'session') return 'No such session';
      if (ctx === 'files') return 'No such device or file';
      return 'No such device';
    case 409:
      return 'Too many sessions are open — close one and try again';
    case 413:
      return 'The file is too large for the relay';
    case 429:
      return `Too many attempts — ${waitWords(retryAfter)}`;
    case 502:
      return 'The device is offline or unreachable';
    case 503:
      return 'The relay is not available right now';
    case 504:
      return 'The device did not answer in time';
    case 500:
      return 'The relay hit an internal error';
    default:
      if (status !== undefined && status >= 500) return `The relay failed (HTTP ${status})`;
      if (status !== undefined && status > 0) return `The relay refused the request (HTTP ${status})`;
      return 'The relay could not be reached';
  }
}

/** Human sentence for an error: mapped words, plus the server's message when it adds something. */
export function describeError(err: RelayError, ctx: ErrorContext = 'general'): string {
  // The relay's "No such session" would only repeat it, in words that do not say what to do.
  if (err.status === 404 && ctx === 'resume') return SESSION_GONE;
  const mapped = (err.code && CODE_WORDS[err.code]) || statusWords(err.status, ctx, err.retryAfterSeconds);
  const server = err.message?.trim();
  if (!server) return mapped;
  // Avoid "X: X" when the server already said the same thing.
  if (mapped.toLowerCase().includes(server.toLowerCase().replace(/[.!]+$/, ''))) return mapped;
  if (server.toLowerCase().includes(mapped.toLowerCase())) return server;
  // "The device is offline or unreachable: The connection to the device was lost" says one thing
  // twice: when the relay's own sentence is already about the device, it is the whole message.
  if (err.code && DEVICE_CODES.has(err.code) && /\bdevice\b/i.test(server)) return server;
  return `${mapped}: ${server}`;
}

/** HTTP status carried by a websocket close code (4000 + status), if any. */
export function statusFromCloseCode(code: number): number | undefined {
  return code >= 4000 && code < 5000 ? code - 4000 : undefined;
}

/** Words for a close that came without an `error` frame before it. */
export function describeClose(code: number, reason: string, ctx: ErrorContext): string {
  const status = statusFromCloseCode(code);
  if (status !== undefined) return describeError({ status, message: reason || undefined }, ctx);
  if (code === 1001) return 'The relay is shutting down';
  if (code === 1006) return 'The connection to the relay was lost';
  return reason ? `Connection closed: ${reason}` : `Connection closed (code ${code})`;
}

/**
 * Seconds to wait from a Retry-After header: either delta-seconds or an HTTP date.
 * Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const when = Date.parse(trimmed);
  if (Number.isNaN(when)) return undefined;
  return Math.max(0, Math.ceil((when - nowMs) / 1000));
}
