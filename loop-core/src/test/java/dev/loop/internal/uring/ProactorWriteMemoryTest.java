package dev.loop.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;
import dev.loop.LoopOptions;
import dev.loop.testsupport.NativeHelpers;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.Transport;

/**
 * The proactor copies every write into native chunks. An application that ignores {@code pauseWriting}
 * and writes to a peer that never reads makes those chunks pile up; once the connection is gone, that
 * memory must go back to the operating system, not stay in the process (it used to: 1 GiB of resident
 * memory with the connection gone and the loop idle). Measured in a child JVM whose Java heap is fixed
 * and touched up front, so that its resident size moves only with native memory.
 */
class ProactorWriteMemoryTest {

    @Test
    void memoryHeldForAPeerThatNeverReadIsGivenBackOnceTheConnectionIsGone() {
        String out = NativeHelpers.run(NativeHelpers.java(
                "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"),
                Child.class.getName()));
        Map<String, Long> rss = out.lines().filter(l -> l.startsWith("rss "))
                .collect(Collectors.toMap(l -> l.split(" ")[1], l -> Long.parseLong(l.split(" ")[2])));
        long mib = 1 << 20;
        assertThat(rss.get("peak") - rss.get("before")).as("buffered for the peer, in bytes: " + out)
                .isGreaterThan(400 * mib);
        assertThat(rss.get("after") - rss.get("before")).as("still resident once the connection is gone: " + out)
                .isLessThan(32 * mib);
    }

    /** The child: a proactor server that writes 512 MiB, ignoring pauseWriting, to a client that never reads. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            ByteBuffer mebibyte = ByteBuffer.allocateDirect(1 << 20);
            try (EventLoop loop = UringBackend.newLoop(LoopOptions.builder().name("memory").build())) {
                loop.start();
                // The first connection warms up; the second is the one that never reads.
                List<CompletableFuture<Transport>> connected = List.of(new CompletableFuture<>(), new CompletableFuture<>());
                List<CompletableFuture<Void>> lost = List.of(new CompletableFuture<>(), new CompletableFuture<>());
                java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
                Server server = loop.createServer(() -> new Protocol() {
                    private final int index = accepted.getAndIncrement();

                    @Override
                    public void connectionMade(Transport transport) {
                        connected.get(index).complete(transport);
                    }

                    @Override
                    public void dataReceived(ByteBuffer data) {
                    }

                    @Override
                    public void connectionLost(Throwable cause) {
                        lost.get(index).complete(null);
                    }
                }, "127.0.0.1", 0).get(10, TimeUnit.SECONDS);
                int port = ((InetSocketAddress) server.addresses().get(0)).getPort();
                warmUp(port);
                lost.get(0).get(10, TimeUnit.SECONDS);
                System.out.println("rss before " + rss());
                try (Socket client = new Socket()) {
                    client.setReceiveBufferSize(4096);
                    client.connect(new InetSocketAddress("127.0.0.1", port));
                    Transport transport = connected.get(1).get(10, TimeUnit.SECONDS);
                    CompletableFuture<Void> written = new CompletableFuture<>();
                    loop.execute(() -> {
                        for (int i = 0; i < 512; i++) {
                            transport.write(mebibyte.duplicate()); // pauseWriting ignored
                        }
                        written.complete(null);
                    });
                    written.get(30, TimeUnit.SECONDS);
                    System.out.println("rss peak " + rss());
                    client.setSoLinger(true, 0); // the peer goes away with a reset
                }
                lost.get(1).get(30, TimeUnit.SECONDS);
                // The loop is idle now; give it a step to finish what the connection's end started.
                CompletableFuture<Void> step = new CompletableFuture<>();
                loop.execute(() -> step.complete(null));
                step.get(10, TimeUnit.SECONDS);
                System.out.println("rss after " + rss());
            }
        }

        /** One connection with a little traffic first, so that what any connection needs is allocated already. */
        private static void warmUp(int port) throws IOException {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write(1);
            }
        }

        private static long rss() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            throw new IllegalStateException("no VmRSS in /proc/self/status");
        }
    }
}
