package devicetunnel.relay.cli;

import devicetunnel.relay.auth.PasswordHasher;
import devicetunnel.relay.store.Database;
import devicetunnel.relay.store.Labels;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import java.io.Console;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage operator accounts.",
        subcommands = {UserCommand.Add.class, UserCommand.Passwd.class, UserCommand.Remove.class, UserCommand.ListUsers.class,
                UserCommand.ResetMfa.class})
final class UserCommand {

    /** "No enum constant devicetunnel.relay.store.User.Role.X" is Java's, not an answer. */
    static User.Role parseRole(String role) {
        try {
            return User.Role.valueOf(role.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role " + role + ": use admin, operator or viewer");
        }
    }

    static char[] readPassword(Path file) throws Exception {
        if (file != null) {
            String password = Files.readString(file).strip();
            if (password.length() < 8) {
                throw new IllegalArgumentException("password must have at least 8 characters");
            }
            return password.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("no terminal to prompt on: pass --password-file");
        }
        char[] first = console.readPassword("New password: ");
        char[] second = console.readPassword("Again: ");
        if (first == null || !java.util.Arrays.equals(first, second)) {
            throw new IllegalArgumentException("passwords differ");
        }
        if (first.length < 8) {
            throw new IllegalArgumentException("password must have at least 8 characters");
        }
        return first;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add an operator.")
    static final class Add implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0", description = "User name.") String username;
        @Option(names = "--role", defaultValue = "operator", description = "admin, operator or viewer. Default: ${DEFAULT-VALUE}.") String role;
        @Option(names = "--labels", defaultValue = "", description = "Only devices with these labels, e.g. env=lab.") String labels;
        @Option(names = "--password-file", description = "File holding the password (else prompts).") Path passwordFile;
        @Option(names = "--if-missing", description = "Succeed without changes when the user exists.") boolean ifMissing;

        @Override
        public Integer call() throws Exception {
            User.Role parsedRole = parseRole(role);
            try (Database db = store.open()) {
                UserStore users = new UserStore(db.dataSource());
                if (users.find(username).isPresent()) {
                    if (ifMissing) {
                        return 0;
                    }
                    System.err.println("user " + username + " exists");
                    return 3;
                }
                String hash = new PasswordHasher().hash(readPassword(passwordFile));
                users.add(new User(username, hash, parsedRole, Labels.parse(labels)));
                System.out.println("added " + parsedRole.name().toLowerCase(Locale.ROOT) + " " + username);
                return 0;
            }
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Set an operator's password.")
    static final class Passwd implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0") String username;
        @Option(names = "--password-file", description = "File holding the password (else prompts).") Path passwordFile;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                boolean ok = new UserStore(db.dataSource()).setPasswordHash(username, new PasswordHasher().hash(readPassword(passwordFile)));
                System.err.println(ok ? "password changed" : "no such user " + username);
                return ok ? 0 : 3;
            }
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an operator; their tokens stop working at once.")
    static final class Remove implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0") String username;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                boolean ok = new UserStore(db.dataSource()).remove(username);
                System.err.println(ok ? "removed " + username : "no such user " + username);
                return ok ? 0 : 3;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List operators.")
    static final class ListUsers implements Callable<Integer> {
        @Mixin StoreOptions store;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                for (User u : new UserStore(db.dataSource()).list()) {
                    System.out.println(u.username() + "\t" + u.role().name().toLowerCase(Locale.ROOT) + "\t" + Labels.format(u.allowedLabels()));
                }
                return 0;
            }
        }
    }

    @Command(name = "reset-mfa", mixinStandardHelpOptions = true,
            description = "Remove an operator's authenticator, recovery codes and passkeys (lost device); audited.")
    static final class ResetMfa implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0") String username;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                boolean ok = new devicetunnel.relay.store.TotpStore(db.dataSource()).remove(username);
                if (ok) {
                    new devicetunnel.relay.store.AuditLog(db.dataSource()).record("mfa.totp.removed", "relay-cli", null, null,
                            null, "account=" + username + " (reset-mfa)");
                }
                int passkeys = new devicetunnel.relay.store.PasskeyStore(db.dataSource()).removeAll(username);
                if (passkeys > 0) {
                    new devicetunnel.relay.store.AuditLog(db.dataSource()).record("mfa.passkey.removed", "relay-cli", null,
                            null, null, "account=" + username + " (reset-mfa, " + passkeys + " passkeys)");
                }
                System.err.println(ok || passkeys > 0 ? "removed the second factors of " + username + " (authenticator app: "
                        + (ok ? "yes" : "none") + ", passkeys: " + passkeys + ")" : username + " has no second factor");
                return ok || passkeys > 0 ? 0 : 3;
            }
        }
    }
}
