package devicetunnel.relay.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.relay.store.User;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ClaimRuleTest {
    private final RoleMapping mapping = RoleMapping.parse(List.of(
            "groups=ops-admins:admin", "realm_access.roles=lab-operator:operator:env=lab,site=paris", "email_verified=true:viewer"));

    @Test
    void theFirstMatchingRuleDecidesRoleAndLabels() {
        var grant = mapping.grant(Map.of("groups", List.of("staff", "ops-admins"),
                "realm_access", Map.of("roles", List.of("lab-operator")))).orElseThrow();
        assertThat(grant.role()).isEqualTo(User.Role.ADMIN);
        assertThat(grant.labels()).isEmpty();
    }

    @Test
    void aDottedClaimReachesIntoNestedObjects() {
        var grant = mapping.grant(Map.of("realm_access", Map.of("roles", List.of("lab-operator")))).orElseThrow();
        assertThat(grant.role()).isEqualTo(User.Role.OPERATOR);
        assertThat(grant.labels()).isEqualTo(Map.of("env", "lab", "site", "paris"));
    }

    @Test
    void aBooleanClaimMatchesAsWritten() {
        assertThat(mapping.grant(Map.of("email_verified", true)).orElseThrow().role()).isEqualTo(User.Role.VIEWER);
    }

    @Test
    void noMatchGrantsNothing() {
        assertThat(mapping.grant(Map.of("groups", List.of("staff"), "realm_access", "not an object"))).isEmpty();
        assertThat(mapping.grant(Map.of("groups", "ops-admins-not"))).isEmpty();
    }

    @Test
    void badRulesSayWhatIsWrong() {
        assertThatThrownBy(() -> ClaimRule.parse("groups=x:root")).hasMessageContaining("admin, operator or viewer");
        assertThatThrownBy(() -> ClaimRule.parse("groups:admin")).hasMessageContaining("CLAIM=VALUE:ROLE");
        assertThatThrownBy(() -> RoleMapping.parse(List.of())).hasMessageContaining("--oidc-role-rule");
    }
}
