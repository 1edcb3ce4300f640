package devicetunnel.relay.fleet;

import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Device;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * Drives runs: starts devices in target order while fewer than the run's concurrency are in flight,
 * stops starting them once the run is cancelled or reached its failure limit, and audits each
 * device's result and the run's end.
 *
 * <p>Threads: one worker of {@code workers} drives each run; one more per device in flight.
 */
final class FleetRunner {
    private final DeviceExec exec;
    private final AuditLog audit;
    private final ExecutorService workers;

    FleetRunner(DeviceExec exec, AuditLog audit, ExecutorService workers) {
        this.exec = exec;
        this.audit = audit;
        this.workers = workers;
    }

    /** {@code devices}: the run's pending targets by id, as the store had them when the run was created. */
    void start(FleetRun run, Map<String, Device> devices) {
        workers.execute(() -> drive(run, devices));
    }

    private void drive(FleetRun run, Map<String, Device> devices) {
        int concurrency = run.settings().concurrency();
        Semaphore slots = new Semaphore(concurrency);
        Duration timeout = Duration.ofSeconds(run.settings().timeoutSeconds());
        for (DeviceRun target : run.pending()) {
            slots.acquireUninterruptibly();
            if (!run.begin(target, System.nanoTime())) {
                slots.release();
                break;
            }
            workers.execute(() -> {
                try {
                    DeviceExec.Outcome outcome;
                    try {
                        outcome = exec.run(run, target, devices.get(target.deviceId()), timeout);
                    } catch (RuntimeException e) { // a device must never stay "running" for a bug of ours
                        outcome = new DeviceExec.Outcome(DeviceStatus.UNREACHABLE, null, "relay error: " + e);
                    }
                    run.end(target, outcome.status(), outcome.exitCode(), outcome.message(), System.nanoTime());
                    RunAudit.device(audit, run, target.view());
                } finally {
                    slots.release();
                }
            });
        }
        slots.acquireUninterruptibly(concurrency); // every device in flight has ended
        run.complete();
        RunAudit.end(audit, run);
    }
}
