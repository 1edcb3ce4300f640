package devicetunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ErrorCodeTest {
    @Test
    void errorsCloseWith4000PlusTheirHttpStatus() {
        for (ErrorCode c : ErrorCode.values()) {
            if (!c.isNamedClose()) {
                assertThat(c.closeCode()).as(c.name()).isEqualTo(4000 + c.httpStatus());
            }
        }
    }

    @Test
    void namedClosesHaveTheirOwnCodesBelowEveryErrorClose() {
        List<ErrorCode> named = Arrays.stream(ErrorCode.values()).filter(ErrorCode::isNamedClose).toList();
        assertThat(named).containsExactly(ErrorCode.LINK_REPLACED, ErrorCode.SESSION_MOVED);
        assertThat(named).extracting(ErrorCode::closeCode).doesNotHaveDuplicates().allMatch(code -> code > 4000 && code < 4100);
        // 4409 used to mean both "too many sessions" and these: no longer.
        assertThat(named).extracting(ErrorCode::closeCode).doesNotContain(ErrorCode.CONFLICT.closeCode());
    }

    @Test
    void namedClosesAreFoundByCodeAndErrorsAreNot() {
        assertThat(ErrorCode.namedClose(4001)).contains(ErrorCode.LINK_REPLACED);
        assertThat(ErrorCode.namedClose(4002)).contains(ErrorCode.SESSION_MOVED);
        assertThat(ErrorCode.namedClose(4409)).isEmpty();
        assertThat(ErrorCode.describeClose(4001)).isEqualTo("4001 link_replaced");
        assertThat(ErrorCode.describeClose(4502)).isEqualTo("4502 (HTTP 502)");
        assertThat(ErrorCode.describeClose(1001)).isEqualTo("1001");
    }

    @Test
    void wireNamesAreUniqueLowerCase() {
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::code))
                .doesNotHaveDuplicates().allMatch(code -> code.matches("[a-z_]+"));
    }
}
