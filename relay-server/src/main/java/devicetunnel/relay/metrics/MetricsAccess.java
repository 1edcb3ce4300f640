package devicetunnel.relay.metrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Who may scrape: the holder of the scrape token ({@code --metrics-token-file}), when one is configured. */
public final class MetricsAccess {
    private final byte[] scrapeToken;

    /** {@code scrapeToken} null: no token is accepted (admins still are, on the main port). */
    public MetricsAccess(String scrapeToken) {
        this.scrapeToken = scrapeToken == null ? null : scrapeToken.getBytes(StandardCharsets.UTF_8);
    }

    public boolean hasToken() {
        return scrapeToken != null;
    }

    /** {@code bearer}: the token of an {@code Authorization: Bearer} header, or null. */
    public boolean isScrapeToken(String bearer) {
        return scrapeToken != null && bearer != null
                && MessageDigest.isEqual(scrapeToken, bearer.getBytes(StandardCharsets.UTF_8));
    }
}
