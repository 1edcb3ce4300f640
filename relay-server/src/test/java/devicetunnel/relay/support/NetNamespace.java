package devicetunnel.relay.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace for a device on a bad link: a veth pair to the root namespace on a private
 * /30 (root side {@code .1}, device side {@code .2}), the device's egress shaped with tc's token
 * bucket ({@code tbf}; netem is not in this kernel). Needs root. Every command that fails fails the
 * test with what it printed, never skips. {@link #close} removes the namespace and both veth ends.
 */
public final class NetNamespace implements AutoCloseable {
    private final String name;
    private final String hostSide;
    private final String deviceSide;
    private final String hostAddress;
    private final String deviceAddress;

    private NetNamespace(String name, int subnet) {
        this.name = name;
        this.hostSide = name + "h";
        this.deviceSide = name + "d";
        this.hostAddress = "10.234." + subnet + ".1";
        this.deviceAddress = "10.234." + subnet + ".2";
    }

    /** A namespace named after this JVM's pid (interface names stay under 15 characters). */
    public static NetNamespace create(String egressRate) {
        long pid = ProcessHandle.current().pid();
        NetNamespace ns = new NetNamespace("dtbl" + (pid % 100_000), (int) (pid % 250) + 1);
        ns.removeLeftovers();
        try {
            run("ip", "netns", "add", ns.name);
            run("ip", "link", "add", ns.hostSide, "type", "veth", "peer", "name", ns.deviceSide);
            run("ip", "link", "set", ns.deviceSide, "netns", ns.name);
            run("ip", "addr", "add", ns.hostAddress + "/30", "dev", ns.hostSide);
            run("ip", "link", "set", ns.hostSide, "up");
            ns.inside("ip", "addr", "add", ns.deviceAddress + "/30", "dev", ns.deviceSide);
            ns.inside("ip", "link", "set", ns.deviceSide, "up");
            ns.inside("ip", "link", "set", "lo", "up");
            ns.inside("tc", "qdisc", "add", "dev", ns.deviceSide, "root", "tbf", "rate", egressRate, "burst", "32kbit",
                    "latency", "400ms");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The root namespace's end of the link: what the device dials. */
    public String hostAddress() {
        return hostAddress;
    }

    /** The command, run inside the namespace. */
    public List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", name));
        wrapped.addAll(command);
        return wrapped;
    }

    /** The outage: the root side of the veth goes down, the device's side loses its carrier. */
    public void linkDown() {
        run("ip", "link", "set", hostSide, "down");
    }

    public void linkUp() {
        run("ip", "link", "set", hostSide, "up");
    }

    /** What tc says about the device's egress queue (rate, drops), for the report. */
    public String egressStats() {
        return capture(wrap(List.of("tc", "-s", "qdisc", "show", "dev", deviceSide))).output().strip();
    }

    private void inside(String... command) {
        run(wrap(List.of(command)).toArray(String[]::new));
    }

    private void removeLeftovers() {
        capture(List.of("ip", "netns", "del", name));
        capture(List.of("ip", "link", "del", hostSide));
    }

    @Override
    public void close() {
        removeLeftovers(); // deleting the namespace deletes its veth end, and with it the pair
    }

    private static void run(String... command) {
        Result r = capture(List.of(command));
        if (r.exitCode() != 0) {
            throw new AssertionError("`" + String.join(" ", command) + "` failed (exit " + r.exitCode() + "): " + r.output().strip()
                    + "; this test needs root, iproute2 and tc's tbf (it runs as root in CI)");
        }
    }

    private record Result(int exitCode, String output) {}

    private static Result capture(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
