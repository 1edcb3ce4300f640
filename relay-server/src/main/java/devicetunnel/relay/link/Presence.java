package devicetunnel.relay.link;

import java.util.function.Predicate;

/** Whether a device is online: on one relay, whether it holds the link; in a cluster, whether any live relay does. */
public interface Presence {
    boolean isOnline(String deviceId);

    /** One view for many lookups (a device listing asks once, not once per device). */
    Predicate<String> snapshot();
}
