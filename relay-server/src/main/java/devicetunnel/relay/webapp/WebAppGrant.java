package devicetunnel.relay.webapp;

import devicetunnel.relay.ssh.DeviceSshConnector.DeviceConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * One web app an operator opened: a device's loopback port, reached at its own origin
 * ({@code <id>.<web-apps domain>}). The console gets a one-time launch ticket; redeeming it sets the
 * app's cookie, which every later request must carry. The grant holds one SSH connection to the
 * device, made at the first request; each HTTP request is a direct-tcpip channel on it.
 */
final class WebAppGrant {
    private final String id;
    private final String operator;
    private final long tokenVersion;
    private final String deviceId;
    private final int port;
    private final String path;
    private final Instant expiresAt;
    private final String cookieSecret;
    private String ticket;
    private final Instant ticketExpiresAt;
    private DeviceConnection connection;
    private boolean closed;

    WebAppGrant(String id, String operator, long tokenVersion, String deviceId, int port, String path, Instant expiresAt,
                String ticket, Instant ticketExpiresAt, String cookieSecret) {
        this.id = id;
        this.operator = operator;
        this.tokenVersion = tokenVersion;
        this.deviceId = deviceId;
        this.port = port;
        this.path = path;
        this.expiresAt = expiresAt;
        this.ticket = ticket;
        this.ticketExpiresAt = ticketExpiresAt;
        this.cookieSecret = cookieSecret;
    }

    String id() { return id; }
    String operator() { return operator; }
    long tokenVersion() { return tokenVersion; }
    String deviceId() { return deviceId; }
    int port() { return port; }
    String path() { return path; }
    Instant expiresAt() { return expiresAt; }

    /** The launch ticket, for the console's answer (null once redeemed). */
    synchronized String ticket() {
        return ticket;
    }

    boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** The app cookie's value for the ticket, once: a second use, a wrong or late ticket give null. */
    synchronized String redeem(String presented, Instant now) {
        if (ticket == null || presented == null || now.isAfter(ticketExpiresAt) || !same(ticket, presented)) {
            return null;
        }
        ticket = null;
        return cookieSecret;
    }

    boolean cookieMatches(String presented) {
        return presented != null && same(cookieSecret, presented);
    }

    /**
     * The grant's SSH connection, made (blocking) when there is none or it broke. Requests of this
     * app wait for one connect instead of each opening their own; no callback runs under the lock.
     */
    synchronized DeviceConnection connection(Supplier<DeviceConnection> connect) {
        if (closed) {
            throw new IllegalStateException("web app closed");
        }
        if (connection == null || !connection.session().isOpen()) {
            if (connection != null) {
                connection.close();
            }
            connection = connect.get();
        }
        return connection;
    }

    void close() {
        DeviceConnection toClose;
        synchronized (this) {
            closed = true;
            toClose = connection;
            connection = null;
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
