package devicetunnel.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.io.resource.PathResource;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Ed25519 key pairs in OpenSSH private key files, generated on first start and written with mode
 * 0600 (the device's host key, the relay's client key), plus random secrets kept the same way.
 */
public final class KeyFiles {
    private KeyFiles() {}

    public static KeyPair loadOrCreate(Path keyFile) throws IOException {
        if (Files.exists(keyFile)) {
            return load(keyFile);
        }
        KeyPair keyPair = generate();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, "device-tunnel", null, out);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode key " + keyFile, e);
        }
        writePrivate(keyFile, out.toByteArray());
        return keyPair;
    }

    /** Reads a secret file, or creates it (mode 0600) with {@code generator}'s text on first start. */
    public static String readOrCreateSecret(Path file, java.util.function.Supplier<String> generator) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        String secret = generator.get();
        writePrivate(file, (secret + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return secret;
    }

    /**
     * Writes a file readable by its owner only, atomically, creating the directory (0700) if needed.
     * The content is forced to disk before the rename and the rename before returning, so a crash
     * leaves either the old file or the new one, never a torn or empty one (the agent's pinned keys
     * live in such a file).
     */
    public static void writePrivate(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.exists(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (java.nio.channels.FileChannel directory = java.nio.channels.FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true); // the rename itself is durable only once the directory is
        } catch (IOException e) {
            // some file systems cannot open a directory for sync; the content itself is on disk
        }
    }

    public static KeyPair generate() {
        try {
            // JDK-made Ed25519 keys are not accepted by SSHD's EdDSA support: go through KeyUtils.
            return KeyUtils.generateKeyPair("ssh-ed25519", 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 unavailable", e);
        }
    }

    public static KeyPair load(Path keyFile) throws IOException {
        try (InputStream in = Files.newInputStream(keyFile)) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, new PathResource(keyFile), in, null);
            Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
            if (it == null || !it.hasNext()) {
                throw new IOException("no key in " + keyFile);
            }
            return it.next();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read key " + keyFile, e);
        }
    }
}
