package devicetunnel.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.relay.auth.oidc.OidcSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(10)
class OidcOptionsTest {
    @TempDir
    Path dir;

    private OidcOptions parse(String... args) {
        OidcOptions options = new OidcOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    @Test
    void flagsBecomeSettingsWithTheSecretFromItsFile() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "s3cret\n");
        OidcSettings settings = parse("--oidc-issuer", "https://sso.example.com/realms/corp", "--oidc-client-id", "relay",
                "--oidc-client-secret-file", secret.toString(), "--oidc-role-rule", "groups=a:admin",
                "--oidc-role-rule", "groups=b:operator:env=lab", "--no-oidc-password-login",
                "--oidc-break-glass-user", "Admin").settings();
        assertThat(settings.clientSecret()).isEqualTo("s3cret");
        assertThat(settings.mapping().rules()).hasSize(2);
        assertThat(settings.passwordLogin()).isFalse();
        assertThat(settings.passwordAllowed("admin")).isTrue();
        assertThat(settings.passwordAllowed("olga")).isFalse();
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void noIssuerIsNoSsoAndIncompleteSetsAreRefused() throws Exception {
        assertThat(parse().settings()).isNull();
        Path secret = Files.writeString(dir.resolve("secret"), "s3cret");
        assertThatThrownBy(() -> parse("--oidc-issuer", "https://sso.example.com", "--oidc-client-id", "relay",
                "--oidc-client-secret-file", secret.toString(), "--oidc-role-rule", "groups=a:admin",
                "--no-oidc-password-login").settings()).hasMessageContaining("break-glass");
        assertThatThrownBy(() -> parse("--oidc-issuer", "http://sso.example.com", "--oidc-client-id", "relay",
                "--oidc-client-secret-file", secret.toString(), "--oidc-role-rule", "groups=a:admin").settings())
                .hasMessageContaining("https");
        assertThatThrownBy(() -> parse("--oidc-client-id", "relay").settings()).hasMessageContaining("--oidc-issuer");
    }
}
