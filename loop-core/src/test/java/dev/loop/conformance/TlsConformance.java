package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.testsupport.RecordingProtocol;
import dev.loop.testsupport.TestCertificates;
import dev.loop.testsupport.TestFds;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.TlsOptions;
import dev.loop.transport.Transport;

/**
 * TLS over this backend's stream transports (asyncio's {@code ssl=} and {@code start_tls}; CPython's
 * {@code test_ssl}/{@code test_sslproto} cases): an echo with the certificate, cipher, version and ALPN in
 * {@code extraInfo}; close_notify as EOF and as a half-close; flow control; {@code startTls}; and the failures:
 * a wrong hostname, an untrusted certificate, a peer that never answers the handshake, garbage instead of a
 * ClientHello, a truncated close, a renegotiation. Certificates are made by keytool for the test.
 */
public abstract class TlsConformance extends LoopTestBase {

    static final TestCertificates CERTS = TestCertificates.get();

    /** Echoes what it receives; records the rest. */
    static class TlsEcho extends RecordingProtocol {
        @Override
        protected void onData(byte[] data) {
            transport.write(data);
        }
    }

    /** Pauses reading in {@code connectionMade} and never reads on its own: the peer's writes back up. */
    static final class PausedReader extends RecordingProtocol {
        @Override
        public void connectionMade(Transport t) {
            super.connectionMade(t);
            t.pauseReading();
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static int port(Server server) {
        return ((InetSocketAddress) server.addresses().get(0)).getPort();
    }

    private Server tlsServer(EventLoop loop, java.util.function.Supplier<? extends Protocol> factory, TlsOptions tls) {
        return await(loop, loop.createServer(factory, "127.0.0.1", 0, ServerOptions.DEFAULTS.withTls(tls)));
    }

    private static TlsOptions serverTls() {
        return TlsOptions.server(CERTS.serverContext("localhost"));
    }

    private static TlsOptions clientTls() {
        return TlsOptions.client(CERTS.clientContext("localhost"));
    }

    @Test
    void anEchoOverTlsWithItsCertificateCipherVersionAndAlpn() {
        EventLoop loop = newLoop();
        TlsEcho[] serverSide = {null};
        Server server = tlsServer(loop, () -> serverSide[0] = new TlsEcho(),
                serverTls().withApplicationProtocols(List.of("echo/1")));
        RecordingProtocol client = new RecordingProtocol();
        Connection<Transport, RecordingProtocol> c = await(loop, loop.createConnection(() -> client, "localhost",
                port(server), null, clientTls().withApplicationProtocols(List.of("other/2", "echo/1"))));
        Transport t = c.transport();
        assertThat(client.state).isEqualTo(RecordingProtocol.State.CONNECTED); // after the handshake
        assertThat(((X509Certificate) t.extraInfo("peercert")).getSubjectX500Principal().getName())
                .isEqualTo("CN=localhost");
        assertThat(t.extraInfo("protocol")).isEqualTo("TLSv1.3");
        assertThat((String) t.extraInfo("cipher")).startsWith("TLS_");
        assertThat(t.extraInfo("alpn")).isEqualTo("echo/1");
        assertThat(t.extraInfo("peername")).isEqualTo(new InetSocketAddress("127.0.0.1", port(server)));
        assertThat(t.canWriteEof()).isTrue();
        byte[] big = new byte[300_000];
        new java.util.Random(1).nextBytes(big);
        t.write(ascii("hello "));
        t.write(big);
        await(loop, waitFor(loop, () -> client.received.size() == 6 + big.length));
        byte[] got = client.received.toByteArray();
        assertThat(new String(got, 0, 6, StandardCharsets.US_ASCII)).isEqualTo("hello ");
        assertThat(java.util.Arrays.copyOfRange(got, 6, got.length)).isEqualTo(big);
        t.close(); // close_notify: the server sees the end of the stream, then both are lost cleanly
        assertThat(await(loop, client.lost)).isNull();
        await(loop, serverSide[0].eof);
        assertThat(await(loop, serverSide[0].lost)).isNull();
        assertThat(client.violations).isEmpty();
        assertThat(serverSide[0].violations).isEmpty();
    }

    /**
     * One direction of {@link Fragmenter}: what arrives is passed on in pieces of random size, one piece per loop
     * step (so the receiver reads it alone), from a single byte to several records at once.
     */
    static final class Pump {
        final java.util.ArrayDeque<Byte> queued = new java.util.ArrayDeque<>();
        final java.util.Random random;
        Transport to;
        boolean eof;
        boolean scheduled;
        int pieces;

        Pump(long seed) {
            random = new java.util.Random(seed);
        }

        void add(byte[] data, EventLoop loop) {
            for (byte b : data) {
                queued.add(b);
            }
            schedule(loop);
        }

        void schedule(EventLoop loop) {
            if (!scheduled && to != null) {
                scheduled = true;
                loop.callSoon(() -> step(loop));
            }
        }

        private void step(EventLoop loop) {
            scheduled = false;
            if (to.isClosing()) {
                return;
            }
            int n = Math.min(queued.size(), random.nextInt(8) == 0 ? 1 + random.nextInt(3000) : 1 + random.nextInt(7));
            if (n > 0) {
                byte[] piece = new byte[n];
                for (int i = 0; i < n; i++) {
                    piece[i] = queued.poll();
                }
                to.write(piece);
                pieces++;
            }
            if (!queued.isEmpty()) {
                schedule(loop);
            } else if (eof) {
                to.writeEof();
            }
        }
    }

    /** A plain TCP relay whose two pumps split and join what passes through at random. */
    static final class Fragmenter {
        final Pump up = new Pump(7);
        final Pump down = new Pump(11);

        Protocol side(EventLoop loop, Pump in, Pump out) {
            return new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    out.to = t;
                    out.schedule(loop);
                }

                @Override
                public void dataReceived(java.nio.ByteBuffer data) {
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    in.add(b, loop);
                }

                @Override
                public boolean eofReceived() {
                    in.eof = true;
                    in.schedule(loop);
                    return true;
                }

                @Override
                public void connectionLost(Throwable cause) {
                    if (in.to != null && in.queued.isEmpty()) {
                        in.to.close();
                    }
                }
            };
        }
    }

    /**
     * A network (or a middlebox) may cut TLS records anywhere and join them: the layer must put them together
     * again. Both ends speak through a relay that passes each direction on in random pieces, one to 3,000 bytes:
     * the handshake, 200 KB of writes of every size and the close all arrive intact.
     */
    @Test
    void aWireThatSplitsAndJoinsRecordsAtRandomChangesNothing() {
        EventLoop loop = newLoop();
        TlsEcho[] serverSide = {null};
        Server server = tlsServer(loop, () -> serverSide[0] = new TlsEcho(), serverTls());
        Fragmenter relay = new Fragmenter();
        Server front = await(loop, loop.createServer(() -> {
            Protocol client = relay.side(loop, relay.up, relay.down);
            loop.createConnection(() -> relay.side(loop, relay.down, relay.up), "127.0.0.1", port(server));
            return client;
        }, "127.0.0.1", 0));
        RecordingProtocol client = new RecordingProtocol();
        Connection<Transport, RecordingProtocol> c = await(loop, loop.createConnection(() -> client, "127.0.0.1",
                port(front), null, clientTls().withServerName("localhost")));
        java.util.Random random = new java.util.Random(3);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        while (sent.size() < 200_000) {
            byte[] b = new byte[random.nextInt(4) == 0 ? 1 + random.nextInt(40_000) : 1 + random.nextInt(100)];
            random.nextBytes(b);
            c.transport().write(b);
            sent.writeBytes(b);
        }
        await(loop, waitFor(loop, () -> client.received.size() >= sent.size()));
        assertThat(client.received.toByteArray()).isEqualTo(sent.toByteArray());
        c.transport().close();
        assertThat(await(loop, client.lost)).isNull();
        await(loop, serverSide[0].eof);
        assertThat(await(loop, serverSide[0].lost)).isNull();
        assertThat(relay.up.pieces).as("pieces the relay sent up").isGreaterThan(1_000);
        assertThat(client.violations).isEmpty();
        assertThat(serverSide[0].violations).isEmpty();
        front.close();
    }

    @Test
    void tlsOverAUnixSocketNamesTheServerExplicitly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        EventLoop loop = newLoop();
        java.nio.file.Path path = dir.resolve("tls.sock");
        await(loop, loop.createUnixServer(TlsEcho::new, path, ServerOptions.DEFAULTS.withTls(serverTls())));
        // A unix socket has no host name: checking the certificate needs one, and says so.
        assertThatThrownBy(() -> await(loop, loop.createUnixConnection(RecordingProtocol::new, path, clientTls())))
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("withServerName");
        Connection<Transport, RecordingProtocol> c = await(loop, loop.createUnixConnection(RecordingProtocol::new, path,
                clientTls().withServerName("localhost")));
        c.transport().write(ascii("over unix"));
        await(loop, waitFor(loop, () -> c.protocol().received.size() == 9));
        assertThat(c.transport().extraInfo("protocol")).isEqualTo("TLSv1.3");
        c.transport().close();
        assertThat(await(loop, c.protocol().lost)).isNull();
    }

    @Test
    void aWrongHostnameFailsTheHandshakeAndLeavesNoDescriptor() {
        EventLoop loop = newLoop();
        Server server = tlsServer(loop, TlsEcho::new, serverTls());
        var before = TestFds.openFdTargets();
        assertThatThrownBy(() -> await(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server),
                null, clientTls().withServerName("wrong.example"))))
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(SSLHandshakeException.class);
        await(loop, waitFor(loop, () -> server.connectionCount() == 0));
        assertThat(TestFds.newFdsSince(before)).isEmpty();
        // Without the check (asyncio's check_hostname=False) the same certificate is accepted.
        var c = await(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server), null,
                clientTls().withServerName("wrong.example").withCheckHostname(false)));
        c.transport().close();
    }

    @Test
    void anUntrustedCertificateFailsTheHandshake() {
        EventLoop loop = newLoop();
        Server server = tlsServer(loop, TlsEcho::new, TlsOptions.server(CERTS.serverContext("other")));
        assertThatThrownBy(() -> await(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server),
                null, clientTls().withCheckHostname(false))))
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void aPeerThatNeverAnswersTheHandshakeTimesOut() {
        EventLoop loop = newLoop();
        Server silent = await(loop, loop.createServer(RecordingProtocol::new, "127.0.0.1", 0)); // plain: never answers
        var before = TestFds.openFdTargets();
        long start = System.nanoTime();
        assertThatThrownBy(() -> await(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(silent),
                null, clientTls().withHandshakeTimeout(Duration.ofMillis(200)))))
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("taking longer than PT0.2S");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        await(loop, waitFor(loop, () -> silent.connectionCount() == 0));
        assertThat(TestFds.newFdsSince(before)).isEmpty();
    }

    @Test
    void garbageInsteadOfAClientHelloClosesThatConnectionAndTheServerServesOn() throws Exception {
        EventLoop loop = newLoop();
        Server server = tlsServer(loop, TlsEcho::new, serverTls());
        loop.start();
        try (Socket s = new Socket("127.0.0.1", port(server))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(ascii("GET / HTTP/1.0\r\n\r\n"));
            byte[] rest = s.getInputStream().readAllBytes(); // an alert at most, then the end
            assertThat(rest.length).isLessThan(100);
        } catch (java.net.SocketException reset) {
            // a reset is an acceptable way to end it too
        }
        CompletableFuture<Connection<Transport, RecordingProtocol>> ok = loop.createConnection(RecordingProtocol::new,
                "127.0.0.1", port(server), null, clientTls());
        Transport t = ok.get(10, TimeUnit.SECONDS).transport();
        loop.submit(() -> {
            t.close();
            return null;
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTruncatedCloseIsReportedAsAnError() {
        EventLoop loop = newLoop();
        TlsEcho[] serverSide = {null};
        Server server = tlsServer(loop, () -> serverSide[0] = new TlsEcho(), serverTls());
        Connection<Transport, RecordingProtocol> c = await(loop, loop.createConnection(RecordingProtocol::new,
                "127.0.0.1", port(server), null, clientTls()));
        c.transport().write(ascii("x"));
        await(loop, waitFor(loop, () -> c.protocol().received.size() == 1));
        // The TCP stream ends without close_notify, as an attacker cutting the connection would make it.
        assertThat(LibC.shutdown(c.transport().fd(), Linux.SHUT_WR)).isZero();
        Throwable cause = await(loop, serverSide[0].lost);
        assertThat(cause).isInstanceOf(SSLException.class);
        assertThat(serverSide[0].eof).as("a truncation is not an end of stream").isNotDone();
        c.transport().abort();
    }

    @Test
    void writeEofSendsCloseNotifyAndThePeerMayStillAnswer() {
        EventLoop loop = newLoop();
        RecordingProtocol[] serverSide = {null};
        Server server = tlsServer(loop, () -> {
            RecordingProtocol p = new RecordingProtocol() {
                @Override
                public boolean eofReceived() {
                    super.eofReceived();
                    transport.write(ascii("bye after " + received.size()));
                    transport.close();
                    return true;
                }
            };
            serverSide[0] = p;
            return p;
        }, serverTls());
        Connection<Transport, RecordingProtocol> c = await(loop, loop.createConnection(RecordingProtocol::new,
                "127.0.0.1", port(server), null, clientTls()));
        c.protocol().keepOpenOnEof = false;
        c.transport().write(ascii("12345"));
        c.transport().writeEof();
        assertThatThrownBy(() -> c.transport().write(ascii("late"))).isInstanceOf(IllegalStateException.class);
        assertThat(await(loop, c.protocol().lost)).isNull();
        assertThat(c.protocol().received.toString(StandardCharsets.US_ASCII)).isEqualTo("bye after 5");
        assertThat(c.protocol().eof).isDone();
    }

    @Test
    void aReaderThatPausesHoldsTheWriterBackThroughTheTlsLayer() {
        EventLoop loop = newLoop();
        RecordingProtocol[] serverSide = {null};
        Server server = tlsServer(loop, () -> serverSide[0] = new PausedReader(), serverTls());
        Connection<Transport, RecordingProtocol> c = await(loop, loop.createConnection(RecordingProtocol::new,
                "127.0.0.1", port(server), null, clientTls()));
        byte[] chunk = new byte[64 * 1024];
        long[] written = {0};
        CompletableFuture<Void> paused = new CompletableFuture<>();
        Runnable[] writeMore = {null};
        writeMore[0] = () -> {
            for (int i = 0; i < 16 && c.protocol().pauses == 0; i++) {
                c.transport().write(chunk);
                written[0] += chunk.length;
            }
            if (c.protocol().pauses > 0) {
                paused.complete(null);
            } else if (written[0] < 64L * 1024 * 1024) {
                loop.callLater(Duration.ofMillis(1), writeMore[0]);
            }
        };
        loop.callSoon(writeMore[0]);
        await(loop, paused, 30);
        assertThat(c.transport().writeBufferSize()).isGreaterThan(c.transport().writeBufferLimits().high());
        serverSide[0].transport.resumeReading();
        await(loop, waitFor(loop, () -> serverSide[0].received.size() == written[0]), 30);
        await(loop, waitFor(loop, () -> c.protocol().resumes == 1));
    }

    @Test
    void aCloseThatCannotFlushIsAbortedAfterTheShutdownTimeout() {
        EventLoop loop = newLoop();
        RecordingProtocol[] serverSide = {null};
        Server server = tlsServer(loop, () -> serverSide[0] = new PausedReader(), serverTls());
        Connection<Transport, RecordingProtocol> c = await(loop, loop.createConnection(RecordingProtocol::new,
                "127.0.0.1", port(server), null, clientTls().withShutdownTimeout(Duration.ofMillis(300))));
        byte[] chunk = new byte[256 * 1024];
        CompletableFuture<Void> stuck = new CompletableFuture<>();
        Runnable[] fill = {null};
        fill[0] = () -> { // until the kernel's buffers are full and the transport keeps a backlog
            c.transport().write(chunk);
            if (c.transport().writeBufferSize() > 1024 * 1024) {
                stuck.complete(null);
            } else {
                loop.callLater(Duration.ofMillis(1), fill[0]);
            }
        };
        loop.callSoon(fill[0]);
        await(loop, stuck, 30);
        long start = System.nanoTime();
        c.transport().close();
        assertThat(await(loop, c.protocol().lost)).isNull();
        assertThat(System.nanoTime() - start).as("aborted at the shutdown timeout, not before")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        // The abort dropped the backlog and the close_notify behind it: once the server reads again, it finds
        // the stream ended without one, a truncation.
        loop.callSoon(serverSide[0].transport::resumeReading);
        assertThat(await(loop, serverSide[0].lost, 30)).isInstanceOf(SSLException.class);
    }

    @Test
    void startTlsUpgradesAPlainConnection() {
        EventLoop loop = newLoop();
        // A STARTTLS exchange: "STARTTLS\n" in plain text, then both ends upgrade and talk over TLS.
        CompletableFuture<Transport> serverTls = new CompletableFuture<>();
        RecordingProtocol upgradedServer = new TlsEcho();
        Server server = await(loop, loop.createServer(() -> new RecordingProtocol() {
            @Override
            protected void onData(byte[] data) {
                if (received.toString(StandardCharsets.US_ASCII).equals("STARTTLS\n")) {
                    transport.write(ascii("GO\n"));
                    dev.loop.internal.engine.Futures.follow(loop.startTls(transport, upgradedServer, serverTls(), true),
                            serverTls);
                }
            }
        }, "127.0.0.1", 0));
        Connection<Transport, RecordingProtocol> plain = await(loop, loop.createConnection(RecordingProtocol::new,
                "127.0.0.1", port(server)));
        plain.transport().write(ascii("STARTTLS\n"));
        await(loop, waitFor(loop, () -> plain.protocol().received.size() == 3));
        RecordingProtocol upgraded = new RecordingProtocol();
        Transport tls = await(loop, loop.startTls(plain.transport(), upgraded, clientTls().withServerName("localhost"),
                false));
        assertThat(tls.extraInfo("protocol")).isEqualTo("TLSv1.3");
        tls.write(ascii("secret"));
        await(loop, waitFor(loop, () -> upgraded.received.size() == 6));
        assertThat(upgraded.received.toString(StandardCharsets.US_ASCII)).isEqualTo("secret");
        assertThat(await(loop, serverTls).extraInfo("peercert")).isNull(); // the client showed none
        tls.close();
        assertThat(await(loop, upgraded.lost)).isNull();
        assertThatThrownBy(() -> loop.startTls(null, upgraded, clientTls(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not supported by startTls");
    }

    /** asyncio's start_tls cancelled closes the transport: a handshake given up on leaves no connection open. */
    @Test
    void aCancelledStartTlsClosesTheConnection() {
        EventLoop loop = newLoop();
        RecordingProtocol[] serverSide = {null};
        Server server = await(loop, loop.createServer(() -> serverSide[0] = new RecordingProtocol(), "127.0.0.1", 0));
        Connection<Transport, RecordingProtocol> plain = await(loop, loop.createConnection(RecordingProtocol::new,
                "127.0.0.1", port(server)));
        await(loop, waitFor(loop, () -> serverSide[0] != null));
        // The server never answers the ClientHello: the handshake waits until the caller gives up.
        CompletableFuture<Transport> upgrading = loop.startTls(plain.transport(), new RecordingProtocol(),
                clientTls().withServerName("localhost"), false);
        await(loop, waitFor(loop, () -> serverSide[0].received.size() > 0)); // the ClientHello arrived
        assertThat(upgrading.cancel(false)).isTrue();
        await(loop, serverSide[0].lost);
        await(loop, waitFor(loop, () -> loop.stats().handles().transports() == 0));
        server.close();
    }

    @Test
    void aRenegotiationIsRefused() throws Exception {
        EventLoop loop = newLoop();
        TlsEcho[] serverSide = {null};
        Server server = tlsServer(loop, () -> serverSide[0] = new TlsEcho(), serverTls());
        loop.start();
        javax.net.ssl.SSLContext ctx = CERTS.clientContext("localhost");
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port(server))) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"}); // TLS 1.3 has no renegotiation at all
            s.setSoTimeout(10_000);
            s.startHandshake();
            s.getOutputStream().write(ascii("one"));
            assertThat(s.getInputStream().readNBytes(3)).isEqualTo(ascii("one"));
            s.startHandshake(); // a renegotiation: the server aborts the connection
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            try {
                s.getOutputStream().write(ascii("two"));
                rest.writeBytes(s.getInputStream().readAllBytes());
            } catch (java.io.IOException expected) {
                // the abort, seen as an error by the JDK's socket
            }
            assertThat(rest.toString(StandardCharsets.US_ASCII)).doesNotContain("two");
        }
        Throwable cause = serverSide[0].lost.get(10, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(SSLException.class).hasMessageContaining("renegotiation refused");
    }
}
