package dev.loop.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

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
import dev.loop.bench.echo.EchoServers;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.TlsOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * A TLS 1.3 echo over loopback, the server on its own thread (pinned to CPU 1; the client to CPU 0): the loop's
 * TLS layer on epoll (with the echo harness's protocol) against Netty 4.2.18's {@code SslHandler} with the JDK provider on its epoll transport, both
 * with the same key (an EC certificate made by keytool). The client is the same for both: a JDK {@code SSLSocket}
 * writing {@value #WINDOW} messages of {@code size} bytes, then reading all of them back. Messages echoed per
 * second.
 */
public class TlsEchoBenchmark extends ThroughputBenchmark {

    static final int WINDOW = 16;
    static final String PASSWORD = "changeit";

    @Param({"loop-epoll", "netty-epoll"})
    public String server;

    @Param({"1024"})
    public int size;

    @Param({"pinned"})
    public String placement;

    EventLoop loop;
    Server loopServer;
    MultiThreadIoEventLoopGroup group;
    Channel nettyServer;
    SSLSocket client;
    OutputStream out;
    InputStream in;
    byte[] message;
    byte[] answer;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (placement.equals("pinned") && CpuPinning.available()) {
            CpuPinning.pinCurrentThread(0);
        }
        Path dir = Files.createTempDirectory("tls-bench");
        Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD).redirectErrorStream(true).start();
        String log = new String(keytool.getInputStream().readAllBytes());
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + log);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream s = Files.newInputStream(store)) {
            ks.load(s, PASSWORD.toCharArray());
        }
        Files.delete(store);
        Files.delete(dir);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD.toCharArray());
        int port = switch (server) {
            case "loop-epoll" -> startLoop(kmf);
            case "netty-epoll" -> startNetty(kmf);
            default -> throw new IllegalArgumentException(server);
        };
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", ks.getCertificate("server"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext clientContext = SSLContext.getInstance("TLSv1.3");
        clientContext.init(null, tmf.getTrustManagers(), null);
        client = (SSLSocket) clientContext.getSocketFactory().createSocket("127.0.0.1", port);
        client.setTcpNoDelay(true);
        client.startHandshake();
        out = client.getOutputStream();
        in = client.getInputStream();
        message = new byte[size];
        new java.util.Random(size).nextBytes(message);
        answer = new byte[size * WINDOW];
    }

    private int startLoop(KeyManagerFactory kmf) throws Exception {
        loop = EventLoops.create(LoopOptions.builder().name("bench").backend(Backend.SELECTOR).poller(PollerKind.EPOLL)
                .delaySamplingInterval(Duration.ZERO).blockedThreshold(Duration.ZERO).build());
        loop.start();
        pinServerThread(loop::execute);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), null, null);
        loopServer = loop.createServer(EchoServers.EchoProtocol::new, "127.0.0.1", 0,
                ServerOptions.DEFAULTS.withTls(TlsOptions.server(ctx))).get(10, TimeUnit.SECONDS);
        return ((InetSocketAddress) loopServer.addresses().get(0)).getPort();
    }

    private int startNetty(KeyManagerFactory kmf) throws Exception {
        SslContext ssl = SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK).protocols("TLSv1.3").build();
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        pinServerThread(group.next()::execute);
        nettyServer = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()), EchoServers.NettyEcho.INSTANCE);
                    }
                }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        return ((InetSocketAddress) nettyServer.localAddress()).getPort();
    }

    private void pinServerThread(java.util.concurrent.Executor executor) {
        if (!placement.equals("pinned") || !CpuPinning.available()) {
            return;
        }
        CompletableFuture<Void> pinned = new CompletableFuture<>();
        executor.execute(() -> {
            CpuPinning.pinCurrentThread(1);
            pinned.complete(null);
        });
        pinned.join();
    }

    /** {@value #WINDOW} messages out, all of them back. */
    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public int echoWindow() throws IOException {
        for (int i = 0; i < WINDOW; i++) {
            out.write(message);
        }
        out.flush();
        int n = in.readNBytes(answer, 0, answer.length);
        if (n != answer.length) {
            throw new IllegalStateException(server + ": the echo ended after " + n + " bytes");
        }
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        client.close();
        if (loop != null) {
            loop.close();
        }
        if (nettyServer != null) {
            nettyServer.close().sync();
        }
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
        if (CpuPinning.available()) {
            CpuPinning.unpinCurrentThread();
        }
    }

    static List<String> servers() {
        return List.of("loop-epoll", "netty-epoll");
    }
}
