package dev.loop.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.internal.uring.UringBackend;
import dev.loop.transport.DatagramProtocol;
import dev.loop.transport.DatagramTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;

/**
 * A UDP echo server on loopback, each party on its own thread (pinned to CPU 1; the client to CPU 0): the loop's
 * datagram endpoint on epoll and on the proactor, against Netty 4.2.18's epoll {@code DatagramChannel} and a JDK
 * {@code DatagramChannel} with a {@code Selector}. The client is the same for every party and spins on its own CPU
 * (so that it is never the one that waits for a wake-up), keeping {@value #WINDOW} datagrams in flight, each answer
 * answered by the next datagram. Two clients: {@code single}, a non-blocking JDK {@code DatagramChannel}, one
 * system call per datagram each way; {@code batch}, a socket of its own that takes every answer there is with one
 * {@code recvmmsg} and sends as many datagrams with one {@code sendmmsg}, so that it costs less per datagram than
 * any server and the server sets the pace. Datagrams echoed per second; one lost datagram (1 s without an answer)
 * fails the run.
 */
public class UdpEchoBenchmark extends ThroughputBenchmark {

    /** Datagrams in flight: enough to keep the server busy, far below any socket buffer (no loss on loopback). */
    static final int WINDOW = 16;
    /** Datagrams echoed per benchmark call. */
    static final int ROUND = 256;

    @Param({"loop-epoll", "loop-proactor", "netty-epoll", "jdk-nio"})
    public String server;

    @Param({"64", "1024"})
    public int size;

    @Param({"pinned"})
    public String placement;

    @Param({"single", "batch"})
    public String client;

    EventLoop loop;
    MultiThreadIoEventLoopGroup group;
    Channel nettyChannel;
    JdkNioEcho jdk;
    SingleClient single;
    BatchClient batch;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        pin(0);
        SocketAddress address = startServer();
        byte[] payload = new byte[size];
        new java.util.Random(size).nextBytes(payload);
        switch (client) {
            case "single" -> single = new SingleClient(address, payload, WINDOW);
            case "batch" -> {
                batch = new BatchClient((InetSocketAddress) address, payload, WINDOW);
                batch.send(WINDOW);
            }
            default -> throw new IllegalArgumentException("client: " + client);
        }
    }

    /** The echo server of party {@link #server}, its thread placed as {@link #placement} says: its address. */
    SocketAddress startServer() throws Exception {
        return switch (server) {
            case "loop-epoll", "loop-proactor", "loop-proactor-multishot" -> startLoop();
            case "netty-epoll" -> startNetty();
            case "jdk-nio" -> startJdk();
            default -> throw new IllegalArgumentException(server);
        };
    }

    /**
     * The loop's echo: on epoll, on the proactor, or on the proactor receiving with multishot RECVMSG (its other way,
     * not the default, which only {@link UdpAlternation} compares).
     */
    private SocketAddress startLoop() throws Exception {
        boolean proactor = !server.equals("loop-epoll");
        LoopOptions options = LoopOptions.builder().name("bench").backend(proactor ? Backend.PROACTOR : Backend.SELECTOR)
                .poller(proactor ? null : PollerKind.EPOLL).delaySamplingInterval(Duration.ZERO)
                .blockedThreshold(Duration.ZERO).build();
        loop = server.equals("loop-proactor-multishot") ? UringBackend.newMultishotDatagramLoop(options)
                : EventLoops.create(options);
        loop.start();
        runPinned(loop::execute);
        DatagramTransport t = loop.createDatagramEndpoint(Echo::new,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null).get(10, TimeUnit.SECONDS).transport();
        return loop.submit(t::localAddress).get(10, TimeUnit.SECONDS);
    }

    /** Each datagram back where it came from. */
    static final class Echo implements DatagramProtocol {
        private DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport t) {
            transport = t;
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress address) {
            transport.sendto(data, address);
        }
    }

    private SocketAddress startNetty() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        runPinned(group.next()::execute);
        nettyChannel = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<io.netty.channel.socket.DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, io.netty.channel.socket.DatagramPacket p) {
                        ctx.write(new io.netty.channel.socket.DatagramPacket(p.content().retain(), p.sender()));
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.flush();
                    }
                }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        return nettyChannel.localAddress();
    }

    private SocketAddress startJdk() throws Exception {
        jdk = new JdkNioEcho();
        Thread t = new Thread(jdk, "jdk-nio-udp-echo");
        t.setDaemon(true);
        t.start();
        SocketAddress address = jdk.address.get(10, TimeUnit.SECONDS);
        serverThread = jdk.thread;
        return address;
    }

    /** A JDK NIO echo: one thread, a Selector, a non-blocking DatagramChannel, receive until empty, send each back. */
    static final class JdkNioEcho implements Runnable {
        final CompletableFuture<SocketAddress> address = new CompletableFuture<>();
        volatile boolean stop;
        volatile Selector selector;
        volatile Thread thread;

        @Override
        public void run() {
            try (Selector sel = Selector.open(); DatagramChannel ch = DatagramChannel.open()) {
                thread = Thread.currentThread();
                pinHere(1);
                selector = sel;
                ch.configureBlocking(false);
                ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ch.register(sel, SelectionKey.OP_READ);
                address.complete(ch.getLocalAddress());
                ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
                while (!stop) {
                    sel.select();
                    sel.selectedKeys().clear();
                    SocketAddress from;
                    while ((from = ch.receive(buf.clear())) != null) {
                        ch.send(buf.flip(), from);
                    }
                }
            } catch (IOException | RuntimeException e) {
                address.completeExceptionally(e);
            }
        }
    }

    private void runPinned(java.util.concurrent.Executor executor) {
        CompletableFuture<Void> pinned = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                serverThread = Thread.currentThread();
                pinHere(1);
                pinned.complete(null);
            } catch (RuntimeException e) {
                pinned.completeExceptionally(e);
            }
        });
        pinned.join();
    }

    private void pin(int cpu) {
        if (placement.equals("pinned")) {
            pinHere(cpu);
        } else if (!placement.equals("free")) {
            throw new IllegalArgumentException("placement: " + placement);
        }
    }

    private static void pinHere(int cpu) {
        if (CpuPinning.available()) {
            CpuPinning.pinCurrentThread(cpu);
        }
    }

    /** {@value #ROUND} answers received, each followed by the next datagram: the window stays full. */
    @Benchmark
    @OperationsPerInvocation(ROUND)
    public int echo() throws IOException {
        int length = 0;
        if (batch != null) {
            for (int done = 0; done < ROUND; ) {
                int n = batch.receive(ROUND - done, server);
                batch.send(n);
                done += n;
            }
            length = batch.lastLength;
        } else {
            for (int i = 0; i < ROUND; i++) {
                length = single.receive(server);
                single.send();
            }
        }
        ops += ROUND;
        return length;
    }

    /** One non-blocking try at receiving: how many bytes or datagrams, 0 (or less) for none yet. */
    interface Attempt {
        int receive() throws IOException;
    }

    /** Repeats {@code attempt} until it gets something; fails the run after 1 s without (a datagram was lost). */
    static int spinForAnswers(Attempt attempt, String server) throws IOException {
        long deadline = 0;
        for (int spins = 0; ; spins++) {
            int n = attempt.receive();
            if (n > 0) {
                return n;
            }
            if ((spins & 1023) == 1023) {
                long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + 1_000_000_000L;
                } else if (now > deadline) {
                    throw new IllegalStateException(server + ": a datagram was lost (no answer within 1 s)");
                }
            }
        }
    }

    /** The bytes of the last answer. */
    byte[] lastAnswer() {
        if (batch != null) {
            return batch.lastAnswer();
        }
        return single.lastAnswer();
    }

    byte[] payload() {
        if (batch != null) {
            return batch.payload.clone();
        }
        return single.payload();
    }

    /**
     * The single client: a connected non-blocking JDK {@code DatagramChannel}, one system call per datagram each way,
     * with {@code window} datagrams of {@code payload} sent at once and kept in flight.
     */
    static final class SingleClient implements AutoCloseable {
        private final DatagramChannel channel;
        private final ByteBuffer out;
        private final ByteBuffer in;

        SingleClient(SocketAddress server, byte[] payload, int window) throws IOException {
            channel = DatagramChannel.open();
            try {
                channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                channel.connect(server);
                channel.configureBlocking(false);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            out = ByteBuffer.allocateDirect(payload.length).put(payload).flip();
            in = ByteBuffer.allocateDirect(payload.length);
            for (int i = 0; i < window; i++) {
                send();
            }
        }

        /** Sends the payload once. */
        void send() throws IOException {
            if (channel.write(out.rewind()) != out.capacity()) {
                throw new IllegalStateException("the client's socket buffer is full");
            }
        }

        /** Spins until an answer is there: its length. */
        int receive(String server) throws IOException {
            return spinForAnswers(() -> channel.read(in.clear()), server); // 0 while nothing is there
        }

        /** The bytes of the last answer. */
        byte[] lastAnswer() {
            byte[] b = new byte[in.flip().remaining()];
            in.get(b);
            return b;
        }

        byte[] payload() {
            byte[] b = new byte[out.capacity()];
            out.get(0, b);
            return b;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * The batch client: a connected non-blocking UDP socket with {@code window} slots, each a {@code mmsghdr}, an
     * iovec and {@code payload.length} bytes. What it receives lands in the slots; what it sends is the payload.
     */
    static final class BatchClient implements AutoCloseable {
        final byte[] payload;
        private final int fd;
        private final int window;
        private final int size;
        private final NativeMemory receiving;
        private final NativeMemory sending;
        /** The length of the first answer of the last receive (slot 0). */
        int lastLength;

        BatchClient(InetSocketAddress server, byte[] payload, int window) {
            this.payload = payload;
            this.window = window;
            this.size = payload.length;
            this.fd = LibC.socket(Linux.AF_INET, Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IllegalStateException("socket: errno " + LibC.errno());
            }
            try (NativeMemory addr = new NativeMemory(Linux.SOCKADDR_IN_SIZE)) {
                ByteBuffer a = addr.buffer();
                a.putShort(0, (short) Linux.AF_INET);
                a.put(2, (byte) (server.getPort() >> 8)).put(3, (byte) server.getPort()); // network order
                a.put(4, server.getAddress().getAddress(), 0, 4);
                if (LibC.connect(fd, addr.address(), Linux.SOCKADDR_IN_SIZE) != 0) {
                    int errno = LibC.errno();
                    LibC.close(fd);
                    throw new IllegalStateException("connect: errno " + errno);
                }
            }
            receiving = vector();
            sending = vector();
            for (int i = 0; i < window; i++) {
                sending.buffer().put(dataOffset(i), payload);
            }
        }

        /** {@code window} mmsghdrs without addresses, each with one iovec over its own slot of data. */
        private NativeMemory vector() {
            NativeMemory v = new NativeMemory((long) window * (Linux.MMSGHDR_SIZE + Linux.IOVEC_SIZE + size));
            ByteBuffer b = v.buffer();
            for (int i = 0; i < window; i++) {
                int hdr = i * Linux.MMSGHDR_SIZE;
                int iov = window * Linux.MMSGHDR_SIZE + i * Linux.IOVEC_SIZE;
                b.putLong(hdr + Linux.MSGHDR_IOV, v.address() + iov);
                b.putLong(hdr + Linux.MSGHDR_IOVLEN, 1);
                b.putLong(iov, v.address() + dataOffset(i));
                b.putLong(iov + 8, size);
            }
            return v;
        }

        private int dataOffset(int i) {
            return window * (Linux.MMSGHDR_SIZE + Linux.IOVEC_SIZE) + i * size;
        }

        /** Sends {@code n} datagrams in one {@code sendmmsg} (several, if the kernel takes fewer at once). */
        void send(int n) {
            for (int sent = 0; sent < n; ) {
                int r = LibC.sendmmsg(fd, sending.address() + (long) sent * Linux.MMSGHDR_SIZE, n - sent, 0);
                if (r <= 0) {
                    throw new IllegalStateException("sendmmsg: errno " + LibC.errno());
                }
                sent += r;
            }
        }

        /** Spins until answers are there: takes up to {@code max} of them in one {@code recvmmsg}, returns how many. */
        int receive(int max, String server) throws IOException {
            int n = spinForAnswers(
                    () -> LibC.recvmmsg(fd, receiving.address(), Math.min(max, window), Linux.MSG_DONTWAIT, 0), server);
            lastLength = receiving.buffer().getInt(Linux.MMSGHDR_LEN);
            return n;
        }

        /** The bytes of the last answer received. */
        byte[] lastAnswer() {
            byte[] b = new byte[lastLength];
            receiving.buffer().get(dataOffset(0), b);
            return b;
        }

        @Override
        public void close() {
            LibC.close(fd);
            receiving.close();
            sending.close();
        }
    }

    /** The server's thread, for its CPU time. */
    Thread serverThread;
    long cpuAtStart;
    long opsAtStart;
    long ops;

    /**
     * Beside the rate: the server thread's CPU time per datagram over the iteration, printed (JMH keeps it in
     * its log). On two CPUs the one client sets the pace for every server, so this is what tells the servers'
     * own cost apart.
     */
    @Setup(Level.Iteration)
    public void startCpu() {
        cpuAtStart = cpuTime();
        opsAtStart = ops;
    }

    @TearDown(Level.Iteration)
    public void reportCpu() {
        long datagrams = ops - opsAtStart;
        if (datagrams > 0) {
            System.out.printf("server CPU per datagram: %.0f ns (%s, %d B)%n",
                    (cpuTime() - cpuAtStart) / (double) datagrams, server, size);
        }
    }

    private long cpuTime() {
        return serverThread == null ? 0
                : java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(serverThread.getId());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (single != null) {
            single.close();
        }
        if (batch != null) {
            batch.close();
        }
        if (loop != null) {
            loop.close();
        }
        if (nettyChannel != null) {
            nettyChannel.close().sync();
        }
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
        if (jdk != null) {
            jdk.stop = true;
            jdk.selector.wakeup();
        }
        if (CpuPinning.available()) {
            CpuPinning.unpinCurrentThread();
        }
    }
}
