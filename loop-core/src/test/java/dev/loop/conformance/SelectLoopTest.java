package dev.loop.conformance;

/** The conformance suite on select. */
class SelectLoopTest extends AbstractLoopConformanceTest {

    @Override
    protected BackendFixture backend() {
        return BackendFixture.SELECT;
    }
}

