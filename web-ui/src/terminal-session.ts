// One shell session over the relay's terminal websocket, independent of xterm
// and the DOM (the tab wires it to a Terminal), so its state machine is unit
// tested with a fake socket and fake timers.
//
//   connecting ──session──▶ connected ──drop──▶ reconnecting ──session──▶ connected
//        │                      │                    │
//        └── refused/error ──▶ closed ◀── exit/error ┘── 4404 / 60 s ──▶ closed

import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import {
  describeClose,
  describeError,
  namedClose,
  RELAY_REFUSED,
  RELAY_RESTARTING,
  RESUME_FAILED,
  SESSION_EXPIRED,
  SESSION_MOVED,
  statusFromCloseCode,
  statusOfCode,
} from './errors.ts';
import { AckBatcher, DEFAULT_ACK, type AckOptions, type Timers } from './flow.ts';
import { ackMessage, closeMessage, pongMessage, parseServerMessage, resizeMessage } from './protocol.ts';
import type { WatcherInfo } from './protocol.ts';
import { resumeUrl, terminalUrl, type OriginLike } from './urls.ts';

export type ConnState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** The part of the browser WebSocket we use (so tests can pass a fake). */
export interface SocketLike {
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
}

export interface SessionDeps {
  origin: OriginLike;
  openSocket(url: string): SocketLike;
  checkAuth(): Promise<'ok' | 'unauthorized' | 'unknown'>;
  timers: Timers;
  now(): number;
  ack?: AckOptions;
  backoff?: BackoffOptions;
  /** Ends a session the relay keeps for us while no socket is open (DELETE /api/v1/sessions/{id}). */
  endSession?(sessionId: string): void;
  /** The device needs a fresh second factor: ask for it; true when the operator confirmed it. */
  stepUp?(): Promise<boolean>;
}

/** Where the session's effects go: the terminal and the tab's status line. */
export interface SessionSink {
  /** Terminal bytes; call `rendered` once xterm has processed them. */
  output(data: Uint8Array, rendered: () => void): void;
  /** A local note for the terminal (gap, exit); not part of the byte stream. */
  note(text: string): void;
  status(state: ConnState, text: string): void;
  /** The login is gone: the app goes back to the login page. */
  authExpired(): void;
  /** The relay refused the session because a cap is reached (409): the tab can list who holds the slots. */
  capReached?(): void;
  /** The session closed because its device went away, and the device is online again: offer a new session. */
  deviceBack?(): void;
  /** Watching someone's shared session: how (read-only or join) and whose. */
  watching?(mode: 'watch' | 'join', owner: string): void;
  /** Owner of a shared session: who watches it now. */
  watchers?(list: WatcherInfo[]): void;
  /** Watching someone's session: the owner let us type. */
  typingAllowed?(): void;
  /** Watching: the relay dropped what we typed. */
  inputRefused?(message: string): void;
}

const encoder = new TextEncoder();
const RECONNECTING = 'reconnecting…';
/** Typing kept while a new tab connects; the relay holds 64 KiB for a starting session, a few keystrokes is all anyone types. */
const MAX_EARLY_INPUT = 4096;

export class TerminalSession {
  state: ConnState = 'connecting';
  statusText = 'connecting…';
  sessionId: string | null = null;
  /** Output bytes of this session received so far: the resume offset. */
  received = 0;
  exitStatus: number | null = null;

  private socket: SocketLike | null = null;
  private acker: AckBatcher | null = null;
  private gotSession = false; // on the current socket
  private resuming = false; // current socket is a resume
  private requestedOffset = 0;
  private serverError: { error: string; message?: string } | null = null;
  private finished = false; // exit, error or user close: never reconnect
  private backoff: Backoff;
  private retryTimer: unknown = null;
  /** Closed because the device went offline or stopped answering (502/504): worth offering again once it is back. */
  private lostDevice = false;
  /**
   * The device list has shown the lost device offline since: only then is "online" news. (Right
   * after the loss the list may still say online: the relay notices a dead control link later.)
   */
  private sawOffline = false;
  private early: Uint8Array[] = [];
  private earlyBytes = 0;
  private resumeWhy = RECONNECTING;
  /** Watching someone else's session: a drop ends it (only the owner resumes). */
  private watching = false;

  constructor(
    readonly deviceId: string,
    private readonly deps: SessionDeps,
    private readonly sink: SessionSink,
    private cols: number,
    private rows: number,
  ) {
    this.backoff = new Backoff(deps.backoff ?? DEFAULT_BACKOFF);
  }

  /** Opens a new shell session on the device. Also used to start over after the session ended. */
  start(): void {
    this.cancelRetry();
    this.dropSocket();
    this.sessionId = null;
    this.received = 0;
    this.exitStatus = null;
    this.finished = false;
    this.lostDevice = false;
    this.sawOffline = false;
    this.early = [];
    this.earlyBytes = 0;
    this.backoff.reset();
    this.setStatus('connecting', 'connecting…');
    this.connect(terminalUrl(this.deps.origin, this.deviceId, this.cols, this.rows), false);
  }

  /** Watches someone's shared session at {@code url} (a watch URL); no resume, no early input. */
  watch(url: string): void {
    this.cancelRetry();
    this.dropSocket();
    this.watching = true;
    this.finished = false;
    this.setStatus('connecting', 'joining…');
    this.connect(url, false);
  }

  /**
   * Keystrokes / pasted text from xterm, sent as a binary UTF-8 frame. Typed while a new tab is
   * still connecting, they wait here and go out first once the shell is there (as much as the
   * relay itself would hold for a starting session).
   */
  sendInput(data: string): void {
    const bytes = encoder.encode(data);
    if (this.state === 'connected' && this.socket) {
      this.socket.send(bytes);
    } else if (this.state === 'connecting' && this.earlyBytes + bytes.byteLength <= MAX_EARLY_INPUT) {
      this.early.push(bytes);
      this.earlyBytes += bytes.byteLength;
    }
  }

  /** xterm's onBinary (some mouse reports): one byte per char. */
  sendBinary(data: string): void {
    if (this.state !== 'connected' || !this.socket) return;
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
    this.socket.send(bytes);
  }

  resize(cols: number, rows: number): void {
    if (cols === this.cols && rows === this.rows) return;
    this.cols = cols;
    this.rows = rows;
    if (this.state === 'connected' && this.socket) this.socket.send(resizeMessage(cols, rows));
  }

  /** The network is back (browser `online` event): skip the rest of the backoff wait. */
  retryNow(): void {
    if (this.state !== 'reconnecting' || this.retryTimer === null) return;
    this.cancelRetry();
    this.resume();
  }

  /**
   * The device list answered (so the relay is up) and says whether this session's device is online.
   * A resume waiting out its backoff tries at once: after a relay restart the answer comes now
   * (resumed, or "no such session") instead of after a growing wait. A session closed because its
   * device went away says the device is back and offers a new session.
   */
  deviceSeen(online: boolean): void {
    if (this.state === 'reconnecting') {
      this.retryNow();
    } else if (this.state === 'closed' && this.lostDevice && !online) {
      this.sawOffline = true;
    } else if (this.state === 'closed' && this.lostDevice && this.sawOffline && online) {
      this.lostDevice = false;
      this.setStatus('closed', `${this.statusText.replace(/\.+$/, '')}. The device is online again: reconnect for a new session`);
      this.sink.deviceBack?.();
    }
  }

  /**
   * Takes over a session this browser tab had before the page was reloaded: the relay replays what
   * it still holds of the output, so the terminal shows the screen as it was.
   */
  resumeExisting(sessionId: string): void {
    this.cancelRetry();
    this.dropSocket();
    this.sessionId = sessionId;
    this.received = 0;
    this.exitStatus = null;
    this.finished = false;
    this.backoff.reset();
    this.resume();
  }

  /**
   * The user closed the tab: the shell ends now and its slot is free. The relay is told on the
   * open socket, or through the API while a resume is pending; a mere socket close would keep the
   * shell for the resume grace.
   */
  close(): void {
    const live = this.socket !== null && this.gotSession && this.exitStatus === null;
    if (live) {
      try {
        this.socket!.send(closeMessage());
      } catch {
        // the socket is going anyway
      }
    } else if (this.sessionId && !this.finished && this.exitStatus === null) {
      this.deps.endSession?.(this.sessionId);
    }
    this.finished = true;
    this.cancelRetry();
    this.dropSocket();
    this.setStatus('closed', 'closed');
  }

  // --- internals ---

  private connect(url: string, resuming: boolean): void {
    this.gotSession = false;
    this.resuming = resuming;
    this.serverError = null;
    const ws = this.deps.openSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (ev) => {
      if (this.socket === ws) this.onMessage(ev.data);
    };
    ws.onclose = (ev) => {
      if (this.socket === ws) this.onClose(ev.code, ev.reason);
    };
    this.socket = ws;
  }

  private onMessage(data: unknown): void {
    if (typeof data === 'string') {
      this.onControl(data);
      return;
    }
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    if (!bytes || bytes.byteLength === 0) return;
    this.received += bytes.byteLength;
    const acker = this.acker; // render callbacks count for the connection that delivered the bytes
    const n = bytes.byteLength;
    this.sink.output(bytes, () => acker?.rendered(n));
  }

  private onControl(text: string): void {
    const msg = parseServerMessage(text);
    if (!msg) return;
    switch (msg.type) {
      case 'session': {
        this.gotSession = true;
        this.sessionId = msg.id;
        // On resume the server replays from here; trust its position.
        if (this.resuming) this.received = msg.offset;
        this.backoff.reset();
        this.resumeWhy = RECONNECTING;
        const ws = this.socket!;
        this.acker?.dispose();
        this.acker = new AckBatcher((n) => ws.send(ackMessage(n)), this.deps.timers, this.deps.ack ?? DEFAULT_ACK);
        // The window may have changed size while we were away.
        if (this.resuming) ws.send(resizeMessage(this.cols, this.rows));
        // Another relay took the session over from the device (its relay went away): say so.
        if (msg.resumedThroughDevice) this.sink.note('[device-tunnel: relay changed, session resumed]');
        if (msg.watching) this.sink.watching?.(msg.watching, msg.owner ?? '?');
        this.setStatus('connected', 'connected');
        for (const bytes of this.early.splice(0)) ws.send(bytes);
        this.earlyBytes = 0;
        break;
      }
      case 'gap':
        // Works whether the session message carried the requested or the actual offset.
        this.received = Math.max(this.received, this.requestedOffset + msg.bytes);
        this.sink.note(`[device-tunnel: ${msg.bytes} bytes of output were lost while disconnected]`);
        break;
      case 'exit':
        this.finished = true;
        this.exitStatus = msg.status;
        this.sink.note(`[process exited with status ${msg.status}]`);
        this.setStatus('closed', `closed — exited with status ${msg.status}`);
        break;
      case 'error':
        this.serverError = { error: msg.error, message: msg.message };
        break;
      case 'ping':
        this.socket?.send(pongMessage());
        break;
      case 'watchers':
        this.sink.watchers?.(msg.watchers);
        break;
      case 'typing':
        if (msg.allowed) this.sink.typingAllowed?.();
        break;
      case 'input_refused':
        this.sink.inputRefused?.(msg.message);
        break;
    }
  }

  private onClose(code: number, reason: string): void {
    const hadSession = this.gotSession;
    const resuming = this.resuming;
    const serverError = this.serverError;
    this.dropSocket();
    if (this.exitStatus !== null || (this.finished && !serverError)) return;
    if (this.watching) {
      this.finished = true;
      const words = serverError ? (serverError.message ?? serverError.error) : code === 1000 ? 'the session ended' : describeClose(code, reason, 'device');
      this.setStatus('closed', `closed — ${words}`);
      return;
    }

    if (namedClose(code) === 'session_moved') {
      // Another tab resumed this session: not a refusal, and reconnecting would only take it back.
      this.finished = true;
      this.setStatus('closed', `closed — ${SESSION_MOVED}`);
      return;
    }

    const closeStatus = statusFromCloseCode(code);
    // Draining ends sessions with an error frame and 1001, so the status may only be in the frame.
    const status = closeStatus ?? statusOfCode(serverError?.error);
    if (status === 503 && this.sessionId) {
      // The relay is restarting (or draining): the session may be resumed here or on its successor.
      this.scheduleResume(RELAY_RESTARTING);
      return;
    }
    if (serverError?.error === 'step_up_required' && !resuming && this.deps.stepUp) {
      this.setStatus('connecting', 'waiting for your second factor…');
      void this.deps.stepUp().then((ok) => {
        if (ok && !this.finished) this.start();
        else if (!this.finished) {
          this.finished = true;
          this.setStatus('closed', `closed — ${describeError({ status, code: serverError.error, message: serverError.message }, 'device')}`);
        }
      });
      return;
    }
    if (serverError || closeStatus !== undefined) {
      this.finished = true;
      if (status === 401) return this.expired();
      if (status === 409 && !resuming) this.sink.capReached?.();
      this.lostDevice = status === 502 || status === 504;
      this.sawOffline = false;
      const ctx = resuming ? 'resume' : 'device';
      const words = serverError
        ? describeError({ status, code: serverError.error, message: serverError.message }, ctx)
        : describeClose(code, reason, ctx);
      this.setStatus('closed', `closed — ${words}`);
      return;
    }

    if (!hadSession && !resuming) {
      // The upgrade was refused (the browser hides the HTTP status) or the relay is unreachable.
      this.finished = true;
      void this.deps.checkAuth().then((auth) => {
        if (auth === 'unauthorized') return this.expired();
        this.setStatus('closed', `closed — ${auth === 'ok' ? RELAY_REFUSED : 'The relay could not be reached'}`);
      });
      return;
    }

    if (!hadSession && resuming) {
      // A refused resume may just be an expired login; otherwise keep trying.
      void this.deps.checkAuth().then((auth) => {
        if (this.finished) return;
        if (auth === 'unauthorized') {
          this.finished = true;
          return this.expired();
        }
        this.scheduleResume();
      });
      return;
    }

    // Dropped mid-session without exit or error: network blip, sleep, relay restart.
    this.scheduleResume();
  }

  /** `why` leads the status line until a session is back, so a restart stays explained across failed attempts. */
  private scheduleResume(why?: string): void {
    if (this.finished) return;
    if (why) this.resumeWhy = why;
    const delay = this.backoff.next(this.deps.now());
    if (delay === null) {
      this.finished = true;
      this.setStatus('closed', `closed — ${RESUME_FAILED}`);
      return;
    }
    const secs = delay < 1000 ? `${(delay / 1000).toFixed(1)} s` : `${Math.round(delay / 1000)} s`;
    this.setStatus('reconnecting', `${this.resumeWhy} (attempt ${this.backoff.attempts}, next try in ${secs})`);
    this.retryTimer = this.deps.timers.setTimeout(() => {
      this.retryTimer = null;
      this.resume();
    }, delay);
  }

  private resume(): void {
    if (this.finished || !this.sessionId) return;
    this.requestedOffset = this.received;
    this.setStatus('reconnecting', `${this.resumeWhy} (attempt ${this.backoff.attempts})`);
    this.connect(resumeUrl(this.deps.origin, this.sessionId, this.received), true);
  }

  private expired(): void {
    this.setStatus('closed', `closed — ${SESSION_EXPIRED}`);
    this.sink.authExpired();
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) this.deps.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private dropSocket(): void {
    this.acker?.dispose();
    this.acker = null;
    const ws = this.socket;
    this.socket = null;
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      try {
        ws.close(1000, 'closed by user');
      } catch {
        // already closed
      }
    }
  }

  private setStatus(state: ConnState, text: string): void {
    this.state = state;
    this.statusText = text;
    this.sink.status(state, text);
  }
}
