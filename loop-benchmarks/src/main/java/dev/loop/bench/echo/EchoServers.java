package dev.loop.bench.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Iterator;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.transport.BufferedProtocol;
import dev.loop.transport.Server;
import dev.loop.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The echo servers compared, each on exactly one event-loop thread, each echoing every byte back as it
 * arrives: ours (any backend), Netty 4.2's epoll, io_uring and NIO transports, and a plain JDK NIO
 * selector loop.
 */
public final class EchoServers {

    private EchoServers() {
    }

    /**
     * A running server: its port, what it is, and how {@link #close()} stops it and releases the port.
     */
    public record Running(int port, String describe, Runnable stop) implements AutoCloseable {
        @Override
        public void close() {
            stop.run();
        }
    }

    public static Running start(String kind, Backend backend, PollerKind poller, int port) throws Exception {
        return switch (kind) {
            case "loop" -> loop(backend, poller, port);
            case "netty-epoll" -> netty(EpollIoHandler.newFactory(), EpollServerSocketChannel.class, port, kind);
            case "netty-io_uring" -> netty(IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class, port, kind);
            case "netty-nio" -> netty(NioIoHandler.newFactory(), NioServerSocketChannel.class, port, kind);
            case "jdk-nio" -> jdkNio(port);
            default -> throw new IllegalArgumentException("unknown server " + kind
                    + " (loop, netty-epoll, netty-io_uring, netty-nio, jdk-nio)");
        };
    }

    // ---------------------------------------------------------------- ours

    /**
     * The echo protocol: receives into its own direct buffer (asyncio's BufferedProtocol, no copy per
     * read) and writes it back; what the socket does not take at once is copied by the transport.
     */
    public static final class EchoProtocol implements BufferedProtocol {
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        private Transport transport;

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
            transport.write(buffer.flip());
        }
    }

    static Running loop(Backend backend, PollerKind poller, int port) {
        EventLoop loop = EventLoops.create(LoopOptions.builder().name("echo").backend(backend).poller(poller)
                .delaySamplingInterval(Duration.ZERO).blockedThreshold(Duration.ZERO).build());
        loop.start();
        Server server = loop.createServer(EchoProtocol::new, "127.0.0.1", port).join();
        int bound = ((InetSocketAddress) server.addresses().get(0)).getPort();
        return new Running(bound, "loop " + loop.backend().id() + (loop.poller() == null ? "" : "/" + loop.poller().id()),
                () -> {
                    server.close();
                    loop.close();
                });
    }

    // ---------------------------------------------------------------- Netty

    /** Netty's echo: each read written back, flushed once the reads at hand are done; shared by every channel. */
    @io.netty.channel.ChannelHandler.Sharable
    public static final class NettyEcho extends ChannelInboundHandlerAdapter {
        public static final NettyEcho INSTANCE = new NettyEcho();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    static Running netty(IoHandlerFactory handler, Class<? extends io.netty.channel.ServerChannel> channel, int port,
            String kind) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, handler);
        Channel server = new ServerBootstrap().group(group).channel(channel)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(NettyEcho.INSTANCE);
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        int bound = ((InetSocketAddress) server.localAddress()).getPort();
        return new Running(bound,
                "Netty " + io.netty.util.Version.identify().get("netty-transport").artifactVersion() + " " + kind, () -> {
                    server.close().syncUninterruptibly();
                    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
                });
    }

    // ---------------------------------------------------------------- plain JDK NIO

    static Running jdkNio(int port) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("127.0.0.1", port), 100);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        int bound = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        Thread thread = new Thread(() -> serveNio(selector, listener), "jdk-nio-echo");
        thread.setDaemon(true);
        thread.start();
        return new Running(bound, "JDK NIO selector (" + System.getProperty("java.version") + ")", () -> {
            thread.interrupt();
            selector.wakeup();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static void serveNio(Selector selector, ServerSocketChannel listener) {
        ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
        try (selector; listener) {
            while (!Thread.currentThread().isInterrupted()) {
                selector.select();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    try {
                        if (key.isAcceptable()) {
                            SocketChannel ch;
                            while ((ch = listener.accept()) != null) {
                                ch.configureBlocking(false);
                                ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                                ch.register(selector, SelectionKey.OP_READ);
                            }
                        } else if (key.isReadable() || key.isWritable()) {
                            echoNio((SocketChannel) key.channel(), key, buf);
                        }
                    } catch (IOException e) {
                        key.cancel();
                        key.channel().close();
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads what is there and writes it back; what the socket does not take waits for OP_WRITE. */
    private static void echoNio(SocketChannel ch, SelectionKey key, ByteBuffer buf) throws IOException {
        ByteBuffer pending = (ByteBuffer) key.attachment();
        if (pending != null) {
            ch.write(pending);
            if (pending.hasRemaining()) {
                return;
            }
            key.attach(null);
            key.interestOps(SelectionKey.OP_READ);
        }
        buf.clear();
        int n = ch.read(buf);
        if (n < 0) {
            key.cancel();
            ch.close();
            return;
        }
        buf.flip();
        ch.write(buf);
        if (buf.hasRemaining()) {
            ByteBuffer rest = ByteBuffer.allocate(buf.remaining());
            rest.put(buf).flip();
            key.attach(rest);
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }
}
