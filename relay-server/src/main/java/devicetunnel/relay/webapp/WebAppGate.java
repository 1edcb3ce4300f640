package devicetunnel.relay.webapp;

import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceFeatureStore;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;

/**
 * Checks every request into an open app again, as a terminal's access sweep does for shells: the
 * account still exists and has not logged out since, the device is still in its label scope and
 * usable, and the device's web-apps switch is still on. Losing the account or the device closes the
 * app; a switch turned off refuses until it is on again.
 */
final class WebAppGate {
    private final UserStore users;
    private final DeviceAccess access;
    private final DeviceFeatureStore features;
    private final WebAppGrants grants;

    WebAppGate(UserStore users, DeviceAccess access, DeviceFeatureStore features, WebAppGrants grants) {
        this.users = users;
        this.access = access;
        this.features = features;
        this.grants = grants;
    }

    /** The device the grant still reaches; a {@link TunnelException} with the status to answer otherwise. */
    Device check(WebAppGrant grant) {
        User user = users.find(grant.operator()).orElse(null);
        if (user == null || (grant.tokenVersion() != TokenService.UNVERSIONED && user.tokenVersion() != grant.tokenVersion())) {
            grants.remove(grant);
            throw new TunnelException(ErrorCode.UNAUTHORIZED,
                    "Your login that opened this web app has ended: open it again from the console.");
        }
        Operator operator = new Operator(user.username(), user.role(), grant.expiresAt(), user.tokenVersion());
        Device device;
        try {
            device = access.forSession(operator, grant.deviceId());
        } catch (TunnelException e) {
            grants.remove(grant);
            throw new TunnelException(ErrorCode.FORBIDDEN, "You may no longer use this device: " + e.getMessage());
        }
        requireSwitchOn(device.id());
        return device;
    }

    void requireSwitchOn(String deviceId) {
        if (!features.find(deviceId).orElse(DeviceFeatures.DEFAULTS).webApps()) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "Web apps are switched off for this device.");
        }
    }
}
