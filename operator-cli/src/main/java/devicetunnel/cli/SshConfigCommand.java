package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code devtunnel ssh-config}: the OpenSSH configuration that makes {@code ssh user@DEVICE.devtunnel}
 * (and scp, sftp, -L/-R/-D) go through the relay. It pins every device's host key, as the relay
 * has it on record, in a known_hosts file of its own, with strict checking; writes the block to
 * {@code ssh_config} in the config dir (for an {@code Include}) and prints it.
 */
@Command(name = "ssh-config", mixinStandardHelpOptions = true,
        description = "Print (and write to the config dir) the OpenSSH config for DEVICE.devtunnel hosts.")
final class SshConfigCommand implements Callable<Integer> {
    @ParentCommand
    DevtunnelMain main;

    @Spec
    CommandSpec spec;

    @Option(names = "--command", defaultValue = "${env:DEVTUNNEL_COMMAND:-devtunnel}",
            description = "How ssh should run this CLI (env DEVTUNNEL_COMMAND, set by bin/devtunnel). Default: ${DEFAULT-VALUE}.")
    String command;

    @Override
    public Integer call() throws Exception {
        ConfigDir config = main.config();
        Session session = config.session();
        new OperatorCertificate(config).ensureFresh(session, false);
        JsonNode devices = RelayClient.forSession(config, session).devices(session.token());
        List<String> knownHosts = knownHosts(devices);
        config.writePrivate(config.knownHostsFile(), String.join("\n", knownHosts) + (knownHosts.isEmpty() ? "" : "\n"));
        String block = block(config, session) + knownHostsComment(config, knownHosts);
        config.writePrivate(config.sshConfigFile(), block);
        PrintWriter out = spec.commandLine().getOut();
        out.print(block);
        out.flush();
        spec.commandLine().getErr().println("# written to " + config.sshConfigFile()
                + "; add 'Include " + config.sshConfigFile() + "' at the top of ~/.ssh/config");
        return 0;
    }

    /** One known_hosts line per device with a pinned key: {@code DEVICE.devtunnel TYPE BASE64}. */
    static List<String> knownHosts(JsonNode devices) {
        List<String> lines = new ArrayList<>();
        for (JsonNode device : devices) {
            String key = device.path("hostKey").asText("");
            String[] fields = key.strip().split("\\s+");
            if (fields.length >= 2) {
                lines.add(device.path("id").asText() + ProxyCommand.HOST_SUFFIX + " " + fields[0] + " " + fields[1]);
            }
        }
        return lines;
    }

    private String block(ConfigDir config, Session session) {
        String cli = shellQuote(command) + " --config-dir " + shellQuote(config.path().toString());
        return "# device-tunnel: devices as DEVICE.devtunnel through " + session.relay() + "\n"
                // Runs before ssh reads the certificate (ProxyCommand runs too late for that).
                + "Match host *" + ProxyCommand.HOST_SUFFIX + " exec \"" + cli + " cert --quiet\"\n"
                + "Host *" + ProxyCommand.HOST_SUFFIX + "\n"
                + "    User " + session.username() + "\n"
                + "    ProxyCommand " + cli + " proxy %h\n"
                + "    IdentityFile \"" + config.identityFile() + "\"\n"
                + "    CertificateFile \"" + config.certificateFile() + "\"\n"
                + "    IdentitiesOnly yes\n"
                + "    UserKnownHostsFile \"" + config.knownHostsFile() + "\"\n"
                + "    StrictHostKeyChecking yes\n"
                + "    ForwardAgent no\n"
                + "    ForwardX11 no\n";
    }

    private static String knownHostsComment(ConfigDir config, List<String> knownHosts) {
        StringBuilder text = new StringBuilder("# Host keys pinned in " + config.knownHostsFile() + ":\n");
        for (String line : knownHosts) {
            text.append("#   ").append(line).append('\n');
        }
        return text.toString();
    }

    /** Single-quotes a word for the shell that runs ProxyCommand and Match exec. */
    static String shellQuote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
