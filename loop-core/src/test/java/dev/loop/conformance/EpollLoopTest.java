package dev.loop.conformance;

import dev.loop.PollerKind;
import dev.loop.selector.EpollPoller;
import dev.loop.selector.Poller;

/** The conformance suite on epoll, with epoll_pwait2 (or timerfd where the kernel lacks it). */
class EpollLoopTest extends AbstractLoopConformanceTest {

    @Override
    protected Poller newPoller() {
        return new EpollPoller(EpollPoller.TimeoutMode.AUTO);
    }

    @Override
    protected PollerKind kind() {
        return PollerKind.EPOLL;
    }

    @Override
    protected boolean reportsClosedDescriptors() {
        // epoll drops a closed descriptor from its interest list by itself: nothing spins, nothing to report.
        return false;
    }
}
