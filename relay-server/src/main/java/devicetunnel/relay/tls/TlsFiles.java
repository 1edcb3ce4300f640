package devicetunnel.relay.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;

/**
 * The relay's TLS certificate and key: either a PEM certificate chain plus a PKCS#8 PEM key
 * ({@code BEGIN PRIVATE KEY}, what {@code openssl genpkey} and certbot write), or a PKCS#12 file and
 * its password. Read with the JDK alone; no PEM library needed for these two formats.
 */
public record TlsFiles(Path certFile, Path keyFile, Path pkcs12File, char[] pkcs12Password) {

    public static TlsFiles pem(Path certFile, Path keyFile) {
        return new TlsFiles(certFile, keyFile, null, null);
    }

    public static TlsFiles pkcs12(Path file, char[] password) {
        return new TlsFiles(null, null, file, password);
    }

    /** A key store holding one key entry, and the password that opens it. */
    public record Loaded(KeyStore keyStore, char[] password) {}

    public Loaded load() throws IOException {
        try {
            return pkcs12File != null ? loadPkcs12() : loadPem();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the TLS certificate or key: " + e.getMessage(), e);
        }
    }

    private Loaded loadPkcs12() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pkcs12File)) {
            store.load(in, pkcs12Password);
        }
        return new Loaded(store, pkcs12Password);
    }

    private Loaded loadPem() throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> chain;
        try (InputStream in = Files.newInputStream(certFile)) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (chain.isEmpty()) {
            throw new IOException("no certificate in " + certFile);
        }
        PrivateKey key = readPkcs8(keyFile);
        char[] password = randomPassword();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("relay", key, password, chain.toArray(new Certificate[0]));
        return new Loaded(store, password);
    }

    private static PrivateKey readPkcs8(Path file) throws IOException {
        String pem = Files.readString(file);
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = pem.indexOf(begin);
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            throw new IOException(file + " holds no PKCS#8 'BEGIN PRIVATE KEY' block "
                    + "(convert with: openssl pkcs8 -topk8 -nocrypt -in old.key -out new.key)");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end)));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + " holds neither an RSA, EC nor Ed25519 key");
    }

    private static char[] randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes).toCharArray();
    }

    @Override
    public String toString() {
        return "TlsFiles[" + (pkcs12File != null ? pkcs12File : certFile + ", " + keyFile) + "]"; // no password
    }
}
