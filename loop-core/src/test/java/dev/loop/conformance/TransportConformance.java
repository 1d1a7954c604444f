package dev.loop.conformance;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.loop.EventLoop;
import dev.loop.ExceptionContext;
import dev.loop.NativeIOException;
import dev.loop.capability.Capability;
import dev.loop.capability.CapabilityNotSupportedException;
import dev.loop.internal.engine.Futures;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.testsupport.RecordingProtocol;
import dev.loop.testsupport.TestFds;
import dev.loop.transport.Accepted;
import dev.loop.transport.Connection;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.internal.transport.Sockets;
import dev.loop.transport.Transport;

/**
 * Streams on real sockets and pipes: TCP over IPv4 and IPv6, unix sockets, flow control, half-close,
 * resets, many connections, accept under EMFILE, the low-level socket futures, pipes and ptys.
 */
public abstract class TransportConformance extends LoopTestBase {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean ipv6Loopback() {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** A protocol factory that keeps every protocol it makes in {@code made}. */
    private static Supplier<RecordingProtocol> recording(List<RecordingProtocol> made,
            Supplier<RecordingProtocol> kind) {
        return () -> {
            RecordingProtocol p = kind.get();
            made.add(p);
            return p;
        };
    }

    /** A listening TCP socket of the test's own on 127.0.0.1 (closed after the test). */
    private int listeningSocket(int backlog) throws NativeIOException {
        int listener = fds.track(Sockets.openStream(Linux.AF_INET));
        Sockets.bind(listener, new InetSocketAddress("127.0.0.1", 0));
        Sockets.listen(listener, backlog);
        return listener;
    }

    private static int port(Server server) {
        return ((InetSocketAddress) server.addresses().get(0)).getPort();
    }

    /** Client side of an echo round trip: connect, send, read the echo back, close; asserts the protocol. */
    private void echoRoundTrip(EventLoop loop, CompletableFuture<Connection<Transport, RecordingProtocol>> connecting,
            RecordingProtocol serverSide) {
        Connection<Transport, RecordingProtocol> c = await(loop, connecting);
        RecordingProtocol client = c.protocol();
        assertThat(client.transport).isSameAs(c.transport());
        assertThat(client.state).isEqualTo(RecordingProtocol.State.CONNECTED);
        RecordingProtocol watcher = client;
        loop.callSoon(() -> c.transport().write(ascii("hello, loop")));
        await(loop, waitFor(loop, () -> watcher.bytes().length == 11));
        assertThat(new String(client.bytes(), StandardCharsets.US_ASCII)).isEqualTo("hello, loop");
        c.transport().close();
        assertThat(await(loop, client.lost)).isNull();
        assertThat(client.violations).isEmpty();
        if (serverSide != null) {
            assertThat(await(loop, serverSide.lost)).isNull();
            assertThat(serverSide.violations).isEmpty();
        }
    }

    // =============================================================== TCP

    @Test
    void tcpEchoOverIpv4WithAddressesAndCleanClose() {
        EventLoop loop = newLoop();
        List<RecordingProtocol> accepted = new ArrayList<>();
        Server server = await(loop, loop.createServer(recording(accepted, RecordingProtocol.Echo::new), "127.0.0.1", 0));
        assertThat(server.isServing()).isTrue();
        int port = port(server);
        assertThat(port).isPositive();
        var connecting = loop.createConnection(RecordingProtocol::new, "127.0.0.1", port);
        Connection<Transport, RecordingProtocol> c = await(loop, connecting);
        assertThat(c.transport().remoteAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", port));
        assertThat(c.transport().extraInfo("peername")).isEqualTo(c.transport().remoteAddress());
        assertThat(((InetSocketAddress) c.transport().localAddress()).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(c.transport().extraInfo("socket")).isEqualTo(c.transport().fd());
        await(loop, waitFor(loop, () -> accepted.size() == 1 && accepted.get(0).transport != null));
        assertThat(accepted.get(0).transport.remoteAddress()).isEqualTo(c.transport().localAddress());
        echoRoundTrip(loop, CompletableFuture.completedFuture(c), accepted.get(0));
        assertThat(server.connectionCount()).isZero();
        server.close();
        assertThat(server.isServing()).isFalse();
        await(loop, server.closed());
        assertThat(loop.stats().handles().loopReaders() + loop.stats().handles().readers()).isZero();
    }

    /**
     * asyncio's test_add_reader_or_writer_transport_fd: the descriptor of a transport or server is not the
     * application's to watch; the refusal names its owner, and the transport goes on receiving its data.
     */
    @Test
    void testAddReaderOrWriterTransportFd_aTransportsOrServersDescriptorIsRefused() {
        EventLoop loop = newLoop();
        Server server = await(loop, loop.createServer(RecordingProtocol.Echo::new, "127.0.0.1", 0));
        assertThat(server.loop()).isSameAs(loop);
        assertThat(server.sockets()).hasSize(1);
        assertThat(server.sockets().get(0).address()).isEqualTo(server.addresses().get(0));
        int listener = server.sockets().get(0).fd();
        Connection<Transport, RecordingProtocol> c = await(loop,
                loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server)));
        int fd = c.transport().fd();
        Runnable cb = () -> { };
        for (int owned : new int[] {fd, listener}) {
            String owner = owned == fd ? "transport " + c.transport() : "server " + server;
            assertThatThrownBy(() -> loop.addReader(owned, cb)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("File descriptor " + owned + " is used by " + owner);
            assertThatThrownBy(() -> loop.addWriter(owned, cb)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is used by " + owner);
            assertThatThrownBy(() -> loop.removeReader(owned)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is used by " + owner);
            assertThatThrownBy(() -> loop.removeWriter(owned)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is used by " + owner);
        }
        assertThat(loop.stats().handles().loopWriters() + loop.stats().handles().writers()).isZero();
        // The transport still gets its data: its own reader was not replaced.
        RecordingProtocol client = c.protocol();
        loop.callSoon(() -> c.transport().write(ascii("still mine")));
        await(loop, waitFor(loop, () -> client.bytes().length == 10));
        assertThat(new String(client.bytes(), StandardCharsets.US_ASCII)).isEqualTo("still mine");
        c.transport().close();
        await(loop, client.lost);
        server.close();
        await(loop, server.closed());
        assertThat(server.sockets()).isEmpty();
        // Once closed, the numbers are free again: a pipe put at the transport's number can be watched.
        int[] pipe = fds.pipe(); // may get the number itself (dup3 onto the same number would be EINVAL)
        if (pipe[0] != fd) {
            assertThat(fds.track(LibC.dup3(pipe[0], fd, Linux.O_CLOEXEC))).isEqualTo(fd);
        }
        loop.addReader(fd, cb);
        assertThat(loop.removeReader(fd)).isTrue();
    }

    @Test
    void tcpEchoOverIpv6() {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback on this machine");
        EventLoop loop = newLoop();
        List<RecordingProtocol> accepted = new ArrayList<>();
        Server server = await(loop, loop.createServer(recording(accepted, RecordingProtocol.Echo::new), "::1", 0));
        assertThat(((InetSocketAddress) server.addresses().get(0)).getAddress().getHostAddress()).contains(":");
        echoRoundTrip(loop, loop.createConnection(RecordingProtocol::new, "::1", port(server)), null);
        await(loop, waitFor(loop, () -> accepted.size() == 1 && accepted.get(0).state == RecordingProtocol.State.CLOSED));
        assertThat(accepted.get(0).violations).isEmpty();
        server.close();
    }

    @Test
    void aBufferedProtocolReceivesIntoItsOwnDirectOrHeapBuffer() {
        for (boolean direct : new boolean[] {true, false}) {
            EventLoop loop = newLoop();
            Server server = await(loop, loop.createServer(() -> new dev.loop.transport.BufferedProtocol() {
                final ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(7) : ByteBuffer.allocate(7);
                Transport transport;

                @Override
                public void connectionMade(Transport t) {
                    transport = t;
                }

                @Override
                public ByteBuffer getBuffer(int sizeHint) {
                    return buffer.clear();
                }

                @Override
                public void bufferUpdated(int nbytes) {
                    assertThat(buffer.position()).isEqualTo(nbytes);
                    transport.write(buffer.flip()); // a small buffer: the echo comes back in pieces
                }
            }, "127.0.0.1", 0));
            var c = await(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server)));
            byte[] message = ascii("a message longer than the seven-byte receive buffer");
            c.transport().write(ByteBuffer.allocateDirect(message.length).put(message).flip());
            await(loop, waitFor(loop, () -> c.protocol().bytes().length == message.length));
            assertThat(c.protocol().bytes()).isEqualTo(message);
            server.close();
            loop.close();
        }
    }

    @Test
    void serverOnEveryInterfaceUsesOnePortForIpv4AndIpv6() {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback on this machine");
        EventLoop loop = newLoop();
        Server server = await(loop, loop.createServer(RecordingProtocol.Echo::new, null, 0));
        assertThat(server.addresses()).hasSize(2);
        int port = port(server);
        assertThat(server.addresses()).allSatisfy(a -> assertThat(((InetSocketAddress) a).getPort()).isEqualTo(port));
        echoRoundTrip(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port), null);
        echoRoundTrip(loop, loop.createConnection(RecordingProtocol::new, "::1", port), null);
        server.close();
    }

    @Test
    void hostNamesAreResolvedOffTheLoopThreadAndEachAddressIsTried() {
        EventLoop loop = newLoop();
        // Listening on 127.0.0.1 only: if "localhost" resolves to ::1 first, that attempt is refused and the
        // next address must be tried.
        Server server = await(loop, loop.createServer(RecordingProtocol.Echo::new, "127.0.0.1", 0));
        echoRoundTrip(loop, loop.createConnection(RecordingProtocol::new, "localhost", port(server)), null);
        server.close();
    }

    /**
     * asyncio's start_serving=False, start_serving() and serve_forever(): connections wait in the backlog
     * until the server serves; cancelling serveForever closes it.
     */
    @Test
    void aServerCreatedNotServingAcceptsFromStartServingAndServeForeverUntilCancelled() {
        EventLoop loop = newLoop();
        List<RecordingProtocol> accepted = new ArrayList<>();
        Server server = await(loop, loop.createServer(recording(accepted, RecordingProtocol.Echo::new), "127.0.0.1", 0,
                ServerOptions.DEFAULTS.withStartServing(false)));
        assertThat(server.isServing()).isFalse();
        Connection<Transport, RecordingProtocol> first = await(loop,
                loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server))); // into the backlog
        loop.callSoon(loop::stop);
        loop.runForever();
        assertThat(accepted).isEmpty();
        server.startServing();
        assertThat(server.isServing()).isTrue();
        await(loop, waitFor(loop, () -> accepted.size() == 1));
        CompletableFuture<Void> forever = server.serveForever();
        assertThat(forever).isNotDone();
        assertThatThrownBy(() -> await(loop, server.serveForever())).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("already served by serveForever()");
        echoRoundTrip(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server)), null);
        assertThat(forever.cancel(false)).isTrue();
        assertThat(server.isServing()).isFalse();
        assertThat(server.sockets()).isEmpty();
        server.closeClients();
        first.transport().close();
        await(loop, server.closed());
        assertThatThrownBy(() -> await(loop, server.serveForever())).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    }

    /** serveForever given up with {@code orTimeout} closes the server, as asyncio's wait_for(serve_forever()) does. */
    @Test
    void serveForeverGivenUpWithOrTimeoutClosesTheServer() {
        EventLoop loop = newLoop();
        Server server = await(loop, loop.createServer(RecordingProtocol::new, "127.0.0.1", 0,
                ServerOptions.DEFAULTS.withStartServing(false)));
        CompletableFuture<Void> forever = server.serveForever().orTimeout(20, java.util.concurrent.TimeUnit.MILLISECONDS);
        assertThatThrownBy(() -> await(loop, forever)).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(java.util.concurrent.TimeoutException.class);
        await(loop, server.closed());
        assertThat(server.isServing()).isFalse();
    }

    /** serveForever's future completes when the server is closed some other way. */
    @Test
    void serveForeverCompletesWhenTheServerIsClosed() {
        EventLoop loop = newLoop();
        Server server = await(loop, loop.createServer(RecordingProtocol::new, "127.0.0.1", 0,
                ServerOptions.DEFAULTS.withStartServing(false)));
        CompletableFuture<Void> forever = server.serveForever();
        assertThat(server.isServing()).isTrue();
        loop.callSoon(server::close);
        assertThat(await(loop, forever)).isNull();
        assertThat(forever).isNotCancelled();
    }

    @Test
    void connectionRefusedFailsTheFutureWithEconnrefused() {
        EventLoop loop = newLoop();
        Server server = await(loop, loop.createServer(RecordingProtocol::new, "127.0.0.1", 0));
        int port = port(server);
        server.close();
        await(loop, server.closed());
        var attempt = loop.createConnection(RecordingProtocol::new, "127.0.0.1", port);
        assertThatThrownBy(() -> await(loop, attempt)).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(NativeIOException.class)
                .satisfies(e -> assertThat(((NativeIOException) e).errnoName()).isEqualTo("ECONNREFUSED"));
    }

    @Test
    void secondServerOnAPortInUseFailsWithEaddrinuseUnlessBothReusePort() throws Exception {
        EventLoop loop = newLoop();
        Server first = await(loop, loop.createServer(RecordingProtocol::new, "127.0.0.1", 0));
        int port = port(first);
        assertThatThrownBy(() -> await(loop, loop.createServer(RecordingProtocol::new, "127.0.0.1", port)))
                .cause().isInstanceOf(NativeIOException.class)
                .satisfies(e -> assertThat(((NativeIOException) e).errnoName()).isEqualTo("EADDRINUSE"))
                .hasMessageContaining("127.0.0.1");
        first.close();
        ServerOptions reuse = ServerOptions.DEFAULTS.withReusePort(true);
        Server a = await(loop, loop.createServer(RecordingProtocol::new, "127.0.0.1", 0, reuse));
        Server b = await(loop, loop.createServer(RecordingProtocol::new, "127.0.0.1", port(a), reuse));
        assertThat(port(b)).isEqualTo(port(a));
        for (Server s : List.of(a, b)) { // asyncio's test_create_server_reuse_port: read from the server's sockets
            assertThat(Sockets.getOption(s.sockets().get(0).fd(), Linux.SOL_SOCKET, Linux.SO_REUSEPORT)).isEqualTo(1);
        }
        assertThat(Sockets.getOption(a.sockets().get(0).fd(), Linux.SOL_SOCKET, Linux.SO_REUSEADDR)).isEqualTo(1);
        assertThat(first.sockets()).isEmpty();
        a.close();
        b.close();
    }

    @Test
    void pauseReadingInConnectionMadeIsHonouredAndNoDataArrivesBeforeIt() throws Exception {
        EventLoop loop = newLoop();
        List<RecordingProtocol> accepted = new ArrayList<>();
        Server server = await(loop, loop.createServer(() -> {
            RecordingProtocol p = new RecordingProtocol() {
                @Override
                public void connectionMade(Transport t) {
                    super.connectionMade(t);
                    t.pauseReading();
                }
            };
            accepted.add(p);
            return p;
        }, "127.0.0.1", 0));
        try (Socket client = new Socket("127.0.0.1", port(server))) {
            client.getOutputStream().write(ascii("early"));
            await(loop, waitFor(loop, () -> !accepted.isEmpty() && accepted.get(0).transport != null));
            RecordingProtocol p = accepted.get(0);
            await(loop, sleep(loop, 50));
            assertThat(p.bytes()).isEmpty();
            assertThat(p.transport.isReading()).isFalse();
            p.transport.resumeReading();
            p.transport.resumeReading(); // idempotent
            await(loop, waitFor(loop, () -> p.bytes().length == 5));
            assertThat(p.transport.isReading()).isTrue();
            assertThat(p.violations).isEmpty();
        }
        server.close();
    }

    /**
     * A pause while reading is under way: on the proactor a read is in flight and completes meanwhile; its bytes
     * wait (parked) and arrive only after the resume, in a callback of their own. On readiness they wait in the
     * socket.
     */
    @Test
    void bytesThatArriveWhilePausedAreDeliveredOnResumeAndNotBefore() throws Exception {
        EventLoop loop = newLoop();
        List<RecordingProtocol> accepted = new ArrayList<>();
        Server server = await(loop, loop.createServer(() -> {
            RecordingProtocol p = new RecordingProtocol();
            accepted.add(p);
            return p;
        }, "127.0.0.1", 0));
        try (Socket client = new Socket("127.0.0.1", port(server))) {
            client.getOutputStream().write(ascii("first"));
            await(loop, waitFor(loop, () -> !accepted.isEmpty() && accepted.get(0).bytes().length == 5));
            RecordingProtocol p = accepted.get(0);
            p.transport.pauseReading(); // reading was under way: on the proactor a read is in flight
            client.getOutputStream().write(ascii("second"));
            await(loop, sleep(loop, 50)); // a window in which nothing may arrive
            assertThat(p.bytes()).hasSize(5);
            p.transport.resumeReading();
            await(loop, waitFor(loop, () -> p.bytes().length == 11));
            assertThat(new String(p.bytes(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("firstsecond");
            client.getOutputStream().write(ascii("third")); // and reading goes on after the parked result
            await(loop, waitFor(loop, () -> p.bytes().length == 16));
            assertThat(p.violations).isEmpty();
        }
        server.close();
    }

    @Test
    void sixtyFourMebibytesThroughASlowReaderStayWithinTheHighWaterMarkAndArriveIntact() {
        EventLoop loop = newLoop();
        long total = 64L << 20;
        int chunk = 32 * 1024;
        AtomicLong maxBuffered = new AtomicLong();
        AtomicInteger pauseCount = new AtomicInteger();
        // The server produces while not paused: it must see pauseWriting and resumeWriting many times.
        Server server = await(loop, loop.createServer(() -> new RecordingProtocol() {
            long sent;
            boolean paused;

            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                produce();
            }

            void produce() {
                while (!paused && sent < total && !transport.isClosing()) {
                    byte[] b = new byte[chunk];
                    for (int i = 0; i < chunk; i++) {
                        b[i] = pattern(sent + i);
                    }
                    sent += chunk;
                    transport.write(b);
                    maxBuffered.accumulateAndGet(transport.writeBufferSize(), Math::max);
                }
                if (sent == total && !paused) {
                    transport.close();
                }
            }

            @Override
            public void pauseWriting() {
                super.pauseWriting();
                paused = true;
                pauseCount.incrementAndGet();
            }

            @Override
            public void resumeWriting() {
                super.resumeWriting();
                paused = false;
                loop.callSoon(this::produce);
            }
        }, "127.0.0.1", 0));
        // The client checks every byte and pauses reading for 2 ms after every 4 MiB.
        AtomicLong receivedCount = new AtomicLong();
        AtomicLong firstBad = new AtomicLong(-1);
        var c = await(loop, loop.createConnection(() -> new RecordingProtocol() {
            long nextPause = 4 << 20;

            @Override
            public void dataReceived(ByteBuffer data) {
                long base = receivedCount.get();
                int n = data.remaining();
                for (int i = 0; i < n; i++) {
                    if (data.get(i) != pattern(base + i) && firstBad.get() < 0) {
                        firstBad.set(base + i);
                    }
                }
                receivedCount.addAndGet(n);
                if (receivedCount.get() >= nextPause) {
                    nextPause += 4 << 20;
                    transport.pauseReading();
                    loop.callLater(Duration.ofMillis(2), transport::resumeReading);
                }
            }
        }, "127.0.0.1", port(server)));
        await(loop, c.protocol().eof, 60);
        assertThat(firstBad.get()).as("first corrupted offset").isEqualTo(-1);
        assertThat(receivedCount.get()).isEqualTo(total);
        assertThat(pauseCount.get()).as("pauseWriting calls").isGreaterThan(1);
        // Never more than the high-water mark plus the one write that crossed it.
        assertThat(maxBuffered.get()).isLessThanOrEqualTo(64 * 1024 + chunk);
        server.close();
    }

    private static byte pattern(long offset) {
        return (byte) (offset * 31 + (offset >>> 11));
    }

    @Test
    void halfCloseKeepsTheOtherDirectionOpen() {
        EventLoop loop = newLoop();
        Server server = await(loop, loop.createServer(() -> new RecordingProtocol() {
            {
                keepOpenOnEof = true;
            }

            @Override
            public boolean eofReceived() {
                boolean keep = super.eofReceived();
                transport.write(ascii("got " + bytes().length + " bytes"));
                transport.close();
                return keep;
            }
        }, "127.0.0.1", 0));
        var c = await(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server)));
        Transport t = c.transport();
        assertThat(t.canWriteEof()).isTrue();
        t.write(ascii("12345"));
        t.writeEof();
        assertThatThrownBy(() -> t.write(ascii("x"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("writeEof");
        await(loop, c.protocol().eof);
        assertThat(new String(c.protocol().bytes(), StandardCharsets.US_ASCII)).isEqualTo("got 5 bytes");
        assertThat(await(loop, c.protocol().lost)).isNull();
        assertThat(c.protocol().violations).isEmpty();
        server.close();
    }

    @Test
    void aPeerResetGivesConnectionLostWithEconnreset() throws Exception {
        EventLoop loop = newLoop();
        List<RecordingProtocol> accepted = new ArrayList<>();
        Server server = await(loop, loop.createServer(recording(accepted, RecordingProtocol::new), "127.0.0.1", 0));
        Socket client = new Socket("127.0.0.1", port(server));
        await(loop, waitFor(loop, () -> !accepted.isEmpty() && accepted.get(0).transport != null));
        client.setSoLinger(true, 0);
        client.close(); // RST
        Throwable cause = await(loop, accepted.get(0).lost);
        assertThat(cause).isInstanceOf(NativeIOException.class);
        assertThat(((NativeIOException) cause).errnoName()).isEqualTo("ECONNRESET");
        assertThat(accepted.get(0).violations).isEmpty();
        server.close();
    }

    @Test
    void writesAfterTheConnectionWasLostAreDroppedNotThrown() {
        EventLoop loop = newLoop();
        Server server = await(loop, loop.createServer(RecordingProtocol::new, "127.0.0.1", 0));
        var c = await(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server)));
        c.transport().abort();
        await(loop, c.protocol().lost);
        c.transport().write(ascii("dropped"));
        assertThat(c.transport().isClosing()).isTrue();
        assertThat(c.transport().writeBufferSize()).isZero();
        server.close();
    }

    @Test
    void aThousandConcurrentConnectionsAllEcho() {
        long needed = 2 * 1000 + 64;
        assumeTrue(loopCapabilities().supports(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE)
                || TestFds.countOpenFds() + needed < Linux.FD_SETSIZE,
                "1,000 connections need descriptors above FD_SETSIZE, which this poller declares unsupported");
        EventLoop loop = newLoop();
        Server server = await(loop, loop.createServer(RecordingProtocol.Echo::new, "127.0.0.1", 0,
                ServerOptions.DEFAULTS.withBacklog(1024)));
        int port = port(server);
        List<CompletableFuture<Connection<Transport, RecordingProtocol>>> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            all.add(loop.createConnection(RecordingProtocol::new, "127.0.0.1", port));
        }
        await(loop, CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)), 60);
        for (int i = 0; i < all.size(); i++) {
            all.get(i).join().transport().write(ascii("message " + i));
        }
        await(loop, waitFor(loop, () -> all.stream().allMatch(f -> f.join().protocol().bytes().length > 0
                && new String(f.join().protocol().bytes(), StandardCharsets.US_ASCII).equals(
                        "message " + all.indexOf(f)))), 60);
        assertThat(server.connectionCount()).isEqualTo(1000);
        all.forEach(f -> f.join().transport().close());
        await(loop, waitFor(loop, () -> server.connectionCount() == 0), 60);
        all.forEach(f -> assertThat(f.join().protocol().violations).isEmpty());
        server.close();
    }

    @Test
    void acceptUnderEmfilePausesAcceptingAndRecoversWhenDescriptorsFreeUp() throws Exception {
        EventLoop loop = newLoop();
        List<RecordingProtocol> accepted = new ArrayList<>();
        List<ExceptionContext> errors = recordExceptions(loop);
        Server server = await(loop, loop.createServer(recording(accepted, RecordingProtocol::new), "127.0.0.1", 0,
                ServerOptions.DEFAULTS.withAcceptRetryDelay(Duration.ofMillis(100))));
        int port = port(server);
        // Three client sockets, opened now but connected only once every descriptor is taken: a client
        // connected earlier races the filler below for the loop's accept (the loop may take one or two
        // before the descriptors run out, more often on a busy machine).
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(SocketChannel.open());
        }
        // Descriptors of unreachable JDK streams are closed by cleaners after a GC, at any moment: one
        // freed during the test would let an accept through. Let that happen now, not during the test.
        System.gc();
        Thread.sleep(100);
        List<Integer> filler = new ArrayList<>();
        long[] limit = Descriptors.openFileLimit();
        try (NativeMemory rl = new NativeMemory(Linux.RLIMIT_SIZE)) {
            // Lower the soft limit to just above what is open, then take every descriptor left.
            java.util.Map<Integer, String> beforeFill = TestFds.openFdTargets();
            long highest = beforeFill.keySet().stream().mapToLong(Integer::longValue).max().orElse(0);
            rl.buffer().putLong(0, Math.min(limit[0], highest + 32));
            rl.buffer().putLong(8, limit[1]);
            assertThat(LibC.setrlimit(Linux.RLIMIT_NOFILE, rl.address())).isZero();
            try {
                while (true) {
                    int fd = LibC.fcntl(0, Linux.F_DUPFD_CLOEXEC, 0);
                    if (fd < 0) {
                        assertThat(LibC.errno()).isEqualTo(Errno.EMFILE);
                        break;
                    }
                    filler.add(fd);
                }
                // Connecting needs no new descriptor; the kernel completes the handshakes and the clients
                // wait in the backlog for an accept that cannot get a descriptor.
                for (SocketChannel c : clients) {
                    c.connect(new InetSocketAddress("127.0.0.1", port));
                }
                long iterationsBefore = loop.stats().iterations();
                await(loop, sleep(loop, 350));
                long iterations = loop.stats().iterations() - iterationsBefore;
                int acceptedWhileOut = accepted.size();
                // Accepting pauses instead of spinning.
                assertThat(errors).isNotEmpty();
                assertThat(errors.get(0).message()).contains("out of system resource");
                assertThat(((NativeIOException) errors.get(0).exception()).errnoName()).isEqualTo("EMFILE");
                // About one attempt per retry delay, never a busy loop.
                assertThat(errors.size()).isBetween(2, 6);
                assertThat(iterations).as("loop iterations in 350 ms").isLessThan(100);
                // An accept can only have taken a descriptor that something else in the JVM closed meanwhile (a
                // cleaner, a class loader's jar: at any moment, more often on a busy machine). Those are the
                // descriptors open before the fill that are gone or point elsewhere now; listing them takes a
                // descriptor, so filler ones are given back until the listing gets one.
                java.util.Map<Integer, String> afterWindow = null;
                while (afterWindow == null) {
                    LibC.close(filler.remove(filler.size() - 1));
                    try {
                        afterWindow = TestFds.openFdTargets();
                    } catch (java.io.UncheckedIOException e) {
                        // the loop took the one given back (EMFILE again): give back another
                    }
                }
                java.util.Map<Integer, String> now = afterWindow;
                long freedByOthers = beforeFill.entrySet().stream()
                        .filter(e -> !e.getValue().equals(now.get(e.getKey()))).count();
                assertThat(acceptedWhileOut).as("accepted while descriptors ran out").isLessThanOrEqualTo(
                        (int) freedByOthers);
            } finally {
                filler.forEach(LibC::close);
                rl.buffer().putLong(0, limit[0]);
                LibC.setrlimit(Linux.RLIMIT_NOFILE, rl.address());
            }
        }
        await(loop, waitFor(loop, () -> accepted.size() == 3 && accepted.stream().allMatch(p -> p.transport != null)));
        assertThat(server.isServing()).isTrue();
        for (SocketChannel c : clients) {
            c.close();
        }
        server.close();
    }

    /** Takes every free descriptor below FD_SETSIZE (adding them to {@code filler}). */
    private static void fillBelowFdSetsize(List<Integer> filler) {
        while (true) {
            int fd = LibC.fcntl(0, Linux.F_DUPFD_CLOEXEC, 0);
            assertThat(fd).isNotNegative();
            if (fd >= Linux.FD_SETSIZE) {
                LibC.close(fd);
                return;
            }
            filler.add(fd);
        }
    }

    @Test
    void anAcceptedDescriptorTheBackendCannotWatchIsClosedAtOnceAndAcceptingBacksOff() throws Exception {
        EventLoop loop = newLoop();
        assumeFalse(loop.capabilities().supports(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE),
                "this backend watches descriptors above FD_SETSIZE");
        List<RecordingProtocol> accepted = new ArrayList<>();
        List<ExceptionContext> errors = recordExceptions(loop);
        Server server = await(loop, loop.createServer(recording(accepted, RecordingProtocol.Echo::new), "127.0.0.1", 0,
                ServerOptions.DEFAULTS.withAcceptRetryDelay(Duration.ofMillis(100))));
        int port = port(server);
        // Take every free descriptor below FD_SETSIZE: the next accepted connection gets one above it. Another
        // thread of this JVM may free one below it meanwhile (the JDK's cleaners close the descriptors of streams
        // that became unreachable, at any time): a connection accepted then gets it and is served. So: fill, connect,
        // and wait until the connection is either refused (the case under test) or served; when served, fill again.
        List<Integer> filler = new ArrayList<>();
        int served = 0;
        try {
            Socket refused = null;
            while (refused == null) {
                fillBelowFdSetsize(filler);
                Socket client = new Socket("127.0.0.1", port);
                client.setSoTimeout(10_000);
                int servedBefore = accepted.size();
                await(loop, waitFor(loop, () -> !errors.isEmpty() || accepted.size() > servedBefore));
                if (errors.isEmpty()) {
                    client.close(); // it got a descriptor freed below FD_SETSIZE: not the case under test
                    served++;
                } else {
                    refused = client;
                }
            }
            try (Socket client = refused) {
                // Closed at once, never served: the client sees the end of the stream instead of hanging.
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(accepted).hasSize(served);
            assertThat(errors).hasSize(1);
            assertThat(errors.get(0).message()).contains("cannot be watched").contains("accepting pauses");
            assertThat(errors.get(0).exception()).isInstanceOf(CapabilityNotSupportedException.class);
            assertThat(server.isServing()).as("backing off").isFalse();
            assertThat(TestFds.openFdTargets()).as("sockets left open at or above FD_SETSIZE (the client is closed)")
                    .noneSatisfy((fd, target) -> assertThat(fd >= Linux.FD_SETSIZE && target.startsWith("socket:"))
                            .isTrue());
        } finally {
            filler.forEach(LibC::close);
        }
        // Descriptors below FD_SETSIZE again: accepting resumes and the next client is served.
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("served".getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.getInputStream().readNBytes(6);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(await(loop, echoed)).isEqualTo("served".getBytes(StandardCharsets.US_ASCII));
        }
        server.close();
    }

    @Test
    void loopCloseReleasesServersAndTransports() {
        EventLoop loop = newLoop();
        var before = TestFds.openFdTargets();
        Server server = await(loop, loop.createServer(RecordingProtocol.Echo::new, "127.0.0.1", 0));
        await(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server)));
        await(loop, waitFor(loop, () -> server.connectionCount() == 1));
        assertThat(TestFds.newFdsSince(before)).hasSizeGreaterThanOrEqualTo(3);
        loop.close();
        assertThat(TestFds.newFdsSince(before)).isEmpty();
    }

    /**
     * asyncio's create_server(sock=), create_connection(sock=) and connect_accepted_socket: sockets the
     * application made itself become a server and connections, owned by the loop from then on.
     */
    @Test
    void socketsTheApplicationMadeBecomeAServerAndConnections() throws Exception {
        EventLoop loop = newLoop();
        int listenFd = Sockets.openStream(Linux.AF_INET);
        Sockets.setOption(listenFd, Linux.SOL_SOCKET, Linux.SO_REUSEPORT, 1);
        Sockets.bind(listenFd, new InetSocketAddress("127.0.0.1", 0));
        Server server = await(loop, loop.createServerOnSocket(RecordingProtocol.Echo::new, listenFd,
                ServerOptions.DEFAULTS));
        assertThat(server.sockets()).singleElement().satisfies(l -> {
            assertThat(l.fd()).isEqualTo(listenFd);
            assertThat(l.address()).isEqualTo(Sockets.localAddress(listenFd));
        });
        assertThat(Sockets.getOption(listenFd, Linux.SOL_SOCKET, Linux.SO_REUSEPORT)).as("the application's option")
                .isEqualTo(1);
        assertThatThrownBy(() -> loop.addReader(listenFd, () -> { })).isInstanceOf(IllegalStateException.class);

        int client = Sockets.openStream(Linux.AF_INET);
        await(loop, loop.sockConnect(client, server.addresses().get(0)));
        echoRoundTrip(loop, loop.createConnectionOnSocket(RecordingProtocol::new, client), null);

        // connect_accepted_socket: the other end of a connection accepted without the loop's server.
        int listener = listeningSocket(1);
        CompletableFuture<Accepted> accepting = loop.sockAccept(listener);
        var connecting = loop.createConnection(RecordingProtocol::new, "127.0.0.1",
                ((InetSocketAddress) Sockets.localAddress(listener)).getPort());
        Accepted accepted = await(loop, accepting);
        Connection<Transport, RecordingProtocol> serverSide = await(loop,
                loop.connectAcceptedSocket(RecordingProtocol.Echo::new, accepted.fd()));
        assertThat(serverSide.transport().remoteAddress()).isEqualTo(accepted.remoteAddress());
        echoRoundTrip(loop, connecting, serverSide.protocol());
        server.close();
        await(loop, server.closed());
    }

    @Test
    void anythingButAFreeStreamSocketIsRefusedAsAnExistingSocket() {
        EventLoop loop = newLoop();
        int[] pipe = fds.pipe();
        assertThatThrownBy(() -> loop.createConnectionOnSocket(RecordingProtocol::new, pipe[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a socket");
        int udp = fds.track(LibC.socket(Linux.AF_INET, 2 /* SOCK_DGRAM */ | Linux.SOCK_CLOEXEC, 0));
        assertThatThrownBy(() -> loop.createServerOnSocket(RecordingProtocol::new, udp, ServerOptions.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a stream socket");
        assertThatThrownBy(() -> loop.connectAcceptedSocket(RecordingProtocol::new, 1_000_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a socket");
        Server server = await(loop, loop.createServer(RecordingProtocol::new, "127.0.0.1", 0));
        Connection<Transport, RecordingProtocol> c = await(loop,
                loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server)));
        assertThatThrownBy(() -> loop.createConnectionOnSocket(RecordingProtocol::new, c.transport().fd()))
                .isInstanceOf(IllegalStateException.class).hasMessage(
                        "File descriptor " + c.transport().fd() + " is used by transport " + c.transport()
                                + "; createConnectionOnSocket is refused on it (use the owner's own methods, or a "
                                + "descriptor of your own)");
        c.transport().close();
        server.close();
    }

    /** asyncio's local_addr: each socket is bound to the local address asked for before it connects. */
    @Test
    void aConnectionFromALocalAddressIsBoundToIt() {
        EventLoop loop = newLoop();
        List<RecordingProtocol> accepted = new ArrayList<>();
        Server server = await(loop, loop.createServer(recording(accepted, RecordingProtocol.Echo::new), "127.0.0.1", 0));
        Connection<Transport, RecordingProtocol> c = await(loop, loop.createConnection(RecordingProtocol::new,
                "127.0.0.1", port(server), new InetSocketAddress("127.0.0.2", 0)));
        InetSocketAddress local = (InetSocketAddress) c.transport().localAddress();
        assertThat(local.getAddress().getHostAddress()).isEqualTo("127.0.0.2");
        await(loop, waitFor(loop, () -> accepted.size() == 1 && accepted.get(0).transport != null));
        assertThat(accepted.get(0).transport.remoteAddress()).isEqualTo(local);
        assertThatThrownBy(() -> await(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server),
                new InetSocketAddress("::1", 0)))).rootCause().isInstanceOf(NativeIOException.class)
                .hasMessageContaining("no local address of").hasMessageContaining("has the family of [/127.0.0.1]");
        c.transport().close();
        server.close();
    }

    // =============================================================== unix sockets

    @Test
    void unixEchoReplacesAStaleSocketAppliesTheModeAndRemovesTheFileOnClose(@TempDir Path dir) throws Exception {
        EventLoop loop = newLoop();
        Path path = dir.resolve("echo.sock");
        Server stale = await(loop, loop.createUnixServer(RecordingProtocol::new, path));
        // Simulate a crashed run: the file stays, nobody listens.
        assertThat(Files.exists(path)).isTrue();
        Path kept = dir.resolve("kept.sock");
        Files.move(path, kept);
        stale.close();
        Files.move(kept, path);
        Server server = await(loop, loop.createUnixServer(RecordingProtocol.Echo::new, path,
                ServerOptions.DEFAULTS.withFileMode(PosixFilePermissions.fromString("rw-------"))));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
        assertThat(server.addresses()).containsExactly(java.net.UnixDomainSocketAddress.of(path));
        var c = loop.createUnixConnection(RecordingProtocol::new, path);
        echoRoundTrip(loop, c, null);
        server.close();
        assertThat(Files.exists(path)).isFalse();
    }

    /** asyncio's cleanup_socket=False (3.13): closing the server leaves its socket file. */
    @Test
    void aUnixServerAskedNotToCleanUpLeavesItsSocketFile(@TempDir Path dir) {
        EventLoop loop = newLoop();
        Path path = dir.resolve("kept.sock");
        Server server = await(loop, loop.createUnixServer(RecordingProtocol::new, path,
                ServerOptions.DEFAULTS.withCleanupSocket(false)));
        assertThat(server.sockets()).singleElement()
                .satisfies(l -> assertThat(l.address()).isEqualTo(java.net.UnixDomainSocketAddress.of(path)));
        server.close();
        await(loop, server.closed());
        assertThat(Files.exists(path)).isTrue();
    }

    @Test
    void unixServerRefusesToReplaceAFileThatIsNotASocket(@TempDir Path dir) throws Exception {
        EventLoop loop = newLoop();
        Path path = dir.resolve("data.txt");
        Files.writeString(path, "precious");
        assertThatThrownBy(() -> await(loop, loop.createUnixServer(RecordingProtocol::new, path)))
                .hasCauseInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("not a socket");
        assertThat(Files.readString(path)).isEqualTo("precious");
    }

    // =============================================================== low-level socket futures

    @Test
    void sockAcceptConnectSendAllAndRecv() throws Exception {
        EventLoop loop = newLoop();
        int listener = listeningSocket(10);
        SocketAddress address = Sockets.localAddress(listener);
        CompletableFuture<Accepted> accepting = loop.sockAccept(listener);
        int client = fds.track(Sockets.openStream(Linux.AF_INET));
        await(loop, loop.sockConnect(client, address));
        Accepted a = await(loop, accepting);
        fds.track(a.fd());
        assertThat(a.remoteAddress()).isEqualTo(Sockets.localAddress(client));
        CompletableFuture<ByteBuffer> recv = loop.sockRecv(a.fd(), 1024);
        assertThat(recv).isNotDone();
        byte[] big = new byte[3 << 20];
        java.util.Arrays.fill(big, (byte) 7);
        CompletableFuture<Void> sent = loop.sockSendAll(client, ByteBuffer.wrap(big));
        ByteBuffer first = await(loop, recv);
        assertThat(first.remaining()).isPositive();
        long total = first.remaining();
        ByteBuffer into = ByteBuffer.allocateDirect(64 * 1024);
        while (total < big.length) {
            into.clear();
            total += await(loop, loop.sockRecvInto(a.fd(), into));
            assertThat(into.get(0)).isEqualTo((byte) 7);
        }
        await(loop, sent);
        assertThat(total).isEqualTo(big.length);
        fds.closeNow(client);
        assertThat(await(loop, loop.sockRecv(a.fd(), 10)).remaining()).isZero(); // EOF
    }

    /**
     * asyncio's test_prompt_cancellation: a cancelled sockRecv takes nothing, so the next one gets the byte,
     * and leaves no reader behind (poll and select would report the descriptor closed while registered).
     */
    @Test
    void testPromptCancellation_aCancelledSockRecvConsumesNothingAndLeavesNothingRegistered() {
        EventLoop loop = newLoop();
        List<ExceptionContext> errors = recordExceptions(loop);
        int[] pair = fds.socketPair();
        CompletableFuture<ByteBuffer> recv = loop.sockRecv(pair[0], 1);
        loop.callSoon(loop::stop);
        loop.runForever(); // one step: the wait is in the poller, or in the kernel
        assertThat(recv.cancel(false)).isTrue();
        TestFds.write(pair[1], ascii("x"));
        ByteBuffer next = await(loop, loop.sockRecv(pair[0], 1));
        assertThat(next.remaining()).isEqualTo(1);
        assertThat(next.get(0)).isEqualTo((byte) 'x');
        assertThat(loop.stats().handles().loopReaders() + loop.stats().handles().readers()).isZero();
        fds.closeNow(pair[0]);
        loop.callSoon(loop::stop);
        loop.runForever(); // a poll that still watched it would report it now
        assertThat(errors).isEmpty();
    }

    /**
     * The same across threads, where a cancel races the loop's read: whenever {@code cancel} succeeds, the
     * byte is still in the socket for the next receive; when it fails, the future has the byte. Never both,
     * never neither.
     */
    @Test
    void aSockRecvIntoCancelledFromAnotherThreadNeverLosesOrDuplicatesData() throws Exception {
        giveUpRacesTheReceive(recv -> recv.cancel(false) && recv.isCancelled());
    }

    /**
     * Give-ups racing the loop's receives from another thread, 300 times: whenever {@code giveUp} succeeds, the
     * byte is still in the socket for the next receive; when it fails, the receive has the byte.
     */
    private void giveUpRacesTheReceive(java.util.function.Predicate<CompletableFuture<Integer>> giveUp) throws Exception {
        EventLoop loop = newLoop();
        loop.start();
        int[] pair = fds.socketPair();
        int givenUp = 0;
        for (int i = 0; i < 300; i++) {
            byte expected = (byte) i;
            ByteBuffer into = ByteBuffer.allocate(1);
            CompletableFuture<Integer> recv = loop.sockRecvInto(pair[0], into);
            Thread writer = new Thread(() -> TestFds.write(pair[1], new byte[] {expected}));
            writer.start();
            if (i % 3 == 0) {
                Thread.onSpinWait(); // vary where the give-up lands: before, during or after the read
            }
            boolean gaveUp = giveUp.test(recv);
            writer.join();
            if (gaveUp) {
                givenUp++;
                ByteBuffer again = loop.sockRecv(pair[0], 1).get(5, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(again.get(0)).as("byte %d after the receive was given up", i).isEqualTo(expected);
            } else {
                assertThat(recv.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
                assertThat(into.get(0)).as("byte %d read by the receive", i).isEqualTo(expected);
            }
        }
        assertThat(givenUp).isPositive();
        CompletableFuture<Integer> readers = loop.submit(() -> loop.stats().handles().loopReaders() + loop.stats().handles().readers());
        assertThat(readers.get(5, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    }

    /**
     * asyncio's {@code wait_for(sock_recv(...), timeout)} cancels the receive; a Java caller writes {@code
     * orTimeout}, which fails the future from the JDK's timer thread instead. Giving up that way is a cancel too:
     * the receive takes nothing (the byte sent later goes to the next one) and no reader stays registered.
     */
    @Test
    void aSockRecvGivenUpWithOrTimeoutTakesNothingAndLeavesNothingRegistered() throws Exception {
        EventLoop loop = newLoop();
        loop.start();
        int[] pair = fds.socketPair();
        CompletableFuture<ByteBuffer> recv = loop.sockRecv(pair[0], 1).orTimeout(20, java.util.concurrent.TimeUnit.MILLISECONDS);
        assertThatThrownBy(() -> recv.get(5, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        CompletableFuture<Integer> readers = loop.submit(() -> loop.stats().handles().loopReaders() + loop.stats().handles().readers());
        assertThat(readers.get(5, java.util.concurrent.TimeUnit.SECONDS)).as("readers left registered").isZero();
        TestFds.write(pair[1], ascii("x"));
        ByteBuffer next = loop.sockRecv(pair[0], 1).get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(next.get(0)).isEqualTo((byte) 'x');
    }

    /**
     * The race of {@link #aSockRecvIntoCancelledFromAnotherThreadNeverLosesOrDuplicatesData}, with the receive
     * failed by another thread (as {@code orTimeout} fails it) instead of cancelled: when the failure lands, the
     * byte is still in the socket; when the receive got there first, the failure is refused.
     */
    @Test
    void aSockRecvIntoFailedFromAnotherThreadNeverLosesOrDuplicatesData() throws Exception {
        giveUpRacesTheReceive(recv -> recv.completeExceptionally(new java.util.concurrent.TimeoutException("given up")));
    }

    /**
     * asyncio's test_cancel_sock_accept: an accept cancelled on the loop (asyncio's wait_for timeout) leaves
     * nothing holding the listener, so once the application closes it, a connect is refused.
     */
    @Test
    void testCancelSockAccept_aCancelledAcceptLeavesNothingHoldingTheListener() throws Exception {
        EventLoop loop = newLoop();
        int listener = listeningSocket(1);
        SocketAddress address = Sockets.localAddress(listener);
        CompletableFuture<Accepted> accepting = loop.sockAccept(listener);
        loop.callLater(Duration.ofMillis(20), () -> {
            accepting.cancel(false);
            loop.stop();
        });
        loop.runForever();
        assertThat(accepting).isCancelled();
        fds.closeNow(listener);
        int client = fds.track(Sockets.openStream(Linux.AF_INET));
        assertThatThrownBy(() -> await(loop, loop.sockConnect(client, address))).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(NativeIOException.class)
                .satisfies(e -> assertThat(((NativeIOException) e).errnoName()).isEqualTo("ECONNREFUSED"));
    }

    /**
     * A cancelled sockSendAll sends nothing more, and a sockConnect cancelled while its host name is resolved
     * is cancelled, with no writer behind.
     */
    @Test
    void cancelledSockSendAllAndSockConnectLeaveNoRegistration() throws Exception {
        EventLoop loop = newLoop();
        int[] pair = fds.socketPair();
        byte[] big = new byte[8 << 20]; // more than the socket buffers take: the send waits
        CompletableFuture<Void> sending = loop.sockSendAll(pair[0], ByteBuffer.wrap(big));
        assertThat(sending).isNotDone();
        assertThat(sending.cancel(false)).isTrue();
        long queued = drain(pair[1]);
        assertThat(queued).isLessThan(big.length);
        loop.callSoon(loop::stop);
        loop.runForever();
        assertThat(drain(pair[1])).isZero(); // nothing more was sent after the cancel
        assertThat(loop.stats().handles().loopWriters() + loop.stats().handles().writers()).isZero();

        int listener = listeningSocket(1);
        int client = fds.track(Sockets.openStream(Linux.AF_INET));
        CompletableFuture<Void> connecting = loop.sockConnect(client,
                InetSocketAddress.createUnresolved("localhost", ((InetSocketAddress) Sockets.localAddress(listener)).getPort()));
        assertThat(connecting.cancel(false)).isTrue();
        loop.callSoon(loop::stop);
        loop.runForever();
        assertThat(loop.stats().handles().loopWriters() + loop.stats().handles().writers()).isZero();
    }

    /** asyncio's test_sock_client_ops in debug mode: a blocking socket is refused before anything is done. */
    @Test
    void testSockClientOps_debugModeRefusesABlockingSocketForEveryOperation() {
        EventLoop loop = newLoop(dev.loop.LoopOptions.builder().name("debug-" + loopId()).debug(true)
                .delaySamplingInterval(Duration.ZERO).build());
        int[] pair = Descriptors.socketPair(false); // blocking
        fds.track(pair[0]);
        fds.track(pair[1]);
        String message = "the socket must be non-blocking: fd " + pair[0];
        assertThatThrownBy(() -> loop.sockRecv(pair[0], 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> loop.sockRecvInto(pair[0], ByteBuffer.allocate(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> loop.sockSendAll(pair[0], ByteBuffer.wrap(ascii("x"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> loop.sockAccept(pair[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> loop.sockConnect(pair[0], new InetSocketAddress("127.0.0.1", 9)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        Sockets.setNonBlocking(pair[1]); // its own file: pair[0] stays blocking
        assertThat(TestFds.read(pair[1], 1)).as("nothing was sent").isNull();
        // The same socket made non-blocking works.
        Sockets.setNonBlocking(pair[0]);
        await(loop, loop.sockSendAll(pair[0], ByteBuffer.wrap(ascii("y"))));
        assertThat(await(loop, loop.sockRecv(pair[1], 1)).get(0)).isEqualTo((byte) 'y');
    }

    private static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + (i >> 12));
        }
        return b;
    }

    /** Receives on {@code fd} through the loop until {@code expected} bytes came; they are in {@code into}. */
    private static CompletableFuture<Void> receiveAll(EventLoop loop, int fd, long expected,
            java.io.ByteArrayOutputStream into) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable[] next = {null};
        next[0] = () -> loop.sockRecv(fd, 1 << 16).whenComplete((b, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
                return;
            }
            into.write(b.array(), b.position(), b.remaining());
            if (into.size() >= expected || !b.hasRemaining()) {
                done.complete(null);
            } else {
                next[0].run();
            }
        });
        next[0].run();
        return done;
    }

    /**
     * asyncio's test_sendfile: a file through a transport, after what was written before it; writes are refused
     * meanwhile and work again after; a slice from an offset; wrong arguments refused.
     */
    @Test
    void testSendfile_aFileGoesThroughATransportAfterWhatWasWrittenBefore(@TempDir Path dir) throws Exception {
        EventLoop loop = newLoop();
        byte[] content = pattern(32 << 20); // more than the socket buffers take before the server reads
        Path file = dir.resolve("data.bin");
        Files.write(file, content);
        List<RecordingProtocol> accepted = new ArrayList<>();
        Server server = await(loop, loop.createServer(recording(accepted, RecordingProtocol::new), "127.0.0.1", 0));
        Connection<Transport, RecordingProtocol> c = await(loop,
                loop.createConnection(RecordingProtocol::new, "127.0.0.1", port(server)));
        Transport t = c.transport();
        t.write(ascii("head:"));
        CompletableFuture<Long> sent = loop.sendfile(t, file, 0, 0);
        assertThatThrownBy(() -> t.write(ascii("x"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sendfile is in progress");
        assertThat(await(loop, sent)).isEqualTo(content.length);
        t.write(ascii(":"));
        assertThat(await(loop, loop.sendfile(t, file, 1000, 5000))).isEqualTo(5000);
        long total = 5 + content.length + 1 + 5000;
        await(loop, waitFor(loop, () -> accepted.size() == 1 && accepted.get(0).size() == total), 30);
        byte[] got = accepted.get(0).bytes();
        assertThat(new String(got, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("head:");
        assertThat(java.util.Arrays.equals(got, 5, 5 + content.length, content, 0, content.length)).isTrue();
        assertThat(got[5 + content.length]).isEqualTo((byte) ':');
        assertThat(java.util.Arrays.equals(got, 6 + content.length, got.length, content, 1000, 6000)).isTrue();
        assertThat(c.protocol().violations).isEmpty();

        assertThatThrownBy(() -> loop.sendfile(t, file, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.sendfile(t, file, 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.sendfile(t, dir, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("regular file");
        int[] pipe = fds.pipe();
        Connection<Transport, RecordingProtocol> reader = await(loop, loop.connectReadPipe(RecordingProtocol::new,
                fds.handOver(pipe[0])));
        assertThatThrownBy(() -> loop.sendfile(reader.transport(), file, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writable transport");
        reader.transport().close();
        t.close();
        server.close();
    }

    /** asyncio's test_sock_sendfile: a file, from an offset, to a socket; every byte arrives once. */
    @Test
    void testSockSendfile_aFileGoesToASocketFromAnOffset(@TempDir Path dir) throws Exception {
        EventLoop loop = newLoop();
        byte[] content = pattern(2 << 20);
        Path file = dir.resolve("data.bin");
        Files.write(file, content);
        int[] pair = fds.socketPair();
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        CompletableFuture<Long> sent = loop.sockSendfile(pair[0], file, 10, 0);
        CompletableFuture<Void> received = receiveAll(loop, pair[1], content.length - 10, got);
        await(loop, CompletableFuture.allOf(sent, received), 30);
        assertThat(sent.join()).isEqualTo(content.length - 10L);
        assertThat(java.util.Arrays.equals(got.toByteArray(), 0, got.size(), content, 10, content.length)).isTrue();
        assertThat(loop.stats().handles().loopWriters() + loop.stats().handles().writers()).isZero();
    }

    /** A cancelled sockSendfile sends nothing more and leaves nothing registered. */
    @Test
    void aCancelledSockSendfileStopsSending(@TempDir Path dir) throws Exception {
        EventLoop loop = newLoop();
        Path file = dir.resolve("big.bin");
        Files.write(file, pattern(8 << 20)); // more than the socket buffers: the send has to wait
        int[] pair = fds.socketPair();
        CompletableFuture<Long> sending = loop.sockSendfile(pair[0], file, 0, 0);
        assertThat(sending).isNotDone();
        assertThat(sending.cancel(false)).isTrue();
        long queued = drain(pair[1]);
        assertThat(queued).isPositive().isLessThan(8 << 20);
        loop.callSoon(loop::stop);
        loop.runForever();
        assertThat(drain(pair[1])).isZero();
        assertThat(loop.stats().handles().loopWriters() + loop.stats().handles().writers()).isZero();
    }

    /**
     * Futures the loop owes fail when it closes first: a sockRecv waiting on an idle socket, a sockSendfile
     * waiting for room (its file is closed), a createConnection whose connect is under way (its socket is
     * closed) and a submit still queued. A join on any of them must not hang.
     */
    @Test
    void closingTheLoopFailsWhatItStillOwes(@TempDir Path dir) throws Exception {
        EventLoop loop = newLoop();
        int listener = listeningSocket(0);
        int port = ((InetSocketAddress) Sockets.localAddress(listener)).getPort();
        Path file = dir.resolve("big.bin");
        Files.write(file, pattern(8 << 20));
        int[] idle = fds.socketPair();
        int[] full = fds.socketPair();
        try (Socket filler = new Socket("127.0.0.1", port)) { // fills the accept queue of backlog 0: SYNs wait
            var before = TestFds.openFdTargets();
            CompletableFuture<ByteBuffer> receiving = loop.sockRecv(idle[0], 1);
            CompletableFuture<Long> sending = loop.sockSendfile(full[0], file, 0, 0);
            CompletableFuture<Connection<Transport, RecordingProtocol>> connecting = loop.createConnection(
                    RecordingProtocol::new, "127.0.0.1", port);
            await(loop, waitFor(loop, () -> newSockets(before) == 1)); // the connect is under way
            CompletableFuture<Integer> never = loop.submit(() -> 2); // queued for a step that never comes
            loop.close();
            List<CompletableFuture<?>> owed = List.of(receiving, sending, connecting, never);
            for (CompletableFuture<?> f : owed) {
                assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(dev.loop.LoopClosedException.class);
            }
            assertThat(TestFds.newFdsSince(before)).as("the connecting socket and the file are closed").isEmpty();
        }
    }

    /**
     * asyncio's test_create_connection_timeout (a connect given up on closes its socket): cancelling a
     * createConnection whose connect is under way cancels the connect, closes its socket and leaves nothing
     * registered.
     */
    @Test
    void testCreateConnectionTimeout_cancellingStopsTheConnectUnderWay() throws Exception {
        EventLoop loop = newLoop();
        int listener = listeningSocket(0);
        int port = ((InetSocketAddress) Sockets.localAddress(listener)).getPort();
        try (Socket filler = new Socket("127.0.0.1", port)) { // fills the accept queue of backlog 0: SYNs wait
            var before = TestFds.openFdTargets();
            CompletableFuture<Connection<Transport, RecordingProtocol>> connecting = loop.createConnection(
                    RecordingProtocol::new, "127.0.0.1", port);
            await(loop, waitFor(loop, () -> newSockets(before) == 1)); // the connect is under way
            assertThat(connecting).isNotDone();
            assertThat(connecting.cancel(false)).isTrue();
            await(loop, waitFor(loop, () -> newSockets(before) == 0));
            assertThat(loop.stats().handles().loopWriters() + loop.stats().handles().writers()).isZero();
            assertThat(loop.stats().handles().transports()).isZero();
        }
    }

    /**
     * A sockConnect given up with {@code orTimeout} (asyncio: {@code wait_for(sock_connect(...))}) stops the
     * connect: no writer stays registered, so the application may close its socket at once, and a poll or
     * select backend reports no descriptor closed while registered.
     */
    @Test
    void aSockConnectGivenUpWithOrTimeoutLeavesNothingRegistered() throws Exception {
        EventLoop loop = newLoop();
        List<ExceptionContext> errors = recordExceptions(loop);
        int listener = listeningSocket(0);
        SocketAddress address = Sockets.localAddress(listener);
        try (Socket filler = new Socket("127.0.0.1", ((InetSocketAddress) address).getPort())) { // SYNs now wait
            int client = fds.track(Sockets.openStream(Linux.AF_INET));
            CompletableFuture<Void> connecting = loop.sockConnect(client, address)
                    .orTimeout(20, java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThatThrownBy(() -> await(loop, connecting)).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(java.util.concurrent.TimeoutException.class);
            // The timer thread that failed the future passes the give-up on to the loop after the future's
            // own dependents (this test's among them) ran: wait for it.
            await(loop, waitFor(loop, () -> loop.stats().handles().loopWriters() + loop.stats().handles().writers() == 0));
            fds.closeNow(client);
            await(loop, steps(loop, 2));
            assertThat(errors).isEmpty();
        }
    }

    /**
     * Given up on after the connection was made but before it was delivered (here by the protocol's own
     * connectionMade, as a timeout firing in that step would): the transport is closed, as asyncio closes it,
     * instead of staying open with nobody holding it.
     */
    @Test
    void testCreateConnectionCancelledAsItIsDelivered_closesTheTransport() {
        EventLoop loop = newLoop();
        List<RecordingProtocol> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
        Server server = await(loop, loop.createServer(recording(accepted, RecordingProtocol::new), "127.0.0.1", 0));
        java.util.concurrent.atomic.AtomicReference<CompletableFuture<?>> connecting =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        RecordingProtocol client = new RecordingProtocol() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                cancelled.set(connecting.get().cancel(false));
            }
        };
        connecting.set(loop.createConnection(() -> client, "127.0.0.1", port(server)));
        await(loop, client.lost);
        assertThat(cancelled).as("the future was not delivered yet when connectionMade ran").isTrue();
        await(loop, waitFor(loop, () -> accepted.size() == 1 && accepted.get(0).lost.isDone()));
        assertThat(loop.stats().handles().transports()).isZero();
        server.close();
    }

    /**
     * pauseGracefully stops the loop and closes nothing: servers stop accepting, what a transport buffered is
     * written first, and the next run serves again (a connection made meanwhile waited in the backlog) while the
     * old connection still works.
     */
    @Test
    void pauseGracefullyFlushesStopsAcceptingAndTheNextRunServesAgain() throws Exception {
        EventLoop loop = newLoop();
        List<RecordingProtocol> made = java.util.Collections.synchronizedList(new ArrayList<>());
        Server server = await(loop, loop.createServer(recording(made, RecordingProtocol::new), "127.0.0.1", 0));
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port(server));
        try (SocketChannel first = SocketChannel.open(address)) {
            await(loop, waitFor(loop, () -> made.size() == 1));
            RecordingProtocol p = made.get(0);
            byte[] big = pattern(4 << 20); // more than the socket buffers take: the transport buffers the rest
            CompletableFuture<Void> paused = new CompletableFuture<>();
            List<CompletableFuture<Long>> read = new ArrayList<>();
            long[] bufferedAtPause = {0};
            loop.callSoon(() -> {
                p.transport.write(big); // nobody reads yet: most of it stays in the transport's buffer
                bufferedAtPause[0] = p.transport.writeBufferSize();
                Futures.follow(loop.pauseGracefully(Duration.ofSeconds(8)), paused);
                read.add(CompletableFuture.supplyAsync(() -> readFully(first, big.length)));
            });
            run(loop); // until the pause stops it
            assertThat(bufferedAtPause[0]).isPositive();
            assertThat(paused).isCompleted();
            assertThat(p.transport.writeBufferSize()).as("flushed before the loop stopped").isZero();
            assertThat(read.get(0).get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(big.length);
            assertThat(server.isServing()).isFalse();
            assertThat(p.transport.isClosing()).isFalse();
            try (SocketChannel second = SocketChannel.open(address)) { // waits in the backlog
                await(loop, waitFor(loop, () -> made.size() == 2));
                assertThat(server.isServing()).isTrue();
                first.write(ByteBuffer.wrap(ascii("still here")));
                await(loop, waitFor(loop, () -> p.bytes().length == 10));
            }
        }
    }

    /** Reads {@code count} bytes from blocking channel {@code ch}; the count read before EOF. */
    private static long readFully(SocketChannel ch, int count) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        long total = 0;
        try {
            while (total < count) {
                b.clear();
                int n = ch.read(b);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return total;
    }

    /** Sockets opened since {@code before}. */
    private static long newSockets(java.util.Map<Integer, String> before) {
        return TestFds.newFdsSince(before).values().stream().filter(t -> t.startsWith("socket:")).count();
    }

    /** Reads everything waiting in non-blocking socket {@code fd}; the count. */
    private static long drain(int fd) {
        long total = 0;
        byte[] got;
        while ((got = TestFds.read(fd, 1 << 16)) != null && got.length > 0) {
            total += got.length;
        }
        return total;
    }

    // =============================================================== pipes and ptys

    @Test
    void readPipeDeliversDataThenEofThenConnectionLost() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        String readEnd = TestFds.openFdTargets().get(p[0]); // "pipe:[inode]": this pipe, whatever gets its number next
        var c = await(loop, loop.connectReadPipe(RecordingProtocol::new, fds.handOver(p[0])));
        assertThat(c.transport().extraInfo("pipe")).isEqualTo(p[0]);
        assertThat(c.transport().canWriteEof()).isFalse();
        TestFds.write(p[1], ascii("1"));
        await(loop, waitFor(loop, () -> c.protocol().bytes().length == 1));
        TestFds.write(p[1], ascii("23456"));
        await(loop, waitFor(loop, () -> c.protocol().bytes().length == 6));
        fds.closeNow(p[1]);
        await(loop, c.protocol().eof);
        assertThat(await(loop, c.protocol().lost)).isNull();
        assertThat(c.protocol().violations).isEmpty();
        // By the file, not the number: another thread of this JVM may open something that gets the number.
        assertThat(TestFds.openFdTargets().get(p[0])).as("the transport closed its descriptor").isNotEqualTo(readEnd);
    }

    /**
     * A callback run for I/O (here a read's data) schedules a timer earlier than the one the loop's wait
     * was computed from: the timer fires on time. (The proactor runs completions inside its wait and waits
     * on when they leave nothing to run; it once waited on until the later timer.)
     */
    @Test
    void aTimerScheduledFromDataReceivedFiresBeforeALaterTimerThatSetTheWait() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        CompletableFuture<Long> fired = new CompletableFuture<>();
        var c = await(loop, loop.connectReadPipe(() -> new RecordingProtocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                super.dataReceived(data);
                long at = System.nanoTime();
                loop.callLater(Duration.ofMillis(1), () -> fired.complete(System.nanoTime() - at));
            }
        }, fds.handOver(p[0])));
        // Written while the loop waits (not before), so that the data arrives during a blocking wait.
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            TestFds.write(p[1], ascii("x"));
        });
        writer.start();
        // The guard of await (20 s) is the later timer; the wait that ignores the new one ends only there.
        long lateNanos = await(loop, fired, 20);
        try {
            writer.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(Duration.ofNanos(lateNanos)).isLessThan(Duration.ofSeconds(10));
        assertThat(c.protocol().bytes()).containsExactly(ascii("x"));
    }

    @Test
    void writePipeDeliversInOrderAndNoticesTheReaderGoingAway() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        var c = await(loop, loop.connectWritePipe(RecordingProtocol::new, fds.handOver(p[1])));
        byte[] big = new byte[1 << 20]; // more than the pipe holds: part of it is buffered
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        c.transport().write(big);
        assertThat(c.transport().writeBufferSize()).isPositive();
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        await(loop, waitFor(loop, () -> {
            byte[] b = TestFds.read(p[0], 1 << 16);
            if (b != null) {
                got.writeBytes(b);
            }
            return got.size() == big.length;
        }), 30);
        assertThat(got.toByteArray()).isEqualTo(big);
        fds.closeNow(p[0]);
        assertThat(await(loop, c.protocol().lost)).isNull(); // nothing was buffered
        assertThat(c.protocol().violations).isEmpty();
    }

    @Test
    void aFifoIsAPipeToo(@TempDir Path dir) throws Exception {
        EventLoop loop = newLoop();
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();
        int readEnd = fds.open(fifo, Linux.O_RDONLY | Linux.O_NONBLOCK);
        int writeEnd = fds.open(fifo, Linux.O_WRONLY | Linux.O_NONBLOCK);
        var reader = await(loop, loop.connectReadPipe(RecordingProtocol::new, fds.handOver(readEnd)));
        var writer = await(loop, loop.connectWritePipe(RecordingProtocol::new, fds.handOver(writeEnd)));
        writer.transport().write(ascii("through a fifo"));
        writer.transport().close();
        await(loop, reader.protocol().eof);
        assertThat(new String(reader.protocol().bytes(), StandardCharsets.US_ASCII)).isEqualTo("through a fifo");
        assertThat(await(loop, reader.protocol().lost)).isNull();
        assertThat(await(loop, writer.protocol().lost)).isNull();
    }

    @Test
    void aRegularFileIsRefusedAsFileIoMonitoring(@TempDir Path dir) throws Exception {
        EventLoop loop = newLoop();
        Path file = dir.resolve("f");
        Files.writeString(file, "x");
        int fd = fds.open(file, Linux.O_RDONLY);
        assertThatThrownBy(() -> loop.connectReadPipe(RecordingProtocol::new, fd))
                .isInstanceOf(CapabilityNotSupportedException.class)
                .satisfies(e -> assertThat(((CapabilityNotSupportedException) e).capability())
                        .isEqualTo(Capability.FILE_IO_MONITORING));
    }

    @Test
    void aPtyCarriesDataBothWaysThroughTwoTransports() {
        EventLoop loop = newLoop();
        int[] pty = fds.openPty();
        assumeTrue(pty != null, "no pseudo-terminals here");
        int slaveWrite = fds.handOver(LibC.fcntl(pty[1], Linux.F_DUPFD_CLOEXEC, 0));
        var reader = await(loop, loop.connectReadPipe(RecordingProtocol::new, fds.handOver(pty[0])));
        var writer = await(loop, loop.connectWritePipe(RecordingProtocol::new, slaveWrite));
        writer.transport().write(ascii("through the pty\n"));
        await(loop, waitFor(loop, () -> new String(reader.protocol().bytes(), StandardCharsets.US_ASCII)
                .contains("through the pty")));
        writer.transport().close();
        await(loop, writer.protocol().lost);
        fds.closeNow(pty[1]);
        // The master sees EIO once the slave is gone (Linux): a quiet end of stream.
        assertThat(await(loop, reader.protocol().lost)).isNull();
        assertThat(reader.protocol().violations).isEmpty();
    }

    // =============================================================== helpers

    private dev.loop.capability.Capabilities loopCapabilities() {
        EventLoop probe = newLoop();
        return probe.capabilities();
    }

}
