// Flow control, receiving side. The relay stops sending once ~1 MiB is
// unacknowledged, so we ack only what xterm has actually rendered (the
// write() callback). Output that xterm cannot keep up with then piles up at
// the relay, not in this tab, and Ctrl-C reaches the shell at once.

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const browserTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface AckOptions {
  /** Ack as soon as this many rendered bytes are unacknowledged. */
  batchBytes: number;
  /** Ack at most this long after the first unacknowledged rendered byte. */
  maxDelayMs: number;
}

export const DEFAULT_ACK: AckOptions = { batchBytes: 64 * 1024, maxDelayMs: 100 };

/**
 * Batches rendered-byte counts into `ack` messages: one ack per 64 KiB, or
 * 100 ms after the first unacked byte, whichever comes first. One instance per
 * websocket: a new connection starts a new accounting window.
 */
export class AckBatcher {
  private unacked = 0;
  private timer: unknown = null;
  private disposed = false;
  /** Total bytes acked on this connection (for diagnostics and tests). */
  acked = 0;

  constructor(
    private readonly send: (bytes: number) => void,
    private readonly timers: Timers = browserTimers,
    private readonly opts: AckOptions = DEFAULT_ACK,
  ) {}

  /** xterm finished rendering `bytes` bytes of this connection's output. */
  rendered(bytes: number): void {
    if (this.disposed || bytes <= 0) return;
    this.unacked += bytes;
    if (this.unacked >= this.opts.batchBytes) {
      this.flush();
    } else if (this.timer === null) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.opts.maxDelayMs);
    }
  }

  /** Sends whatever is pending now. */
  flush(): void {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.disposed || this.unacked === 0) return;
    const n = this.unacked;
    this.unacked = 0;
    this.acked += n;
    this.send(n);
  }

  get pending(): number {
    return this.unacked;
  }

  /** The connection is gone: drop pending counts, late render callbacks are ignored. */
  dispose(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.unacked = 0;
    this.disposed = true;
  }
}
