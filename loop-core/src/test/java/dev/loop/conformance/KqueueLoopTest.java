package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.PollerKind;
import dev.loop.internal.nativeio.Kevent;
import dev.loop.internal.nativeio.Kqueue;
import dev.loop.platform.BackendProbe;
import dev.loop.internal.selector.KqueuePoller;
import dev.loop.testsupport.KqShim;

/**
 * The conformance suite on the kqueue poller, here on Linux through the kqueue emulation
 * ({@code src/test/native/kqshim.c}, FreeBSD's 64-byte kevent), so with FreeBSD's capability row. Not a
 * substitute for a run on a real macOS or FreeBSD kernel.
 */
class KqueueLoopTest extends AbstractLoopConformanceTest {

    @Override
    protected BackendFixture backend() {
        return BackendFixture.KQUEUE;
    }

    static {
        // Before KqueuePoller's native methods are bound (once per JVM).
        System.setProperty(Kqueue.LIBRARY_PROPERTY, KqShim.library(Kevent.FREEBSD).toString());
        System.setProperty(Kevent.LAYOUT_PROPERTY, "freebsd");
    }

    /**
     * Other test classes in this JVM see Linux without kqueue again (the native methods stay bound to the
     * emulation, which nothing else uses).
     */
    @AfterAll
    static void forgetTheEmulation() {
        System.clearProperty(Kqueue.LIBRARY_PROPERTY);
        System.clearProperty(Kevent.LAYOUT_PROPERTY);
    }

    @Test
    void theKqueueBackendIsASelectorLoopOnAKqueuePollerWithTheRowItWasGiven() {
        // On Linux, kqueue exists only in the tests: the emulated FreeBSD's row is passed in, never guessed.
        assertThat(BackendProbe.probe(Backend.KQUEUE, null).available()).isFalse();
        EventLoop loop = newLoop();
        assertThat(loop.backend()).isEqualTo(Backend.KQUEUE);
        assertThat(loop.poller()).isEqualTo(PollerKind.KQUEUE);
        assertThat(loop.capabilities().os()).isEqualTo(dev.loop.platform.Os.FREEBSD);
    }

    @Test
    void aChildsExitComesFromEvfiltProcNotFromAPidfdReader() throws Exception {
        EventLoop loop = newLoop();
        assertThat(((dev.loop.internal.engine.Loop) loop).subprocesses().exitWatcher().mechanism()).isEqualTo("kqueue process events");
        dev.loop.process.ProcessOptions quiet = dev.loop.process.ProcessOptions.DEFAULTS
                .withStdin(dev.loop.process.ProcessOptions.Redirect.DEVNULL)
                .withStdout(dev.loop.process.ProcessOptions.Redirect.DEVNULL)
                .withStderr(dev.loop.process.ProcessOptions.Redirect.DEVNULL);
        var child = await(loop, loop.subprocessShell(() -> new dev.loop.process.SubprocessProtocol() { }, "sleep 5",
                quiet));
        // No pipes and no pidfd reader: only the kqueue's EVFILT_PROC knote watches the child.
        assertThat(loop.stats().handles().loopReaders() + loop.stats().handles().readers()).isZero();
        loop.callSoon(() -> child.transport().sendSignal(15));
        assertThat(await(loop, child.transport().exitStatus())).isEqualTo(-15);
    }
}
