package dev.loop.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;
import dev.loop.LoopOptions;
import dev.loop.conformance.BackendFixture;
import dev.loop.internal.transport.StreamTransport;
import dev.loop.conformance.LoopTestBase;
import dev.loop.testsupport.RecordingProtocol;
import dev.loop.testsupport.TestFds;
import dev.loop.transport.BufferedProtocol;
import dev.loop.transport.Connection;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.Transport;

/**
 * What only a completion-based transport can get wrong: memory and descriptors held by operations in
 * flight, data that arrives for a paused transport, and more operations than the ring has slots. The
 * transport contract itself is the conformance suite's ({@code ProactorLoopTest}).
 */
class CompletionTransportTest extends LoopTestBase {

    @Override
    protected BackendFixture backend() {
        return BackendFixture.PROACTOR;
    }

    private static final int LARGE = 8 * 1024 * 1024;

    private static byte[] pattern(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 31 + (i >>> 13));
        }
        return data;
    }

    private static String target(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return null; // closed
        }
    }

    /** A server on the loop and one blocking client connected to it: the server side's protocol. */
    private RecordingProtocol acceptOne(EventLoop loop, List<Socket> clients) throws IOException {
        return acceptOne(loop, clients, RecordingProtocol::new);
    }

    /** {@link #acceptOne(EventLoop, List)} with the server's protocols from {@code factory}. */
    private RecordingProtocol acceptOne(EventLoop loop, List<Socket> clients,
            java.util.function.Supplier<RecordingProtocol> factory) throws IOException {
        List<RecordingProtocol> accepted = new ArrayList<>();
        Server server = await(loop, loop.createServer(() -> {
            RecordingProtocol p = factory.get();
            accepted.add(p);
            return p;
        }, "127.0.0.1", 0, ServerOptions.DEFAULTS));
        Socket client = new Socket();
        client.connect(server.addresses().get(0));
        clients.add(client);
        await(loop, waitFor(loop, () -> !accepted.isEmpty() && accepted.get(0).transport != null));
        server.close();
        return accepted.get(0);
    }

    /** Reads everything until EOF on another thread. */
    private static CompletableFuture<byte[]> readAll(Socket client) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = client.getInputStream()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toByteArray();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void closeWithAWriteInFlightSendsEveryAcceptedByteThenClosesTheDescriptor() throws Exception {
        EventLoop loop = newLoop();
        UringBackend proactor = UringBackend.of(loop);
        List<Socket> clients = new ArrayList<>();
        RecordingProtocol p = acceptOne(loop, clients);
        Transport t = p.transport;
        assertThat(((StreamTransport) t).io()).isInstanceOf(CompletionTransportIo.class);
        int fd = t.fd();
        String socket = target(fd);
        byte[] data = pattern(LARGE);
        loop.callSoon(() -> {
            // Far more than the socket buffers hold, from a buffer reused (overwritten) at once.
            ByteBuffer reused = ByteBuffer.allocateDirect(64 * 1024);
            for (int off = 0; off < LARGE; off += reused.capacity()) {
                reused.clear();
                reused.put(data, off, reused.capacity()).flip();
                t.write(reused);
                reused.clear();
                reused.put(new byte[reused.capacity()]); // the caller scribbles over its buffer
            }
            t.close();
        });
        await(loop, sleep(loop, 50));
        // The peer has not read: the write is in flight, the descriptor still open, nothing lost yet.
        assertThat(p.lost).isNotDone();
        assertThat(t.writeBufferSize()).isPositive();
        assertThat(target(fd)).isEqualTo(socket);
        assertThat(proactor.operationsInFlight()).as("the read and the write").isGreaterThanOrEqualTo(1);
        CompletableFuture<byte[]> read = readAll(clients.get(0));
        assertThat(await(loop, p.lost)).isNull();
        assertThat(await(loop, read)).isEqualTo(data);
        await(loop, waitFor(loop, () -> !socket.equals(target(fd))));
        assertThat(proactor.operationsInFlight()).isZero();
        assertThat(p.violations).isEmpty();
        clients.get(0).close();
    }

    @Test
    void abortWithAWriteInFlightCancelsItAndClosesTheDescriptorAfterItsCompletion() throws Exception {
        EventLoop loop = newLoop();
        UringBackend proactor = UringBackend.of(loop);
        List<Socket> clients = new ArrayList<>();
        RecordingProtocol p = acceptOne(loop, clients);
        Transport t = p.transport;
        int fd = t.fd();
        String socket = target(fd);
        int[] inFlightAtAbort = new int[1];
        String[] targetAtAbort = new String[1];
        loop.callSoon(() -> t.write(pattern(LARGE)));
        await(loop, sleep(loop, 50));
        loop.callSoon(() -> {
            t.abort();
            // The cancel goes with the next wait: the kernel still holds the write, so nothing is freed yet.
            inFlightAtAbort[0] = proactor.operationsInFlight();
            targetAtAbort[0] = target(fd);
        });
        await(loop, p.lost);
        assertThat(inFlightAtAbort[0]).isEqualTo(2); // the read and the write
        assertThat(targetAtAbort[0]).isEqualTo(socket);
        await(loop, waitFor(loop, () -> !socket.equals(target(fd))));
        assertThat(proactor.operationsInFlight()).isZero();
        assertThat(t.writeBufferSize()).isZero();
        clients.get(0).close();
    }

    @Test
    void closeWithOnlyTheReadInFlightCancelsItAndClosesWithinSteps() throws Exception {
        EventLoop loop = newLoop();
        UringBackend proactor = UringBackend.of(loop);
        List<Socket> clients = new ArrayList<>();
        RecordingProtocol p = acceptOne(loop, clients);
        int fd = p.transport.fd();
        String socket = target(fd);
        // The closed server's accept goes with the next step; then only the read is left, waiting for data.
        await(loop, waitFor(loop, () -> proactor.operationsInFlight() == 1));
        loop.callSoon(p.transport::close);
        await(loop, p.lost);
        await(loop, waitFor(loop, () -> !socket.equals(target(fd))));
        assertThat(proactor.operationsInFlight()).isZero();
        // The peer sees an orderly EOF.
        assertThat(clients.get(0).getInputStream().read()).isEqualTo(-1);
        clients.get(0).close();
    }

    /** A protocol reading into a small direct buffer (a read in flight writes straight into it). */
    static final class DirectBufferProtocol extends RecordingProtocol implements BufferedProtocol {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(4);

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            buffer.clear();
            return buffer;
        }

        @Override
        public void bufferUpdated(int n) {
            buffer.flip();
            dataReceived(buffer);
        }
    }

    @Test
    void dataForAPausedTransportIsParkedAndDeliveredInOrderOnResume() throws Exception {
        for (boolean buffered : new boolean[] {false, true}) {
            EventLoop loop = newLoop();
            List<Socket> clients = new ArrayList<>();
            RecordingProtocol p = acceptOne(loop, clients,
                    buffered ? DirectBufferProtocol::new : RecordingProtocol::new);
            Socket client = clients.get(0);
            // The read is already in flight when reading pauses.
            loop.callSoon(p.transport::pauseReading);
            await(loop, sleep(loop, 10));
            client.getOutputStream().write("hello".getBytes());
            await(loop, sleep(loop, 100));
            assertThat(p.bytes()).as("nothing while paused (buffered=%s)", buffered).isEmpty();
            loop.callSoon(p.transport::resumeReading);
            await(loop, waitFor(loop, () -> p.bytes().length == 5));
            client.getOutputStream().write(" world".getBytes());
            await(loop, waitFor(loop, () -> p.bytes().length == 11));
            assertThat(new String(p.bytes())).isEqualTo("hello world");
            assertThat(p.violations).isEmpty();
            client.close();
            await(loop, p.lost);
        }
    }

    @Test
    void loopCloseWithReadsAndWritesInFlightWaitsForTheirCompletionsAndClosesEverything() throws Exception {
        Map<Integer, String> before = TestFds.openFdTargets();
        EventLoop loop = backend().newLoop(LoopOptions.builder().name("closing").build());
        UringBackend proactor = UringBackend.of(loop);
        List<Socket> clients = new ArrayList<>();
        RecordingProtocol p;
        try {
            p = acceptOne(loop, clients);
            loop.callSoon(() -> p.transport.write(pattern(LARGE)));
            await(loop, sleep(loop, 50));
            assertThat(proactor.operationsInFlight()).isEqualTo(2);
        } finally {
            loop.close();
        }
        assertThat(proactor.operationsInFlight()).isZero();
        clients.get(0).close();
        assertThat(TestFds.newFdsSince(before)).as("descriptors left by the loop").isEmpty();
    }

    @Test
    void moreTransportOperationsThanRingEntriesAreFlushedNeverDropped() throws Exception {
        // A ring of 4 slots; 100 read pipes and 100 write pipes put 200 operations into one step.
        EventLoop loop = UringBackend.newLoop(LoopOptions.builder().name("small-ring").build(), 4);
        loops.add(loop);
        List<RecordingProtocol> readers = new ArrayList<>();
        List<int[]> readPairs = new ArrayList<>();
        List<int[]> writePipes = new ArrayList<>();
        List<CompletableFuture<?>> made = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int[] pair = fds.socketPair();
            readPairs.add(pair);
            RecordingProtocol r = new RecordingProtocol();
            readers.add(r);
            made.add(loop.connectReadPipe(() -> r, fds.handOver(pair[0])));
            int[] pipe = fds.pipe();
            writePipes.add(pipe);
            RecordingProtocol w = new RecordingProtocol();
            made.add(loop.connectWritePipe(() -> w, fds.handOver(pipe[1])).thenAccept(
                    (Connection<Transport, RecordingProtocol> c) -> c.transport().write(new byte[] {7, 8, 9})));
        }
        await(loop, CompletableFuture.allOf(made.toArray(CompletableFuture[]::new)));
        for (int i = 0; i < 100; i++) {
            TestFds.write(readPairs.get(i)[1], new byte[] {(byte) i});
        }
        await(loop, waitFor(loop, () -> readers.stream().allMatch(r -> r.bytes().length == 1)));
        for (int i = 0; i < 100; i++) {
            assertThat(readers.get(i).bytes()).containsExactly((byte) i);
            assertThat(TestFds.read(writePipes.get(i)[0], 16)).containsExactly((byte) 7, (byte) 8, (byte) 9);
        }
    }
}
