package devicetunnel.relay.policy;

/**
 * Caps on concurrent sessions (terminal, native SSH, file transfer) per device and per operator: a
 * slot is taken before a session opens and given back when it ends. Counted by this relay
 * ({@link SessionLimits}) or, in a cluster, across every relay.
 */
public interface SessionSlots {
    /** Takes a slot or throws a 409 whose message starts "This device" or "You" (which cap is full). */
    void acquire(String operator, String deviceId);

    void release(String operator, String deviceId);

    /** Slots the device's sessions hold now. */
    int heldOnDevice(String deviceId);

    static String deviceFull(int perDevice) {
        return "This device already has " + perDevice + " open sessions (the limit).";
    }

    static String operatorFull(int perOperator) {
        return "You already have " + perOperator + " open sessions (the limit).";
    }
}
