package dev.loop.internal.transport;

import java.nio.ByteBuffer;

import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;

/**
 * A datagram endpoint's batch receive, the same on every backend: one {@code recvmmsg} takes what the socket holds
 * (up to {@link DatagramBatch#RECEIVE_SLOTS} datagrams), each goes to the protocol, and what the protocol sends
 * meanwhile leaves in one {@code sendmmsg} after the batch. Datagrams received after the protocol paused reading
 * in the middle of a batch are held and delivered first on resume, so a pause loses nothing. Called when the socket
 * is readable ({@link ReadinessDatagramIo}, on either backend).
 */
public final class DatagramReceiving {

    private final DatagramSocketTransport owner;
    private final DatagramSendQueue sending;
    private final int fd;
    private final boolean unix;
    private final HeldDatagrams held;

    public DatagramReceiving(Loop loop, DatagramSocketTransport owner, DatagramSendQueue sending, int fd,
            boolean unix) {
        this.owner = owner;
        this.sending = sending;
        this.fd = fd;
        this.unix = unix;
        this.held = new HeldDatagrams(loop, owner);
    }

    /**
     * Receives and delivers one batch: the count received, or {@code -errno} (EAGAIN: nothing was there; any
     * other error was reported to the protocol).
     */
    public int receiveBatch() {
        DatagramBatch batch = DatagramBatch.get();
        int n = batch.receive(fd, unix);
        if (n < 0) {
            if (-n != Errno.EAGAIN && -n != Errno.EINTR) {
                owner.receiveFailed(-n);
            }
            return n;
        }
        if (n > 1) {
            sending.gather();
        }
        try {
            ByteBuffer data = batch.receivedData();
            for (int i = 0; i < n; i++) {
                if (owner.isReading()) {
                    owner.datagramRead(data, batch.receivedOffset(i), batch.receivedLength(i), batch.sender(i));
                } else if (!owner.isClosing()) {
                    held.hold(data, batch.receivedOffset(i), batch.receivedLength(i), batch.sender(i));
                }
            }
        } finally {
            if (n > 1) {
                sending.sendGathered();
            }
        }
        return n;
    }

    /** Whether a pause left datagrams to deliver before receiving goes on. */
    public boolean hasHeld() {
        return held.any();
    }

    /** On resume: what a pause held goes to the protocol in its own callback, then {@code thenReceive} runs. */
    public void deliverHeldSoon(Runnable thenReceive) {
        held.deliverSoon(thenReceive);
    }

    /** Drops what is held (the endpoint closes). */
    public void clear() {
        held.clear();
    }
}
