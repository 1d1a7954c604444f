package dev.loop.conformance;

import dev.loop.PollerKind;
import dev.loop.selector.EpollPoller;
import dev.loop.selector.Poller;

/** The conformance suite on epoll with the timerfd path for sub-millisecond timeouts (kernels before 5.11). */
class EpollTimerfdLoopTest extends AbstractLoopConformanceTest {

    @Override
    protected Poller newPoller() {
        return new EpollPoller(EpollPoller.TimeoutMode.TIMERFD);
    }

    @Override
    protected PollerKind kind() {
        return PollerKind.EPOLL;
    }

    @Override
    protected boolean reportsClosedDescriptors() {
        return false;
    }
}
