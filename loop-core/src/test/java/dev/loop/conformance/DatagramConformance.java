package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.loop.EventLoop;
import dev.loop.NativeIOException;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.transport.Connection;
import dev.loop.transport.Datagram;
import dev.loop.transport.DatagramOptions;
import dev.loop.transport.DatagramProtocol;
import dev.loop.transport.DatagramTransport;
import dev.loop.transport.ReceivedFrom;

/**
 * Datagram endpoints on this backend (asyncio's {@code create_datagram_endpoint} and its tests in
 * {@code test_events.py}, {@code test_selector_events.py} and {@code test_proactor_events.py}), over real sockets:
 * an echo over UDP on IPv4 and IPv6 and over unix datagram sockets, 100,000 datagrams counted, a reader that never
 * reads, ICMP port unreachable, multicast on loopback, the send queue's flow control, and the sock_* calls.
 */
public abstract class DatagramConformance extends LoopTestBase {

    /** Records every event and checks asyncio's order: made once, then datagrams and errors, then lost once. */
    static class Recorder implements DatagramProtocol {
        final CompletableFuture<DatagramTransport> made = new CompletableFuture<>();
        final CompletableFuture<Throwable> lost = new CompletableFuture<>();
        final List<String> violations = new ArrayList<>();
        final List<byte[]> datagrams = new ArrayList<>();
        final List<SocketAddress> senders = new ArrayList<>();
        final List<Exception> errors = new ArrayList<>();
        DatagramTransport transport;
        int pauses;
        int resumes;

        @Override
        public void connectionMade(DatagramTransport t) {
            if (transport != null) {
                violations.add("connectionMade twice");
            }
            transport = t;
            made.complete(t);
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress address) {
            if (transport == null || lost.isDone()) {
                violations.add("datagramReceived outside made..lost");
            }
            if (!transport.loop().inLoopThread()) {
                violations.add("datagramReceived off the loop thread");
            }
            if (!transport.isReading()) {
                violations.add("datagramReceived while reading is paused");
            }
            byte[] b = new byte[data.remaining()];
            data.get(b);
            datagrams.add(b);
            senders.add(address);
            onDatagram(b, address);
        }

        void onDatagram(byte[] data, SocketAddress address) {
        }

        @Override
        public void errorReceived(Exception error) {
            if (transport == null || lost.isDone()) {
                violations.add("errorReceived outside made..lost");
            }
            errors.add(error);
        }

        @Override
        public void connectionLost(Throwable cause) {
            if (lost.isDone()) {
                violations.add("connectionLost twice");
            }
            lost.complete(cause);
        }

        @Override
        public void pauseWriting() {
            pauses++;
        }

        @Override
        public void resumeWriting() {
            resumes++;
        }
    }

    /** Pauses reading in {@code connectionMade} (honoured from then on): datagrams wait in the socket. */
    static final class PausedRecorder extends Recorder {
        @Override
        public void connectionMade(DatagramTransport t) {
            super.connectionMade(t);
            t.pauseReading();
        }
    }

    /** Sends every datagram back to where it came from. */
    static final class Echo extends Recorder {
        @Override
        void onDatagram(byte[] data, SocketAddress address) {
            transport.sendto(data, address);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    private static boolean ipv6Loopback() {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Given up on while it is being made, an endpoint is closed, not left open (asyncio closes the transport). */
    @Test
    void aCancelledDatagramEndpointIsClosed() {
        EventLoop loop = newLoop();
        int cancelled = 0;
        for (int i = 0; i < 12; i++) {
            java.util.concurrent.CompletableFuture<Connection<DatagramTransport, Recorder>> c = loop.createDatagramEndpoint(
                    Recorder::new, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
            if (i % 4 > 0) {
                await(loop, steps(loop, i % 4 - 1));
            }
            if (c.cancel(false)) {
                cancelled++;
            } else {
                await(loop, c).transport().close();
            }
        }
        await(loop, waitFor(loop, () -> loop.stats().handles().transports() == 0));
        assertThat(cancelled).as("some were given up while being made").isPositive();
    }

    /** An echo endpoint at {@code local} and a client connected to it: "ping" goes there and back. */
    private void echoes(EventLoop loop, SocketAddress serverAddress, SocketAddress clientAddress) {
        Connection<DatagramTransport, Echo> server = await(loop, loop.createDatagramEndpoint(Echo::new, serverAddress,
                null));
        SocketAddress bound = server.transport().localAddress();
        Connection<DatagramTransport, Recorder> client = await(loop, loop.createDatagramEndpoint(Recorder::new,
                clientAddress, bound));
        assertThat(client.transport().remoteAddress()).isEqualTo(bound);
        assertThat(client.transport().extraInfo("peername")).isEqualTo(bound);
        assertThat(client.transport().extraInfo("socket")).isEqualTo(client.transport().fd());
        client.transport().sendto(ascii("ping"));
        client.transport().sendto(ByteBuffer.allocate(0), bound); // a zero-length datagram is one too
        await(loop, waitFor(loop, () -> client.protocol().datagrams.size() == 2));
        assertThat(new String(client.protocol().datagrams.get(0), StandardCharsets.US_ASCII)).isEqualTo("ping");
        assertThat(client.protocol().datagrams.get(1)).isEmpty();
        assertThat(client.protocol().senders.get(0)).isEqualTo(bound);
        assertThat(server.protocol().senders.get(0)).isEqualTo(client.transport().localAddress());
        client.transport().close();
        server.transport().close();
        assertThat(await(loop, client.protocol().lost)).isNull();
        assertThat(await(loop, server.protocol().lost)).isNull();
        assertThat(client.protocol().violations).isEmpty();
        assertThat(server.protocol().violations).isEmpty();
        assertThat(client.protocol().errors).isEmpty();
    }

    /**
     * An endpoint open across pauses of a started loop (a Spring context stopped and started: each start runs the
     * loop on a new thread) still echoes after each, including a datagram that arrived while nobody ran the loop.
     * On the proactor the poll (or multishot receive) in flight was submitted by a thread that has ended.
     */
    @Test
    void anEndpointOpenAcrossPausesEchoesAfterEach() throws Exception {
        EventLoop loop = newLoop();
        List<dev.loop.ExceptionContext> failures = recordExceptions(loop);
        loop.start();
        Connection<DatagramTransport, Echo> server = loop.createDatagramEndpoint(Echo::new, loopback(0), null)
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        SocketAddress bound = server.transport().localAddress();
        try (java.nio.channels.DatagramChannel client = java.nio.channels.DatagramChannel.open()) {
            client.socket().setSoTimeout(10_000);
            client.connect(bound);
            for (int round = 0; round < 4; round++) {
                byte[] sent = ascii("round " + round);
                if (round > 0) {
                    loop.pauseGracefully(java.time.Duration.ofSeconds(5)).get(10, java.util.concurrent.TimeUnit.SECONDS);
                    client.write(ByteBuffer.wrap(ascii("while paused " + round))); // queued in the kernel
                    loop.start();
                    assertThat(receive(client)).as("round %d", round).isEqualTo("while paused " + round);
                }
                client.write(ByteBuffer.wrap(sent));
                assertThat(receive(client)).as("round %d", round).isEqualTo("round " + round);
            }
        }
        loop.submit(() -> {
            server.transport().close();
            return null;
        }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(server.protocol().lost.get(10, java.util.concurrent.TimeUnit.SECONDS)).isNull();
        assertThat(server.protocol().violations).isEmpty();
        assertThat(server.protocol().errors).isEmpty();
        assertThat(failures).isEmpty();
    }

    /** One datagram from a connected blocking JDK channel (its socket's timeout applies to the adaptor only). */
    private static String receive(java.nio.channels.DatagramChannel client) throws IOException {
        byte[] b = new byte[512];
        java.net.DatagramPacket packet = new java.net.DatagramPacket(b, b.length);
        client.socket().receive(packet);
        return new String(b, 0, packet.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void testCreateDatagramEndpoint_echoOverUdpIpv4() {
        echoes(newLoop(), loopback(0), null);
    }

    @Test
    void testCreateDatagramEndpoint_echoOverUdpIpv6() throws IOException {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback on this machine");
        echoes(newLoop(), new InetSocketAddress(InetAddress.getByName("::1"), 0), null);
    }

    @Test
    void testCreateDatagramEndpoint_hostNamesAreResolvedOffTheLoopThread() {
        EventLoop loop = newLoop();
        Connection<DatagramTransport, Echo> server = await(loop, loop.createDatagramEndpoint(Echo::new,
                InetSocketAddress.createUnresolved("localhost", 0), null));
        int port = ((InetSocketAddress) server.transport().localAddress()).getPort();
        Connection<DatagramTransport, Recorder> client = await(loop, loop.createDatagramEndpoint(Recorder::new, null,
                InetSocketAddress.createUnresolved("localhost", port)));
        client.transport().sendto(ascii("x"));
        await(loop, waitFor(loop, () -> client.protocol().datagrams.size() == 1));
    }

    @Test
    void testCreateDatagramEndpoint_echoOverUnixDatagramSockets(@TempDir Path dir) {
        EventLoop loop = newLoop();
        Path serverPath = dir.resolve("server.sock");
        echoes(loop, UnixDomainSocketAddress.of(serverPath), UnixDomainSocketAddress.of(dir.resolve("client.sock")));
        await(loop, waitFor(loop, () -> !Files.exists(serverPath))); // the endpoint's own file goes with it
    }

    @Test
    void aUnixEndpointReplacesAStaleSocketFileButNoOtherFile(@TempDir Path dir) throws IOException {
        EventLoop loop = newLoop();
        Path path = dir.resolve("d.sock");
        Connection<DatagramTransport, Recorder> first = await(loop, loop.createDatagramEndpoint(Recorder::new,
                UnixDomainSocketAddress.of(path), null));
        int fd = first.transport().fd();
        // Left behind as a crashed process would: the file stays while another endpoint binds the path.
        Connection<DatagramTransport, Recorder> second = await(loop, loop.createDatagramEndpoint(Recorder::new,
                UnixDomainSocketAddress.of(path), null));
        assertThat(second.transport().fd()).isNotEqualTo(fd);
        Path file = Files.writeString(dir.resolve("plain"), "data");
        assertThatThrownBy(() -> await(loop, loop.createDatagramEndpoint(Recorder::new,
                UnixDomainSocketAddress.of(file), null)))
                .isInstanceOf(CompletionException.class).cause()
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(Files.readString(file)).isEqualTo("data");
    }

    @Test
    void hundredThousandDatagramsArriveWithoutLossBelowTheSocketBuffer() {
        EventLoop loop = newLoop();
        int total = 100_000;
        int window = 64; // 64 datagrams of 100 bytes: far below the receive buffer, so none may be lost
        BitSet seen = new BitSet(total);
        int[] received = {0};
        int[] duplicates = {0};
        DatagramTransport[] sender = {null};
        Runnable[] sendWindow = {null};
        Recorder receiver = new Recorder() {
            @Override
            void onDatagram(byte[] data, SocketAddress address) {
                int seq = ByteBuffer.wrap(data).getInt();
                if (seen.get(seq)) {
                    duplicates[0]++;
                }
                seen.set(seq);
                if (++received[0] % window == 0 && received[0] < total) {
                    sendWindow[0].run();
                }
            }
        };
        Connection<DatagramTransport, Recorder> in = await(loop, loop.createDatagramEndpoint(() -> receiver,
                loopback(0), null));
        Connection<DatagramTransport, Recorder> out = await(loop, loop.createDatagramEndpoint(Recorder::new, null,
                in.transport().localAddress()));
        sender[0] = out.transport();
        int[] next = {0};
        sendWindow[0] = () -> {
            ByteBuffer b = ByteBuffer.allocate(100);
            for (int i = 0; i < window && next[0] < total; i++) {
                b.clear();
                b.putInt(0, next[0]++);
                sender[0].sendto(b);
            }
        };
        loop.callSoon(sendWindow[0]);
        await(loop, waitFor(loop, () -> received[0] == total), 60);
        assertThat(seen.cardinality()).as("distinct datagrams received").isEqualTo(total);
        assertThat(duplicates[0]).isZero();
        assertThat(receiver.errors).isEmpty();
        assertThat(out.protocol().pauses).isZero();
    }

    @Test
    void pausingInTheMiddleOfABatchLosesNothingAndDeliversNothingWhilePaused() {
        // 100 datagrams sent in one callback wait together in the socket (their ~100 KB of kernel memory fits the
        // default receive buffer, so UDP drops none), so each receive takes a batch; the protocol pauses after
        // every 7th and resumes a millisecond later, in the middle of those batches.
        EventLoop loop = newLoop();
        Recorder receiver = new Recorder() {
            @Override
            void onDatagram(byte[] data, SocketAddress address) {
                if (datagrams.size() % 7 == 0) {
                    transport.pauseReading();
                    transport.loop().callLater(java.time.Duration.ofMillis(1), transport::resumeReading);
                }
            }
        };
        Connection<DatagramTransport, Recorder> in = await(loop, loop.createDatagramEndpoint(() -> receiver,
                loopback(0), null));
        Connection<DatagramTransport, Recorder> out = await(loop, loop.createDatagramEndpoint(Recorder::new, null,
                in.transport().localAddress()));
        int total = 100;
        loop.callSoon(() -> {
            for (int i = 0; i < total; i++) {
                out.transport().sendto(ByteBuffer.allocate(100).putInt(0, i));
            }
        });
        await(loop, waitFor(loop, () -> receiver.datagrams.size() == total));
        for (int i = 0; i < total; i++) {
            assertThat(ByteBuffer.wrap(receiver.datagrams.get(i)).getInt()).as("datagram %d", i).isEqualTo(i);
        }
        assertThat(receiver.violations).isEmpty();
    }

    @Test
    void aDatagramThatArrivesWhilePausedIsDeliveredOnResumeAndNotBefore() {
        // Paused while receiving is under way: on the proactor a RECVMSG is in flight and completes meanwhile (its
        // datagram is parked); on readiness the datagram waits in the socket.
        EventLoop loop = newLoop();
        Connection<DatagramTransport, Recorder> in = await(loop, loop.createDatagramEndpoint(Recorder::new, loopback(0),
                null));
        Connection<DatagramTransport, Recorder> out = await(loop, loop.createDatagramEndpoint(Recorder::new, null,
                in.transport().localAddress()));
        loop.callSoon(() -> out.transport().sendto(ascii("first")));
        await(loop, waitFor(loop, () -> in.protocol().datagrams.size() == 1));
        loop.callSoon(() -> {
            in.transport().pauseReading();
            out.transport().sendto(ascii("second"));
        });
        await(loop, sleep(loop, 50)); // a window in which nothing may arrive
        assertThat(in.protocol().datagrams).hasSize(1);
        loop.callSoon(in.transport()::resumeReading);
        await(loop, waitFor(loop, () -> in.protocol().datagrams.size() == 2));
        loop.callSoon(() -> out.transport().sendto(ascii("third"))); // receiving goes on after the parked one
        await(loop, waitFor(loop, () -> in.protocol().datagrams.size() == 3));
        assertThat(new String(in.protocol().datagrams.get(1), StandardCharsets.US_ASCII)).isEqualTo("second");
        assertThat(in.protocol().violations).isEmpty();
    }

    @Test
    void anEchoOfABatchSendsEveryAnswerInOrder() {
        // The echo's answers to one receive batch leave together (one sendmmsg); none may be lost or reordered.
        // 100 at once: what waits in each socket fits its default receive buffer.
        EventLoop loop = newLoop();
        Connection<DatagramTransport, Echo> echo = await(loop, loop.createDatagramEndpoint(Echo::new, loopback(0),
                null));
        Connection<DatagramTransport, Recorder> client = await(loop, loop.createDatagramEndpoint(Recorder::new, null,
                echo.transport().localAddress()));
        int total = 100;
        loop.callSoon(() -> {
            for (int i = 0; i < total; i++) {
                client.transport().sendto(ByteBuffer.allocate(64).putInt(0, i));
            }
        });
        await(loop, waitFor(loop, () -> client.protocol().datagrams.size() == total));
        for (int i = 0; i < total; i++) {
            assertThat(ByteBuffer.wrap(client.protocol().datagrams.get(i)).getInt()).as("answer %d", i).isEqualTo(i);
        }
        assertThat(echo.protocol().violations).isEmpty();
        assertThat(echo.transport().writeBufferSize()).isZero();
    }

    /** Drops of the UDP socket bound to {@code port} on 127.0.0.1, from the kernel's own count in /proc/net/udp. */
    private static long kernelDrops(int port) throws IOException {
        String local = String.format("0100007F:%04X", port);
        for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 12 && f[1].equals(local)) {
                return Long.parseLong(f[f.length - 1]);
            }
        }
        throw new IllegalStateException("no socket on " + local + " in /proc/net/udp");
    }

    @Test
    void aReaderThatNeverReadsLetsTheKernelDropWhatDoesNotFitAndHoldsNothing() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/net/udp")), "/proc/net/udp is not readable here");
        EventLoop loop = newLoop();
        Recorder paused = new PausedRecorder(); // pauses in connectionMade: nothing is ever received
        Connection<DatagramTransport, Recorder> in = await(loop, loop.createDatagramEndpoint(() -> paused,
                loopback(0), null, DatagramOptions.DEFAULTS.withReceiveBufferSize(64 * 1024)));
        int port = ((InetSocketAddress) in.transport().localAddress()).getPort();
        Connection<DatagramTransport, Recorder> out = await(loop, loop.createDatagramEndpoint(Recorder::new, null,
                in.transport().localAddress()));
        int total = 100_000;
        ByteBuffer b = ByteBuffer.allocate(512);
        for (int i = 0; i < total; i++) {
            b.clear();
            out.transport().sendto(b);
        }
        await(loop, sleep(loop, 50));
        long drops = kernelDrops(port);
        // The kernel took every datagram (nothing queued in the loop) and dropped what the buffer could not hold.
        assertThat(out.transport().writeBufferSize()).isZero();
        assertThat(out.protocol().pauses).isZero();
        assertThat(paused.datagrams).isEmpty();
        assertThat(drops).as("kernel drops").isPositive().isLessThan(total);
        in.transport().resumeReading();
        await(loop, waitFor(loop, () -> paused.datagrams.size() + drops == total));
        await(loop, sleep(loop, 20));
        assertThat(paused.datagrams.size() + drops).isEqualTo(total);
        assertThat(kernelDrops(port)).isEqualTo(drops);
    }

    @Test
    void testCreateDatagramEndpoint_icmpPortUnreachableGoesToErrorReceivedAndTheEndpointStaysOpen() throws IOException {
        EventLoop loop = newLoop();
        int closedPort;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(loopback(0))) {
            closedPort = s.getLocalPort();
        }
        Connection<DatagramTransport, Recorder> c = await(loop, loop.createDatagramEndpoint(Recorder::new, null,
                loopback(closedPort)));
        c.transport().sendto(ascii("anyone?"));
        await(loop, waitFor(loop, () -> !c.protocol().errors.isEmpty()));
        assertThat(c.protocol().errors.get(0)).isInstanceOf(NativeIOException.class);
        assertThat(((NativeIOException) c.protocol().errors.get(0)).errno()).isEqualTo(Errno.ECONNREFUSED);
        assertThat(c.transport().isClosing()).isFalse();
        assertThat(c.protocol().lost).isNotDone();
        // Still usable: a peer appearing later on that port gets the next datagram.
        Connection<DatagramTransport, Recorder> peer = await(loop, loop.createDatagramEndpoint(Recorder::new,
                loopback(closedPort), null));
        c.transport().sendto(ascii("now"));
        await(loop, waitFor(loop, () -> peer.protocol().datagrams.size() == 1));
        assertThat(c.protocol().violations).isEmpty();
    }

    @Test
    void multicastOnLoopbackReachesAMemberOfTheGroup() throws IOException {
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
        assumeTrue(lo != null, "no loopback interface");
        EventLoop loop = newLoop();
        InetAddress group = InetAddress.getByName("239.255.42.99");
        Connection<DatagramTransport, Recorder> member = await(loop, loop.createDatagramEndpoint(Recorder::new,
                new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), null));
        loop.callSoon(() -> {
            try {
                member.transport().joinGroup(group, lo);
            } catch (NativeIOException e) {
                throw new IllegalStateException(e);
            }
        });
        await(loop, sleep(loop, 1));
        int port = ((InetSocketAddress) member.transport().localAddress()).getPort();
        Connection<DatagramTransport, Recorder> sender = await(loop, loop.createDatagramEndpoint(Recorder::new,
                loopback(0), null, DatagramOptions.DEFAULTS.withMulticastInterface(lo)));
        sender.transport().sendto(ascii("to the group"), new InetSocketAddress(group, port));
        await(loop, waitFor(loop, () -> member.protocol().datagrams.size() == 1));
        assertThat(new String(member.protocol().datagrams.get(0), StandardCharsets.US_ASCII)).isEqualTo("to the group");
        // An IPv6 group on an IPv4 socket and a unicast "group" are refused before the kernel is asked.
        loop.callSoon(() -> {
            assertThatThrownBy(() -> member.transport().joinGroup(InetAddress.getByName("ff02::1"), lo))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("family");
            assertThatThrownBy(() -> member.transport().joinGroup(InetAddress.getByName("127.0.0.1"), lo))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multicast address");
        });
        await(loop, sleep(loop, 1));
    }

    @Test
    void theSendQueueFollowsTheWriteBufferMarksAndSendsEverythingInOrder(@TempDir Path dir) {
        // A unix datagram socket blocks its sender while the receiver's queue is full (UDP would drop instead),
        // so a paused receiver makes the sender queue: pauseWriting above the high mark, resumeWriting at the low.
        EventLoop loop = newLoop();
        Recorder receiver = new PausedRecorder();
        Connection<DatagramTransport, Recorder> in = await(loop, loop.createDatagramEndpoint(() -> receiver,
                UnixDomainSocketAddress.of(dir.resolve("in.sock")), null));
        Connection<DatagramTransport, Recorder> out = await(loop, loop.createDatagramEndpoint(Recorder::new,
                UnixDomainSocketAddress.of(dir.resolve("out.sock")), in.transport().localAddress()));
        DatagramTransport t = out.transport();
        t.setWriteBufferLimits(8 * 1024, 2 * 1024);
        int total = 2000;
        loop.callSoon(() -> {
            for (int i = 0; i < total; i++) {
                t.sendto(ByteBuffer.allocate(1000).putInt(0, i));
            }
        });
        await(loop, waitFor(loop, () -> out.protocol().pauses == 1));
        assertThat(t.writeBufferSize()).isGreaterThan(8 * 1024);
        in.transport().resumeReading();
        await(loop, waitFor(loop, () -> receiver.datagrams.size() == total), 30);
        for (int i = 0; i < total; i++) {
            assertThat(receiver.datagrams.get(i)).as("datagram %d", i).hasSize(1000);
            assertThat(ByteBuffer.wrap(receiver.datagrams.get(i)).getInt()).as("datagram %d", i).isEqualTo(i);
        }
        assertThat(out.protocol().resumes).isEqualTo(1);
        assertThat(t.writeBufferSize()).isZero();
    }

    @Test
    void closeSendsWhatIsQueuedFirstAndAbortDropsIt(@TempDir Path dir) {
        EventLoop loop = newLoop();
        Recorder receiver = new PausedRecorder();
        Connection<DatagramTransport, Recorder> in = await(loop, loop.createDatagramEndpoint(() -> receiver,
                UnixDomainSocketAddress.of(dir.resolve("in.sock")), null));
        Connection<DatagramTransport, Recorder> closing = await(loop, loop.createDatagramEndpoint(Recorder::new,
                null, in.transport().localAddress()));
        loop.callSoon(() -> {
            for (int i = 0; i < 300; i++) {
                closing.transport().sendto(ByteBuffer.allocate(100).putInt(0, i));
            }
            assertThat(closing.transport().writeBufferSize()).isPositive();
            closing.transport().close();
            closing.transport().sendto(ascii("still queued: the endpoint is closing, not lost"));
        });
        await(loop, sleep(loop, 20));
        assertThat(closing.protocol().lost).isNotDone(); // waits for the queue to leave
        in.transport().resumeReading();
        assertThat(await(loop, closing.protocol().lost)).isNull();
        await(loop, waitFor(loop, () -> receiver.datagrams.size() == 301));
        Connection<DatagramTransport, Recorder> aborted = await(loop, loop.createDatagramEndpoint(Recorder::new,
                null, in.transport().localAddress()));
        in.transport().pauseReading();
        loop.callSoon(() -> {
            for (int i = 0; i < 300; i++) {
                aborted.transport().sendto(ByteBuffer.allocate(100));
            }
            aborted.transport().abort();
            assertThat(aborted.transport().writeBufferSize()).isZero();
        });
        assertThat(await(loop, aborted.protocol().lost)).isNull();
        aborted.transport().sendto(ascii("dropped")); // after the loss: dropped and counted, never thrown
        assertThat(closing.protocol().violations).isEmpty();
        assertThat(aborted.protocol().violations).isEmpty();
    }

    @Test
    void aConnectedEndpointSendsToItsPeerOnlyAndAnUnconnectedOneNeedsAnAddress() {
        EventLoop loop = newLoop();
        Connection<DatagramTransport, Recorder> server = await(loop, loop.createDatagramEndpoint(Recorder::new,
                loopback(0), null));
        Connection<DatagramTransport, Recorder> client = await(loop, loop.createDatagramEndpoint(Recorder::new, null,
                server.transport().localAddress()));
        loop.callSoon(() -> {
            assertThatThrownBy(() -> client.transport().sendto(ascii("x"), loopback(9)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid address");
            assertThatThrownBy(() -> server.transport().sendto(ascii("x")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not connected");
            assertThatThrownBy(() -> server.transport().sendto(ascii("x"),
                    InetSocketAddress.createUnresolved("localhost", 9)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
            client.transport().sendto(ascii("to the peer"), server.transport().localAddress());
        });
        await(loop, waitFor(loop, () -> server.protocol().datagrams.size() == 1));
        assertThatThrownBy(() -> loop.createDatagramEndpoint(Recorder::new, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unexpected address family");
    }

    @Test
    void reusePortLetsTwoEndpointsBindOnePort() {
        EventLoop loop = newLoop();
        DatagramOptions reuse = DatagramOptions.DEFAULTS.withReusePort(true);
        Connection<DatagramTransport, Recorder> a = await(loop, loop.createDatagramEndpoint(Recorder::new,
                loopback(0), null, reuse));
        SocketAddress bound = a.transport().localAddress();
        Connection<DatagramTransport, Recorder> b = await(loop, loop.createDatagramEndpoint(Recorder::new, bound,
                null, reuse));
        assertThat(b.transport().localAddress()).isEqualTo(bound);
        assertThatThrownBy(() -> await(loop, loop.createDatagramEndpoint(Recorder::new, bound, null)))
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(NativeIOException.class)
                .satisfies(e -> assertThat(((NativeIOException) e).errno()).isEqualTo(Errno.EADDRINUSE));
    }

    @Test
    void anEndpointOnAnApplicationsSocketOwnsItAndItsDescriptorIsNotTheUsersToWatch() {
        EventLoop loop = newLoop();
        int fd = fds.track(LibC.socket(Linux.AF_INET, Linux.SOCK_DGRAM, 0));
        Connection<DatagramTransport, Echo> echo = await(loop, loop.createDatagramEndpointOnSocket(Echo::new,
                fds.handOver(fd)));
        // Unbound, as the application made it: the kernel picks a port on the first send.
        assertThat(((InetSocketAddress) echo.transport().localAddress()).getPort()).isZero();
        assertThatThrownBy(() -> loop.addReader(fd, () -> { })).isInstanceOf(IllegalStateException.class);
        int stream = fds.socketPair()[0];
        assertThatThrownBy(() -> loop.createDatagramEndpointOnSocket(Recorder::new, stream))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a datagram socket");
        String socket = openFile(fd);
        echo.transport().close();
        await(loop, echo.protocol().lost);
        assertThat(openFile(fd)).as("closed with the endpoint").isNotEqualTo(socket);
    }

    @Test
    void closingTheLoopClosesItsEndpoints() {
        EventLoop loop = newLoop();
        Connection<DatagramTransport, Recorder> c = await(loop, loop.createDatagramEndpoint(Recorder::new,
                loopback(0), null));
        int fd = c.transport().fd();
        String socket = openFile(fd);
        loop.close();
        assertThat(c.transport().isClosing()).isTrue();
        assertThat(openFile(fd)).isNotEqualTo(socket);
    }

    /**
     * What descriptor {@code fd} is open on ("socket:[inode]"), or null: a closed number may be reused at once by
     * another thread of the JVM, so a test compares this rather than asking whether the number is open.
     */
    private static String openFile(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return null;
        }
    }

    // =============================================================== sock_sendto, sock_recvfrom

    private int nonBlockingUdpSocket() {
        int fd = fds.track(LibC.socket(Linux.AF_INET, Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0));
        assertThat(fd).isNotNegative();
        return fd;
    }

    @Test
    void testSockSendtoAndRecvfrom() throws Exception {
        EventLoop loop = newLoop();
        int a = nonBlockingUdpSocket();
        int b = nonBlockingUdpSocket();
        dev.loop.internal.transport.Sockets.bind(a, loopback(0));
        dev.loop.internal.transport.Sockets.bind(b, loopback(0));
        SocketAddress aAddress = dev.loop.internal.transport.Sockets.localAddress(a);
        SocketAddress bAddress = dev.loop.internal.transport.Sockets.localAddress(b);
        CompletableFuture<Datagram> receiving = loop.sockRecvfrom(b, 1024); // waits: nothing sent yet
        assertThat(await(loop, loop.sockSendto(a, ByteBuffer.wrap(ascii("hello")), bAddress))).isEqualTo(5);
        Datagram d = await(loop, receiving);
        assertThat(new String(d.data().array(), 0, d.data().remaining(), StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(d.address()).isEqualTo(aAddress);
        ByteBuffer into = ByteBuffer.allocate(16).position(2);
        CompletableFuture<ReceivedFrom> receivingInto = loop.sockRecvfromInto(b, into);
        await(loop, loop.sockSendto(a, ByteBuffer.wrap(ascii("abc")), bAddress));
        assertThat(await(loop, receivingInto)).isEqualTo(new ReceivedFrom(3, aAddress));
        assertThat(into.position()).isEqualTo(5);
    }

    @Test
    void testSockRecvfrom_cancelledBeforeADatagramArrivesTakesNothing() {
        EventLoop loop = newLoop();
        int a = nonBlockingUdpSocket();
        int b = nonBlockingUdpSocket();
        try {
            dev.loop.internal.transport.Sockets.bind(b, loopback(0));
        } catch (NativeIOException e) {
            throw new IllegalStateException(e);
        }
        SocketAddress bAddress = dev.loop.internal.transport.Sockets.localAddress(b);
        CompletableFuture<Datagram> first = loop.sockRecvfrom(b, 100);
        await(loop, sleep(loop, 5));
        first.cancel(false);
        await(loop, loop.sockSendto(a, ByteBuffer.wrap(ascii("one")), bAddress));
        Datagram d = await(loop, loop.sockRecvfrom(b, 100));
        assertThat(d.data().remaining()).isEqualTo(3);
    }
}
