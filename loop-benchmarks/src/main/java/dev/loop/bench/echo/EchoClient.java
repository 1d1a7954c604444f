package dev.loop.bench.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The ping-pong load: {@code connections} sockets, each sending one message of {@code size} bytes and
 * waiting for all of it to come back before sending the next. One JDK NIO thread drives them all, the
 * same client for every server. Every echoed message is checked (length and content).
 */
public final class EchoClient {

    /**
     * Round trips per second measured after the warm-up and how many were measured; with the CPU time
     * the server and this client used in that window (NaN when the server's process was not given).
     */
    public record Result(double roundTripsPerSecond, long roundTrips, long bytesChecked, double seconds,
            double serverCpuSeconds, double clientCpuSeconds) {

        /** Server CPU time per round trip, in microseconds: its cost, whatever limited the rate. */
        public double serverMicrosPerRoundTrip() {
            return serverCpuSeconds * 1e6 / roundTrips;
        }

        /** Share of one CPU the server used (1.0: one CPU busy all the time). */
        public double serverUtilization() {
            return serverCpuSeconds / seconds;
        }

        /** Share of one CPU this client used; near 1.0 the client, not the server, set the rate. */
        public double clientUtilization() {
            return clientCpuSeconds / seconds;
        }
    }

    private static final class Conn {
        final SocketChannel ch;
        final ByteBuffer out;
        final ByteBuffer in;
        long roundTrips;

        Conn(SocketChannel ch, int size, int seed) {
            this.ch = ch;
            this.out = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < size; i++) {
                out.put(i, (byte) (seed + i * 7));
            }
            this.in = ByteBuffer.allocateDirect(size);
        }
    }

    private EchoClient() {
    }

    public static Result run(int port, int connections, int size, double warmupSeconds, double seconds)
            throws IOException {
        return run(port, connections, size, warmupSeconds, seconds, -1);
    }

    /** {@link #run(int, int, int, double, double)}, also measuring the CPU time of process {@code serverPid}. */
    public static Result run(int port, int connections, int size, double warmupSeconds, double seconds, long serverPid)
            throws IOException {
        long self = ProcessHandle.current().pid();
        try (Selector selector = Selector.open()) {
            List<Conn> conns = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ch.configureBlocking(false);
                    Conn c = new Conn(ch, size, i);
                    conns.add(c);
                    ch.register(selector, SelectionKey.OP_READ, c);
                    send(c);
                }
                long start = System.nanoTime();
                long measureFrom = start + (long) (warmupSeconds * 1e9);
                long end = measureFrom + (long) (seconds * 1e9);
                long counted = 0;
                long checked = 0;
                boolean measuring = false;
                long serverCpuFrom = 0;
                long clientCpuFrom = 0;
                while (true) {
                    selector.select(100);
                    long now = System.nanoTime();
                    if (!measuring && now >= measureFrom) {
                        measuring = true;
                        counted = 0;
                        measureFrom = now;
                        serverCpuFrom = serverPid < 0 ? 0 : ProcessCpu.nanos(serverPid);
                        clientCpuFrom = ProcessCpu.nanos(self);
                    }
                    if (now >= end) {
                        break;
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        Conn c = (Conn) key.attachment();
                        if (key.isWritable()) {
                            c.ch.write(c.out);
                            if (!c.out.hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        }
                        if (key.isReadable()) {
                            int n = c.ch.read(c.in);
                            if (n < 0) {
                                throw new IOException("server closed a connection");
                            }
                            if (!c.in.hasRemaining()) {
                                verify(c);
                                checked += size;
                                c.roundTrips++;
                                counted++;
                                if (!send(c)) {
                                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                                }
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                }
                double elapsed = (System.nanoTime() - measureFrom) / 1e9;
                double serverCpu = serverPid < 0 ? Double.NaN : (ProcessCpu.nanos(serverPid) - serverCpuFrom) / 1e9;
                double clientCpu = (ProcessCpu.nanos(self) - clientCpuFrom) / 1e9;
                return new Result(counted / elapsed, counted, checked, elapsed, serverCpu, clientCpu);
            } finally {
                for (Conn c : conns) {
                    c.ch.close();
                }
            }
        }
    }

    /** Starts the next message; {@code false} if the socket did not take all of it. */
    private static boolean send(Conn c) throws IOException {
        c.in.clear();
        c.out.clear();
        c.ch.write(c.out);
        return !c.out.hasRemaining();
    }

    private static void verify(Conn c) throws IOException {
        int size = c.out.capacity();
        for (int i = 0; i < size; i++) {
            if (c.in.get(i) != c.out.get(i)) {
                throw new IOException("echo corrupted at byte " + i + " of a " + size + "-byte message");
            }
        }
    }
}
