package devicetunnel.relay.store;

import java.util.Map;

/** An operator account. {@code allowedLabels} empty means every device. */
public record User(String username, String passwordHash, Role role, Map<String, String> allowedLabels) {

    public enum Role {
        ADMIN, OPERATOR, VIEWER;

        public boolean mayOpenSessions() {
            return this != VIEWER;
        }
    }

    /** Whether this user may see a device with these labels. */
    public boolean mayAccess(Map<String, String> deviceLabels) {
        if (role == Role.ADMIN) {
            return true;
        }
        for (Map.Entry<String, String> required : allowedLabels.entrySet()) {
            if (!required.getValue().equals(deviceLabels.get(required.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
