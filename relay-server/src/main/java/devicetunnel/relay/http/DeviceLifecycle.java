package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.link.DeviceRegistry;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceStore;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Accepting and revoking devices. Revoking (or removing) cuts the device's live control link and
 * its open sessions at once, browser terminals and native SSH streams alike. Changes made by the CLI straight in the database are caught by
 * {@link #sweep()}, which runs every ping interval.
 */
public final class DeviceLifecycle {
    private final Enrollments enrollments;
    private final DeviceStore devices;
    private final DeviceRegistry registry;
    private final TerminalSessions sessions;
    private final NativeStreams natives;

    public DeviceLifecycle(Enrollments enrollments, DeviceStore devices, DeviceRegistry registry, TerminalSessions sessions,
                           NativeStreams natives) {
        this.enrollments = enrollments;
        this.devices = devices;
        this.registry = registry;
        this.sessions = sessions;
        this.natives = natives;
    }

    public Device accept(String deviceId, String actor) {
        return enrollments.accept(deviceId, actor);
    }

    public Device revoke(String deviceId, String actor) {
        Device device = enrollments.revoke(deviceId, actor);
        cut(deviceId, "The device was revoked.");
        return device;
    }

    public boolean remove(String deviceId, String actor) {
        boolean removed = enrollments.remove(deviceId, actor);
        if (removed) {
            cut(deviceId, "The device was removed.");
        }
        return removed;
    }

    /** Cuts devices that are online but no longer accepted (revoked or removed by the CLI). */
    public void sweep() {
        Set<String> accepted = devices.list(Device.Status.ACCEPTED).stream().map(Device::id).collect(Collectors.toSet());
        for (String online : registry.onlineIds()) {
            if (!accepted.contains(online)) {
                cut(online, "The device is no longer accepted.");
            }
        }
    }

    private void cut(String deviceId, String reason) {
        registry.disconnect(deviceId, ErrorCode.FORBIDDEN.closeCode(), "device revoked");
        for (TerminalSession session : sessions.all()) {
            if (session.deviceId().equals(deviceId)) {
                session.terminate(ErrorCode.FORBIDDEN, reason);
            }
        }
        natives.closeMatching(holder -> holder.deviceId().equals(deviceId), ErrorCode.FORBIDDEN, reason);
    }
}
