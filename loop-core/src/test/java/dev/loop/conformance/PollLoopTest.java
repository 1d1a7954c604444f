package dev.loop.conformance;

/** The conformance suite on poll (ppoll). */
class PollLoopTest extends AbstractLoopConformanceTest {

    @Override
    protected BackendFixture backend() {
        return BackendFixture.POLL;
    }
}

