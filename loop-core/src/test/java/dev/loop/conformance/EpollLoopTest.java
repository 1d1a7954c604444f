package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;
import dev.loop.internal.nativeio.Linux;

/** The conformance suite on epoll, with epoll_pwait2 (or timerfd where the kernel lacks it). */
class EpollLoopTest extends AbstractLoopConformanceTest {

    @Override
    protected BackendFixture backend() {
        return BackendFixture.EPOLL;
    }

    @Test
    void aDeviceThatCannotBePolledIsABadArgumentNamingEperm() {
        EventLoop loop = newLoop();
        int devNull = fds.open(Path.of("/dev/null"), Linux.O_RDONLY);
        assertThatThrownBy(() -> loop.addReader(devNull, () -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EPERM").hasMessageContaining(String.valueOf(devNull));
        assertThat(loop.stats().handles().loopReaders() + loop.stats().handles().readers()).isZero();
    }
}
