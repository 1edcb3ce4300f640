package devicetunnel.relay.auth;

import devicetunnel.relay.store.User;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Which roles must use a second factor ({@code --require-mfa admin,operator}). */
public record MfaPolicy(Set<User.Role> requiredFor) {
    public static final MfaPolicy NONE = new MfaPolicy(Set.of());

    public static MfaPolicy parse(java.util.Collection<String> roles) {
        Set<User.Role> required = EnumSet.noneOf(User.Role.class);
        for (String r : roles) {
            if (!r.isBlank()) {
                try {
                    required.add(User.Role.valueOf(r.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--require-mfa: unknown role " + r + " (use admin, operator or viewer)");
                }
            }
        }
        return new MfaPolicy(required);
    }

    public boolean requires(User.Role role) {
        return requiredFor.contains(role);
    }
}
