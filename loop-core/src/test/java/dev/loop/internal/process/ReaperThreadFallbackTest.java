package dev.loop.internal.process;

import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.process.SubprocessTransport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.transport.Connection;

/**
 * The documented fallback for kernels without pidfds: a daemon thread per child waits in
 * {@code waitid(P_PID)}. Forced here through {@link PosixSubprocess#USE_PIDFD_PROPERTY}.
 */
class ReaperThreadFallbackTest {

    private EventLoop loop;

    @BeforeEach
    void forceFallback() {
        System.setProperty(PosixSubprocess.USE_PIDFD_PROPERTY, "false");
        loop = EventLoops.create(LoopOptions.builder().name("reaper-fallback").build());
    }

    @AfterEach
    void restore() {
        System.clearProperty(PosixSubprocess.USE_PIDFD_PROPERTY);
        loop.close();
    }

    @Test
    void exitCodesAndSignalDeathsArriveWithoutAPidfdAndNoZombieRemains() throws IOException {
        ProcessOptions quiet = ProcessOptions.DEFAULTS.withStdin(ProcessOptions.Redirect.DEVNULL);
        List<CompletableFuture<Integer>> exits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            exits.add(loop.subprocessExec(SubprocessProtocolStub::new, List.of("sh", "-c", "exit " + i), quiet)
                    .thenCompose(c -> c.transport().exitStatus()));
        }
        CompletableFuture<Connection<SubprocessTransport, SubprocessProtocolStub>> sleeper = loop.subprocessExec(
                SubprocessProtocolStub::new, List.of("sleep", "30"), quiet);
        CompletableFuture<Integer> killed = sleeper.thenCompose(c -> {
            c.transport().kill();
            return c.transport().exitStatus();
        });
        loop.runUntilComplete(CompletableFuture.allOf(killed, CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new))));
        for (int i = 0; i < 20; i++) {
            assertThat(exits.get(i).join()).isEqualTo(i);
        }
        assertThat(killed.join()).isEqualTo(-9);
        assertThat(loop.stats()).isNotNull();
        assertThat(dev.loop.conformance.SubprocessConformance.zombieChildren()).isEmpty();
    }

    /** A protocol that ignores everything. */
    static final class SubprocessProtocolStub implements SubprocessProtocol {
    }
}
