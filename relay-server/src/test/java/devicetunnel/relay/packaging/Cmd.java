package devicetunnel.relay.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One command run to completion: exit code and output (stdout and stderr together). */
record Cmd(int exit, String out) {
    static Cmd run(Path dir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        return run(dir, env, List.of(command));
    }

    static Cmd run(Path dir, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after 120 s: " + command);
        }
        return new Cmd(process.exitValue(), out);
    }

    static Cmd run(Path dir, String... command) throws IOException, InterruptedException {
        return run(dir, Map.of(), command);
    }

    /** Fails with the output when the command did not exit 0. */
    Cmd ok() {
        if (exit != 0) {
            throw new AssertionError("exit " + exit + ":\n" + out);
        }
        return this;
    }
}
