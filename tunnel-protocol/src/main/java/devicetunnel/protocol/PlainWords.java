package devicetunnel.protocol;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The last line of defence of every command line (relay, agent, devtunnel): an exception that
 * reached the top becomes one sentence. The JDK's file errors carry only the path as their message
 * ("relay-server: /etc/x"), so they are named here; anything else keeps its own message, which our
 * code writes for people.
 */
public final class PlainWords {
    private PlainWords() {}

    public static String of(Throwable e) {
        if (e instanceof UncheckedIOException unchecked && unchecked.getCause() != null) {
            return of(unchecked.getCause());
        }
        if (e instanceof NoSuchFileException f) {
            return "no such file or directory: " + f.getFile();
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        if (e instanceof FileAlreadyExistsException f) {
            return "already exists: " + f.getFile();
        }
        if (e instanceof NotDirectoryException f) {
            return "not a directory: " + f.getFile();
        }
        if (e instanceof DirectoryNotEmptyException f) {
            return "directory not empty: " + f.getFile();
        }
        if (e instanceof FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : "file system error");
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return "unexpected error (" + e.getClass().getSimpleName() + ")";
        }
        return message;
    }
}
