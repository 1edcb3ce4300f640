package devicetunnel.relay.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for small secrets at rest (TOTP seeds). The stored form is {@code v1:<base64(iv|ciphertext|tag)>};
 * the owner's name is bound as associated data, so a row copied onto another account does not decrypt.
 */
public final class SecretBox {
    private static final String PREFIX = "v1:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public SecretBox(byte[] key256) {
        if (key256.length != 32) {
            throw new IllegalArgumentException("AES-256 needs a 32-byte key");
        }
        this.key = new SecretKeySpec(key256.clone(), "AES");
    }

    public String seal(byte[] plain, String owner) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        byte[] sealed = run(Cipher.ENCRYPT_MODE, iv, plain, owner);
        return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
    }

    /** The plaintext; throws when the text was not sealed with this key for this owner. */
    public byte[] open(String stored, String owner) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            throw new IllegalStateException("not a sealed secret");
        }
        byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        byte[] iv = java.util.Arrays.copyOfRange(all, 0, IV_BYTES);
        return run(Cipher.DECRYPT_MODE, iv, java.util.Arrays.copyOfRange(all, IV_BYTES, all.length), owner);
    }

    private byte[] run(int mode, byte[] iv, byte[] input, String owner) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealed secret does not open with this key (wrong --totp-key-file?)", e);
        }
    }
}
