package devicetunnel.relay.store;

/**
 * Makes client-chosen text (usernames above all) safe for a log line or audit row: control and
 * line-separator characters (CR/LF would forge lines) become '?', and it is clipped, so a password
 * typed into the user field lands at most partly and a huge value cannot bloat the log.
 */
public final class LogSafe {
    public static final int MAX_NAME_CHARS = 64;

    private LogSafe() {}

    /** A name (username, device id) as logged: cleaned and clipped to {@link #MAX_NAME_CHARS}. */
    public static String text(String value) {
        return clean(value, MAX_NAME_CHARS);
    }

    /** Any value as logged: cleaned and clipped to {@code max} characters. */
    public static String clean(String value, int max) {
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), max + 1));
        for (int i = 0; i < value.length() && out.length() < max; i++) {
            char c = value.charAt(i);
            int type = Character.getType(c);
            boolean unsafe = Character.isISOControl(c) || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT;
            out.append(unsafe ? '?' : c);
        }
        if (value.length() > max) {
            out.append('…');
        }
        return out.toString();
    }
}
