package dev.loop.conformance;

import dev.loop.PollerKind;
import dev.loop.selector.PollPoller;
import dev.loop.selector.Poller;

/** The conformance suite on poll (ppoll). */
class PollLoopTest extends AbstractLoopConformanceTest {

    @Override
    protected Poller newPoller() {
        return new PollPoller();
    }

    @Override
    protected PollerKind kind() {
        return PollerKind.POLL;
    }
}
