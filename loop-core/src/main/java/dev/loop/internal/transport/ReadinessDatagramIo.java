package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;

/**
 * A datagram endpoint's I/O on readiness: a reader callback receives a batch with {@code recvmmsg}; sending is
 * the {@link DatagramSendQueue} every backend shares. Datagrams received in a batch after the protocol paused reading
 * are kept and delivered first on resume, so a pause loses nothing.
 */
final class ReadinessDatagramIo implements DatagramIo {

    /** A datagram received but not delivered: the protocol paused reading in the middle of a batch. */
    private record Held(byte[] data, SocketAddress sender) {
    }

    private final Loop loop;
    private final DatagramSocketTransport owner;
    private final int fd;
    private final boolean unix;
    private final DatagramSendQueue sending;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final Runnable onReadable = this::readReady;
    private boolean readerAdded;
    private boolean heldDeliveryScheduled;

    ReadinessDatagramIo(Loop loop, StreamIo io, DatagramSocketTransport owner, int fd, boolean unix) {
        this.loop = loop;
        this.sending = new DatagramSendQueue(io, owner, fd);
        this.owner = owner;
        this.fd = fd;
        this.unix = unix;
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public void startReading() {
        if (owner.isReleased()) {
            return;
        }
        if (!held.isEmpty()) {
            deliverHeldSoon();
            return;
        }
        if (!readerAdded) {
            loop.watchRead(fd, onReadable);
            readerAdded = true;
        }
    }

    @Override
    public void stopReading() {
        if (readerAdded) {
            readerAdded = false;
            loop.unwatchRead(fd);
        }
        if (owner.isClosing()) {
            held.clear();
        }
    }

    private void readReady() {
        if (!owner.isReading()) {
            return;
        }
        DatagramBatch batch = DatagramBatch.get();
        int n = batch.receive(fd, unix);
        if (n < 0) {
            if (-n != Errno.EAGAIN && -n != Errno.EINTR) {
                owner.receiveFailed(-n);
            }
            return;
        }
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
    }

    /** On resume: what a pause held goes to the protocol in its own callback, then the reader is added again. */
    private void deliverHeldSoon() {
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
                startReading();
            }
        });
    }

    // ---------------------------------------------------------------- sending

    @Override
    public void send(ByteBuffer data, SocketAddress target) {
        sending.send(data, target);
    }

    @Override
    public void discardWrites() {
        sending.discard();
    }

    // ---------------------------------------------------------------- closing

    @Override
    public void close() {
        stopReading();
        discardWrites();
        held.clear();
        owner.closeDescriptor();
    }
}
