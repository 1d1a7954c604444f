package dev.loop.internal.transport;

import dev.loop.internal.engine.Loop;
import dev.loop.transport.Protocol;

/**
 * The write end of a pipe, FIFO, tty or pty: it never reads; its EOF is its close. On a FIFO or socket it also
 * watches for its reader going away (readable or in error, as asyncio does): unwritten bytes then fail with
 * EPIPE.
 */
public final class WritePipeTransport extends StreamTransport {

    private final boolean watchPeerClose;

    /** @param watchPeerClose whether to watch for the reader going away (not on a character device) */
    public WritePipeTransport(Loop loop, StreamIo streams, int fd, Protocol protocol, boolean watchPeerClose) {
        super(loop, streams, fd, protocol);
        this.watchPeerClose = watchPeerClose;
    }

    /** A write pipe never reads: it only watches for its reader going away. */
    @Override
    protected void beginIo(TransportIo io) {
        if (watchPeerClose) {
            io.watchPeerClose();
        }
    }

    @Override
    protected void endOfStream() {
        peerClosed();
    }

    @Override
    protected void readError(int errno) {
        peerClosed(); // the write end became readable or errored: the reader went away
    }

    @Override
    public void writeEof() {
        if (requestEof()) {
            close(); // a pipe's EOF is its close
        }
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    @Override
    public void pauseReading() {
        loop.checkThread("Transport.pauseReading"); // nothing to pause
    }

    @Override
    public boolean isReading() {
        return false;
    }
}
