package devicetunnel.relay.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The relay's state directory and the files in it, private to the relay's user. Created with their
 * final modes (never created open under umask 022 and narrowed afterwards), so there is no moment
 * in which another user could open them.
 */
public final class StateDir {
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private StateDir() {}

    /** Creates {@code dir} (and parents) as 0700, narrows an existing one, and checks it is writable. */
    public static Path prepare(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR));
            }
            if (!Files.isWritable(dir)) { // also true for root on a read-only mount
                throw notWritable(dir);
            }
            Files.setPosixFilePermissions(dir, DIR);
        } catch (AccessDeniedException | java.nio.file.ReadOnlyFileSystemException e) {
            throw notWritable(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the state directory " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    /** Creates an empty 0600 file unless it exists (then narrows its mode). SQLite's -wal/-shm inherit it. */
    public static void privateFile(Path file) {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
        } catch (FileAlreadyExistsException e) {
            try {
                Files.setPosixFilePermissions(file, FILE);
            } catch (IOException ex) {
                throw new IllegalStateException("cannot make " + file + " private (0600): " + ex.getMessage(), ex);
            }
        } catch (AccessDeniedException e) {
            throw notWritable(file.getParent());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + file + ": " + e.getMessage(), e);
        }
    }

    private static IllegalStateException notWritable(Path dir) {
        return new IllegalStateException("the state directory " + dir + " is not writable by this user "
                + "(run the relay as the directory's owner, or fix its ownership)");
    }
}
