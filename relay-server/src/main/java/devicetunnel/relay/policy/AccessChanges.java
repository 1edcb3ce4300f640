package devicetunnel.relay.policy;

/**
 * Tells the other relays of a cluster that a device or an operator lost rights here (revoked,
 * removed, logged out), so each cuts its own open sessions at once instead of at its next access
 * sweep. A single relay has no one to tell.
 */
public interface AccessChanges {
    AccessChanges NONE = new AccessChanges() {
        @Override
        public void deviceChanged(String deviceId) {}

        @Override
        public void operatorChanged(String username) {}
    };

    void deviceChanged(String deviceId);

    void operatorChanged(String username);
}
