package devicetunnel.relay.cluster;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NATS client's news in the relay's own log (its default writes through java.util.logging, in
 * another format, and at SEVERE for every failed reconnect while NATS is down). Once per change:
 * lost, back, subscriptions restored. Never the server's URL: it may hold a password.
 */
final class NatsLogging implements ConnectionListener, ErrorListener {
    private static final Logger log = LoggerFactory.getLogger(NatsLogging.class);

    private volatile boolean lost;

    @Override
    public void connectionEvent(Connection connection, Events event) {
        switch (event) {
            case DISCONNECTED -> {
                if (!lost) { // the client reports each failed reconnect as another disconnect
                    lost = true;
                    log.warn("cluster: lost NATS; sessions to devices linked to other relays fail until it is back");
                }
            }
            case RECONNECTED -> {
                lost = false;
                log.info("cluster: NATS is back");
            }
            case RESUBSCRIBED -> log.info("cluster: NATS subscriptions restored");
            case CLOSED -> log.info("cluster: NATS connection closed");
            default -> log.debug("cluster: NATS {}", event);
        }
    }

    @Override
    public void exceptionOccurred(Connection connection, Exception e) {
        log.debug("cluster: NATS client: {}", e.toString()); // failed reconnects: the warning above says it once
    }

    @Override
    public void errorOccurred(Connection connection, String error) {
        log.warn("cluster: NATS server error: {}", error);
    }

    @Override
    public void slowConsumerDetected(Connection connection, Consumer consumer) {
        log.warn("cluster: NATS messages arrive faster than this relay handles them (slow consumer)");
    }
}
