package dev.loop.internal.transport;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;
import dev.loop.transport.Protocol;

/** The read end of a pipe, FIFO, tty or pty: data until EOF, then closed; it cannot write. */
public final class ReadPipeTransport extends StreamTransport {

    public ReadPipeTransport(Loop loop, StreamIo streams, int fd, Protocol protocol) {
        super(loop, streams, fd, protocol);
    }

    /** A pipe's EOF ends it, whatever the protocol answers. */
    @Override
    protected void endOfStream() {
        eofReceived();
        close();
    }

    @Override
    protected void readError(int errno) {
        if (errno == Errno.EIO) {
            // A pty master after the slave side closed (Linux): the end of the stream, not an error.
            LOG.log(Level.DEBUG, () -> this + ": EIO on read, treated as EOF");
            endOfStream();
            return;
        }
        super.readError(errno);
    }

    @Override
    public void write(ByteBuffer data) {
        loop.checkThread("Transport.write");
        throw new IllegalStateException("a read pipe transport cannot write");
    }

    @Override
    public void writeEof() {
        loop.checkThread("Transport.writeEof");
        if (!isClosing()) {
            throw new IllegalStateException("a read pipe transport cannot write EOF");
        }
    }

    @Override
    public boolean canWriteEof() {
        return false;
    }
}
