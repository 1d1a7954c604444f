package dev.loop.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.LoopOptions;
import dev.loop.internal.engine.Loop;
import dev.loop.platform.BackendProbe;
import dev.loop.transport.Connection;
import dev.loop.transport.DatagramProtocol;
import dev.loop.transport.DatagramTransport;

/**
 * The proactor's two ways of receiving datagrams. By default a POLL_ADD, then recvmmsg, as on the selector backend;
 * on a loop made with {@link UringBackend#newMultishotDatagramLoop}, one multishot RECVMSG into the loop's ring of
 * provided buffers. What the conformance suite cannot see from outside: which mechanism is in use, and that a burst
 * larger than the ring (every buffer out, ENOBUFS) is received whole, in order, by arming the receive again.
 */
class ProactorDatagramReceiveTest {

    /** Sequence numbers as they arrive. */
    static final class Sequence implements DatagramProtocol {
        final List<Integer> received = Collections.synchronizedList(new ArrayList<>());
        final List<Exception> errors = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress address) {
            received.add(data.getInt(data.position()));
        }

        @Override
        public void errorReceived(Exception error) {
            errors.add(error);
        }
    }

    private static void assumeMultishot() {
        Object detail = BackendProbe.probe(Backend.PROACTOR, null).details().get("recvMultishot");
        assumeTrue(detail instanceof String s && s.startsWith("available"), "no multishot RECVMSG here: " + detail);
    }

    private static Loop startedLoop(int datagramBuffers) {
        Loop loop = UringBackend.newMultishotDatagramLoop(LoopOptions.builder().name("multishot").build(),
                datagramBuffers);
        loop.start();
        return loop;
    }

    @Test
    void byDefaultUdpAndUnixEndpointsReceiveOnReadinessWithNoReceiveInFlight(@TempDir Path dir) throws Exception {
        try (EventLoop loop = UringBackend.newLoop(LoopOptions.builder().name("readiness").build());
                DatagramChannel client = DatagramChannel.open()) {
            loop.start();
            UringBackend backend = UringBackend.of(loop);
            int inFlight = loop.submit(backend::operationsInFlight).get(10, TimeUnit.SECONDS);
            Connection<DatagramTransport, Sequence> udp = loop.createDatagramEndpoint(Sequence::new,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null).get(10, TimeUnit.SECONDS);
            SocketAddress udpAddress = loop.submit(udp.transport()::localAddress).get(10, TimeUnit.SECONDS);
            UnixDomainSocketAddress unixAddress = UnixDomainSocketAddress.of(dir.resolve("in.sock"));
            Connection<DatagramTransport, Sequence> unix = loop.createDatagramEndpoint(Sequence::new, unixAddress, null)
                    .get(10, TimeUnit.SECONDS);
            // Java 17's DatagramChannel has no unix family: the unix sender is an endpoint of the loop too.
            Connection<DatagramTransport, Sequence> unixOut = loop.createDatagramEndpoint(Sequence::new,
                    UnixDomainSocketAddress.of(dir.resolve("out.sock")), unixAddress).get(10, TimeUnit.SECONDS);
            ByteBuffer b = ByteBuffer.allocate(64);
            for (int i = 0; i < 100; i++) {
                client.send(b.clear().putInt(0, i), udpAddress);
                int n = i;
                loop.callSoonThreadsafe(() -> unixOut.transport().sendto(ByteBuffer.allocate(64).putInt(0, n)));
            }
            waitUntil(() -> udp.protocol().received.size() == 100 && unix.protocol().received.size() == 100);
            assertThat(udp.protocol().received).isEqualTo(unix.protocol().received).hasSize(100).isSorted();
            // Each endpoint is one of the loop's readers (a POLL_ADD), and no receive operation is in flight.
            assertThat(loop.stats().handles().loopReaders()).isEqualTo(3);
            assertThat(loop.submit(backend::operationsInFlight).get(10, TimeUnit.SECONDS)).isEqualTo(inFlight);
            assertThat(BackendProbe.probe(Backend.PROACTOR, null).details().get("datagramReceive"))
                    .asString().startsWith("POLL_ADD readiness, then recvmmsg");
        }
    }

    @Test
    void udpEndpointsReceiveWithMultishotIntoTheLoopsProvidedBuffers() throws Exception {
        assumeMultishot();
        try (EventLoop loop = startedLoop(UringBackend.DATAGRAM_BUFFERS);
                DatagramChannel client = DatagramChannel.open()) {
            Connection<DatagramTransport, Sequence> in = loop.createDatagramEndpoint(Sequence::new,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null).get(10, TimeUnit.SECONDS);
            SocketAddress address = loop.submit(in.transport()::localAddress).get(10, TimeUnit.SECONDS);
            client.send(ByteBuffer.allocate(4).putInt(0, 7), address);
            waitUntil(() -> in.protocol().received.size() == 1);
            UringBackend backend = UringBackend.of(loop);
            assertThat(loop.submit(() -> backend.datagramBuffersRefused()).get(10, TimeUnit.SECONDS)).isNull();
            assertThat(loop.submit(() -> backend.datagramBuffers() != null).get(10, TimeUnit.SECONDS)).isTrue();
            int inFlight = loop.submit(backend::operationsInFlight).get(10, TimeUnit.SECONDS);
            loop.submit(() -> {
                in.transport().close();
                return null;
            }).get(10, TimeUnit.SECONDS);
            // The multishot receive ended with the close: one operation fewer in flight.
            waitUntil(() -> loop.submit(backend::operationsInFlight).get(10, TimeUnit.SECONDS) == inFlight - 1);
        }
    }

    @Test
    void aBurstLargerThanTheRingOfBuffersIsReceivedWholeAndInOrder() throws Exception {
        assumeMultishot();
        int total = 200; // 200 datagrams of 64 bytes wait in the socket together: far below its receive buffer
        try (EventLoop loop = startedLoop(4); DatagramChannel client = DatagramChannel.open()) {
            Connection<DatagramTransport, Sequence> in = loop.createDatagramEndpoint(Sequence::new,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null).get(10, TimeUnit.SECONDS);
            SocketAddress address = loop.submit(in.transport()::localAddress).get(10, TimeUnit.SECONDS);
            // The loop thread is held in a callback while the burst arrives, so the kernel meets it with 4 buffers.
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch sent = new CountDownLatch(1);
            loop.callSoonThreadsafe(() -> {
                holding.countDown();
                await(sent);
            });
            await(holding);
            ByteBuffer b = ByteBuffer.allocate(64);
            for (int i = 0; i < total; i++) {
                client.send(b.clear().putInt(0, i), address);
            }
            sent.countDown();
            waitUntil(() -> in.protocol().received.size() == total);
            for (int i = 0; i < total; i++) {
                assertThat(in.protocol().received.get(i)).as("datagram %d", i).isEqualTo(i);
            }
            assertThat(in.protocol().errors).isEmpty();
            UringBackend backend = UringBackend.of(loop);
            assertThat(loop.submit(() -> backend.datagramBuffers().timesRanOut()).get(10, TimeUnit.SECONDS))
                    .as("receives that found every buffer out and were armed again").isPositive();
        }
    }

    @Test
    void withoutProvidedBuffersUdpEndpointsReceiveOneRecvmsgPerDatagram() throws Exception {
        int total = 100;
        try (EventLoop loop = startedLoop(0); DatagramChannel client = DatagramChannel.open()) {
            Connection<DatagramTransport, Sequence> in = loop.createDatagramEndpoint(Sequence::new,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null).get(10, TimeUnit.SECONDS);
            SocketAddress address = loop.submit(in.transport()::localAddress).get(10, TimeUnit.SECONDS);
            ByteBuffer b = ByteBuffer.allocate(64);
            for (int i = 0; i < total; i++) {
                client.send(b.clear().putInt(0, i), address);
            }
            waitUntil(() -> in.protocol().received.size() == total);
            for (int i = 0; i < total; i++) {
                assertThat(in.protocol().received.get(i)).as("datagram %d", i).isEqualTo(i);
            }
            UringBackend backend = UringBackend.of(loop);
            assertThat(loop.submit(backend::datagramBuffersRefused).get(10, TimeUnit.SECONDS))
                    .isEqualTo("this loop was made without provided buffers");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void waitUntil(java.util.concurrent.Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(condition);
    }
}
