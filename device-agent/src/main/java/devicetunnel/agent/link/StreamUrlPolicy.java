package devicetunnel.agent.link;

import devicetunnel.protocol.Protocol;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Where a stream may be opened. A relay in a cluster may ask for the stream to go to a sibling
 * relay's advertised URL (the relay that holds the session). The agent goes there only when the
 * URL keeps the relay's scheme (no TLS downgrade) and names a host it trusts: the relay it was
 * configured with, or one of {@code --stream-hosts} (exact names or {@code *.suffix}). The path is
 * always the stream path built here, never one taken from the message. Why this is enough (SSH host
 * keys are pinned end to end; what a bad URL could still do) is in docs/SCALING.md.
 */
public final class StreamUrlPolicy {
    private final RelayEndpoint relay;
    private final List<String> extraHosts;

    public StreamUrlPolicy(RelayEndpoint relay, List<String> extraHosts) {
        this.relay = relay;
        this.extraHosts = extraHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
    }

    /** The websocket URI for stream {@code streamId}; {@code advertisedUrl} null means the configured relay. */
    public URI streamUri(String streamId, String advertisedUrl) {
        String path = Protocol.STREAMS_PATH + streamId;
        if (advertisedUrl == null) {
            return relay.websocket(path);
        }
        URI target;
        try {
            target = URI.create(advertisedUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed stream URL");
        }
        if (!relay.base().getScheme().equals(target.getScheme())) {
            throw new IllegalArgumentException("stream URL scheme differs from the relay's");
        }
        if (target.getRawUserInfo() != null || target.getRawQuery() != null || target.getRawFragment() != null
                || target.getHost() == null) {
            throw new IllegalArgumentException("stream URL must be a plain base URL");
        }
        if (!trusted(target.getHost().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("stream host " + target.getHost() + " is not trusted (see --stream-hosts)");
        }
        String basePath = target.getRawPath() == null ? "" : target.getRawPath().replaceAll("/+$", "");
        return new RelayEndpoint(URI.create(target.getScheme() + "://" + target.getRawAuthority() + basePath)).websocket(path);
    }

    private boolean trusted(String host) {
        if (host.equals(relay.base().getHost().toLowerCase(Locale.ROOT))) {
            return true;
        }
        for (String allowed : extraHosts) {
            if (allowed.startsWith("*.") ? host.endsWith(allowed.substring(1)) : host.equals(allowed)) {
                return true;
            }
        }
        return false;
    }
}
