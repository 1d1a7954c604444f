package dev.loop.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made for the tests by the JDK's own {@code keytool}, once per JVM, in a temporary directory:
 * {@code localhost} (self-signed, names localhost and 127.0.0.1) and {@code other} (another self-signed one, which
 * no client trusts). Contexts are built from them; PEM files are written for openssl.
 */
public final class TestCertificates {

    public static final String PASSWORD = "changeit";
    private static TestCertificates instance;

    public final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** The certificates, made at the first call. */
    public static synchronized TestCertificates get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("loop-tls");
                dir.toFile().deleteOnExit();
                keytool(dir, "-genkeypair", "-alias", "localhost", "-keyalg", "EC", "-groupname", "secp256r1",
                        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                        "-keystore", "localhost.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
                keytool(dir, "-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1",
                        "-dname", "CN=other", "-ext", "SAN=dns:other.example", "-validity", "2",
                        "-keystore", "other.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
                instance = new TestCertificates(dir);
                instance.writePem("localhost");
            } catch (IOException | InterruptedException | java.security.GeneralSecurityException e) {
                throw new IllegalStateException("making the test certificates with keytool failed", e);
            }
        }
        return instance;
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }

    private KeyStore keyStore(String alias) throws IOException, java.security.GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(alias + ".p12"))) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    public Certificate certificate(String alias) {
        try {
            return keyStore(alias).getCertificate(alias);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server's context: the key and certificate of {@code alias}, trusting nothing. */
    public SSLContext serverContext(String alias) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore(alias), PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client's context trusting exactly the certificates of {@code aliases}. */
    public SSLContext clientContext(String... aliases) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (String alias : aliases) {
                trust.setCertificateEntry(alias, certificate(alias));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code alias}.crt and {@code alias}.key in PEM, for openssl. */
    private void writePem(String alias) throws IOException, java.security.GeneralSecurityException {
        KeyStore ks = keyStore(alias);
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes());
        Files.writeString(dir.resolve(alias + ".crt"), "-----BEGIN CERTIFICATE-----\n"
                + b64.encodeToString(ks.getCertificate(alias).getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Files.writeString(dir.resolve(alias + ".key"), "-----BEGIN PRIVATE KEY-----\n"
                + b64.encodeToString(ks.getKey(alias, PASSWORD.toCharArray()).getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
    }
}
