package devicetunnel.relay.cli;

import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.Protocol;
import devicetunnel.relay.auth.SecretTokens;
import devicetunnel.relay.store.Database;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceFeatureStore;
import devicetunnel.relay.store.DeviceStore;
import devicetunnel.relay.store.Labels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "device", mixinStandardHelpOptions = true, description = "Manage devices.",
        subcommands = {DeviceCommand.Add.class, DeviceCommand.Remove.class, DeviceCommand.ListDevices.class,
                DeviceCommand.Features.class})
final class DeviceCommand {

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Register a device. Its token is written to --token-file (mode 0600) for the agent to read.")
    static final class Add implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0", description = "Device id: letters, digits, '.', '_' and '-'.") String id;
        @Option(names = "--name", description = "Display name. Default: the id.") String name;
        @Option(names = "--labels", defaultValue = "", description = "Labels, e.g. env=lab,site=paris.") String labels;
        @Option(names = "--token-file", required = true, description = "Where to write the new device token (an existing file is reused).") Path tokenFile;
        @Option(names = "--if-missing", description = "Succeed without changes when the device exists.") boolean ifMissing;

        @Override
        public Integer call() throws Exception {
            if (!Protocol.isValidDeviceId(id)) {
                throw new IllegalArgumentException("invalid device id '" + id + "'");
            }
            try (Database db = store.open()) {
                DeviceStore devices = new DeviceStore(db.dataSource());
                if (devices.find(id).isPresent()) {
                    if (ifMissing) {
                        return 0;
                    }
                    System.err.println("device " + id + " exists");
                    return 3;
                }
                String token = KeyFiles.readOrCreateSecret(tokenFile, SecretTokens::generate);
                devices.add(new Device(id, name == null ? id : name, Labels.parse(labels), SecretTokens.hash(token),
                        null, Device.Status.ACCEPTED, null));
                System.out.println("added device " + id + "; token in " + tokenFile);
                return 0;
            }
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a device.")
    static final class Remove implements Callable<Integer> {
        @Mixin StoreOptions store;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                boolean ok = new DeviceStore(db.dataSource()).remove(id);
                System.err.println(ok ? "removed " + id : "no such device " + id);
                return ok ? 0 : 3;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List devices.")
    static final class ListDevices implements Callable<Integer> {
        @Mixin StoreOptions store;

        @Override
        public Integer call() throws Exception {
            try (Database db = store.open()) {
                for (Device d : new DeviceStore(db.dataSource()).list()) {
                    System.out.println(d.id() + "\t" + d.name() + "\t" + d.status().name().toLowerCase(Locale.ROOT)
                            + "\t" + Labels.format(d.labels()) + "\t" + (d.hostKey() == null ? "-" : d.hostKey()));
                }
                return 0;
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
                        exec != null ? exec : current.exec(), forwarding != null ? forwarding : current.forwarding());
                features.set(id, updated);
                System.out.println(id + "\tsftp=" + onOff(updated.sftp()) + "\texec=" + onOff(updated.exec())
                        + "\tforwarding=" + onOff(updated.forwarding()));
                return 0;
            }
        }

        private static String onOff(boolean on) {
            return on ? "on" : "off";
        }
    }
}
