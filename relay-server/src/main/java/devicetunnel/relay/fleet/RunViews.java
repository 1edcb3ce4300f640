package devicetunnel.relay.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The API's shapes for runs. */
public final class RunViews {
    private RunViews() {}

    /**
     * One device's result. {@code stdout}/{@code stderr} are tails (the last lines); the full text is
     * at {@code GET /api/v1/runs/{id}/devices/{device}/output}. {@code exitCode} and {@code durationMs}
     * are null until known; {@code message} says why a device did not run or fail.
     */
    public record DeviceResult(String device, String status, Integer exitCode, Long durationMs, String stdout,
                               String stderr, String message, long stdoutBytes, long stderrBytes, boolean truncated) {}

    /**
     * A run at a glance. {@code state}: {@code running}, {@code finished}, {@code stopped} (reached its
     * failure limit) or {@code cancelled}; {@code counts} per device status; {@code succeeded} is true
     * only when every targeted device succeeded.
     */
    public record Summary(String id, String operator, String command, String selector, int concurrency,
                          long timeoutSeconds, int stopAfterFailures, String state, Instant startedAt,
                          Instant finishedAt, int total, Map<String, Integer> counts, boolean succeeded,
                          int maxInFlight) {}

    public record Run(Summary summary, List<DeviceResult> devices) {}
}
