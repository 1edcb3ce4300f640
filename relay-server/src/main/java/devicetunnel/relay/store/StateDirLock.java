package devicetunnel.relay.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process at a time owns a state directory: the relay, or a CLI command that writes. An OS
 * file lock (not a pid file) so a relay killed with SIGKILL leaves no stale lock behind. SQLite
 * would let two writers take turns, but two relays on one directory would each think they hold
 * every device's link, and a restore under a running relay would pull the file from under it.
 */
public final class StateDirLock implements AutoCloseable {
    static final String FILE = "relay.lock";
    private final FileChannel channel;
    private final FileLock lock;

    private StateDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or refuses at once with {@link StoreErrors#IN_USE}. */
    public static StateDirLock acquire(Path stateDir) {
        Path file = stateDir.resolve(FILE);
        StateDir.privateFile(file);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new StoreInUseException();
            }
            return new StateDirLock(channel, lock);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            close(channel);
            throw new StoreInUseException(); // this very JVM holds it (tests run relays in-process)
        } catch (IOException e) {
            close(channel);
            throw new IllegalStateException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static void close(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // nothing held
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it anyway
        }
        close(channel);
    }

    /** Another relay or command holds the state directory. */
    public static final class StoreInUseException extends IllegalStateException {
        StoreInUseException() {
            super(StoreErrors.IN_USE);
        }
    }
}
