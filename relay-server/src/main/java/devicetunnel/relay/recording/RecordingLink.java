package devicetunnel.relay.recording;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The link from an audit entry to its recording: entries about a recorded session (its opening,
 * its resumption, a viewing) carry {@code recording=<id>} in their detail.
 */
public final class RecordingLink {
    private static final Pattern ID = Pattern.compile("(?:^| )recording=([0-9a-f-]{36})(?: |$)");

    private RecordingLink() {}

    /** The detail text naming a recording. */
    public static String detail(String recordingId) {
        return "recording=" + recordingId;
    }

    /** The recording an audit entry's detail names, or null. */
    public static String idIn(String detail) {
        if (detail == null) {
            return null;
        }
        Matcher m = ID.matcher(detail);
        return m.find() ? m.group(1) : null;
    }
}
