package dev.loop.conformance;

import dev.loop.internal.selector.EpollPoller;
import dev.loop.internal.selector.Poller;

/**
 * Everything {@link EpollLoopTest} runs, on epoll with the timerfd path for sub-millisecond timeouts
 * (kernels before 5.11).
 */
class EpollTimerfdLoopTest extends EpollLoopTest {

    @Override
    protected Poller newPoller() {
        return new EpollPoller(EpollPoller.TimeoutMode.TIMERFD);
    }
}
