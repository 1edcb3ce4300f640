package devicetunnel.relay.fleet;

import java.util.Locale;

/** Where one device of a run stands; the API shows the lower-case names. */
public enum DeviceStatus {
    /** Waiting for a free slot under the run's concurrency. */
    PENDING,
    RUNNING,
    /** Exit code 0. */
    SUCCEEDED,
    /** Ran and exited non-zero, or was ended by a signal. */
    FAILED,
    TIMED_OUT,
    /** Offline when the run started: listed, never waited for. */
    OFFLINE,
    /** Online, but the SSH connection or the exec request failed. */
    UNREACHABLE,
    /** Not allowed: exec switched off for the device, or the device is pending or revoked. */
    REFUSED,
    /** Named in an explicit list but unknown or outside the operator's label scope (the same answer, on purpose). */
    NOT_FOUND,
    /** Not started because the run reached its failure limit. */
    SKIPPED,
    CANCELLED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean done() {
        return this != PENDING && this != RUNNING;
    }

    /** Counts towards {@code stopAfterFailures}: the device was tried and did not succeed. */
    public boolean triedAndFailed() {
        return this == FAILED || this == TIMED_OUT || this == UNREACHABLE;
    }
}
