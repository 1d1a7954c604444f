package dev.loop.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.testsupport.RecordingProtocol;
import dev.loop.testsupport.TestCertificates;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.TlsOptions;
import dev.loop.transport.Transport;

/**
 * The TLS layer against a real peer that is not the JDK: Debian's {@code openssl s_client} against the loop's
 * server, and the loop's client against {@code openssl s_server}. {@code .ci/install-test-tools} installs openssl.
 */
class TlsInteropTest {

    private static final TestCertificates CERTS = TestCertificates.get();
    private final EventLoop loop = EventLoops.create();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void close() {
        processes.forEach(Process::destroyForcibly);
        loop.close();
    }

    private static boolean opensslPresent() {
        try {
            return new ProcessBuilder("openssl", "version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private Process start(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).directory(CERTS.dir.toFile()).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    @Test
    void opensslsClientTalksToTheLoopsServer() throws Exception {
        assumeTrue(opensslPresent(), "openssl is not installed (.ci/install-test-tools installs it)");
        loop.start();
        // Echoes one line, then closes with close_notify.
        Server server = loop.createServer(() -> new RecordingProtocol() {
            @Override
            protected void onData(byte[] data) {
                if (received.toString(StandardCharsets.US_ASCII).endsWith("\n")) {
                    transport.write(("echo: " + received.toString(StandardCharsets.US_ASCII)).getBytes(
                            StandardCharsets.US_ASCII));
                    transport.close();
                }
            }
        }, "127.0.0.1", 0, ServerOptions.DEFAULTS.withTls(TlsOptions.server(CERTS.serverContext("localhost"))
                .withApplicationProtocols(List.of("echo/1")))).get(10, TimeUnit.SECONDS);
        int port = ((InetSocketAddress) server.addresses().get(0)).getPort();
        Process client = start(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername",
                "localhost", "-CAfile", "localhost.crt", "-verify_return_error", "-alpn", "echo/1", "-ign_eof"));
        client.getOutputStream().write("hello from openssl\n".getBytes(StandardCharsets.US_ASCII));
        client.getOutputStream().flush();
        assertThat(client.waitFor(20, TimeUnit.SECONDS)).as("s_client ends when the server closes").isTrue();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(out).contains("echo: hello from openssl").contains("Verify return code: 0 (ok)")
                .contains("ALPN protocol: echo/1").contains("TLSv1.3");
    }

    @Test
    void theLoopsClientTalksToOpensslsServer() throws Exception {
        assumeTrue(opensslPresent(), "openssl is not installed (.ci/install-test-tools installs it)");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        // -rev: each line comes back reversed, so what returns was processed by openssl.
        Process server = start(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", "localhost.crt",
                "-key", "localhost.key", "-rev", "-alpn", "rev/1"));
        BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        while ((line = lines.readLine()) != null && !line.contains("ACCEPT")) {
            // s_server announces ACCEPT once it listens
        }
        assertThat(line).as("s_server started").isNotNull();
        loop.start();
        RecordingProtocol p = new RecordingProtocol();
        var c = loop.createConnection(() -> p, "127.0.0.1", port, null, TlsOptions.client(CERTS.clientContext(
                "localhost")).withApplicationProtocols(List.of("rev/1"))).get(20, TimeUnit.SECONDS);
        Transport t = c.transport();
        CompletableFuture<Object[]> info = loop.submit(() -> new Object[] {t.extraInfo("protocol"), t.extraInfo("alpn")});
        assertThat(info.get(10, TimeUnit.SECONDS)).containsExactly("TLSv1.3", "rev/1");
        loop.execute(() -> t.write(ByteBuffer.wrap("loop to openssl\n".getBytes(StandardCharsets.US_ASCII))));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!p.received.toString(StandardCharsets.US_ASCII).contains("lssnepo ot pool") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(p.received.toString(StandardCharsets.US_ASCII)).contains("lssnepo ot pool");
        loop.submit(() -> {
            t.close();
            return null;
        }).get(10, TimeUnit.SECONDS);
        assertThat(p.lost.get(10, TimeUnit.SECONDS)).isNull();
    }
}
