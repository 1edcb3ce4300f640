// The results of a fleet run as the console keeps them: one row per device, replaced by each
// `device` event the relay streams, plus counts for the summary line. Pure, so node tests run it.

/** One device's result (docs/API.md, "Runs"). */
export interface DeviceResult {
  device: string;
  status: string;
  exitCode: number | null;
  durationMs: number | null;
  stdout: string;
  stderr: string;
  message: string | null;
  truncated: boolean;
}

export class RunResults {
  private readonly rows = new Map<string, DeviceResult>();

  /** Takes a device event; returns true when the device is new (a row to add) rather than updated. */
  apply(result: DeviceResult): boolean {
    const isNew = !this.rows.has(result.device);
    this.rows.set(result.device, result);
    return isNew;
  }

  get(device: string): DeviceResult | undefined {
    return this.rows.get(device);
  }

  all(): DeviceResult[] {
    return [...this.rows.values()];
  }

  /** "3 succeeded · 1 failed · 2 running" in a fixed order, leaving out zero counts. */
  summary(): string {
    const order = ['running', 'pending', 'succeeded', 'failed', 'timed_out', 'offline', 'unreachable', 'refused', 'not_found', 'skipped', 'cancelled'];
    const counts = new Map<string, number>();
    for (const r of this.rows.values()) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    return order.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s.replace('_', ' ')}`).join(' · ');
  }
}

export function formatExit(r: DeviceResult): string {
  return r.exitCode === null ? '—' : String(r.exitCode);
}

export function formatMillis(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
