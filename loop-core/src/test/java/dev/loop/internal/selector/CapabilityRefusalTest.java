package dev.loop.internal.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.loop.internal.engine.Loop;
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
}
