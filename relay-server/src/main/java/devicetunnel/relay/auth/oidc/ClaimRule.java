package devicetunnel.relay.auth.oidc;

import devicetunnel.relay.store.Labels;
import devicetunnel.relay.store.User;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One line of the SSO mapping, {@code CLAIM=VALUE:ROLE[:KEY=VAL,KEY=VAL]}: a user whose ID token has
 * {@code VALUE} in {@code CLAIM} (a string, or one entry of a list such as {@code groups}) gets
 * {@code ROLE} and that label scope. {@code CLAIM} may be a dotted path into nested objects
 * ({@code realm_access.roles} in Keycloak's tokens).
 */
public record ClaimRule(String claim, String value, User.Role role, Map<String, String> labels) {
    private static final Pattern CLAIM = Pattern.compile("[A-Za-z0-9_:/.-]{1,128}");

    /** Parses a rule as written in the relay's configuration; IllegalArgumentException says what is wrong. */
    public static ClaimRule parse(String text) {
        String rule = text.strip();
        int eq = rule.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("SSO rule '" + text + "' must look like CLAIM=VALUE:ROLE[:LABELS]");
        }
        String[] rest = rule.substring(eq + 1).split(":", -1);
        if (rest.length < 2 || rest.length > 3 || rest[0].isEmpty()) {
            throw new IllegalArgumentException("SSO rule '" + text + "' must look like CLAIM=VALUE:ROLE[:LABELS]");
        }
        String claim = rule.substring(0, eq);
        if (!CLAIM.matcher(claim).matches()) {
            throw new IllegalArgumentException("SSO rule '" + text + "': '" + claim + "' is not a claim name");
        }
        User.Role role;
        try {
            role = User.Role.valueOf(rest[1].strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SSO rule '" + text + "': role must be admin, operator or viewer");
        }
        Map<String, String> labels = rest.length == 3 ? Labels.parse(rest[2]) : Map.of();
        return new ClaimRule(claim, rest[0], role, Map.copyOf(labels));
    }

    /** Whether these claims (the ID token's, as a map) carry the rule's value. */
    public boolean matches(Map<String, Object> claims) {
        Object found = claims;
        for (String step : claim.split("\\.")) {
            if (!(found instanceof Map<?, ?> map)) {
                return false;
            }
            found = map.get(step);
        }
        if (found instanceof Collection<?> values) {
            return values.stream().anyMatch(v -> v != null && value.equals(String.valueOf(v)));
        }
        return found != null && !(found instanceof Map) && value.equals(String.valueOf(found)); // true, 42 as written
    }
}
