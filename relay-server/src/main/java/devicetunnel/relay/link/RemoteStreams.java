package devicetunnel.relay.link;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Streams to devices whose control link is on another relay of the cluster. This relay keeps the
 * pending stream and its token; the holder only passes the {@code open} on, naming this relay's
 * URL, so the device's stream (and every byte of the session) comes here directly. A device that
 * cannot reach that URL opens the stream where it can (its own relay URL); the relay that gets it
 * carries it here ({@link #ownerUrl}).
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

    /**
     * A new stream id. In a cluster it starts with this relay's id ({@code relay-a.<uuid>}), so a
     * relay that receives the device's stream instead (the device could not reach us) knows where
     * to carry it.
     */
    String newStreamId();

    /**
     * The advertised URL of the live sibling that minted {@code streamId}, when a device brought a
     * stream here that is not ours; empty when no live sibling did (then the stream is refused).
     */
    Optional<String> ownerUrl(String streamId);

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

        @Override
        public String newStreamId() {
            return UUID.randomUUID().toString();
        }

        @Override
        public Optional<String> ownerUrl(String streamId) {
            return Optional.empty();
        }
    };
}
