package devicetunnel.relay.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names the secrets every relay of a cluster must share without revealing them: a device trusts
 * only the relay SSH key and user CA it was told about, and an operator's token must verify on any
 * relay. Only this digest goes to the shared store.
 */
public final class SharedSecrets {
    private SharedSecrets() {}

    public static String id(String relayKeyLine, String userCaKeyLine, byte[] tokenSecret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("device-tunnel cluster secrets v1\n".getBytes(StandardCharsets.UTF_8));
            sha.update((relayKeyLine + "\n" + userCaKeyLine + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(tokenSecret);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
