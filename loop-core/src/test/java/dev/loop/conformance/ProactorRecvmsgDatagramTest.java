package dev.loop.conformance;

/**
 * The datagram part of the suite on a proactor whose endpoints receive one RECVMSG at a time: the multishot way on a
 * kernel that refuses provided buffers or multishot receive (as every unix datagram endpoint there does anyway).
 */
class ProactorRecvmsgDatagramTest extends DatagramConformance {

    @Override
    protected BackendFixture backend() {
        return BackendFixture.PROACTOR_RECVMSG;
    }
}
