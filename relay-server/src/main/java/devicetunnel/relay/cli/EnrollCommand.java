package devicetunnel.relay.cli;

import devicetunnel.protocol.KeyFiles;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.auth.SecretTokens;
import devicetunnel.relay.store.Database;
import devicetunnel.relay.store.EnrollmentStore;
import devicetunnel.relay.store.EnrollmentToken;
import devicetunnel.relay.store.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code relay-server enroll create|list|revoke}: tokens devices present once to enroll. */
@Command(name = "enroll", mixinStandardHelpOptions = true, description = "Manage device enrollment tokens.",
        subcommands = {EnrollCommand.Create.class, EnrollCommand.ListTokens.class, EnrollCommand.Revoke.class})
final class EnrollCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an enrollment token and write it to --token-file (mode 0600). If the file already "
                    + "holds a token the relay knows, nothing changes (so scripts may run this every time).")
    static final class Create implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Option(names = "--token-file", required = true, description = "Where to write the token (never printed).") Path tokenFile;
        @ArgGroup(exclusive = true) Uses uses = new Uses();
        @Option(names = "--expires", defaultValue = "1h", converter = DurationConverter.class,
                description = "How long the token can be used, e.g. 1h, 7d. Default: ${DEFAULT-VALUE}.") Duration expires;
        @Option(names = "--auto-accept", description = "Devices enrolling with it are accepted at once (else pending).") boolean autoAccept;
        @Option(names = "--labels", defaultValue = "", description = "Labels for devices enrolled with it, e.g. env=lab.") String labels;

        static final class Uses {
            @Option(names = "--one-time", description = "One device only (the default).") boolean oneTime;
            @Option(names = "--reusable", description = "Any number of devices until it expires.") boolean reusable;
        }

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                Enrollments enrollments = DeviceCommand.enrollments(db);
                String secret = KeyFiles.readOrCreateSecret(tokenFile, SecretTokens::generate);
                if (enrollments.findBySecret(secret).isPresent()) {
                    System.out.println("enrollment token in " + tokenFile + " already exists");
                    return 0;
                }
                EnrollmentToken token = enrollments.create(DeviceCommand.ACTOR,
                        new Enrollments.Request(uses.reusable, autoAccept, expires, Labels.parse(labels)), secret).token();
                System.out.println("created enrollment " + token.id() + " (" + (token.reusable() ? "reusable" : "one-time")
                        + (token.autoAccept() ? ", auto-accept" : "") + ", expires " + token.expiresAt() + "); token in " + tokenFile);
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List enrollment tokens (never the secrets).")
    static final class ListTokens implements Callable<Integer> {
        @Mixin StoreOptions store;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                for (EnrollmentToken t : new EnrollmentStore(db.dataSource()).list()) {
                    System.out.println(t.id() + "\t" + (t.reusable() ? "reusable" : "one-time") + "\t"
                            + (t.autoAccept() ? "auto-accept" : "manual") + "\t" + t.expiresAt() + "\tuses=" + t.uses()
                            + "\t" + (t.usableAt(Instant.now()) ? "usable" : "unusable") + "\t" + Labels.format(t.labels()));
                }
                return 0;
            }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an enrollment token by id.")
    static final class Revoke implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                boolean ok = new EnrollmentStore(db.dataSource()).revoke(id);
                System.err.println(ok ? "revoked " + id : "no such enrollment token " + id);
                return ok ? 0 : 3;
            }
        }
    }
}
