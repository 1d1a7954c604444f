package dev.loop.conformance;

import dev.loop.PollerKind;
import dev.loop.internal.selector.Poller;
import dev.loop.internal.selector.SelectPoller;

/** The conformance suite on select. */
class SelectLoopTest extends AbstractLoopConformanceTest {

    @Override
    protected Poller newPoller() {
        return new SelectPoller();
    }

    @Override
    protected PollerKind kind() {
        return PollerKind.SELECT;
    }
}
