package devicetunnel.agent.status;

/**
 * What a running agent writes to {@code status.json} for {@code device-agent status}. Times are
 * ISO-8601 UTC instants ({@code Instant.toString()}), so other tools can read the file too.
 *
 * @param link           CONNECTING, CONNECTED, OFFLINE, or STOPPED once the agent shut down cleanly
 * @param since          when the link entered that state
 * @param lastError      the last link problem in plain words (null: none since start)
 * @param updatedAt      when this report was written; older than {@link StatusFile#STALE_AFTER} means the agent hangs or died
 * @param sshSessions    SSH connections open over relay streams
 * @param shells         shells running (terminal sessions waiting for a resume included)
 */
public record StatusReport(long pid, String deviceId, String relay, String link, String since, String lastError,
                           String lastErrorAt, String updatedAt, int sshSessions, int shells) {
    public static final String STOPPED = "STOPPED";
}
