package devicetunnel.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@link ErrorCode} as TypeScript for the web UI, so the browser's table cannot drift from
 * the relay's: {@code make error-codes} runs {@link #main}, and ErrorCodeTableTest fails while the
 * committed file differs from {@link #typescript()}.
 */
public final class ErrorCodeTable {
    /** Where the web UI keeps the generated table, relative to the repository root. */
    public static final String WEB_UI_FILE = "web-ui/src/generated/error-codes.ts";

    private ErrorCodeTable() {
    }

    /** Usage: {@code ErrorCodeTable [FILE]} (default {@value #WEB_UI_FILE}). */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : WEB_UI_FILE);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, typescript(), StandardCharsets.UTF_8);
        System.out.println("wrote " + file);
    }

    public static String typescript() {
        StringBuilder ts = new StringBuilder();
        ts.append("// Generated from devicetunnel.protocol.ErrorCode by ErrorCodeTable: do not edit.\n");
        ts.append("// Regenerate with `make error-codes`; ErrorCodeTableTest fails while this file differs.\n\n");
        ts.append("export interface ErrorCodeInfo {\n");
        ts.append("  /** HTTP status; for a named close, what it would be over HTTP. */\n");
        ts.append("  readonly status: number;\n");
        ts.append("  /** Websocket close code: 4000 + status for errors, 4001-4099 for named closes. */\n");
        ts.append("  readonly close: number;\n");
        ts.append("  /** The relay's default words. */\n");
        ts.append("  readonly message: string;\n");
        ts.append("}\n\n");
        ts.append("export const ERROR_CODES = {\n");
        for (ErrorCode c : ErrorCode.values()) {
            ts.append("  ").append(c.code()).append(": { status: ").append(c.httpStatus())
                    .append(", close: ").append(c.closeCode())
                    .append(", message: ").append(quote(c.defaultMessage())).append(" },\n");
        }
        ts.append("} as const satisfies Record<string, ErrorCodeInfo>;\n\n");
        ts.append("export type ErrorCodeName = keyof typeof ERROR_CODES;\n\n");
        ts.append("/** Closes that are not errors, by close code. */\n");
        ts.append("export const NAMED_CLOSES: Readonly<Record<number, ErrorCodeName>> = {\n");
        for (ErrorCode c : ErrorCode.values()) {
            if (c.isNamedClose()) {
                ts.append("  ").append(c.closeCode()).append(": ").append(quote(c.code())).append(",\n");
            }
        }
        ts.append("};\n");
        return ts.toString();
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                q.append('\\').append(ch);
            } else if (ch < 0x20 || ch > 0x7e) {
                q.append(String.format("\\u%04x", (int) ch));
            } else {
                q.append(ch);
            }
        }
        return q.append('"').toString();
    }
}
