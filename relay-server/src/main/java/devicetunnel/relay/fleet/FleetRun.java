package devicetunnel.relay.fleet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One command on many devices: its settings, each device's state, and a version that grows with
 * every change so event streams send only what changed. Guarded by its own monitor; connections
 * are closed (on cancel) only after it is released.
 */
public final class FleetRun {
    public enum State { RUNNING, FINISHED, STOPPED, CANCELLED }

    /** What the operator asked for. {@code stopAfterFailures} 0 means never stop early. */
    public record Settings(String command, String selector, int concurrency, long timeoutSeconds, int stopAfterFailures) {}

    private final String id;
    private final String operator;
    private final Settings settings;
    private final Instant startedAt = Instant.now();
    private final Map<String, DeviceRun> devices = new LinkedHashMap<>();
    private final Map<DeviceRun, AutoCloseable> connections = new HashMap<>();
    private long version;
    private int inFlight;
    private int maxInFlight;
    private int failures;
    private boolean stopRequested;
    private boolean cancelling;
    private State state = State.RUNNING;
    private Instant finishedAt;

    FleetRun(String id, String operator, Settings settings, List<DeviceRun> targets) {
        this.id = id;
        this.operator = operator;
        this.settings = settings;
        targets.forEach(d -> devices.put(d.deviceId(), d));
    }

    public String id() {
        return id;
    }

    public String operator() {
        return operator;
    }

    Settings settings() {
        return settings;
    }

    synchronized List<DeviceRun> pending() {
        return devices.values().stream().filter(d -> d.status() == DeviceStatus.PENDING).toList();
    }

    synchronized DeviceRun device(String deviceId) {
        return devices.get(deviceId);
    }

    /** Marks a device running, unless the run is stopping (then it stays pending and is settled at the end). */
    synchronized boolean begin(DeviceRun device, long nanos) {
        if (stopRequested) {
            return false;
        }
        device.started(++version, nanos);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        notifyAll();
        return true;
    }

    /** Remembers the device's connection so a cancel can close it; false (close it yourself) when already cancelled. */
    synchronized boolean attach(DeviceRun device, AutoCloseable connection) {
        if (cancelling) {
            return false;
        }
        connections.put(device, connection);
        return true;
    }

    synchronized void end(DeviceRun device, DeviceStatus outcome, Integer exitCode, String message, long nanos) {
        connections.remove(device);
        device.finished(++version, cancelling && outcome != DeviceStatus.SUCCEEDED ? DeviceStatus.CANCELLED : outcome,
                exitCode, cancelling && outcome != DeviceStatus.SUCCEEDED ? "cancelled" : message, nanos);
        inFlight--;
        if (device.status().triedAndFailed() && ++failures >= settings.stopAfterFailures()
                && settings.stopAfterFailures() > 0) {
            stopRequested = true;
        }
        notifyAll();
    }

    /** Stops starting devices and returns the connections of those running, for the caller to close. */
    synchronized List<AutoCloseable> cancel() {
        if (state != State.RUNNING) {
            return List.of();
        }
        stopRequested = true;
        cancelling = true;
        notifyAll();
        return new ArrayList<>(connections.values());
    }

    synchronized boolean stopping() {
        return stopRequested;
    }

    /** After the last device ended: settles those never started and fixes the final state. */
    synchronized void complete() {
        DeviceStatus never = cancelling ? DeviceStatus.CANCELLED : DeviceStatus.SKIPPED;
        String why = cancelling ? "cancelled before it started" : "not started: the run reached its failure limit ("
                + settings.stopAfterFailures() + ")";
        for (DeviceRun d : devices.values()) {
            if (d.status() == DeviceStatus.PENDING) {
                d.finished(++version, never, null, why, 0);
            }
        }
        state = cancelling ? State.CANCELLED : stopRequested ? State.STOPPED : State.FINISHED;
        finishedAt = Instant.now();
        version++;
        notifyAll();
    }

    synchronized boolean isDone() {
        return state != State.RUNNING;
    }

    /** Waits until the version passes {@code seen} or the run is done, at most {@code millis}; returns the version. */
    synchronized long awaitChange(long seen, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (version <= seen && state == State.RUNNING) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return version;
    }

    /** Devices changed after version {@code seen}, in target order. */
    synchronized List<RunViews.DeviceResult> changedSince(long seen) {
        return devices.values().stream().filter(d -> d.changedAt() > seen).map(DeviceRun::view).toList();
    }

    synchronized long version() {
        return version;
    }

    synchronized RunViews.Summary summary() {
        Map<String, Integer> counts = new TreeMap<>();
        devices.values().forEach(d -> counts.merge(d.status().wire(), 1, Integer::sum));
        boolean allSucceeded = state != State.RUNNING
                && devices.values().stream().allMatch(d -> d.status() == DeviceStatus.SUCCEEDED);
        return new RunViews.Summary(id, operator, settings.command(), settings.selector(), settings.concurrency(),
                settings.timeoutSeconds(), settings.stopAfterFailures(), state.name().toLowerCase(java.util.Locale.ROOT),
                startedAt, finishedAt, devices.size(), counts, allSucceeded, maxInFlight);
    }

    synchronized RunViews.Run view() {
        return new RunViews.Run(summary(), devices.values().stream().map(DeviceRun::view).toList());
    }
}
