package devicetunnel.relay.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The logs of child JVMs (relays, agents) live in the test's temporary directory and go with it.
 * When a test fails, the tail of every child log written during the test is printed to the test's
 * output first, so a failure in CI can be read without running it again. Registered for every test
 * of this module, like {@link HangGuard}.
 */
public final class ChildLogs implements BeforeEachCallback, TestExecutionExceptionHandler {
    private static final int TAIL_LINES = 120;
    private static final Set<Path> LOGS = ConcurrentHashMap.newKeySet();
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ChildLogs.class);

    /** A child's log file, named when the child starts. */
    public static void add(Path log) {
        LOGS.add(log.toAbsolutePath());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("started", FileTime.fromMillis(System.currentTimeMillis() - 1_000));
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        FileTime started = context.getStore(NAMESPACE).get("started", FileTime.class);
        StringBuilder out = new StringBuilder();
        for (Path log : LOGS) {
            try {
                if (!Files.exists(log)) {
                    LOGS.remove(log);
                } else if (started == null || Files.getLastModifiedTime(log).compareTo(started) >= 0) {
                    List<String> lines = Files.readAllLines(log);
                    out.append("---- last ").append(Math.min(TAIL_LINES, lines.size())).append(" lines of ").append(log)
                            .append('\n');
                    lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size())
                            .forEach(line -> out.append(line).append('\n'));
                }
            } catch (IOException | RuntimeException e) {
                out.append("---- ").append(log).append(" unreadable: ").append(e).append('\n');
            }
        }
        if (!out.isEmpty()) {
            System.out.println("ChildLogs: " + context.getDisplayName() + " failed; the child JVMs' logs end:\n" + out);
        }
        throw failure;
    }
}
