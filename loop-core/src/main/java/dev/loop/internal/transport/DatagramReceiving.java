package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;

/**
 * A datagram endpoint's batch receive, the same on every backend: one {@code recvmmsg} takes what the socket holds
 * (up to {@link DatagramBatch#RECEIVE_SLOTS} datagrams), each goes to the protocol, and what the protocol sends
 * meanwhile leaves in one {@code sendmmsg} after the batch. Datagrams received after the protocol paused reading
 * in the middle of a batch are held and delivered first on resume, so a pause loses nothing. The selector backend
 * calls it when the socket is readable; the proactor after a RECVMSG that reports more datagrams queued.
 */
public final class DatagramReceiving {

    /** A datagram received but not delivered: the protocol paused reading in the middle of a batch. */
    private record Held(byte[] data, SocketAddress sender) {
    }

    private final Loop loop;
    private final DatagramSocketTransport owner;
    private final DatagramSendQueue sending;
    private final int fd;
    private final boolean unix;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private boolean heldDeliveryScheduled;

    public DatagramReceiving(Loop loop, DatagramSocketTransport owner, DatagramSendQueue sending, int fd,
            boolean unix) {
        this.loop = loop;
        this.owner = owner;
        this.sending = sending;
        this.fd = fd;
        this.unix = unix;
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
                    byte[] copy = new byte[batch.receivedLength(i)];
                    data.get(batch.receivedOffset(i), copy);
                    held.add(new Held(copy, batch.sender(i)));
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
        return !held.isEmpty();
    }

    /** On resume: what a pause held goes to the protocol in its own callback, then {@code thenReceive} runs. */
    public void deliverHeldSoon(Runnable thenReceive) {
        if (heldDeliveryScheduled) {
            return;
        }
        heldDeliveryScheduled = true;
        loop.callSoon(() -> {
            heldDeliveryScheduled = false;
            Held h;
            while (owner.isReading() && (h = held.poll()) != null) {
                owner.datagramRead(ByteBuffer.wrap(h.data()), 0, h.data().length, h.sender());
            }
            if (owner.isReading()) {
                thenReceive.run();
            }
        });
    }

    /** Drops what is held (the endpoint closes). */
    public void clear() {
        held.clear();
    }
}
