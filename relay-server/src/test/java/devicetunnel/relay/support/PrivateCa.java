package devicetunnel.relay.support;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A company CA made with keytool for a test, and server certificates it signs: valid, expired or
 * for another name. Each server certificate comes as a PEM chain (leaf, CA) and a PKCS#8 PEM key,
 * the files the relay's {@code --tls-cert-file}/{@code --tls-key-file} take.
 */
public final class PrivateCa {
    private static final String PASS = "test-store-password";

    private final Path dir;
    private final Path store;
    private final Path caPem;

    public record ServerFiles(Path chain, Path key) {}

    public PrivateCa(Path dir) throws Exception {
        this.dir = Files.createDirectories(dir);
        this.store = dir.resolve("ca.p12");
        this.caPem = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Test Company CA",
                "-ext", "bc:c", "-validity", "30", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASS);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", PASS, "-file", caPem.toString());
    }

    /** The CA certificate (PEM): what an operator passes as --ca-file. */
    public Path caFile() {
        return caPem;
    }

    /** A certificate signed by this CA for {@code san} (e.g. "ip:127.0.0.1,dns:localhost"), valid from {@code startDate}. */
    public ServerFiles server(String alias, String san, String startDate, int validityDays) throws Exception {
        keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias,
                "-validity", "30", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASS);
        Path request = dir.resolve(alias + ".csr");
        Path leaf = dir.resolve(alias + ".crt");
        keytool("-certreq", "-alias", alias, "-keystore", store.toString(), "-storepass", PASS, "-file", request.toString());
        List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", store.toString(),
                "-storepass", PASS, "-infile", request.toString(), "-outfile", leaf.toString(), "-ext", "san=" + san,
                "-validity", String.valueOf(validityDays)));
        if (startDate != null) {
            sign.addAll(List.of("-startdate", startDate));
        }
        keytool(sign.toArray(String[]::new));
        Path chain = dir.resolve(alias + "-chain.pem");
        Files.writeString(chain, Files.readString(leaf) + Files.readString(caPem));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASS.toCharArray());
        }
        Key key = keys.getKey(alias, PASS.toCharArray());
        Path keyPem = dir.resolve(alias + ".key");
        Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        return new ServerFiles(chain, keyPem);
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
