package devicetunnel.agent.cli;

import java.util.List;

/**
 * The JVM options the agent runs with as a service, each measured by {@code make bench} ("agent
 * footprint", docs/PERFORMANCE.md): a heap that starts at 16 MiB (about what is live once online, so the start does not collect its way up), stops at 64 MiB and stays close to
 * what is live (without a cap the JVM commits 1/64 of the board's memory up front and may take a
 * quarter), the serial collector (one small process, no collector threads), and a 32 MiB code
 * cache cap. Not the C1-only compiler: it saves about 30 MiB but runs AES-GCM, every SSH byte, at
 * under 1 % of C2's speed.
 *
 * <p>The Debian package's launcher ({@code src/deb/files/device-agent}) carries the same options;
 * ServiceJvmOptionsTest keeps the two equal.
 */
final class ServiceJvmOptions {
    static final List<String> OPTIONS = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx64m", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30", "-XX:ReservedCodeCacheSize=32m");
    /** glibc keeps up to 8 malloc arenas per core, each holding freed memory: two are plenty for the agent. */
    static final String MALLOC_ARENA_MAX = "2";

    private ServiceJvmOptions() {}
}
