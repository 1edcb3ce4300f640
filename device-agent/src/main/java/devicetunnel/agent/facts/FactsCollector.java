package devicetunnel.agent.facts;

import devicetunnel.protocol.DeviceFacts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Reads the device's facts from {@code /proc}, {@code /etc/os-release} and the JVM: no external
 * command, so a check every few minutes costs a few small file reads. A fact that cannot be read
 * is null (a container may hide {@code /proc/stat}; a non-Linux JVM has no {@code /proc} at all).
 */
public final class FactsCollector implements Supplier<DeviceFacts> {
    private final Path root;
    private final String agentVersion;

    /** Reads the real machine. */
    public FactsCollector(String agentVersion) {
        this(Path.of("/"), agentVersion);
    }

    /** Reads {@code proc/...} and {@code etc/...} under {@code root}. */
    FactsCollector(Path root, String agentVersion) {
        this.root = root;
        this.agentVersion = agentVersion;
    }

    @Override
    public DeviceFacts get() {
        return new DeviceFacts(osName(), firstLine("proc/sys/kernel/osrelease", System.getProperty("os.version")),
                architecture(), hostname(), agentVersion, bootTime(), addresses(),
                Runtime.getRuntime().availableProcessors(), memoryTotal());
    }

    private String osName() {
        String pretty = null;
        for (String line : lines("etc/os-release")) {
            if (line.startsWith("PRETTY_NAME=")) {
                pretty = unquote(line.substring("PRETTY_NAME=".length()));
            }
        }
        return pretty != null && !pretty.isBlank() ? pretty : System.getProperty("os.name");
    }

    /** uname -m spelling (x86_64, aarch64), which is what people compare, not the JVM's amd64. */
    private static String architecture() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> arch.isEmpty() ? null : arch;
        };
    }

    private String hostname() {
        String name = firstLine("proc/sys/kernel/hostname", null);
        return name != null ? name : System.getenv("HOSTNAME");
    }

    /** Epoch seconds of the last boot: {@code btime} in /proc/stat. */
    private Long bootTime() {
        for (String line : lines("proc/stat")) {
            if (line.startsWith("btime ")) {
                return parseLong(line.substring(6).trim());
            }
        }
        return null;
    }

    /** {@code MemTotal: 16314012 kB} in bytes. */
    private Long memoryTotal() {
        for (String line : lines("proc/meminfo")) {
            if (line.startsWith("MemTotal:")) {
                Long kib = parseLong(line.substring(9).replace("kB", "").trim());
                return kib == null ? null : kib * 1024;
            }
        }
        return null;
    }

    /** Non-loopback, non-link-local addresses of interfaces that are up, in a stable order. */
    private static List<String> addresses() {
        List<String> found = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (!address.isLinkLocalAddress() && !address.isLoopbackAddress()) {
                        String text = address.getHostAddress();
                        int scope = text.indexOf('%');
                        found.add(scope < 0 ? text : text.substring(0, scope));
                    }
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        Collections.sort(found);
        return found.size() > DeviceFacts.MAX_ADDRESSES ? List.copyOf(found.subList(0, DeviceFacts.MAX_ADDRESSES)) : found;
    }

    private String firstLine(String file, String fallback) {
        List<String> lines = lines(file);
        return lines.isEmpty() || lines.get(0).isBlank() ? fallback : clip(lines.get(0).trim());
    }

    private List<String> lines(String file) {
        try {
            return Files.readAllLines(root.resolve(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String unquote(String value) {
        String v = value.trim();
        if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'")) && v.charAt(v.length() - 1) == v.charAt(0)) {
            v = v.substring(1, v.length() - 1);
        }
        return clip(v);
    }

    private static String clip(String text) {
        return text.length() > DeviceFacts.MAX_TEXT ? text.substring(0, DeviceFacts.MAX_TEXT) : text;
    }

    private static Long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
