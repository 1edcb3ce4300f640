package devicetunnel.relay.policy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceStore;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;

/** Decides whether an operator may see or open sessions on a device (roles and label limits). */
public final class DeviceAccess {
    private final DeviceStore devices;
    private final UserStore users;
    private final devicetunnel.relay.auth.StepUp stepUp;

    public DeviceAccess(DeviceStore devices, UserStore users) {
        this(devices, users, devicetunnel.relay.auth.StepUp.NONE);
    }

    /** {@code stepUp}: which devices need a recent second factor to open a new session on. */
    public DeviceAccess(DeviceStore devices, UserStore users, devicetunnel.relay.auth.StepUp stepUp) {
        this.devices = devices;
        this.users = users;
        this.stepUp = stepUp;
    }

    /** {@link #forSession}, for a new session: also asks for a recent second factor where step-up applies. */
    public Device forNewSession(Operator operator, String deviceId) {
        Device device = forSession(operator, deviceId);
        stepUp.check(operator, device);
        return device;
    }

    /** The step-up check alone, for devices chosen by a selector. */
    public void checkStepUp(Operator operator, Device device) {
        stepUp.check(operator, device);
    }

    /**
     * The device if the operator may see it: 404 for unknown ids, revoked devices (except for
     * admins) and devices outside the operator's labels alike. A 403 there would tell a probing
     * operator which ids exist beyond their reach.
     */
    public Device visible(Operator operator, String deviceId) {
        if (!Protocol.isValidDeviceId(deviceId)) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "No such device.");
        }
        Device device = devices.find(deviceId).filter(d -> d.status() != Device.Status.REVOKED || operator.isAdmin())
                .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such device."));
        if (!user(operator).mayAccess(device.labels())) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "No such device.");
        }
        return device;
    }

    /** The device if the operator may open a shell on it. */
    public Device forSession(Operator operator, String deviceId) {
        Device device = visible(operator, deviceId);
        if (!operator.role().mayOpenSessions()) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "Your role (viewer) may list devices but not open sessions.");
        }
        if (device.status() == Device.Status.PENDING) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "The device is waiting for an admin to accept it.");
        }
        if (device.status() == Device.Status.REVOKED) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "The device is revoked.");
        }
        return device;
    }

    /** {@link #mayView} for many devices with one look-up of the operator. */
    public java.util.function.Predicate<Device> viewable(Operator operator) {
        User user = users.find(operator.username()).orElse(null);
        return device -> user != null && user.mayAccess(device.labels());
    }

    public boolean mayView(Operator operator, Device device) {
        return users.find(operator.username()).map(u -> u.mayAccess(device.labels())).orElse(false);
    }

    private User user(Operator operator) {
        return users.account(operator.username());
    }
}
