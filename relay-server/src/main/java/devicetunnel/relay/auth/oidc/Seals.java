package devicetunnel.relay.auth.oidc;

import com.fasterxml.jackson.databind.ObjectMapper;
import devicetunnel.relay.auth.KeyedHash;
import devicetunnel.relay.auth.SecretBox;
import java.io.IOException;

/**
 * Small records sealed (AES-256-GCM) under a key derived from the relay's token secret, so that what
 * the sign-in needs between two requests travels with the browser instead of living in one relay's
 * memory: any relay of a cluster can finish a sign-in another one started. The purpose is bound as
 * associated data, so one kind of seal never opens as another.
 */
public final class Seals {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SecretBox box;

    public Seals(byte[] tokenSecret) {
        this.box = new SecretBox(KeyedHash.derive(tokenSecret, "devtunnel oidc seals v1"));
    }

    public String seal(Object value, String purpose) {
        try {
            return box.seal(JSON.writeValueAsBytes(value), purpose);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    /** The sealed value, or null when the text was not sealed here for this purpose (or is garbage). */
    public <T> T open(String sealed, String purpose, Class<T> type) {
        if (sealed == null || sealed.length() > 4096) {
            return null;
        }
        try {
            return JSON.readValue(box.open(sealed, purpose), type);
        } catch (RuntimeException | IOException e) {
            return null;
        }
    }
}
