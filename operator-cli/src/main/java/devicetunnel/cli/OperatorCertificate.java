package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * The operator's SSH key (Ed25519, generated once, 0600) and its short-lived certificate from the
 * relay's CA, which is what the devices accept. Certificates last minutes, so they are fetched again
 * whenever the current one is missing, belongs to another key, or runs out soon.
 */
final class OperatorCertificate {
    /** Fetch a new certificate when the current one has less than this left. */
    static final Duration REFRESH_BEFORE = Duration.ofMinutes(3);

    private final ConfigDir config;

    OperatorCertificate(ConfigDir config) {
        this.config = config;
    }

    KeyPair key() throws IOException {
        return KeyFiles.loadOrCreate(config.identityFile());
    }

    /** Until when the stored certificate is valid for our key; null when there is none usable. */
    Instant validBefore(PublicKey ourKey) {
        try {
            if (!Files.exists(config.certificateFile())) {
                return null;
            }
            String line = Files.readString(config.certificateFile()).strip();
            PublicKey parsed = AuthorizedKeyEntry.parseAuthorizedKeyEntry(line).resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
            if (!(parsed instanceof OpenSshCertificate certificate) || !KeyUtils.compareKeys(certificate.getCertPubKey(), ourKey)) {
                return null;
            }
            return Instant.ofEpochSecond(certificate.getValidBefore());
        } catch (Exception e) {
            return null; // unreadable: fetch a new one
        }
    }

    /** Makes sure a certificate valid for at least {@link #REFRESH_BEFORE} is on disk; returns its end of validity. */
    Instant ensureFresh(Session session, boolean force) throws IOException {
        KeyPair key = key();
        Instant until = validBefore(key.getPublic());
        if (!force && until != null && until.isAfter(Instant.now().plus(REFRESH_BEFORE))) {
            return until;
        }
        RelayClient relay = RelayClient.forSession(config, session);
        JsonNode answer = relay.certificate(session.token(), PublicKeyEntry.toString(key.getPublic()));
        String certificate = answer.path("certificate").asText("");
        if (certificate.isEmpty()) {
            throw new CliException(CliException.REFUSED, "the relay sent no certificate");
        }
        config.writePrivate(config.certificateFile(), certificate + "\n");
        Instant fresh = validBefore(key.getPublic());
        if (fresh == null) {
            throw new CliException(CliException.REFUSED, "the relay's certificate does not match our key");
        }
        return fresh;
    }
}
