package devicetunnel.relay.auth;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.store.User;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What an API token may do. Each scope caps the role the token acts with; the owner's current role
 * caps it again at every use, so a token never exceeds its owner's rights.
 */
public enum Scope {
    /** List and read devices: acts as a viewer. */
    DEVICES_READ("devices:read", User.Role.VIEWER),
    /** Open terminal, native SSH and file sessions (and find the devices to open them on): acts as an operator. */
    SESSIONS_OPEN("sessions:open", User.Role.OPERATOR),
    /** Everything the owner may do, admin routes included when the owner is an admin. */
    ADMIN("admin", User.Role.ADMIN);

    private final String wire;
    private final User.Role cap;

    Scope(String wire, User.Role cap) {
        this.wire = wire;
        this.cap = cap;
    }

    public String wire() {
        return wire;
    }

    public static Scope parse(String text) {
        for (Scope s : values()) {
            if (s.wire.equals(text)) {
                return s;
            }
        }
        throw new TunnelException(ErrorCode.BAD_REQUEST, "Unknown scope '" + text.toLowerCase(Locale.ROOT)
                + "'; scopes are devices:read, sessions:open and admin.");
    }

    public static Set<Scope> parseAll(Collection<String> texts) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        texts.forEach(t -> scopes.add(parse(t)));
        return scopes;
    }

    /** The role a token with these scopes acts with for an owner who has {@code owner} now. */
    public static User.Role effectiveRole(Set<Scope> scopes, User.Role owner) {
        User.Role best = null;
        for (Scope s : scopes) {
            if (best == null || s.cap.ordinal() < best.ordinal()) { // ADMIN < OPERATOR < VIEWER in declaration order
                best = s.cap;
            }
        }
        if (best == null) {
            return User.Role.VIEWER;
        }
        return best.ordinal() > owner.ordinal() ? best : owner;
    }
}
