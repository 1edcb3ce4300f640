package devicetunnel.relay.metrics;

import org.slf4j.MDC;

/**
 * The MDC fields a log line about one piece of work carries ({@code device}, {@code session},
 * {@code operator}; {@code relay} comes from the log setup), set on the thread doing that work and
 * removed by {@link #close()} before the thread goes back to its pool.
 */
public final class LogContext implements AutoCloseable {
    public static final String DEVICE = "device";
    public static final String SESSION = "session";
    public static final String OPERATOR = "operator";

    private LogContext() {}

    public static LogContext operator(String username) {
        return new LogContext().put(OPERATOR, username);
    }

    public static LogContext forDevice(String deviceId) {
        return new LogContext().put(DEVICE, deviceId);
    }

    public LogContext device(String deviceId) {
        return put(DEVICE, deviceId);
    }

    public LogContext session(String sessionId) {
        return put(SESSION, sessionId);
    }

    /** Adds the session id to the context this thread already has (the one whose {@link #close} removes it). */
    public static void addSession(String sessionId) {
        new LogContext().session(sessionId);
    }

    private LogContext put(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
        return this;
    }

    @Override
    public void close() {
        MDC.remove(DEVICE);
        MDC.remove(SESSION);
        MDC.remove(OPERATOR);
    }
}
