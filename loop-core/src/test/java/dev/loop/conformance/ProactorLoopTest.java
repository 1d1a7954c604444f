package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.platform.BackendProbe;
import dev.loop.proactor.ProactorEventLoop;
import dev.loop.selector.Poller;
import dev.loop.testsupport.TestFds;

/** The conformance suite on the io_uring proactor. */
class ProactorLoopTest extends AbstractLoopConformanceTest {

    @Override
    protected Poller newPoller() {
        throw new UnsupportedOperationException("the proactor has no poller");
    }

    @Override
    protected PollerKind kind() {
        return null;
    }

    @Override
    protected EventLoop createLoop(LoopOptions options) {
        return new ProactorEventLoop(options);
    }

    @Override
    protected String loopId() {
        return "proactor";
    }

    @Override
    protected boolean reportsClosedDescriptors() {
        // An armed poll holds a reference to the file, as epoll does: a closed number reports nothing.
        return false;
    }

    @Test
    void theProbeFindsIoUringUsableHere() {
        assertThat(BackendProbe.probe(Backend.PROACTOR, null).available()).isTrue();
    }

    @Test
    void theLoopOwnsARingAndAnEventfdAndReleasesBoth() {
        java.util.Map<Integer, String> before = TestFds.openFdTargets();
        EventLoop loop = new ProactorEventLoop(LoopOptions.defaults());
        assertThat(TestFds.newFdsSince(before)).hasSize(2).allSatisfy((fd, target) -> {
            assertThat(target).startsWith("anon_inode:");
            assertThat(TestFds.isCloseOnExec(fd)).as("O_CLOEXEC on %s", target).isTrue();
        });
        loop.close();
        assertThat(TestFds.newFdsSince(before)).isEmpty();
    }
}
