package devicetunnel.relay.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the kernel and the JVM say about a process: RSS, CPU ticks, heap in use after a full GC, limits. */
final class ProcStats {
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");

    static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    static int threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no Threads for " + pid);
    }

    /**
     * Writes what a JVM started with -XX:NativeMemoryTracking=summary spends its memory on:
     * {@code prefix-nmt.txt}, {@code -heap.txt}, {@code -classes.txt} (histogram), {@code -threads.txt}.
     */
    static void diagnose(long pid, Path prefix) throws IOException, InterruptedException {
        Files.createDirectories(prefix.getParent());
        String id = Long.toString(pid);
        String name = prefix.getFileName().toString();
        Files.writeString(prefix.resolveSibling(name + "-nmt.txt"), run("jcmd", id, "VM.native_memory", "summary"));
        Files.writeString(prefix.resolveSibling(name + "-heap.txt"), run("jcmd", id, "GC.heap_info"));
        Files.writeString(prefix.resolveSibling(name + "-classes.txt"), run("jcmd", id, "GC.class_histogram"));
        Files.writeString(prefix.resolveSibling(name + "-threads.txt"), run("jcmd", id, "Thread.print"));
    }

    /** User + system CPU time in clock ticks. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
    }

    static long clockTicksPerSecond() throws IOException, InterruptedException {
        String out = run("getconf", "CLK_TCK").strip();
        return out.isEmpty() ? 100 : Long.parseLong(out);
    }

    /** Forces a full GC in the target JVM (jcmd), then reads the heap in use. */
    static long heapUsedAfterGcKiB(long pid) throws IOException, InterruptedException {
        run("jcmd", Long.toString(pid), "GC.run");
        String info = run("jcmd", Long.toString(pid), "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IOException("cannot read GC.heap_info: " + info);
        }
        return Long.parseLong(m.group(1));
    }

    /** "soft/hard" open files limit of this process. */
    static String openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[0] + "/" + f[1];
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown";
    }

    /** The 1-minute load average: on a shared machine, the first thing to read next to any figure. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private ProcStats() {}
}
