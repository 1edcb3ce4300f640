package devicetunnel.protocol;

/**
 * What an admin allows on one device besides the interactive shell (which the browser terminal
 * needs and is always on): the SFTP subsystem, exec requests (non-interactive commands), SSH port
 * forwarding (local, remote and dynamic alike) and web apps (the relay's own direct-tcpip
 * channels to the device's loopback HTTP services, opened in the operator's browser).
 */
public record DeviceFeatures(boolean sftp, boolean exec, boolean forwarding, boolean webApps) {
    /** New devices: file transfer and commands on, forwarding and web apps off (they open paths into the device). */
    public static final DeviceFeatures DEFAULTS = new DeviceFeatures(true, true, false, false);

    /** Web apps off: what relays before web apps sent, and most tests mean. */
    public DeviceFeatures(boolean sftp, boolean exec, boolean forwarding) {
        this(sftp, exec, forwarding, false);
    }
}
