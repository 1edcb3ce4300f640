package devicetunnel.relay.cli;

import devicetunnel.relay.store.Database;
import devicetunnel.relay.store.SqliteFiles;
import devicetunnel.relay.store.StoreBackup;
import devicetunnel.relay.store.StoreCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code relay-server db check | backup FILE | restore FILE}: see docs/OPERATIONS.md. */
@Command(name = "db", mixinStandardHelpOptions = true, description = "Check, back up and restore the relay's store.",
        subcommands = {DbCommand.Check.class, DbCommand.Backup.class, DbCommand.Restore.class})
final class DbCommand {
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Integrity check, migrations and tables; exit 0 when sound, 1 with the problems. "
                    + "Safe while the relay runs.")
    static final class Check implements Callable<Integer> {
        @Mixin StoreOptions store;

        @Override
        public Integer call() throws Exception {
            if (store.embedded() && Files.exists(SqliteFiles.db(store.stateDir))) {
                // the file first, on its own connection: a damaged one may not even open a pool
                List<String> damage = StoreCheck.integrity(SqliteFiles.db(store.stateDir));
                if (!damage.isEmpty()) {
                    return report(damage);
                }
            }
            try (Database db = store.openForReading()) {
                return report(StoreCheck.problems(db));
            }
        }

        private static int report(List<String> problems) {
            if (problems.isEmpty()) {
                System.out.println("store OK");
                return 0;
            }
            problems.forEach(p -> System.out.println("problem: " + p));
            System.out.println("to repair: relay-server db restore FILE (a backup; see docs/OPERATIONS.md)");
            return 1;
        }
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = "Write a consistent copy of the embedded store to FILE (mode 0600). Safe while the relay runs.")
    static final class Backup implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0", paramLabel = "FILE") Path file;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.openForReading()) {
                StoreBackup.backup(db, file);
            }
            System.out.println("backup written: " + file);
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Replace the embedded store with the backup FILE (the replaced one is kept, renamed). "
                    + "Refused while a relay runs on the state directory.")
    static final class Restore implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0", paramLabel = "FILE") Path file;

        @Override
        public Integer call() {
            if (!store.embedded()) {
                throw new IllegalArgumentException("restore is for the embedded store; restore PostgreSQL with pg_restore");
            }
            Path kept = StoreBackup.restore(store.stateDir, file);
            System.out.println("restored " + file + (kept == null ? "" : "; the replaced store is kept as " + kept));
            return 0;
        }
    }
}
