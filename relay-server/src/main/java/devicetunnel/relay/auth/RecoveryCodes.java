package devicetunnel.relay.auth;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Ten single-use codes for when the authenticator is lost: {@code xxxxx-xxxxx} from a 31-character
 * alphabet without look-alikes (about 49 bits each; guessing also meets the per-account rate limit). Stored only as a keyed hash of the normalised code.
 */
public final class RecoveryCodes {
    public static final int COUNT = 10;
    private static final char[] ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789".toCharArray();
    private final SecureRandom random = new SecureRandom();

    public List<String> generate() {
        List<String> codes = new ArrayList<>(COUNT);
        for (int i = 0; i < COUNT; i++) {
            StringBuilder code = new StringBuilder(11);
            for (int c = 0; c < 10; c++) {
                if (c == 5) {
                    code.append('-');
                }
                code.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            codes.add(code.toString());
        }
        return codes;
    }

    /** What is hashed: case and dashes or spaces as typed do not matter. */
    public static String normalise(String typed) {
        return typed == null ? "" : typed.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /** Whether {@code typed} has the shape of a recovery code (rather than a TOTP code). */
    public static boolean looksLike(String typed) {
        return normalise(typed).length() == 10 && !typed.strip().matches("\\d+");
    }
}
