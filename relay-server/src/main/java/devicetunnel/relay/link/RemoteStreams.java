package devicetunnel.relay.link;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Streams to devices whose control link is on another relay of the cluster. This relay keeps the
 * pending stream and its token; the holder only passes the {@code open} on, naming this relay's
 * URL, so the device's stream (and every byte of the session) comes here directly.
 */
public interface RemoteStreams {
    /** The sibling relay holding the device's link, if a live one does. */
    Optional<String> holder(String deviceId);

    /** Asks {@code holderId} to send the device an open for {@code streamId}; fails when it could not. */
    CompletableFuture<Void> requestOpen(String holderId, String deviceId, String streamId, String token);

    /**
     * The agent of a device linked here reported a stream this relay does not hold as failed: pass
     * it to the sibling that asked for the stream, so its operator hears at once, not at the timeout.
     */
    void agentFailed(String deviceId, String streamId, String message);

    /**
     * Where a device linked here opens the streams of this relay's own sessions: this relay's
     * advertised URL in a cluster, since the address the device dialled may be a balancer that
     * hands the stream to any relay; null on a single node (the relay the device dialled).
     */
    String streamUrl();

    /** Single node: nobody else holds links. */
    RemoteStreams NONE = new RemoteStreams() {
        @Override
        public Optional<String> holder(String deviceId) {
            return Optional.empty();
        }

        @Override
        public CompletableFuture<Void> requestOpen(String holderId, String deviceId, String streamId, String token) {
            throw new IllegalStateException("single-node relay has no siblings");
        }

        @Override
        public void agentFailed(String deviceId, String streamId, String message) {}

        @Override
        public String streamUrl() {
            return null;
        }
    };
}
