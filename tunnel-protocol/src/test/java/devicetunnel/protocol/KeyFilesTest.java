package devicetunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class KeyFilesTest {
    @TempDir
    Path dir;

    @Test
    void aKeyIsCreatedOnceOwnerOnlyAndTheSameKeyLoadsAfterwards() throws Exception {
        Path file = dir.resolve("state/host_ed25519");
        KeyPair created = KeyFiles.loadOrCreate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        KeyPair loaded = KeyFiles.loadOrCreate(file);
        assertThat(loaded.getPublic()).isEqualTo(created.getPublic());
    }

    @Test
    void aSecretIsGeneratedOnceAndReadBackWithoutItsNewline() throws Exception {
        Path file = dir.resolve("jwt.secret");
        String first = KeyFiles.readOrCreateSecret(file, () -> "s3cret");
        String again = KeyFiles.readOrCreateSecret(file, () -> "other");
        assertThat(first).isEqualTo("s3cret");
        assertThat(again).isEqualTo("s3cret");
    }

    @Test
    void aRewriteReplacesTheFileWholeAndLeavesNoTemporaryBehind() throws Exception {
        Path file = dir.resolve("pins.json");
        KeyFiles.writePrivate(file, "old".getBytes());
        KeyFiles.writePrivate(file, "new".getBytes());
        assertThat(Files.readString(file)).isEqualTo("new");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("pins.json");
        }
    }
}
