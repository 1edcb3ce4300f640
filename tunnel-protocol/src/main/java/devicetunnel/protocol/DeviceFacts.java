package devicetunnel.protocol;

import java.util.List;

/**
 * What a device reports about itself (inventory): read cheaply by the agent from {@code /proc},
 * {@code /etc/os-release} and the JVM, sent at connect and when it changes. {@code bootTime} (epoch
 * seconds) rather than an uptime, so an idle device's facts do not change every second; uptime is
 * now minus boot time. Any field may be null when the device could not read it.
 *
 * @param os            the distribution's {@code PRETTY_NAME} (e.g. "Debian GNU/Linux 12 (bookworm)")
 * @param kernel        the kernel release ({@code uname -r})
 * @param architecture  the machine ({@code uname -m}, e.g. x86_64, aarch64)
 * @param ipAddresses   the device's non-loopback addresses, as its interfaces list them
 * @param memoryTotal   bytes of RAM ({@code MemTotal})
 */
public record DeviceFacts(String os, String kernel, String architecture, String hostname, String agentVersion,
                          Long bootTime, List<String> ipAddresses, Integer cpuCount, Long memoryTotal) {
    /** Longest text value the relay keeps. */
    public static final int MAX_TEXT = 256;
    /** Most addresses the relay keeps (a router may have many; a device that sends hundreds is lying). */
    public static final int MAX_ADDRESSES = 32;
    /** Largest facts object (as JSON) the relay accepts: a device is not trusted to send megabytes. */
    public static final int MAX_JSON_CHARS = 4096;

    /** Null when the facts fit the bounds above; otherwise why they do not. */
    public String problem() {
        for (String text : new String[] {os, kernel, architecture, hostname, agentVersion}) {
            if (text != null && text.length() > MAX_TEXT) {
                return "a text fact is longer than " + MAX_TEXT + " characters";
            }
        }
        if (ipAddresses != null) {
            if (ipAddresses.size() > MAX_ADDRESSES) {
                return "more than " + MAX_ADDRESSES + " IP addresses";
            }
            if (ipAddresses.stream().anyMatch(a -> a == null || a.length() > 64)) {
                return "an IP address is empty or too long";
            }
        }
        if ((cpuCount != null && cpuCount < 0) || (memoryTotal != null && memoryTotal < 0)
                || (bootTime != null && bootTime < 0)) {
            return "a count is negative";
        }
        return null;
    }
}
