package dev.loop.internal.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.transport.Sockets;
import dev.loop.Backend;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.capability.Capability;
import dev.loop.capability.CapabilityNotSupportedException;
import dev.loop.capability.PlatformSupport;
import dev.loop.platform.Os;
import dev.loop.process.ProcessOptions;
import dev.loop.testsupport.RecordingProtocol;
import dev.loop.testsupport.TestFds;
import dev.loop.transport.ServerOptions;

/**
 * A loop given Windows' selector row (a real poll poller underneath) refuses what Windows' selector
 * cannot do, with the typed exception and before any native call: no descriptor is created.
 */
class CapabilityRefusalTest {

    private final Loop loop = SelectorBackend.newLoop(LoopOptions.builder().name("as-windows").build(),
            new PollPoller(), PlatformSupport.of(Os.WINDOWS, "10", Backend.SELECTOR, PollerKind.SELECT).orElseThrow());

    @AfterEach
    void close() {
        loop.close();
    }

    private static void refused(Runnable call, Capability capability) {
        var before = TestFds.openFdTargets();
        assertThatThrownBy(call::run).isInstanceOf(CapabilityNotSupportedException.class)
                .satisfies(e -> assertThat(((CapabilityNotSupportedException) e).capability()).isEqualTo(capability))
                .hasMessageContaining("Windows");
        assertThat(TestFds.newFdsSince(before)).isEmpty();
    }

    @Test
    void unixSocketsSubprocessesSignalsAndPipesAreRefusedAsOnWindows() {
        refused(() -> loop.createUnixServer(RecordingProtocol::new, Path.of("/tmp/never.sock")), Capability.UNIX_SOCKETS);
        refused(() -> loop.createUnixConnection(RecordingProtocol::new, Path.of("/tmp/never.sock")),
                Capability.UNIX_SOCKETS);
        refused(() -> loop.subprocessExec(() -> new dev.loop.process.SubprocessProtocol() { }, List.of("true"),
                ProcessOptions.DEFAULTS), Capability.SUBPROCESSES);
        refused(() -> loop.addSignalHandler("USR1", () -> { }), Capability.SIGNAL_HANDLERS);
        refused(() -> loop.connectReadPipe(RecordingProtocol::new, 0), Capability.PIPES);
    }

    /**
     * Windows has no timer slack: a loop asked for one is refused when it is made, naming the capability, the
     * platform and the alternative; unset, or 0, it runs, and its limits say 0 (no such control).
     */
    @Test
    void aTimerSlackIsRefusedWhereThePlatformHasNone() {
        var row = PlatformSupport.of(Os.WINDOWS, "10", Backend.SELECTOR, PollerKind.SELECT).orElseThrow();
        var before = TestFds.openFdTargets();
        assertThatThrownBy(() -> SelectorBackend.newLoop(LoopOptions.builder().name("slack-on-windows")
                .timerSlack(java.time.Duration.ofNanos(1)).build(), new PollPoller(), row))
                .isInstanceOf(CapabilityNotSupportedException.class)
                .satisfies(e -> assertThat(((CapabilityNotSupportedException) e).capability())
                        .isEqualTo(Capability.TIMER_SLACK))
                .hasMessageContaining("Windows").hasMessageContaining("timerSlack PT0.000000001S")
                .hasMessageContaining("timeBeginPeriod");
        assertThat(TestFds.newFdsSince(before)).as("the poller made for it is closed again").isEmpty();
        assertThat(loop.capabilities().limits().timerSlackNanos()).isZero();
        Loop zero = SelectorBackend.newLoop(LoopOptions.builder().name("no-slack").timerSlack(java.time.Duration.ZERO)
                .build(), new PollPoller(), row);
        zero.close();
    }

    /** Windows' loops have UDP endpoints but no unix datagram sockets: those are refused, naming UNIX_SOCKETS. */
    @Test
    void unixDatagramEndpointsAreRefusedAsOnWindowsAndUdpIsNot() throws Exception {
        refused(() -> loop.createDatagramEndpoint(() -> new dev.loop.transport.DatagramProtocol() { },
                java.net.UnixDomainSocketAddress.of("/tmp/never-dgram.sock"), null), Capability.UNIX_SOCKETS);
        int[] pair = new int[2];
        try (dev.loop.internal.nativeio.NativeMemory mem = new dev.loop.internal.nativeio.NativeMemory(8)) {
            assertThat(LibC.socketpair(Linux.AF_UNIX, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0, mem.address())).isZero();
            pair[0] = mem.buffer().getInt(0);
            pair[1] = mem.buffer().getInt(4);
        }
        try {
            refused(() -> loop.createDatagramEndpointOnSocket(() -> new dev.loop.transport.DatagramProtocol() { },
                    pair[0]), Capability.UNIX_SOCKETS);
        } finally {
            LibC.close(pair[0]);
            LibC.close(pair[1]);
        }
        var udp = loop.runUntilComplete(loop.createDatagramEndpoint(() -> new dev.loop.transport.DatagramProtocol() { },
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), null));
        assertThat(udp.transport().localAddress()).isNotNull();
        assertThat(loop.capabilityUsage()).containsKey(Capability.DATAGRAMS);
    }

    /** A unix socket of the application's own is refused as well: no transport or server is made on it. */
    @Test
    void unixSocketsOfTheApplicationAreRefusedAsOnWindows() {
        int[] pair = Descriptors.socketPair(true);
        try {
            refused(() -> loop.createConnectionOnSocket(RecordingProtocol::new, pair[0]), Capability.UNIX_SOCKETS);
            refused(() -> loop.connectAcceptedSocket(RecordingProtocol::new, pair[0]), Capability.UNIX_SOCKETS);
            refused(() -> loop.createServerOnSocket(RecordingProtocol::new, pair[1], ServerOptions.DEFAULTS),
                    Capability.UNIX_SOCKETS);
        } finally {
            LibC.close(pair[0]);
            LibC.close(pair[1]);
        }
    }

    /**
     * Windows' row has no zero-copy sendfile ({@code ZERO_COPY_SENDFILE}: no, with a fallback): sockSendfile
     * still sends the file, read and sent by the loop, from its offset, as asyncio's fallback does.
     */
    @Test
    void sockSendfileFallsBackToReadingAndSendingAsOnWindows(@TempDir Path dir) throws Exception {
        assertThat(loop.capabilities().supports(Capability.ZERO_COPY_SENDFILE)).isFalse();
        byte[] content = new byte[300_000];
        new java.util.Random(7).nextBytes(content);
        Path file = dir.resolve("data.bin");
        Files.write(file, content);
        int[] pair = Descriptors.socketPair(false);
        try {
            Sockets.setNonBlocking(pair[0]);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                byte[] chunk;
                while ((chunk = TestFds.read(pair[1], 1 << 16)).length > 0) {
                    got.write(chunk, 0, chunk.length);
                }
                return got.toByteArray();
            });
            assertThat(loop.runUntilComplete(loop.sockSendfile(pair[0], file, 5, 0))).isEqualTo(content.length - 5L);
            LibC.close(pair[0]);
            pair[0] = -1;
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(Arrays.copyOfRange(content, 5, content.length));
        } finally {
            if (pair[0] >= 0) {
                LibC.close(pair[0]);
            }
            LibC.close(pair[1]);
        }
    }
}
