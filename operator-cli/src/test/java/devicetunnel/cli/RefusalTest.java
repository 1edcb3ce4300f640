package devicetunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the CLI words the relay's refusals, step-up in particular (body or, for websockets, the header). */
class RefusalTest {
    @Test
    void stepUpSaysToLogInAgainWhetherTheBodyOrTheHeaderCarriesIt() {
        CliException fromBody = RelayClient.refusal(403,
                "{\"error\":\"step_up_required\",\"message\":\"Device prod-1 needs your second factor\"}");
        CliException fromHeader = RelayClient.refusal(403, null, "step_up_required");
        for (CliException e : new CliException[] {fromBody, fromHeader}) {
            assertThat(e.getMessage()).contains("devtunnel login again");
            assertThat(e.exitCode()).isEqualTo(CliException.NOT_LOGGED_IN);
        }
        CliException forbidden = RelayClient.refusal(403, null, "forbidden");
        assertThat(forbidden.getMessage()).doesNotContain("login");
        assertThat(forbidden.exitCode()).isEqualTo(CliException.REFUSED);
    }
}
