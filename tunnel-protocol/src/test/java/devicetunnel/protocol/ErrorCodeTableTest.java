package devicetunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The contract between the relay and the web UI: the browser's table is exactly ErrorCode. */
@Timeout(30)
class ErrorCodeTableTest {
    @Test
    void theWebUiTableIsGeneratedFromErrorCode() throws Exception {
        Path file = Path.of("..").resolve(ErrorCodeTable.WEB_UI_FILE); // Surefire runs in the module's directory
        assertThat(file).as("the web UI's generated table").exists();
        assertThat(Files.readString(file, StandardCharsets.UTF_8))
                .as("%s is out of date: run `make error-codes` and commit it", ErrorCodeTable.WEB_UI_FILE)
                .isEqualTo(ErrorCodeTable.typescript());
    }

    @Test
    void everyCodeAppearsWithItsStatusAndCloseCode() {
        String ts = ErrorCodeTable.typescript();
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(ts).contains("  " + c.code() + ": { status: " + c.httpStatus() + ", close: " + c.closeCode() + ", ");
        }
        assertThat(ts).contains("4002: \"session_moved\"").contains("\"The device's host key does not match the one on record.\"");
    }
}
