package devicetunnel.relay.policy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.link.DeviceRegistry;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceStore;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Accepting and revoking devices. Revoking (or removing) cuts the device's live control link and
 * its open sessions at once, browser terminals and native SSH streams alike, and tells the other
 * relays of a cluster, which {@link #recheck} the device. Changes made by the CLI straight in the
 * database (and a missed cluster message) are caught by {@link #sweep()}, every ping interval.
 */
public final class DeviceLifecycle {
    private final Enrollments enrollments;
    private final DeviceStore devices;
    private final DeviceRegistry registry;
    private final TerminalSessions sessions;
    private final NativeStreams natives;
    private final AccessChanges changes;

    public DeviceLifecycle(Enrollments enrollments, DeviceStore devices, DeviceRegistry registry, TerminalSessions sessions,
                           NativeStreams natives, AccessChanges changes) {
        this.enrollments = enrollments;
        this.devices = devices;
        this.registry = registry;
        this.sessions = sessions;
        this.natives = natives;
        this.changes = changes;
    }

    public Device accept(String deviceId, String actor) {
        return enrollments.accept(deviceId, actor);
    }

    public Device revoke(String deviceId, String actor) {
        Device device = enrollments.revoke(deviceId, actor);
        cut(deviceId, "The device was revoked.");
        changes.deviceChanged(deviceId);
        return device;
    }

    public boolean remove(String deviceId, String actor) {
        boolean removed = enrollments.remove(deviceId, actor);
        if (removed) {
            cut(deviceId, "The device was removed.");
            changes.deviceChanged(deviceId);
        }
        return removed;
    }

    /** Another relay revoked or removed the device: cut whatever of it is here. */
    public void recheck(String deviceId) {
        if (devices.find(deviceId).filter(d -> d.status() == Device.Status.ACCEPTED).isEmpty()) {
            cut(deviceId, "The device is no longer accepted.");
        }
    }

    /**
     * Cuts devices no longer accepted (revoked or removed by the CLI, or on another relay) that have
     * a link or a session here: in a cluster a session's device may be linked to another relay.
     */
    public void sweep() {
        Set<String> accepted = devices.list(Device.Status.ACCEPTED).stream().map(Device::id).collect(Collectors.toSet());
        Set<String> here = new HashSet<>(registry.onlineIds());
        sessions.all().forEach(s -> here.add(s.deviceId()));
        for (String deviceId : here) {
            if (!accepted.contains(deviceId)) {
                cut(deviceId, "The device is no longer accepted.");
            }
        }
        natives.closeMatching(holder -> !accepted.contains(holder.deviceId()), ErrorCode.FORBIDDEN,
                "The device is no longer accepted.");
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
