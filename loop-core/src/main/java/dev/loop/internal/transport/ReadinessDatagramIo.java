package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

import dev.loop.internal.engine.Loop;

/**
 * A datagram endpoint's I/O on readiness: a reader callback receives a batch ({@link DatagramReceiving}, one
 * {@code recvmmsg}); sending is the {@link DatagramSendQueue} every backend shares. The selector backend's, and the
 * proactor's by default (its reader callbacks are POLL_ADDs): io_uring has no batched datagram receive, and a
 * multishot RECVMSG, one completion per datagram, measured slower than one recvmmsg per wake-up.
 */
public final class ReadinessDatagramIo implements DatagramIo {

    private final Loop loop;
    private final DatagramSocketTransport owner;
    private final int fd;
    private final DatagramSendQueue sending;
    private final DatagramReceiving receiving;
    private final Runnable onReadable = this::readReady;
    private final Runnable startReading = this::startReading;
    private boolean readerAdded;

    public ReadinessDatagramIo(Loop loop, StreamIo io, DatagramSocketTransport owner, int fd, boolean unix) {
        this.loop = loop;
        this.owner = owner;
        this.fd = fd;
        this.sending = new DatagramSendQueue(io, owner, fd);
        this.receiving = new DatagramReceiving(loop, owner, sending, fd, unix);
    }

    @Override
    public void startReading() {
        if (owner.isReleased()) {
            return;
        }
        if (receiving.hasHeld()) {
            receiving.deliverHeldSoon(startReading);
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
            receiving.clear();
        }
    }

    private void readReady() {
        if (owner.isReading()) {
            receiving.receiveBatch();
        }
    }

    @Override
    public void send(ByteBuffer data, SocketAddress target) {
        sending.send(data, target);
    }

    @Override
    public void discardWrites() {
        sending.discard();
    }

    @Override
    public void close() {
        stopReading();
        discardWrites();
        receiving.clear();
        owner.closeDescriptor();
    }
}
