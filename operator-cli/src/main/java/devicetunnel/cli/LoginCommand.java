package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Console;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code devtunnel login}: exchanges a username and password (and a code from the authenticator, when
 * the account has one) for a relay token, signs in through the relay's single sign-on ({@code --sso}),
 * or takes an API token from {@code --token-file}; any of them is kept 0600 in the config dir.
 */
@Command(name = "login", mixinStandardHelpOptions = true, description = "Log in to a relay.")
final class LoginCommand implements Callable<Integer> {
    @ParentCommand
    DevtunnelMain main;

    @Spec
    CommandSpec spec;

    @Option(names = "--relay", required = true, defaultValue = "${env:DEVTUNNEL_RELAY}",
            description = "Relay base URL, e.g. https://relay.example.com (env DEVTUNNEL_RELAY).")
    String relay;

    @Option(names = "--username", defaultValue = "${env:DEVTUNNEL_USERNAME}",
            description = "Your relay username (env DEVTUNNEL_USERNAME). Not with --token-file.")
    String username;

    @Option(names = "--token-file", defaultValue = "${env:DEVTUNNEL_TOKEN_FILE}",
            description = "File holding an API token (dtk_...) to use instead of a password (env DEVTUNNEL_TOKEN_FILE), "
                    + "for automation.")
    Path tokenFile;

    @Option(names = "--password-file", defaultValue = "${env:DEVTUNNEL_PASSWORD_FILE}",
            description = "File holding your password (env DEVTUNNEL_PASSWORD_FILE). Default: ask on the terminal.")
    Path passwordFile;

    @Option(names = "--ca-file", defaultValue = "${env:DEVTUNNEL_CA_FILE}",
            description = "PEM file with the CA certificate(s) that sign the relay's TLS certificate, for a private "
                    + "or self-signed CA (env DEVTUNNEL_CA_FILE). Remembered for later commands. Default: system trust.")
    Path caFile;

    @Option(names = "--sso", description = "Sign in through the relay's single sign-on in a browser (prints the URL; "
            + "opens it with --browser).")
    boolean sso;

    @Option(names = "--step-up", description = "With --sso: ask the identity provider for a fresh sign-in (prompt=login), "
            + "for devices that need a recently confirmed second factor.")
    boolean stepUp;

    @Option(names = "--browser", defaultValue = "${env:BROWSER}",
            description = "Program that opens the sign-in URL for --sso (env BROWSER). Default: only print the URL.")
    String browser;

    @Option(names = "--allow-plain-http", description = "Allow an http:// URL to a remote relay (behind a TLS proxy only).")
    boolean allowPlainHttp;

    @Override
    public Integer call() throws Exception {
        ConfigDir config = main.config();
        RelayClient client = new RelayClient(RelayClient.parseRelay(relay, allowPlainHttp),
                caFile == null ? null : ConfigDir.readCa(caFile));
        if (stepUp && !sso) {
            throw new CliException(CliException.USAGE, "--step-up goes with --sso (a password login asks for your second factor anyway)");
        }
        Session session = sso ? withSso(client) : tokenFile != null ? fromTokenFile(client) : withPassword(client);
        config.saveSession(session);
        config.saveCa(caFile); // trusted for this relay from now on; a login without it goes back to system trust
        new OperatorCertificate(config).key(); // the SSH key the relay will certify, made once
        spec.commandLine().getOut().println("logged in to " + relay + " as " + session.username() + " until "
                + session.expiresAt());
        return 0;
    }

    private Session withSso(RelayClient client) throws java.io.IOException {
        if (username != null || tokenFile != null) {
            throw new CliException(CliException.USAGE, "--sso takes neither --username nor --token-file (the provider says who you are)");
        }
        JsonNode answer = new SsoLogin(client, RelayClient.parseRelay(relay, allowPlainHttp), browser,
                spec.commandLine().getErr()).run(stepUp);
        return new Session(relay, answer.path("username").asText(), answer.path("token").asText(),
                answer.path("expiresAt").asText());
    }

    /** Checks the API token with the relay (who owns it, until when) before keeping it. */
    private Session fromTokenFile(RelayClient client) throws java.io.IOException {
        if (username != null) {
            throw new CliException(CliException.USAGE, "--token-file and --username do not go together (the token names its owner)");
        }
        String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new CliException(CliException.USAGE, "the token file " + tokenFile + " is empty");
        }
        JsonNode me = client.me(token);
        return new Session(relay, me.path("username").asText(), token, me.path("expiresAt").asText());
    }

    private Session withPassword(RelayClient client) throws java.io.IOException {
        if (username == null) {
            throw new CliException(CliException.USAGE, "give --username (or --token-file)");
        }
        char[] password = password();
        JsonNode answer;
        try {
            answer = client.login(username, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        if (answer.path("mfaRequired").asBoolean(false)) {
            answer = client.secondFactor(answer.path("mfaToken").asText(), code());
        }
        return new Session(relay, username, answer.path("token").asText(), answer.path("expiresAt").asText());
    }

    /** A code from the authenticator app (or a recovery code), asked on the terminal: it changes every 30 s. */
    private String code() {
        Console console = System.console();
        if (console == null) {
            throw new CliException(CliException.USAGE, "this account has a second factor and there is no terminal to ask "
                    + "for the code; use an API token (--token-file) for automation");
        }
        String typed = console.readLine("Code from your authenticator app (or a recovery code): ");
        if (typed == null || typed.isBlank()) {
            throw new CliException(CliException.USAGE, "no code given");
        }
        return typed.strip();
    }

    private char[] password() throws java.io.IOException {
        if (passwordFile != null) {
            return Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new CliException(CliException.USAGE, "no terminal to ask for the password; use --password-file");
        }
        char[] typed = console.readPassword("Password for %s at %s: ", username, relay);
        if (typed == null || typed.length == 0) {
            throw new CliException(CliException.USAGE, "no password given");
        }
        return typed;
    }
}
