package devicetunnel.relay.store;

import java.util.Map;

/**
 * An operator account. {@code allowedLabels} empty means every device. {@code tokenVersion} is raised
 * by logout and password changes; tokens carrying an older version are refused.
 */
public record User(String username, String passwordHash, Role role, Map<String, String> allowedLabels,
                   long tokenVersion) {

    /** A new account (token version 0). */
    public User(String username, String passwordHash, Role role, Map<String, String> allowedLabels) {
        this(username, passwordHash, role, allowedLabels, 0);
    }

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
