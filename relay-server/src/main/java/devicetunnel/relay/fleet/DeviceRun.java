package devicetunnel.relay.fleet;

/**
 * One device within a run: its status and captured output. Written by the worker running it, read
 * by API and event-stream threads; its {@link FleetRun} guards the status fields.
 */
final class DeviceRun {
    private final String deviceId;
    private final OutputCapture stdout;
    private final OutputCapture stderr;
    private DeviceStatus status;
    private Integer exitCode;
    private String message;
    private long startedNanos;
    private long durationMillis = -1;
    private long changedAt; // the run's version when this device last changed

    DeviceRun(String deviceId, DeviceStatus status, String message, int headBytes) {
        this.deviceId = deviceId;
        this.status = status;
        this.message = message;
        this.stdout = new OutputCapture(headBytes);
        this.stderr = new OutputCapture(headBytes);
    }

    String deviceId() {
        return deviceId;
    }

    OutputCapture stdout() {
        return stdout;
    }

    OutputCapture stderr() {
        return stderr;
    }

    /** Callers hold the run's lock. */
    DeviceStatus status() {
        return status;
    }

    void started(long version, long nanos) {
        status = DeviceStatus.RUNNING;
        startedNanos = nanos;
        changedAt = version;
    }

    void finished(long version, DeviceStatus outcome, Integer exit, String why, long nanos) {
        status = outcome;
        exitCode = exit;
        message = why;
        if (startedNanos != 0) {
            durationMillis = (nanos - startedNanos) / 1_000_000;
        }
        changedAt = version;
    }

    long changedAt() {
        return changedAt;
    }

    RunViews.DeviceResult view() {
        return new RunViews.DeviceResult(deviceId, status.wire(), exitCode, durationMillis < 0 ? null : durationMillis,
                stdout.tail(), stderr.tail(), message, stdout.totalBytes(), stderr.totalBytes(),
                stdout.truncated() || stderr.truncated());
    }
}
