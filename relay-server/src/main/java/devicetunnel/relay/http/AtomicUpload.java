package devicetunnel.relay.http;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an upload is written: a temporary name beside the target, renamed over it only once the
 * whole body arrived. A cancelled upload removes the temporary file and never touches a file that
 * was already at the target path. The rename is atomic where the device offers OpenSSH's
 * posix-rename (MINA and OpenSSH do); otherwise the old file is removed just before the rename.
 */
final class AtomicUpload {
    private static final Logger log = LoggerFactory.getLogger(AtomicUpload.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SftpClient sftp;
    private final String target;
    private final String temporary;

    AtomicUpload(SftpClient sftp, String target) {
        this.sftp = sftp;
        this.target = target;
        int slash = target.lastIndexOf('/');
        byte[] nonce = new byte[6];
        RANDOM.nextBytes(nonce);
        // Same directory: the rename stays on one file system. A dot name keeps it out of plain listings.
        this.temporary = target.substring(0, slash + 1) + "." + target.substring(slash + 1) + ".devtunnel-"
                + HexFormat.of().formatHex(nonce) + ".part";
    }

    String temporaryPath() {
        return temporary;
    }

    /** The upload arrived whole: the temporary file takes the target's name. */
    void commit() throws IOException {
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        if (posix != null && posix.isSupported()) {
            posix.posixRename(temporary, target);
            return;
        }
        try {
            sftp.remove(target);
        } catch (IOException e) {
            // nothing there yet (or not removable: the rename below reports it)
        }
        sftp.rename(temporary, target);
    }

    /** The upload failed: drop the temporary file; the target is as it was. */
    void abandon() {
        try {
            sftp.remove(temporary);
        } catch (IOException e) {
            log.warn("could not remove a partial upload on the device: {}", e.getMessage());
        }
    }
}
