package dev.loop.conformance;

/**
 * Everything {@link EpollLoopTest} runs, on epoll with the timerfd path for sub-millisecond timeouts
 * (kernels before 5.11).
 */
class EpollTimerfdLoopTest extends EpollLoopTest {

    @Override
    protected BackendFixture backend() {
        return BackendFixture.EPOLL_TIMERFD;
    }
}

