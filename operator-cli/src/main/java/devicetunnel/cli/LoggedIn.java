package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;

/** The saved login and a client for its relay: where every command that calls the API starts. */
record LoggedIn(Session session, RelayClient relay) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    static LoggedIn of(DevtunnelMain main) {
        ConfigDir config = main.config();
        Session session = config.session();
        return new LoggedIn(session, RelayClient.forSession(config, session));
    }

    JsonNode get(String path) {
        return relay.get(path, session.token());
    }

    JsonNode post(String path, Object body) {
        return relay.post(path, session.token(), body);
    }

    JsonNode delete(String path) {
        return relay.delete(path, session.token());
    }

    /** An id the user typed, checked before it becomes part of a URL path. */
    static String id(String what, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new CliException(CliException.USAGE, "not a " + what + " id: " + value);
        }
        return value;
    }
}
