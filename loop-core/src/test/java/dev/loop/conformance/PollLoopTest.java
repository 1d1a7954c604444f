package dev.loop.conformance;

import dev.loop.PollerKind;
import dev.loop.internal.selector.PollPoller;
import dev.loop.internal.selector.Poller;

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
