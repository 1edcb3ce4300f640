// Reconnect schedule after a dropped websocket: 0.5 s, 1 s, 2 s, 4 s, 8 s,
// then every 10 s, giving up once the relay would have dropped the session
// (it keeps a detached session for 60 s).

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  giveUpAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000, giveUpAfterMs: 60_000 };

/** Delay before retry number `attempt` (0-based), without the give-up rule. */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const exp = opts.initialMs * 2 ** Math.max(0, Math.min(attempt, 30));
  return Math.min(opts.maxMs, exp);
}

/** Tracks one outage: from the drop until we reconnect or give up. */
export class Backoff {
  private attempt = 0;
  private startedAt: number | null = null;

  constructor(private readonly opts: BackoffOptions = DEFAULT_BACKOFF) {}

  /**
   * Delay before the next attempt, or null to give up. The first call marks the
   * start of the outage; the last delay is cut so we still try before the deadline.
   */
  next(now: number): number | null {
    if (this.startedAt === null) this.startedAt = now;
    const elapsed = now - this.startedAt;
    const remaining = this.opts.giveUpAfterMs - elapsed;
    if (remaining <= 0) return null;
    const delay = backoffDelay(this.attempt++, this.opts);
    return Math.min(delay, remaining);
  }

  /** Number of attempts scheduled so far in this outage. */
  get attempts(): number {
    return this.attempt;
  }

  /** Connected again: the next outage starts from scratch. */
  reset(): void {
    this.attempt = 0;
    this.startedAt = null;
  }
}
