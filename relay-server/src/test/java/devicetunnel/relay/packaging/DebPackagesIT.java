package devicetunnel.relay.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian packages as `make dist` builds them (Maven, profile {@code deb}, jdeb), from stand-in
 * jars that run the real programs: control fields, files with their modes and owners, the relay's
 * unit accepted by {@code systemd-analyze verify}, the relay started from an unpacked package with
 * its /etc/default settings, the agent's wrapper and the unit {@code device-agent install} writes
 * from it, and the release directory with SHA256SUMS that match.
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DebPackagesIT {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final String VERSION = "0.1.0-SNAPSHOT";
    private static final String JRE_DEPENDS = "default-jre-headless (>= 2:1.17) | java17-runtime-headless";
    private static final Pattern LISTENING = Pattern.compile("relay listening on (http://[^\\s\"]+)");
    private static final String LEAN = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    @TempDir
    static Path dir;

    private Path relayJar;
    private Path agentJar;
    private Path relayDeb;
    private Path agentDeb;
    private Process relay;

    @BeforeAll
    void buildPackages() throws Exception {
        assertThat(ROOT.resolve("pom.xml")).exists();
        relayJar = StandInJar.write(dir.resolve("relay-server.jar"), "devicetunnel.relay.cli.RelayMain");
        agentJar = StandInJar.write(dir.resolve("device-agent.jar"), "devicetunnel.agent.cli.AgentMain");
        Path debs = Files.createDirectories(dir.resolve("debs"));
        Cmd.run(ROOT, "mvn", "-B", "-q", "-Dstyle.color=never", "-Pdeb", "-pl", "relay-server,device-agent", "jdeb:jdeb",
                "-Drelay.deb.jar=" + relayJar, "-Dagent.deb.jar=" + agentJar, "-Ddeb.dir=" + debs).ok();
        relayDeb = debs.resolve("devtunnel-relay_" + VERSION + "_all.deb");
        agentDeb = debs.resolve("devtunnel-agent_" + VERSION + "_all.deb");
        assertThat(relayDeb).exists();
        assertThat(agentDeb).exists();
    }

    @AfterAll
    void stopRelay() throws InterruptedException {
        if (relay != null && relay.isAlive()) {
            relay.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void relayPackageHasItsControlFieldsFilesAndScripts() throws Exception {
        assertThat(field(relayDeb, "Package")).isEqualTo("devtunnel-relay");
        assertThat(field(relayDeb, "Version")).isEqualTo("0.1.0~snapshot");
        assertThat(field(relayDeb, "Architecture")).isEqualTo("all");
        assertThat(field(relayDeb, "Depends")).contains(JRE_DEPENDS).contains("adduser");

        Map<String, String> files = contents(relayDeb);
        assertThat(files).containsEntry("./usr/share/devtunnel-relay/relay-server.jar", "-rw-r--r-- root/root")
                .containsEntry("./usr/bin/relay-server", "-rwxr-xr-x root/root")
                .containsEntry("./lib/systemd/system/devtunnel-relay.service", "-rw-r--r-- root/root")
                .containsEntry("./etc/default/devtunnel-relay", "-rw-r--r-- root/root")
                .containsEntry("./usr/share/doc/devtunnel-relay/OPERATIONS.md", "-rw-r--r-- root/root");
        assertThat(files.keySet()).noneMatch(path -> path.startsWith("./var/")); // the state dir is postinst's

        Path control = dir.resolve("relay-control");
        Cmd.run(dir, "dpkg-deb", "-e", relayDeb.toString(), control.toString()).ok();
        assertThat(Files.readString(control.resolve("conffiles")).strip()).isEqualTo("/etc/default/devtunnel-relay");
        String postinst = Files.readString(control.resolve("postinst"));
        assertThat(postinst).contains("adduser --system --group", "devtunnel-relay",
                "install -d -o devtunnel-relay -g devtunnel-relay -m 0700 \"$STATE\"", "systemctl enable devtunnel-relay.service");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(Files.isExecutable(control.resolve(script))).as(script).isTrue();
            Cmd.run(dir, "sh", "-n", control.resolve(script).toString()).ok();
        }
    }

    @Test
    void relayUnitIsHardenedAndSystemdAcceptsIt() throws Exception {
        Path root = unpack(relayDeb, "relay-root");
        String unit = Files.readString(root.resolve("lib/systemd/system/devtunnel-relay.service"));
        assertThat(unit).contains("User=devtunnel-relay", "ExecStart=/usr/bin/relay-server serve",
                "EnvironmentFile=/etc/default/devtunnel-relay", "Environment=DT_STATE_DIR=/var/lib/devtunnel-relay",
                "StateDirectory=devtunnel-relay", "StateDirectoryMode=0700", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes", "RestrictNamespaces=yes", "UMask=0077",
                "WantedBy=multi-user.target");
        Matcher stop = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)$").matcher(unit);
        assertThat(stop.find()).isTrue();
        assertThat(Integer.parseInt(stop.group(1))).as("longer than the default --drain-timeout 30s").isGreaterThan(30);

        // systemd-analyze wants the ExecStart binary to exist: point it at the unpacked wrapper.
        Path copy = dir.resolve("devtunnel-relay.service");
        Files.writeString(copy, unit.replace("ExecStart=/usr/bin/relay-server", "ExecStart=" + root.resolve("usr/bin/relay-server")));
        Cmd verify = Cmd.run(dir, "systemd-analyze", "verify", copy.toString());
        assertThat(verify.exit()).as(verify.out()).isZero();
        assertThat(verify.out()).isBlank();
    }

    @Test
    void relayDefaultsNameSecretsOnlyByFileAndServeFromTheUnpackedPackage() throws Exception {
        Path root = unpack(relayDeb, "relay-run-root");
        Map<String, String> settings = environmentFile(root.resolve("etc/default/devtunnel-relay"));
        assertThat(settings).containsKey("DT_LISTEN");
        List<String> mentioned = Files.readAllLines(root.resolve("etc/default/devtunnel-relay")).stream()
                .map(line -> line.replaceFirst("^#", "")).filter(line -> line.matches("[A-Z_]+=.*"))
                .map(line -> line.substring(0, line.indexOf('='))).toList();
        assertThat(mentioned).isNotEmpty().allMatch(name -> name.startsWith("DT_") || name.equals("JAVA_OPTS"));
        assertThat(mentioned).filteredOn(name -> name.matches(".*(SECRET|PASSWORD|TOKEN|KEY).*"))
                .isNotEmpty().allMatch(name -> name.endsWith("_FILE"));

        // What systemd would run: the unit's Environment=, then the EnvironmentFile=, on a free port.
        Map<String, String> env = new HashMap<>(settings);
        Path state = dir.resolve("relay-state");
        env.put("DT_STATE_DIR", state.toString());
        env.put("DT_LISTEN", "127.0.0.1:0");
        env.put("JAVA_OPTS", LEAN);
        Path log = dir.resolve("relay.log");
        ProcessBuilder builder = new ProcessBuilder(root.resolve("usr/bin/relay-server").toString(), "serve")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        relay = builder.start();
        String[] url = new String[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertThat(relay.isAlive()).as("relay exited: %s", Files.readString(log)).isTrue();
            Matcher m = LISTENING.matcher(Files.readString(log));
            return m.find() && (url[0] = m.group(1)) != null;
        });
        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url[0] + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(Files.getPosixFilePermissions(state)).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        relay.destroy();
        assertThat(relay.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void agentPackageRunsFromAnUnpackedRootAndInstallsAUnitThatRunsItsWrapper() throws Exception {
        assertThat(field(agentDeb, "Package")).isEqualTo("devtunnel-agent");
        assertThat(field(agentDeb, "Depends")).isEqualTo(JRE_DEPENDS);
        Map<String, String> files = contents(agentDeb);
        assertThat(files).containsEntry("./usr/share/devtunnel-agent/device-agent.jar", "-rw-r--r-- root/root")
                .containsEntry("./usr/bin/device-agent", "-rwxr-xr-x root/root");
        assertThat(files.keySet()).noneMatch(path -> path.endsWith(".service")); // `device-agent install` writes it

        Path root = unpack(agentDeb, "agent-root");
        String wrapper = root.resolve("usr/bin/device-agent").toString();
        Map<String, String> lean = Map.of("JAVA_OPTS", LEAN);
        Cmd help = Cmd.run(dir, lean, wrapper, "--help").ok();
        assertThat(help.out()).contains("--relay", "install", "uninstall", "status");
        Path emptyState = Files.createDirectories(dir.resolve("no-agent"));
        Cmd status = Cmd.run(dir, lean, wrapper, "status", "--state-dir", emptyState.toString());
        assertThat(status.exit()).as(status.out()).isEqualTo(3);

        Path token = dir.resolve("enroll.token");
        Files.writeString(token, "not-a-real-token\n");
        Path units = dir.resolve("units");
        String me = System.getProperty("user.name");
        Cmd install = Cmd.run(dir, lean, wrapper, "install", "--relay", "https://relay.example.com", "--enrollment-token-file",
                token.toString(), "--device-id", "pkg-1", "--user", me, "--state-dir", dir.resolve("agent-state").toString(),
                "--unit-dir", units.toString(), "--no-start");
        assertThat(install.exit()).as(install.out()).isZero();
        Path unit = units.resolve("device-agent.service");
        assertThat(Files.readString(unit)).contains("ExecStart=" + root.resolve("usr/bin/device-agent") + " --relay https://relay.example.com");
        Cmd verify = Cmd.run(dir, "systemd-analyze", "verify", unit.toString());
        assertThat(verify.exit()).as(verify.out()).isZero();
    }

    @Test
    void releaseDirectoryHoldsVersionedArtifactsAndMatchingChecksums() throws Exception {
        Path out = dir.resolve("dist");
        Cmd.run(ROOT, Map.of("VERSION", VERSION, "RELAY_JAR", relayJar.toString(), "AGENT_JAR", agentJar.toString(),
                "DEB_DIR", relayDeb.getParent().toString(), "OUT", out.toString()), "scripts/dist.sh").ok();
        Map<String, String> sums = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out.resolve("SHA256SUMS"))) {
            Matcher m = Pattern.compile("([0-9a-f]{64})  (\\S+)").matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            sums.put(m.group(2), m.group(1));
        }
        assertThat(sums.keySet()).containsExactlyInAnyOrder("devtunnel-relay-" + VERSION + ".jar", "devtunnel-agent-" + VERSION + ".jar",
                "devtunnel-relay_" + VERSION + "_all.deb", "devtunnel-agent_" + VERSION + "_all.deb");
        try (Stream<Path> listing = Files.list(out)) {
            assertThat(listing.map(p -> p.getFileName().toString()).filter(name -> !name.equals("SHA256SUMS")))
                    .containsExactlyInAnyOrderElementsOf(sums.keySet());
        }
        for (Map.Entry<String, String> sum : sums.entrySet()) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out.resolve(sum.getKey())));
            assertThat(HexFormat.of().formatHex(digest)).as(sum.getKey()).isEqualTo(sum.getValue());
        }
        assertThat(Files.mismatch(out.resolve("devtunnel-relay_" + VERSION + "_all.deb"), relayDeb)).isEqualTo(-1L);
        Cmd.run(out, "sha256sum", "--check", "--strict", "SHA256SUMS").ok();
    }

    private Path unpack(Path deb, String name) throws IOException, InterruptedException {
        Path root = dir.resolve(name);
        Cmd.run(dir, "dpkg-deb", "-x", deb.toString(), root.toString()).ok();
        return root;
    }

    private String field(Path deb, String name) throws IOException, InterruptedException {
        return Cmd.run(dir, "dpkg-deb", "-f", deb.toString(), name).ok().out().strip();
    }

    /** Path to "mode owner/group", from {@code dpkg-deb -c}. */
    private Map<String, String> contents(Path deb) throws IOException, InterruptedException {
        return Cmd.run(dir, "dpkg-deb", "-c", deb.toString()).ok().out().lines()
                .map(line -> line.split("\\s+"))
                .collect(Collectors.toMap(cols -> cols[5], cols -> cols[0] + " " + cols[1]));
    }

    /** KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments and blank lines skipped). */
    private static Map<String, String> environmentFile(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                int eq = trimmed.indexOf('=');
                env.put(trimmed.substring(0, eq), trimmed.substring(eq + 1));
            }
        }
        return env;
    }
}
