package devicetunnel.relay.fleet;

import devicetunnel.relay.store.AuditLog;

/**
 * Audit events of runs: {@code run.start} (with the command: secrets belong in files on the device,
 * not on command lines), one {@code run.device} per targeted device, {@code run.end}, {@code run.cancel}
 * and {@code run.dry_run}. Output never goes to the audit log.
 */
final class RunAudit {
    private static final int MAX_COMMAND_CHARS = 500;

    private RunAudit() {}

    static void start(AuditLog audit, FleetRun run, int targets, String ip) {
        FleetRun.Settings s = run.settings();
        audit.record("run.start", run.operator(), null, null, ip, "run=" + run.id() + " devices=" + targets
                + (s.selector() == null ? "" : " selector=" + s.selector()) + " concurrency=" + s.concurrency()
                + " timeout=" + s.timeoutSeconds() + "s command=" + clip(s.command()));
    }

    static void dryRun(AuditLog audit, String operator, String selector, String command, int wouldRun, String ip) {
        audit.record("run.dry_run", operator, null, null, ip, "devices=" + wouldRun
                + (selector == null ? "" : " selector=" + selector) + " command=" + clip(command));
    }

    static void device(AuditLog audit, FleetRun run, RunViews.DeviceResult result) {
        audit.record("run.device", run.operator(), result.device(), null, null, "run=" + run.id() + " status="
                + result.status() + (result.exitCode() == null ? "" : " exit=" + result.exitCode())
                + (result.durationMs() == null ? "" : " ms=" + result.durationMs()));
    }

    static void end(AuditLog audit, FleetRun run) {
        RunViews.Summary summary = run.summary();
        audit.record("run.end", run.operator(), null, null, null, "run=" + run.id() + " state=" + summary.state()
                + " counts=" + summary.counts());
    }

    static void cancel(AuditLog audit, String actor, FleetRun run, String ip) {
        audit.record("run.cancel", actor, null, null, ip, "run=" + run.id());
    }

    private static String clip(String command) {
        return command.length() <= MAX_COMMAND_CHARS ? command : command.substring(0, MAX_COMMAND_CHARS) + "…";
    }
}
