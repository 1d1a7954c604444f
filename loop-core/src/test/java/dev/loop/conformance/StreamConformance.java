package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.loop.EventLoop;
import dev.loop.capability.Capability;
import dev.loop.process.ProcessOptions;
import dev.loop.stream.IncompleteReadException;
import dev.loop.stream.StreamProcess;
import dev.loop.stream.StreamConnection;
import dev.loop.stream.StreamReader;
import dev.loop.stream.StreamWriter;
import dev.loop.stream.Streams;
import dev.loop.transport.Server;

/**
 * asyncio's streams on this backend, over real sockets: a line echo server and client in callback style and
 * from another thread with {@code join()}, unix sockets, the end of the stream, and backpressure from a reader
 * that does not read back to the writer's {@code drain()}.
 */
public abstract class StreamConformance extends LoopTestBase {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Echoes each line back until the end of the stream, then closes. */
    static void echoLines(StreamReader reader, StreamWriter writer) {
        reader.readLine().thenAccept(line -> {
            if (line.length == 0) {
                writer.close();
            } else {
                writer.write(line);
                writer.drain().thenRun(() -> echoLines(reader, writer));
            }
        });
    }

    private static int port(Server server) {
        return ((InetSocketAddress) server.addresses().get(0)).getPort();
    }

    @Test
    void aLineEchoServerAndClientInCallbackStyle() {
        EventLoop loop = newLoop();
        Server server = await(loop, Streams.startServer(loop, StreamConformance::echoLines, "127.0.0.1", 0));
        StreamConnection c = await(loop, Streams.openConnection(loop, "127.0.0.1", port(server)));
        c.writer().write("hello\nworld\n");
        assertThat(await(loop, c.reader().readLine())).isEqualTo(ascii("hello\n"));
        assertThat(await(loop, c.reader().readLineText())).isEqualTo("world");
        c.writer().writeEof();
        assertThat(await(loop, c.reader().readLine())).as("the server closed after our end of stream").isEmpty();
        assertThat(c.reader().atEof()).isTrue();
        // Both ends said end of stream; the transport stays open (half-closed, as asyncio's) until closed.
        assertThat(c.writer().isClosing()).isFalse();
        c.writer().close();
        await(loop, c.writer().waitClosed());
        server.close();
    }

    /** From another thread, as a virtual thread would: join() blocks only the caller, the loop runs on. */
    @Test
    void readsAndWritesFromAnotherThreadJoinTheirFutures() throws Exception {
        EventLoop loop = newLoop();
        loop.start();
        Server server = Streams.startServer(loop, StreamConformance::echoLines, "127.0.0.1", 0).get(10, TimeUnit.SECONDS);
        StreamConnection c = Streams.openConnection(loop, "127.0.0.1", port(server)).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 100; i++) {
            // The read first, so that it waits for the line and completes when the loop thread delivers it.
            CompletableFuture<String> line = c.reader().readLineText();
            // Observed through a dependent stage of its own: a thread waiting in line.get() may run line's
            // dependents itself once the result is set, so they would not tell which thread completed it.
            CompletableFuture<Thread> completedBy = line.handle((v, e) -> Thread.currentThread());
            c.writer().write("line " + i + "\n");
            c.writer().drain().get(10, TimeUnit.SECONDS);
            assertThat(completedBy.get(10, TimeUnit.SECONDS)).as("futures complete on the loop thread")
                    .isSameAs(loop.thread());
            assertThat(line.get(10, TimeUnit.SECONDS)).isEqualTo("line " + i);
        }
        c.writer().close();
        c.writer().waitClosed().get(10, TimeUnit.SECONDS);
        server.close();
    }

    /**
     * The README's virtual-thread example, for real where the JVM has virtual threads (Java 21+; the build's baseline
     * is 17, so they are reached through {@code Executors.newVirtualThreadPerTaskExecutor}): more clients than the
     * carrier threads, each blocked in {@code join()} at once, all answered, and every future completed on the loop
     * thread.
     */
    @Test
    void clientsOnVirtualThreadsJoinTheirFutures() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads: Java 21+");
        EventLoop loop = newLoop();
        loop.start();
        Server server = Streams.startServer(loop, StreamConformance::echoLines, "127.0.0.1", 0).get(10, TimeUnit.SECONDS);
        int clients = 4 * Runtime.getRuntime().availableProcessors() + 8;
        java.util.concurrent.CountDownLatch allWaiting = new java.util.concurrent.CountDownLatch(clients);
        java.util.Set<Thread> completedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService virtual = (java.util.concurrent.ExecutorService)
                java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        try {
            for (int i = 0; i < clients; i++) {
                String line = "client " + i;
                answers.add(virtual.submit(() -> {
                    assertThat((Boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread())).isTrue();
                    StreamConnection c = Streams.openConnection(loop, "127.0.0.1", port(server)).join();
                    CompletableFuture<String> answer = c.reader().readLineText();
                    CompletableFuture<Thread> completedBy = answer.handle((v, e) -> Thread.currentThread());
                    allWaiting.countDown();
                    allWaiting.await(); // every client is connected and waits for its line before any is sent
                    c.writer().write(line + "\n");
                    c.writer().drain().join();
                    completedOn.add(completedBy.join()); // before answer.join(), which may run answer's dependents
                    String got = answer.join();
                    c.writer().close();
                    c.writer().waitClosed().join();
                    return got;
                }));
            }
            for (int i = 0; i < clients; i++) {
                assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("client " + i);
            }
        } finally {
            virtual.shutdownNow();
            assertThat(virtual.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(completedOn).as("futures complete on the loop thread").containsExactly(loop.thread());
        server.close();
    }

    @Test
    void unixSocketStreams(@TempDir Path dir) {
        EventLoop loop = newLoop();
        Path path = dir.resolve("s.sock");
        Server server = await(loop, Streams.startUnixServer(loop, StreamConformance::echoLines, path));
        StreamConnection c = await(loop, Streams.openUnixConnection(loop, path));
        c.writer().write("over unix\n");
        assertThat(await(loop, c.reader().readLineText())).isEqualTo("over unix");
        c.writer().close();
        server.close();
    }

    /** readExactly across many small writes; at the end of the stream, the partial bytes in the exception. */
    @Test
    void readExactlyGathersChunksAndReportsAnIncompleteRead() {
        EventLoop loop = newLoop();
        Server server = await(loop, Streams.startServer(loop, (reader, writer) -> {
            for (int i = 0; i < 10; i++) {
                writer.write(new byte[] {(byte) i});
            }
            writer.close();
        }, "127.0.0.1", 0));
        StreamConnection c = await(loop, Streams.openConnection(loop, "127.0.0.1", port(server)));
        assertThat(await(loop, c.reader().readExactly(4))).containsExactly(0, 1, 2, 3);
        CompletableFuture<byte[]> rest = c.reader().readExactly(10);
        assertThatThrownBy(() -> await(loop, rest)).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(IncompleteReadException.class)
                .satisfies(e -> {
                    assertThat(((IncompleteReadException) e).partial()).containsExactly(4, 5, 6, 7, 8, 9);
                    assertThat(((IncompleteReadException) e).expected()).isEqualTo(10);
                });
        assertThat(c.reader().atEof()).isTrue();
        server.close();
    }

    /**
     * A reader that does not read pauses its transport at twice its limit; the peer's writes then stay in the
     * peer's buffer, and its drain() waits until the reader reads again.
     */
    @Test
    void backpressureFromAReaderThatDoesNotReadReachesTheWritersDrain() {
        EventLoop loop = newLoop();
        int limit = 16 * 1024;
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        int chunks = 64; // 4 MiB: far more than the socket buffers and the reader's limit hold
        CompletableFuture<StreamWriter> serverWriter = new CompletableFuture<>();
        CompletableFuture<Void> allDrained = new CompletableFuture<>();
        Server server = await(loop, Streams.startServer(loop, (reader, writer) -> {
            serverWriter.complete(writer);
            writeAndDrain(writer, chunk, chunks, allDrained);
        }, "127.0.0.1", 0));
        StreamConnection c = await(loop, Streams.openConnection(loop, "127.0.0.1", port(server), limit));
        StreamWriter writer = await(loop, serverWriter);
        // Wait until the client's transport has paused reading: the reader holds more than twice its limit.
        await(loop, waitFor(loop, () -> !c.writer().transport().isReading()));
        assertThat(allDrained).as("the server's drain waits while the client does not read").isNotDone();
        assertThat(writer.transport().writeBufferSize()).as("held back in the server's buffer").isPositive();
        long total = 0;
        while (total < (long) chunk.length * chunks) {
            byte[] got = await(loop, c.reader().read(256 * 1024));
            assertThat(got).isNotEmpty();
            total += got.length;
        }
        await(loop, allDrained);
        assertThat(total).isEqualTo((long) chunk.length * chunks);
        c.writer().close();
        server.close();
    }

    private static void writeAndDrain(StreamWriter writer, byte[] chunk, int left, CompletableFuture<Void> done) {
        if (left == 0) {
            done.complete(null);
            return;
        }
        writer.write(chunk);
        writer.drain().whenComplete((v, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
            } else {
                writeAndDrain(writer, chunk, left - 1, done);
            }
        });
    }

    /** A child's pipes as streams: lines to its stdin come back from its stdout; stderr apart; the exit code. */
    @Test
    void subprocessStreams() {
        EventLoop loop = newLoop();
        org.junit.jupiter.api.Assumptions.assumeTrue(loop.capabilities().supports(Capability.SUBPROCESSES));
        StreamProcess p = await(loop, Streams.subprocessShell(loop,
                "while read l; do echo \"got $l\"; done; echo done >&2; exit 3", ProcessOptions.DEFAULTS));
        for (int i = 0; i < 20; i++) {
            p.stdin().write("line " + i + "\n");
            await(loop, p.stdin().drain());
            assertThat(await(loop, p.stdout().readLineText())).isEqualTo("got line " + i);
        }
        p.stdin().close();
        assertThat(await(loop, p.stdout().read(-1))).as("nothing more").isEmpty();
        assertThat(await(loop, p.stderr().readLineText())).isEqualTo("done");
        assertThat(await(loop, p.waitFor())).isEqualTo(3);
    }

    /**
     * Giving up on {@code openConnection} at any point of the connect leaves no connection open: cancelling the
     * future cancels the connect, and a connection made meanwhile is closed (the future of a mapped
     * {@code thenApply} would have hidden the connect from the cancel, and the connection leaked).
     */
    @Test
    void aCancelledOpenConnectionLeavesNoConnectionOpen() {
        EventLoop loop = newLoop();
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
        Server server = await(loop, Streams.startServer(loop, (reader, writer) -> {
            accepted.incrementAndGet();
            reader.read(-1).whenComplete((all, e) -> {
                ended.incrementAndGet();
                writer.close();
            });
        }, "127.0.0.1", 0));
        int cancelled = 0;
        for (int i = 0; i < 24; i++) {
            CompletableFuture<StreamConnection> c = Streams.openConnection(loop, "127.0.0.1", port(server));
            if (i % 6 > 0) {
                await(loop, steps(loop, i % 6 - 1)); // give up at once, or after a few steps of the connect
            }
            if (c.cancel(false)) {
                cancelled++;
            } else {
                await(loop, c).writer().close();
            }
        }
        try {
            await(loop, waitFor(loop, () -> ended.get() == accepted.get()
                    && loop.stats().handles().transports() == 0));
        } catch (java.util.concurrent.CompletionException e) {
            throw new AssertionError("connections left open: accepted " + accepted + ", ended " + ended
                    + ", transports " + loop.stats().handles().transports() + " (" + cancelled + " given up)", e);
        }
        assertThat(cancelled).as("some connects were given up while under way").isPositive();
        server.close();
    }

    /** A communicate given up on stops reading and gives back what it read: the output is still the readers'. */
    @Test
    void aCancelledCommunicateGivesBackWhatItRead() {
        EventLoop loop = newLoop();
        org.junit.jupiter.api.Assumptions.assumeTrue(loop.capabilities().supports(Capability.SUBPROCESSES));
        StreamProcess p = await(loop, Streams.subprocessExec(loop, java.util.List.of("sh", "-c",
                "echo first; exec sleep 30"), ProcessOptions.DEFAULTS));
        CompletableFuture<StreamProcess.Output> all = p.communicate(null);
        await(loop, waitFor(loop, () -> ProcessHandle.of(p.transport().pid()).flatMap(h -> h.info().command())
                .map(c -> c.endsWith("sleep")).orElse(false)));
        await(loop, steps(loop, 3));
        assertThat(all.cancel(false)).isTrue();
        assertThat(await(loop, p.stdout().readLineText())).isEqualTo("first");
        p.transport().kill();
        assertThat(await(loop, p.waitFor())).isNotZero();
    }

    /** communicate: input in, all of stdout and stderr out, the exit code; more than a pipe buffer each way. */
    @Test
    void communicateFeedsAndCollectsEverything() {
        EventLoop loop = newLoop();
        org.junit.jupiter.api.Assumptions.assumeTrue(loop.capabilities().supports(Capability.SUBPROCESSES));
        byte[] input = new byte[300_000];
        new java.util.Random(3).nextBytes(input);
        StreamProcess p = await(loop, Streams.subprocessExec(loop, java.util.List.of("sh", "-c", "cat; echo err >&2"),
                ProcessOptions.DEFAULTS));
        StreamProcess.Output out = await(loop, p.communicate(input));
        assertThat(out.stdout()).isEqualTo(input);
        assertThat(new String(out.stderr(), StandardCharsets.US_ASCII)).isEqualTo("err\n");
        assertThat(out.exitCode()).isZero();
    }
}
