package devicetunnel.cli;

import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code devtunnel cert}: makes sure a fresh SSH certificate is on disk. The config from
 * {@code ssh-config} runs it (quietly) before every ssh to a device, because OpenSSH reads the
 * certificate before the ProxyCommand could refresh it.
 */
@Command(name = "cert", mixinStandardHelpOptions = true,
        description = "Fetch a short-lived SSH certificate for your key when the current one runs out soon.")
final class CertCommand implements Callable<Integer> {
    @ParentCommand
    DevtunnelMain main;

    @Spec
    CommandSpec spec;

    @Option(names = "--force", description = "Fetch a new certificate even if the current one is still good.")
    boolean force;

    @Option(names = "--quiet", description = "Print nothing on success.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        ConfigDir config = main.config();
        Instant until = new OperatorCertificate(config).ensureFresh(config.session(), force);
        if (!quiet) {
            spec.commandLine().getOut().println("certificate " + config.certificateFile() + " valid until " + until);
        }
        return 0;
    }
}
