import devicetunnel.agent.DeviceAgent;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A Java application on a device that embeds remote access (docs/FLEET.md, "The agent as a library").
 * Run it from the repository root after {@code make build}, as a single source file:
 *
 * <pre>
 * DT_RELAY=https://relay.example.com DT_DEVICE_ID=pump-17 DT_STATE_DIR=/var/lib/pump/agent \
 * DT_ENROLLMENT_TOKEN_FILE=/etc/pump/enroll.token \
 *   java -cp device-agent/target/device-agent-0.1.0-SNAPSHOT-all.jar examples/embedded-agent/EmbeddedAgentExample.java
 * </pre>
 *
 * Operators then find {@code pump-17} in the relay's console; its terminals run the application's
 * own console program instead of a login shell.
 */
public final class EmbeddedAgentExample {
    public static void main(String[] args) throws Exception {
        String tokenFile = System.getenv("DT_ENROLLMENT_TOKEN_FILE"); // a file: secrets never go on a command line
        DeviceAgent agent = DeviceAgent.builder()
                .relay(System.getenv("DT_RELAY"))
                .deviceId(System.getenv("DT_DEVICE_ID"))
                .stateDir(Path.of(System.getenv("DT_STATE_DIR")))
                .enrollmentTokenFile(tokenFile == null ? null : Path.of(tokenFile))
                // What a terminal session runs: here a small "console" that greets, then a plain shell.
                .terminalCommand("/bin/sh", "-c", "echo 'pump console ready'; exec /bin/sh -i")
                .webApps(false)        // the application serves no web page to operators
                .allowForwarding(false)
                .start();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                agent.close(); // the relay sees the device offline at once
            } catch (Exception e) {
                // exiting anyway
            }
            stopped.countDown();
        }));
        System.out.println("remote access started for " + agent.deviceId() + ": " + agent.linkState().link());
        stopped.await(); // the application's own work would go on here
    }
}
