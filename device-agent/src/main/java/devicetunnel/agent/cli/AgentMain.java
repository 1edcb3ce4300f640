package devicetunnel.agent.cli;

import devicetunnel.agent.Agent;
import devicetunnel.agent.DeviceAgent;
import devicetunnel.protocol.logging.LogSetup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar device-agent.jar --relay URL --device-id ID [--enrollment-token-file F]}, plus the
 * subcommands {@code status}, {@code install} and {@code uninstall}.
 *
 * <p>Threads: registers one shutdown hook that closes the agent.
 */
@Command(name = "device-agent", mixinStandardHelpOptions = true, version = Agent.VERSION,
        description = "Keeps an outbound link to a device-tunnel relay and serves SSH sessions through it.",
        footer = "Every option can also be set by the environment variable shown as its default.",
        subcommands = {StatusCommand.class, InstallCommand.class, UninstallCommand.class})
public final class AgentMain implements Callable<Integer> {

    // Required for running the agent, checked in call(): picocli would demand them for the subcommands too.
    @Option(names = "--relay", defaultValue = "${env:DT_RELAY}",
            description = "Relay base URL, e.g. https://relay.example.com (env DT_RELAY).")
    String relay;

    @Option(names = "--device-id", defaultValue = "${env:DT_DEVICE_ID}",
            description = "The id this device enrolls and connects under (env DT_DEVICE_ID).")
    String deviceId;

    @Option(names = "--enrollment-token-file", defaultValue = "${env:DT_ENROLLMENT_TOKEN_FILE}",
            description = "File holding an enrollment token from the relay's admin (env DT_ENROLLMENT_TOKEN_FILE). "
                    + "Read only until the device is enrolled; afterwards the device proves itself with its host key.")
    Path enrollmentTokenFile;

    @Option(names = "--state-dir", defaultValue = "${env:DT_STATE_DIR:-agent-state}",
            description = "Directory for the host key and the enrollment record (created 0700; files 0600). Default: ${DEFAULT-VALUE}.")
    Path stateDir;

    @Option(names = "--ca-file", defaultValue = "${env:DT_CA_FILE}",
            description = "PEM file with the CA certificate(s) to trust for the relay's TLS certificate (env DT_CA_FILE).")
    Path caFile;

    @Option(names = "--allow-plain-http", defaultValue = "${env:DT_ALLOW_PLAIN_HTTP:-false}",
            description = "Allow an http:// relay URL on a non-loopback host (only behind a TLS-terminating proxy).")
    boolean allowPlainHttp;

    @Option(names = "--shell", defaultValue = "${env:DT_SHELL}",
            description = "Shell to run for sessions. Default: the login shell of the session user (see --shell-user).")
    String shell;

    @Option(names = "--shell-user", defaultValue = "${env:DT_SHELL_USER}",
            description = "Run every session (shell, exec, SFTP) as this user: its uid, gid and groups, its passwd "
                    + "environment, its home as working directory (env DT_SHELL_USER). Needs an agent running as root. "
                    + "Default: sessions run as the agent's own user.")
    String shellUser;

    @Option(names = "--allow-forwarding", defaultValue = "${env:DT_ALLOW_FORWARDING:-false}",
            description = "Allow SSH port forwarding through this device; it happens only when the relay's per-device "
                    + "switch allows it too (the device owner keeps a veto). Default: ${DEFAULT-VALUE}.")
    boolean allowForwarding;

    @Option(names = "--web-apps", negatable = true, defaultValue = "${env:DT_WEB_APPS:-true}", fallbackValue = "true",
            description = "Let operators open this device's loopback HTTP services (web apps) through the relay when "
                    + "its per-device switch allows it; --no-web-apps is the device owner's veto. Default: ${DEFAULT-VALUE}.")
    boolean webApps;

    @Option(names = "--gateway-ports", defaultValue = "${env:DT_GATEWAY_PORTS:-false}",
            description = "Let remote forwards (ssh -R) listen on addresses other than loopback, e.g. 0.0.0.0 "
                    + "(like OpenSSH's GatewayPorts). Default: ${DEFAULT-VALUE}.")
    boolean gatewayPorts;

    @Option(names = "--max-streams", defaultValue = "${env:DT_MAX_STREAMS:-32}",
            description = "Most SSH streams open (or opening) at once; further requests from the relay are refused "
                    + "and logged once per burst. Default: ${DEFAULT-VALUE}.")
    int maxStreams;

    @Option(names = "--shell-grace", defaultValue = "${env:DT_SHELL_GRACE:-90s}", converter = DurationConverter.class,
            description = "How long a terminal session's shell waits for a relay to resume it after the relay's "
                    + "connection dropped (a relay died or restarted); then it ends (default: ${DEFAULT-VALUE}).")
    Duration shellGrace;

    @Option(names = "--reconnect-max", defaultValue = "${env:DT_RECONNECT_MAX:-60s}", converter = DurationConverter.class,
            description = "Cap of the reconnect backoff, e.g. 60s, 2m. Default: ${DEFAULT-VALUE}.")
    Duration reconnectMax;

    @Option(names = "--connect-timeout", defaultValue = "${env:DT_CONNECT_TIMEOUT:-10s}", converter = DurationConverter.class,
            description = "Timeout for connecting to the relay. Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(names = "--stream-hosts", split = ",", defaultValue = "${env:DT_STREAM_HOSTS}",
            description = "Hosts besides the --relay host that session streams may be opened to when a relay cluster "
                    + "asks for it (its sibling relays' advertised hosts): exact names or *.suffix (env DT_STREAM_HOSTS). "
                    + "Same scheme as --relay only.")
    List<String> streamHosts;

    @Option(names = "--log-format", defaultValue = "${env:DT_LOG_FORMAT:-text}",
            description = "text, or json: one object a line (time, level, logger, message, device). Default: ${DEFAULT-VALUE}.")
    String logFormat;

    @Option(names = "--log-levels", defaultValue = "${env:DT_LOG_LEVELS}",
            description = "Levels per logger, e.g. devicetunnel.agent.link=debug,org.apache.sshd=warn (env DT_LOG_LEVELS).")
    String logLevels;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (relay == null || deviceId == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option" + (relay == null && deviceId == null
                    ? "s: '--relay', '--device-id'" : relay == null ? ": '--relay'" : ": '--device-id'"));
        }
        LogSetup.apply(LogSetup.Format.parse(logFormat), logLevels,
                "device", deviceId);
        DeviceAgent.Builder builder = DeviceAgent.builder()
                .relay(relay).allowPlainHttp(allowPlainHttp)
                .deviceId(deviceId)
                .enrollmentTokenFile(enrollmentTokenFile)
                .stateDir(stateDir)
                .shell(shell)
                .sessionUser(shellUser)
                .allowForwarding(allowForwarding).gatewayPorts(gatewayPorts).webApps(webApps)
                .connectTimeout(connectTimeout)
                .reconnectBackoff(Duration.ofMillis(500), reconnectMax)
                .maxStreams(maxStreams)
                .shellGrace(shellGrace)
                .streamHosts(streamHosts == null ? List.of() : streamHosts);
        if (caFile != null) {
            builder.trustedCaFile(caFile);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        DeviceAgent agent = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                agent.close();
            } catch (Exception e) {
                // exiting anyway
            }
            stopped.countDown();
        }, "agent-shutdown"));
        stopped.await();
        return 0;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The agent's command line with its subcommands; failures end in one plain line and exit code 2 (bad input) or 1. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new AgentMain());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("device-agent: " + devicetunnel.protocol.PlainWords.of(e));
            return e instanceof IllegalArgumentException || e instanceof java.io.IOException ? 2 : 1;
        });
        return cli;
    }
}
