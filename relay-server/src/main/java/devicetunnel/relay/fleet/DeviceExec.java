package devicetunnel.relay.fleet;

import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.ssh.DeviceSshConnector;
import devicetunnel.relay.store.Device;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;

/**
 * Runs one command on one device: an SSH exec request (no PTY, stdout and stderr apart) over the
 * relay's own connection to the device, the way file transfers reach it. Blocking; the deadline
 * covers connecting and running.
 */
final class DeviceExec {
    record Outcome(DeviceStatus status, Integer exitCode, String message) {}

    private final DeviceSshConnector connector;
    private final Duration openTimeout;

    DeviceExec(DeviceSshConnector connector, Duration openTimeout) {
        this.connector = connector;
        this.openTimeout = openTimeout;
    }

    Outcome run(FleetRun run, DeviceRun target, Device device, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        DeviceSshConnector.DeviceConnection connection;
        try {
            connection = connector.connect(run.operator(), device, min(openTimeout, timeout));
        } catch (TunnelException e) {
            return new Outcome(DeviceStatus.UNREACHABLE, null, e.getMessage());
        }
        try (connection) {
            if (!run.attach(target, connection)) {
                return new Outcome(DeviceStatus.CANCELLED, null, "cancelled");
            }
            ChannelExec channel = connection.session().createExecChannel(run.settings().command());
            channel.setOut(target.stdout());
            channel.setErr(target.stderr());
            channel.open().verify(Math.max(1, millisLeft(deadline)));
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED),
                    Math.max(1, millisLeft(deadline)));
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                return new Outcome(DeviceStatus.TIMED_OUT, null,
                        "no exit within " + run.settings().timeoutSeconds() + " s; the command was ended");
            }
            Integer exit = channel.getExitStatus();
            if (exit != null) {
                return new Outcome(exit == 0 ? DeviceStatus.SUCCEEDED : DeviceStatus.FAILED, exit,
                        exit == 0 ? null : "exit code " + exit);
            }
            String signal = channel.getExitSignal();
            return signal != null
                    ? new Outcome(DeviceStatus.FAILED, null, "ended by signal " + signal)
                    : new Outcome(DeviceStatus.UNREACHABLE, null, "the command ended without an exit status (connection lost)");
        } catch (Exception e) {
            if (millisLeft(deadline) <= 0) {
                return new Outcome(DeviceStatus.TIMED_OUT, null, "no exit within " + run.settings().timeoutSeconds() + " s");
            }
            return new Outcome(DeviceStatus.UNREACHABLE, null, "the device refused or dropped the command: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    private static long millisLeft(long deadlineNanos) {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
