package devicetunnel.relay.cli;

import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Database;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceFeatureStore;
import devicetunnel.relay.store.DeviceStore;
import devicetunnel.relay.store.EnrollmentStore;
import devicetunnel.relay.store.Labels;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code relay-server device list|accept|revoke|remove}. Devices come in by enrollment (see
 * {@code enroll create}). A running relay notices revocations made here within one ping interval.
 */
@Command(name = "device", mixinStandardHelpOptions = true, description = "Manage enrolled devices.",
        subcommands = {DeviceCommand.ListDevices.class, DeviceCommand.Accept.class, DeviceCommand.Revoke.class,
                DeviceCommand.Remove.class, DeviceCommand.Features.class})
final class DeviceCommand {
    static final String ACTOR = "cli";

    static Enrollments enrollments(Database db) {
        return new Enrollments(new EnrollmentStore(db.dataSource()), new DeviceStore(db.dataSource()),
                new AuditLog(db.dataSource()), Clock.systemUTC());
    }

    static int change(StoreOptions store, String id, BiFunction<Enrollments, String, Device> action) throws Exception {
        try (Database db = store.open()) {
            Device device = action.apply(enrollments(db), id);
            System.out.println(device.id() + " is " + Enrollments.status(device));
            return 0;
        } catch (devicetunnel.protocol.TunnelException e) {
            System.err.println("no such device " + id);
            return 3;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List devices: id, name, status, labels, host key.")
    static final class ListDevices implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Option(names = "--status", description = "Only devices with this status: pending, accepted or revoked.") String status;

        private static Device.Status parseStatus(String status) {
            try {
                return Device.Status.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown status " + status + ": use pending, accepted or revoked");
            }
        }

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                DeviceStore devices = new DeviceStore(db.dataSource());
                List<Device> list = status == null ? devices.list()
                        : devices.list(parseStatus(status));
                for (Device d : list) {
                    System.out.println(d.id() + "\t" + d.name() + "\t" + Enrollments.status(d)
                            + "\t" + Labels.format(d.labels()) + "\t" + (d.hostKey() == null ? "-" : d.hostKey()));
                }
                return 0;
            }
        }
    }

    @Command(name = "accept", mixinStandardHelpOptions = true, description = "Accept a pending (or revoked) device.")
    static final class Accept implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() throws Exception {
            return change(store, id, (e, d) -> e.accept(d, ACTOR));
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a device: it can no longer connect; a running relay cuts its link within a ping interval "
                    + "(POST /api/v1/devices/{id}/revoke cuts it at once).")
    static final class Revoke implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() throws Exception {
            return change(store, id, (e, d) -> e.revoke(d, ACTOR));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Forget a device (it must enroll again, e.g. after a re-install with a new host key).")
    static final class Remove implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                boolean ok = enrollments(db).remove(id, ACTOR);
                System.err.println(ok ? "removed " + id : "no such device " + id);
                return ok ? 0 : 3;
            }
        }
    }

    @Command(name = "features", mixinStandardHelpOptions = true,
            description = "Show or switch what a device offers besides the shell. A running relay pushes the change "
                    + "to the device when changed through the API (PATCH /api/v1/devices/{id}/features); "
                    + "a change made here reaches the device when it next connects.")
    static final class Features implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0") String id;
        @Option(names = "--sftp", negatable = true, description = "File transfer (SFTP, scp).") Boolean sftp;
        @Option(names = "--exec", negatable = true, description = "Non-interactive commands (ssh DEVICE cmd).") Boolean exec;
        @Option(names = "--forwarding", negatable = true,
                description = "SSH port forwarding (-L/-R/-D); the agent must also run with --allow-forwarding.") Boolean forwarding;

        @Option(names = "--web-apps", negatable = true,
                description = "Web apps: operators open the device's loopback HTTP services in the browser.") Boolean webApps;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                DeviceFeatureStore features = new DeviceFeatureStore(db.dataSource());
                DeviceFeatures current = features.find(id).orElse(null);
                if (current == null) {
                    System.err.println("no such device " + id);
                    return 3;
                }
                DeviceFeatures updated = new DeviceFeatures(sftp != null ? sftp : current.sftp(),
                        exec != null ? exec : current.exec(), forwarding != null ? forwarding : current.forwarding(),
                        webApps != null ? webApps : current.webApps());
                features.set(id, updated);
                System.out.println(id + "\tsftp=" + onOff(updated.sftp()) + "\texec=" + onOff(updated.exec())
                        + "\tforwarding=" + onOff(updated.forwarding()) + "\twebApps=" + onOff(updated.webApps()));
                return 0;
            }
        }

        private static String onOff(boolean on) {
            return on ? "on" : "off";
        }
    }
}
