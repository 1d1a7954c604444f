package dev.loop.internal.transport;

import java.net.SocketAddress;

import dev.loop.NativeIOException;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.transport.Protocol;

/** A connected stream socket (TCP or unix): both directions; EOF is a {@code shutdown(SHUT_WR)} once flushed. */
public final class SocketTransport extends StreamTransport {

    private boolean eofWritten;
    private SocketAddress local;
    private SocketAddress remote;

    public SocketTransport(Loop loop, StreamIo streams, int fd, Protocol protocol) {
        super(loop, streams, fd, protocol);
    }

    /** The protocol may keep the transport open to go on writing (a half-close). */
    @Override
    protected void endOfStream() {
        if (!eofReceived()) {
            close();
        }
    }

    @Override
    protected void drained() {
        if (eofRequested()) {
            shutdownWrite();
        }
    }

    @Override
    protected String writeCall() {
        return "send";
    }

    @Override
    public void writeEof() {
        if (requestEof() && !hasPendingWrites()) {
            shutdownWrite();
        }
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    private void shutdownWrite() {
        if (eofWritten) {
            return;
        }
        eofWritten = true;
        if (LibC.shutdown(fd, Linux.SHUT_WR) != 0) {
            int errno = LibC.errno();
            if (errno != Errno.ENOTCONN) {
                fatalError(new NativeIOException("shutdown", errno, toString()), "Fatal error on " + this);
            }
        }
    }

    @Override
    public SocketAddress localAddress() {
        if (local == null && !isReleased()) {
            local = Sockets.localAddress(fd);
        }
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        if (remote == null && !isReleased()) {
            remote = Sockets.remoteAddress(fd);
        }
        return remote;
    }

    @Override
    public Object extraInfo(String name) {
        return switch (name) {
            case "peername" -> remoteAddress();
            case "sockname" -> localAddress();
            case "socket" -> fd;
            default -> null;
        };
    }
}
