package devicetunnel.protocol;

/**
 * What an admin allows on one device besides the interactive shell (which the browser terminal
 * needs and is always on): the SFTP subsystem, exec requests (non-interactive commands) and SSH
 * port forwarding (local, remote and dynamic alike).
 */
public record DeviceFeatures(boolean sftp, boolean exec, boolean forwarding) {
    /** New devices: file transfer and commands on, forwarding off (it opens a path into the device's network). */
    public static final DeviceFeatures DEFAULTS = new DeviceFeatures(true, true, false);
}
