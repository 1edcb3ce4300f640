package devicetunnel.relay.auth;

import devicetunnel.protocol.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The relay's key for second factors: 32 random bytes, base64, in a 0600 file ({@code totp.key} in
 * the state directory unless {@code --totp-key-file} names one). Generated at first start; every
 * relay of a cluster needs the same file, as with {@code jwt.secret} (a relay whose key is not the one
 * the store's factors were sealed with refuses to start). Losing it makes every enrolled
 * TOTP factor and recovery code useless (users enrol again after an admin resets them).
 */
public final class TotpKey {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TotpKey.class);
    private final byte[] master;

    private TotpKey(byte[] master) {
        this.master = master;
    }

    /**
     * Reads {@code file}, creating it (0600) when {@code create} allows and it is missing. A file that
     * group or others may read is used with a warning, as other secret files are (a mounted container
     * secret may not be able to be 0600).
     */
    public static TotpKey load(Path file, boolean create) throws IOException {
        if (!Files.exists(file)) {
            if (!create) {
                throw new IOException("TOTP key file " + file + " does not exist");
            }
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            KeyFiles.writePrivate(file, (Base64.getEncoder().encodeToString(fresh) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
            log.warn("TOTP key file {} may be read by others than its owner: chmod 600 it", file);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(Files.readString(file).strip());
        } catch (IllegalArgumentException e) {
            throw new IOException("TOTP key file " + file + " is not base64", e);
        }
        if (key.length != 32) {
            throw new IOException("TOTP key file " + file + " must hold 32 bytes (base64)");
        }
        return new TotpKey(key);
    }

    /** Encrypts TOTP secrets at rest. */
    public SecretBox secrets() {
        return new SecretBox(KeyedHash.derive(master, "devtunnel totp secret encryption v1"));
    }

    /** Hashes recovery codes. */
    public KeyedHash recoveryCodes() {
        return KeyedHash.derived(master, "devtunnel recovery code hash v1");
    }

    /** Names this key (in the store, to refuse a relay started with another one) without revealing it. */
    public byte[] fingerprint() {
        return KeyedHash.derive(master, "devtunnel totp key fingerprint v1");
    }
}
