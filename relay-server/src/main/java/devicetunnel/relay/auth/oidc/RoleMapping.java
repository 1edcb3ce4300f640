package devicetunnel.relay.auth.oidc;

import devicetunnel.relay.store.User;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SSO mapping rules in their configured order: the first rule that matches decides role and
 * label scope. No match: the identity provider knows the user, but the relay grants them nothing.
 */
public record RoleMapping(List<ClaimRule> rules) {
    public record Grant(User.Role role, Map<String, String> labels, ClaimRule rule) {}

    public RoleMapping {
        rules = List.copyOf(rules);
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("SSO needs at least one mapping rule (--oidc-role-rule)");
        }
    }

    public static RoleMapping parse(List<String> texts) {
        return new RoleMapping(texts.stream().map(ClaimRule::parse).toList());
    }

    public Optional<Grant> grant(Map<String, Object> claims) {
        return rules.stream().filter(r -> r.matches(claims)).findFirst()
                .map(r -> new Grant(r.role(), r.labels(), r));
    }
}
