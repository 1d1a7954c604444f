package dev.loop.bench.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The echo server ({@code loop-echo.jar}'s main) started with {@code ulimit -n 256} and hit by 400
 * connections at once: it runs out of descriptors (EMFILE), and at that moment even its logging fails
 * (java.util.logging needs a file it cannot open). The loop must go on serving the connections it
 * has, take the rest once descriptors free up, and keep nothing open once the clients leave.
 */
class EchoServerUnderEmfileTest {

    private static final int CONNECTIONS = 400;
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @CsvSource({"selector, epoll", "selector, poll", "selector, select", "proactor, auto"})
    void keepsServingAtTheDescriptorLimitAndRecoversWhenClientsLeave(String backend, String poller) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String command = "ulimit -n 256 && exec \"$@\"";
        Process server = new ProcessBuilder("sh", "-c", command, "sh", java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"),
                EchoMain.class.getName(), "--backend", backend, "--poller", poller, "--port", "0")
                .redirectError(ProcessBuilder.Redirect.to(log(backend, poller))).start();
        try {
            int port = port(server);
            int startFds = descriptors(server.pid());
            List<String> startTargets = targets(server.pid());
            List<SocketChannel> clients = new ArrayList<>();
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < CONNECTIONS; i++) {
                    SocketChannel c = SocketChannel.open();
                    c.configureBlocking(false);
                    c.connect(new InetSocketAddress("127.0.0.1", port));
                    c.register(selector, SelectionKey.OP_CONNECT);
                    clients.add(c);
                }
                // More connections than descriptors: it serves those it could accept, and does not die.
                Set<SocketChannel> served = pingAll(selector, 150);
                assertThat(served.size()).as("connections served at the limit").isGreaterThanOrEqualTo(150);
                assertThat(server.isAlive()).isTrue();
                selector.selectNow(); // deregisters the served channels, which go on in blocking mode
                Set<SocketChannel> again = pingAgain(served);
                assertThat(again).as("served connections still echo after EMFILE").hasSameSizeAs(served);
            } finally {
                for (SocketChannel c : clients) {
                    c.close();
                }
            }
            // The clients left: new connections are served, and nothing is left open on the server.
            for (int i = 0; i < 10; i++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(PING);
                    assertThat(s.getInputStream().readNBytes(PING.length)).isEqualTo(PING);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (descriptors(server.pid()) > startFds && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(descriptors(server.pid())).as("server descriptors once every client left: %s, at the start: %s",
                    targets(server.pid()), startTargets).isLessThanOrEqualTo(startFds);
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** Completes each connect, sends a ping, and reads the echoes until {@code wanted} came back (20 s at most). */
    private static Set<SocketChannel> pingAll(Selector selector, int wanted) throws IOException {
        Set<SocketChannel> served = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (served.size() < wanted && System.nanoTime() < deadline) {
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel c = (SocketChannel) key.channel();
                if (key.isConnectable() && c.finishConnect()) {
                    c.write(ByteBuffer.wrap(PING));
                    key.attach(ByteBuffer.allocate(PING.length));
                    key.interestOps(SelectionKey.OP_READ);
                } else if (key.isReadable()) {
                    ByteBuffer echo = (ByteBuffer) key.attachment();
                    if (c.read(echo) < 0 || !echo.hasRemaining()) {
                        key.cancel();
                        if (!echo.hasRemaining() && java.util.Arrays.equals(echo.array(), PING)) {
                            served.add(c);
                        }
                    }
                }
            }
            selector.selectedKeys().clear();
        }
        return served;
    }

    private static Set<SocketChannel> pingAgain(Set<SocketChannel> served) throws IOException {
        Set<SocketChannel> echoed = new HashSet<>();
        for (SocketChannel c : served) {
            c.configureBlocking(true);
            c.socket().setSoTimeout(10_000);
            c.write(ByteBuffer.wrap(PING));
            if (c.socket().getInputStream().readNBytes(PING.length).length == PING.length) {
                echoed.add(c);
            }
        }
        return echoed;
    }

    /** Where the server's standard error goes: what it reported when even logging failed. */
    private static java.io.File log(String backend, String poller) {
        return Path.of("target", "emfile-" + backend + "-" + poller + ".log").toFile();
    }

    private static int port(Process server) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the server's first line").isNotNull();
        Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** What the server's descriptors are (files, sockets, anon inodes), for a failure's message. */
    private static List<String> targets(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.map(fd -> {
                try {
                    return fd.getFileName() + "->" + Files.readSymbolicLink(fd);
                } catch (IOException e) {
                    return fd.getFileName() + "->?";
                }
            }).sorted().toList();
        }
    }

    private static int descriptors(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) fds.count();
        }
    }
}
