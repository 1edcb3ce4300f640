// Turns relay errors (HTTP status, websocket close code, JSON error body) into
// words an operator can act on. Every status has its own sentence: a generic
// "forbidden" tells nobody what to do next. Which codes exist, and their
// statuses and close codes, comes from the relay's ErrorCode through the
// generated table; only the words live here.

import { ERROR_CODES, NAMED_CLOSES, type ErrorCodeName } from './generated/error-codes.ts';

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
/** A resumed session went to another tab: this one stops, it must not take the session back. */
export const SESSION_MOVED = 'This session was opened in another tab or window';
/** A 503 while a session exists: the relay drains or restarts, and the session may come back. */
export const RELAY_RESTARTING = 'The relay is restarting; reconnecting…';
/** A resume the relay answered with 404: nothing to wait for, the shell is gone. */
export const SESSION_GONE = 'The session no longer exists on the relay (it restarted, or the session ended): start a new session';

// Specific error codes win over the bare status: one 502, 503 or 408 can mean several things.
// Typed by the generated table, so a code the relay does not have cannot be listed here.
const CODE_WORDS: Partial<Record<ErrorCodeName, string>> = {
  auth_timeout: 'Signing in to the relay took too long',
  idle_timeout: 'The session was idle too long',
  session_expired: 'The session ended: it was idle or open for too long',
  host_key_mismatch:
    "The device's host key does not match the one on record — refusing to connect (possible impersonation)",
  device_unreachable: 'The device is offline or unreachable',
  device_timeout: 'The device did not answer in time',
  store_unavailable: "The relay's store is unavailable — try again in a moment",
  session_moved: SESSION_MOVED,
  link_replaced: 'A newer connection replaced this one',
};

/** HTTP status of a wire error code, from the relay's table; undefined for codes it does not have. */
export function statusOfCode(code: string | undefined): number | undefined {
  return code !== undefined && Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCodeName].status : undefined;
}

/** The named, non-error close (e.g. session_moved) a close code stands for, if any. */
export function namedClose(code: number): ErrorCodeName | undefined {
  return NAMED_CLOSES[code];
}

function codeWords(code: string | undefined): string | undefined {
  return code !== undefined && Object.hasOwn(CODE_WORDS, code) ? CODE_WORDS[code as ErrorCodeName] : undefined;
}
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
    case 408:
      return 'The relay gave up waiting';
    case 409:
      return 'Too many sessions are open — close one and try again';
    case 413:
      return ctx === 'files' ? 'The file is too large for the relay' : 'The message is too large for the relay';
    case 429:
      return `Too many attempts — ${waitWords(retryAfter)}`;
    case 502:
      return 'The device is offline or unreachable';
    case 503:
      return 'The relay is restarting or not ready — try again in a moment';
    case 507:
      return "The relay's disk is full — nothing was saved";
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
  const mapped = codeWords(err.code) ?? statusWords(err.status ?? statusOfCode(err.code), ctx, err.retryAfterSeconds);
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

/** HTTP status carried by an error's websocket close code (4000 + status), if any; named closes (4001-4099) carry none. */
export function statusFromCloseCode(code: number): number | undefined {
  return code >= 4100 && code < 5000 ? code - 4000 : undefined;
}

/** Words for a close that came without an `error` frame before it. */
export function describeClose(code: number, reason: string, ctx: ErrorContext): string {
  const named = namedClose(code);
  if (named !== undefined) return codeWords(named) ?? ERROR_CODES[named].message.replace(/\.$/, '');
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
