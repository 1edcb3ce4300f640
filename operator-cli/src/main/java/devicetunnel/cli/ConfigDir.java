package devicetunnel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import devicetunnel.protocol.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The operator's devtunnel directory (created 0700): the login ({@code session.json}, 0600), the SSH
 * key the relay certifies, its current certificate and the devices' pinned host keys.
 */
final class ConfigDir {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path dir;

    private ConfigDir(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** An explicit directory wins, then $XDG_CONFIG_HOME/devtunnel, then ~/.config/devtunnel. */
    static ConfigDir resolve(Path explicit, String xdgConfigHome, String userHome) {
        if (explicit != null) {
            return new ConfigDir(explicit);
        }
        if (xdgConfigHome != null && !xdgConfigHome.isBlank()) {
            return new ConfigDir(Path.of(xdgConfigHome, "devtunnel"));
        }
        return new ConfigDir(Path.of(userHome, ".config", "devtunnel"));
    }

    Path path() {
        return dir;
    }

    Path identityFile() {
        return dir.resolve("id_ed25519");
    }

    Path certificateFile() {
        return dir.resolve("id_ed25519-cert.pub");
    }

    Path knownHostsFile() {
        return dir.resolve("known_hosts");
    }

    Path sshConfigFile() {
        return dir.resolve("ssh_config");
    }

    /** The relay's CA certificate given at login with --ca-file, kept for every later command. */
    Path caFile() {
        return dir.resolve("relay-ca.pem");
    }

    /** Remembers (or, with null, forgets) the CA that signs the relay's certificate. */
    void saveCa(Path pemFile) throws IOException {
        if (pemFile == null) {
            Files.deleteIfExists(caFile());
            return;
        }
        KeyFiles.writePrivate(caFile(), Files.readAllBytes(pemFile));
    }

    /** An SSL context trusting the remembered CA, or null for the system's trusted CAs. */
    javax.net.ssl.SSLContext trustedCa() {
        return Files.exists(caFile()) ? readCa(caFile()) : null;
    }

    /** Reads a CA file with a CLI error that names the file and says what is wrong with it. */
    static javax.net.ssl.SSLContext readCa(Path pemFile) {
        try {
            return devicetunnel.protocol.TlsTrust.sslContext(pemFile);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CliException(CliException.USAGE, "no such CA file: " + pemFile);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new CliException(CliException.USAGE, "cannot use " + pemFile + " as the relay's CA: " + e.getMessage());
        }
    }

    private Path sessionFile() {
        return dir.resolve("session.json");
    }

    void saveSession(Session session) throws IOException {
        KeyFiles.writePrivate(sessionFile(), MAPPER.writeValueAsBytes(session));
    }

    /** The saved login, or a "log in first" error. */
    Session session() {
        Path file = sessionFile();
        if (!Files.exists(file)) {
            throw new CliException(CliException.NOT_LOGGED_IN, "not logged in; run: devtunnel login --relay URL --username NAME");
        }
        try {
            return MAPPER.readValue(file.toFile(), Session.class);
        } catch (IOException e) {
            throw new CliException(CliException.NOT_LOGGED_IN, "cannot read " + file + "; log in again");
        }
    }

    /** Writes a file only the operator can read, atomically. */
    void writePrivate(Path file, String text) throws IOException {
        KeyFiles.writePrivate(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
