package dev.loop.bench;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import dev.loop.EventLoop;
import dev.loop.stream.StreamReader;
import dev.loop.stream.StreamWriter;
import dev.loop.stream.Streams;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.Transport;

/**
 * The cost of streams' convenience: a line echo server written with {@code readLine}/{@code write}/{@code drain}
 * against the protocol-level echo on the same loop (epoll; the echo harness's {@code EchoProtocol}), both answering a client that sends a batch of
 * 64-byte lines over loopback TCP and waits for all of them back. Lines per second.
 */
public class StreamEchoBenchmark extends ThroughputBenchmark {

    static final int LINES = 200;
    static final int LINE = 64;

    /**
     * {@code streams}: readLine, write, drain. {@code protocol-lines}: the same line echo written as a Protocol
     * (finds each line in what arrives, writes it back), the like-for-like peer. {@code protocol}: the plain echo
     * (what arrives goes back in one write), the floor.
     */
    @Param({"protocol", "protocol-lines", "streams"})
    public String server;

    EventLoop loop;
    Server echoServer;
    Transport client;
    byte[] batch;
    long received;
    CompletableFuture<Void> done;

    @Setup(Level.Trial)
    public void setUp() {
        loop = BenchLoops.create(null);
        echoServer = loop.runUntilComplete(switch (server) {
            case "streams" -> Streams.startServer(loop, StreamEchoBenchmark::echoLines, "127.0.0.1", 0);
            case "protocol-lines" -> loop.createServer(LineEcho::new, "127.0.0.1", 0);
            default -> loop.createServer(dev.loop.bench.echo.EchoServers.EchoProtocol::new, "127.0.0.1", 0);
        });
        int port = ((InetSocketAddress) echoServer.addresses().get(0)).getPort();
        client = loop.runUntilComplete(loop.createConnection(() -> new Protocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                received += data.remaining();
                data.position(data.limit());
                if (received >= (long) LINES * LINE && done != null) {
                    done.complete(null);
                }
            }
        }, "127.0.0.1", port)).transport();
        byte[] line = new byte[LINE];
        Arrays.fill(line, (byte) 'x');
        line[LINE - 1] = '\n';
        batch = new byte[LINES * LINE];
        for (int i = 0; i < LINES; i++) {
            System.arraycopy(line, 0, batch, i * LINE, LINE);
        }
    }

    /** A batch of lines out, all of them back. */
    @Benchmark
    @OperationsPerInvocation(LINES)
    public long echoBatch() {
        received = 0;
        done = new CompletableFuture<>();
        client.write(ByteBuffer.wrap(batch));
        loop.runUntilComplete(done);
        return received;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        echoServer.close();
        loop.close();
    }

    static void echoLines(StreamReader reader, StreamWriter writer) {
        reader.readLine().thenAccept(line -> {
            if (line.length == 0) {
                writer.close();
                return;
            }
            writer.write(line);
            writer.drain().thenRun(() -> echoLines(reader, writer));
        });
    }

    /**
     * The line echo as a Protocol, written the way one would for speed: each complete line found with one scan and
     * written back as a slice of the buffer that brought it (the buffer is the protocol's to keep); a partial line
     * kept until its end arrives.
     */
    static final class LineEcho implements Protocol {
        private byte[] partial = new byte[LINE];
        private int partialLength;
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            int start = data.position();
            int limit = data.limit();
            for (int i = start; i < limit; i++) {
                if (data.get(i) != '\n') {
                    continue;
                }
                int end = i + 1;
                if (partialLength == 0) {
                    transport.write(data.slice(start, end - start));
                } else {
                    keep(data, start, end);
                    transport.write(Arrays.copyOf(partial, partialLength));
                    partialLength = 0;
                }
                start = end;
            }
            keep(data, start, limit);
            data.position(limit);
        }

        private void keep(ByteBuffer data, int from, int to) {
            int n = to - from;
            if (partialLength + n > partial.length) {
                partial = Arrays.copyOf(partial, Math.max(partial.length * 2, partialLength + n));
            }
            data.get(from, partial, partialLength, n);
            partialLength += n;
        }
    }
}
