package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;
import dev.loop.LoopStatsSnapshot.HandleCounts;
import dev.loop.capability.Capability;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.testsupport.RecordingProtocol;
import dev.loop.testsupport.TestFds;
import dev.loop.transport.Server;
import dev.loop.transport.Transport;

/**
 * What a loop owns is counted (servers, transports, subprocesses, signal handlers), what the
 * application used is recorded per capability, and a graceful shutdown flushes and closes it all.
 */
public abstract class ShutdownConformance extends LoopTestBase {

    @Test
    void handleCountsAndCapabilityUsageFollowWhatTheApplicationOpens() {
        EventLoop loop = newLoop();
        Server server = await(loop, loop.createServer(RecordingProtocol.Echo::new, "127.0.0.1", 0));
        int port = ((InetSocketAddress) server.addresses().get(0)).getPort();
        var c = await(loop, loop.createConnection(RecordingProtocol::new, "127.0.0.1", port));
        await(loop, waitFor(loop, () -> server.connectionCount() == 1));
        loop.addSignalHandler("USR1", () -> { });
        var child = await(loop, loop.subprocessExec(() -> new SubprocessProtocol() { }, List.of("sleep", "30"),
                ProcessOptions.DEFAULTS));
        int[] p = fds.pipe();
        loop.addReader(p[0], () -> { });
        HandleCounts h = loop.stats().handles();
        // The application's reader counts apart from the transports' and the server's own registrations.
        assertThat(h.readers()).isEqualTo(1);
        assertThat(h.writers()).isZero();
        if (loop.backend() == dev.loop.Backend.SELECTOR) {
            assertThat(h.loopReaders()).isGreaterThanOrEqualTo(1 + 2 + 2); // listener, connection ends, out/err
        }
        assertThat(h.servers()).isEqualTo(1);
        assertThat(h.transports()).isEqualTo(2 + 3); // both ends of the connection, the child's three pipes
        assertThat(h.subprocesses()).isEqualTo(1);
        assertThat(h.signals()).isEqualTo(1);
        Map<Capability, Map<String, Long>> used = loop.capabilityUsage();
        assertThat(used.get(Capability.TCP)).containsEntry("server", 1L).containsEntry("connection", 1L);
        assertThat(used.get(Capability.SUBPROCESSES)).containsEntry("subprocess", 1L);
        assertThat(used.get(Capability.SIGNAL_HANDLERS)).containsEntry("signal handler", 1L);
        // The application's own reader counts; the transports' internal readiness does not.
        assertThat(used.get(Capability.READINESS_CALLBACKS)).containsExactly(Map.entry("reader", 1L));
        loop.removeReader(p[0]);
        child.transport().kill();
        await(loop, child.transport().exitStatus());
        c.transport().close();
        await(loop, waitFor(loop, () -> loop.stats().handles().transports() == 0));
        server.close();
        assertThat(loop.removeSignalHandler("USR1")).isTrue();
        assertThat(loop.stats().handles()).extracting(HandleCounts::servers, HandleCounts::transports,
                HandleCounts::subprocesses, HandleCounts::signals).containsExactly(0, 0, 0, 0);
    }

    @Test
    void aGracefulShutdownFlushesTransportsTerminatesChildrenAndLeavesNothingOpen() throws Exception {
        EventLoop loop = newLoop();
        // The JDK keeps one socket of its own for good once its socket classes start (the "pre-close"
        // descriptor: one end of a socketpair whose other end it closed). Let that happen before counting.
        try (java.net.ServerSocket warm = new java.net.ServerSocket(0); Socket s = new Socket("127.0.0.1", warm.getLocalPort());
                Socket accepted = warm.accept()) {
            assertThat(accepted.isConnected()).isTrue();
        }
        var before = TestFds.openFdTargets();
        byte[] big = new byte[4 << 20];
        java.util.Arrays.fill(big, (byte) 'x');
        loop.start(); // from here on, this test thread is "another thread": calls are handed to the loop
        Server server = loop.createServer(() -> new RecordingProtocol() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                t.write(big); // far more than the socket takes: most of it waits in the buffer
            }
        }, "127.0.0.1", 0).join();
        int port = ((InetSocketAddress) server.addresses().get(0)).getPort();
        var child = loop.subprocessExec(() -> new SubprocessProtocol() { }, List.of("sleep", "30"),
                ProcessOptions.DEFAULTS).join();
        try (Socket client = new Socket("127.0.0.1", port)) {
            InputStream in = client.getInputStream();
            byte[] first = in.readNBytes(1);
            assertThat(first).hasSize(1);
            var drained = loop.shutdownGracefully(Duration.ofSeconds(10));
            byte[] rest = in.readAllBytes(); // until EOF: the transport flushed, then closed
            assertThat(1 + rest.length).isEqualTo(big.length);
            assertThat(new String(rest, 0, 10, StandardCharsets.US_ASCII)).isEqualTo("xxxxxxxxxx");
            drained.get(10, TimeUnit.SECONDS);
        }
        loop.close();
        assertThat(child.transport().exitStatus().get(1, TimeUnit.SECONDS)).isEqualTo(-15);
        assertThat(server.isServing()).isFalse();
        assertThat(TestFds.newFdsSince(before)).isEmpty();
        assertThat(SubprocessConformance.zombieChildren()).isEmpty();
    }

    /**
     * A child that ignores SIGTERM: the graceful shutdown says at INFO what it waits for (the child by pid), and
     * at the deadline says at WARN what was left and what closing does to it; the close kills and reaps it.
     */
    @Test
    void aShutdownSaysWhatItWaitsForAndWhatWasLeftAtTheDeadline() throws Exception {
        EventLoop loop = newLoop();
        try (dev.loop.testsupport.LogCapture log = new dev.loop.testsupport.LogCapture()) {
            var child = await(loop, loop.subprocessExec(SubprocessConformance.Recorder::new,
                    List.of("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"),
                    ProcessOptions.DEFAULTS.withStdin(ProcessOptions.Redirect.DEVNULL)));
            await(loop, waitFor(loop, () -> child.protocol().stdout().equals("ready\n"))); // SIGTERM is ignored now
            int pid = child.transport().pid();
            loop.start();
            loop.shutdownGracefully(Duration.ofMillis(300)).get(10, TimeUnit.SECONDS);
            loop.close();
            assertThat(child.transport().exitStatus().get(1, TimeUnit.SECONDS)).isEqualTo(-9);
            assertThat(log.texts()).anyMatch(t -> t.contains("graceful shutdown, up to 300 ms")
                    && t.contains("children get SIGTERM and are waited for") && t.contains("pid=" + pid));
            assertThat(log.records()).anyMatch(r -> r.getLevel() == java.util.logging.Level.WARNING
                    && r.getMessage().contains("graceful shutdown timed out after 300 ms")
                    && r.getMessage().contains("children still running after SIGTERM") && r.getMessage().contains("pid=" + pid)
                    && r.getMessage().contains("kills the children with SIGKILL"));
        }
        assertThat(SubprocessConformance.zombieChildren()).isEmpty();
    }
}
