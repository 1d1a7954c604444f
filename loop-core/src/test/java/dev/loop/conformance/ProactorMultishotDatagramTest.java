package dev.loop.conformance;

/**
 * The datagram part of the suite on a proactor whose UDP endpoints receive with multishot RECVMSG into provided
 * buffers ({@code UringBackend.newMultishotDatagramLoop}), the way the default proactor loop does not use.
 */
class ProactorMultishotDatagramTest extends DatagramConformance {

    @Override
    protected BackendFixture backend() {
        return BackendFixture.PROACTOR_MULTISHOT;
    }
}
