package devicetunnel.protocol;

/** Constants both sides agree on. */
public final class Protocol {
    public static final int VERSION = 1;
    public static final String CONNECT_PATH = "/agent/v1/connect";
    public static final String STREAMS_PATH = "/agent/v1/streams/";
    public static final String ENROLL_PATH = "/agent/v1/enroll";
    /** Header naming the device on the control link; the credential comes as a Bearer token. */
    public static final String DEVICE_ID_HEADER = "X-Device-Id";
    /**
     * Header a device sends on its control-link upgrade while it has shells to resume ("1"): a
     * relay busy with a reconnect storm lets it in first (a small reserve of its handshake bound),
     * so open shells come back before idle devices. A hint, not a credential.
     */
    public static final String SHELLS_HEADER = "X-Devtunnel-Shells";
    /** Audience of a device's proof-of-possession JWT (signed with its SSH host key). */
    public static final String PROOF_AUDIENCE = "device-tunnel-relay";
    /** Longest lifetime (exp - iat) a relay accepts for a device proof. */
    public static final int PROOF_MAX_LIFETIME_SECONDS = 60;
    /** MINA's socket read buffer (the loopback SSH listener): 8 KiB steps cost a third of the throughput. */
    public static final int COPY_BUFFER_BYTES = 64 * 1024;
    /** Largest binary websocket frame either side sends or accepts on a stream. */
    public static final int MAX_FRAME_BYTES = 256 * 1024;

    private Protocol() {}

    /** Device ids: short, URL- and log-safe, no path tricks. */
    public static boolean isValidDeviceId(String id) {
        return id != null && id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}") && !id.contains("..");
    }
}
