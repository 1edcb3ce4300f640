package devicetunnel.cli;

import devicetunnel.protocol.Protocol;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code devtunnel proxy DEVICE}: OpenSSH's {@code ProxyCommand}. Carries the raw SSH bytes on
 * stdin/stdout over the relay's native websocket to the device's SSH server; the relay sees
 * ciphertext only. Errors go to stderr, which ssh shows the user.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = "Carry an SSH connection to DEVICE over stdin/stdout (use as OpenSSH's ProxyCommand).")
final class ProxyCommand implements Callable<Integer> {
    static final String HOST_SUFFIX = ".devtunnel";

    @ParentCommand
    DevtunnelMain main;

    @Parameters(index = "0", paramLabel = "DEVICE", description = "Device id, or DEVICE.devtunnel as ssh passes %h.")
    String target;

    @Override
    public Integer call() throws Exception {
        // stdout is the SSH stream: anything else that prints there would corrupt it.
        FileOutputStream sshOut = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        String deviceId = deviceId(target);
        ConfigDir config = main.config();
        Session session = config.session();
        refreshCertificate(config, session);
        RelayClient relay = RelayClient.forSession(config, session);
        InputStream sshIn = new FileInputStream(FileDescriptor.in);
        try {
            return new WebSocketPipe(relay.http(), relay.websocket("/api/v1/devices/" + deviceId + "/ssh"), session.token())
                    .run(sshIn, sshOut);
        } catch (CliException refused) {
            throw relay.explain(refused, session.token(), deviceId);
        }
    }

    static String deviceId(String host) {
        String id = host.endsWith(HOST_SUFFIX) ? host.substring(0, host.length() - HOST_SUFFIX.length()) : host;
        if (!Protocol.isValidDeviceId(id)) {
            throw new CliException(CliException.USAGE, "not a device id: " + host);
        }
        return id;
    }

    /**
     * OpenSSH has usually read the certificate by now, so this mostly serves the next connection;
     * {@code devtunnel cert} in the generated ssh config is what keeps the current one fresh.
     */
    private static void refreshCertificate(ConfigDir config, Session session) {
        try {
            new OperatorCertificate(config).ensureFresh(session, false);
        } catch (CliException | IOException e) {
            System.err.println("devtunnel: could not refresh the SSH certificate: " + e.getMessage());
        }
    }
}
