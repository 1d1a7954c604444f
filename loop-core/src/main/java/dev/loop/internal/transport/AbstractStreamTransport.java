package dev.loop.internal.transport;

import dev.loop.transport.BufferedProtocol;
import dev.loop.transport.Protocol;
import dev.loop.transport.Transport;
import dev.loop.transport.WriteBufferLimits;

import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.EventLoop;
import dev.loop.NativeIOException;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.engine.LoopResources;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;

/**
 * The {@link Transport} contract over one owned descriptor, whatever drives its I/O: start-up order,
 * write buffering and flow control, EOF, closing and the protocol's callbacks (asyncio's
 * {@code _SelectorTransport} and {@code _ProactorBasePipeTransport} share the same rules). A subclass
 * moves the bytes: {@link StreamTransport} on readiness callbacks, the proactor's transport with
 * io_uring operations.
 *
 * <p>One class for the three shapes asyncio has: a socket (both directions, EOF through
 * {@code shutdown}), a read pipe and a write pipe (pipes, FIFOs, ttys and ptys).
 */
public abstract class AbstractStreamTransport implements Transport {

    protected static final System.Logger LOG = System.getLogger("dev.loop.transport");

    /** asyncio: warn once this many writes were dropped after the connection was lost. */
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

    /** What the descriptor is. */
    public enum Kind {
        SOCKET, READ_PIPE, WRITE_PIPE
    }

    protected final Loop loop;
    protected final int fd;
    protected final Kind kind;
    protected final Protocol protocol;
    /** The protocol, if it reads into its own buffers; else null. */
    protected final BufferedProtocol buffered;
    /** A write pipe that also watches for its reader going away (FIFOs and sockets). */
    protected final boolean watchPeerClose;
    /** How the loop closes this transport: gracefully (flush) at shutdown, at once when it closes. */
    private final LoopResources.Resource resource = LoopResources.Resource.of(this, this::close, this::release);
    private SocketServer server;
    private WriteBufferLimits limits = WriteBufferLimits.DEFAULT;
    /** Bytes accepted by {@code write} and not yet taken by the kernel. */
    protected long pendingBytes;
    protected boolean paused;
    protected boolean closing;
    protected boolean eofRequested;
    protected boolean lostScheduled;
    protected boolean released;
    private boolean eofWritten;
    private boolean writingPaused;
    private int droppedWrites;
    private SocketAddress local;
    private SocketAddress remote;

    /**
     * A transport owning {@code fd} (switched to non-blocking here). Nothing happens until {@link #start}.
     *
     * @param watchPeerClose for a write pipe on a FIFO or socket: also watch readability, which means the
     *                       reader went away (asyncio does the same)
     */
    protected AbstractStreamTransport(Loop loop, int fd, Kind kind, Protocol protocol,
            boolean watchPeerClose) {
        loop.requireWatchable(fd, "a transport on descriptor " + fd); // before anything is done with it
        this.loop = Objects.requireNonNull(loop, "loop");
        this.fd = fd;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.protocol = Objects.requireNonNull(protocol, "protocol factory returned null");
        this.watchPeerClose = watchPeerClose;
        this.buffered = protocol instanceof BufferedProtocol b ? b : null;
        Sockets.setNonBlocking(fd);
        loop.resources().add(LoopResources.Kind.TRANSPORT, resource);
    }

    // ---------------------------------------------------------------- what a subclass does

    /** Starts reading (or, for a write pipe, watching for its reader going away). Idempotent. */
    protected abstract void startReading();

    /** Stops delivering data; what is already on its way may be kept for a later {@link #startReading()}. */
    protected abstract void stopReading();

    /** Takes the remaining bytes of {@code data}: written now or buffered, counted in {@link #pendingBytes}. */
    protected abstract void send(ByteBuffer data);

    /** Drops every buffered write (the connection is being aborted). */
    protected abstract void discardWrites();

    /**
     * Stops all I/O and closes the descriptor, at once or (for operations the kernel still holds) as soon
     * as they have completed.
     */
    protected abstract void closeDescriptor();

    // ---------------------------------------------------------------- start-up

    /**
     * asyncio's start-up order, each in its own callback: {@code connectionMade}, then reading starts
     * (unless the protocol paused reading meanwhile), then {@code made} completes. So no data arrives
     * before {@code connectionMade}, and a pause inside it is honoured.
     */
    public <T> void start(CompletableFuture<T> made, Supplier<T> result) {
        loop.callSoon(() -> {
            try {
                protocol.connectionMade(this);
            } catch (RuntimeException | Error e) {
                if (made != null) {
                    made.completeExceptionally(e);
                }
                fatalError(e, "Fatal error: protocol.connectionMade() call failed.");
            }
        });
        loop.callSoon(() -> {
            if (!closing && (kind == Kind.WRITE_PIPE ? watchPeerClose : !paused)) {
                startReading();
            }
        });
        if (made != null) {
            loop.callSoon(() -> made.complete(result.get()));
        }
    }

    void attachTo(SocketServer server) {
        this.server = server;
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public Protocol protocol() {
        return protocol;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public void write(ByteBuffer data) {
        loop.checkThread("Transport.write");
        if (kind == Kind.READ_PIPE) {
            throw new IllegalStateException("a read pipe transport cannot write");
        }
        if (eofRequested) {
            throw new IllegalStateException("Cannot call write() after writeEof()");
        }
        if (!data.hasRemaining()) {
            return;
        }
        if (lostScheduled || released) {
            data.position(data.limit());
            if (++droppedWrites >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
                LOG.log(Level.WARNING, "socket.send() raised exception: " + droppedWrites
                        + " writes dropped after the connection was lost (" + this + ")");
            }
            return;
        }
        send(data);
        maybePauseProtocol();
    }

    @Override
    public void writev(ByteBuffer... data) {
        for (ByteBuffer b : data) {
            write(b);
        }
    }

    @Override
    public void writeEof() {
        loop.checkThread("Transport.writeEof");
        if (closing || eofRequested) {
            return;
        }
        if (kind == Kind.READ_PIPE) {
            throw new IllegalStateException("a read pipe transport cannot write EOF");
        }
        eofRequested = true;
        if (kind == Kind.WRITE_PIPE) {
            close(); // a pipe's EOF is its close
        } else if (pendingBytes == 0) {
            shutdownWrite();
        }
    }

    @Override
    public boolean canWriteEof() {
        return kind != Kind.READ_PIPE;
    }

    @Override
    public void close() {
        loop.checkThread("Transport.close");
        if (closing || released) {
            return;
        }
        closing = true;
        stopReading();
        if (pendingBytes == 0) {
            scheduleConnectionLost(null);
        }
    }

    @Override
    public void abort() {
        forceClose(null);
    }

    @Override
    public boolean isClosing() {
        return closing || released;
    }

    @Override
    public void pauseReading() {
        loop.checkThread("Transport.pauseReading");
        if (closing || paused || kind == Kind.WRITE_PIPE) {
            return;
        }
        paused = true;
        stopReading();
    }

    @Override
    public void resumeReading() {
        loop.checkThread("Transport.resumeReading");
        if (closing || !paused) {
            return;
        }
        paused = false;
        startReading();
    }

    @Override
    public boolean isReading() {
        return kind != Kind.WRITE_PIPE && !paused && !closing && !released;
    }

    @Override
    public SocketAddress localAddress() {
        if (kind != Kind.SOCKET) {
            return null;
        }
        if (local == null && !released) {
            local = Sockets.localAddress(fd);
        }
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        if (kind != Kind.SOCKET) {
            return null;
        }
        if (remote == null && !released) {
            remote = Sockets.remoteAddress(fd);
        }
        return remote;
    }

    @Override
    public Object extraInfo(String name) {
        return switch (name) {
            case "peername" -> remoteAddress();
            case "sockname" -> localAddress();
            case "socket" -> kind == Kind.SOCKET ? fd : null;
            case "pipe" -> kind == Kind.SOCKET ? null : fd;
            default -> null;
        };
    }

    @Override
    public void setWriteBufferLimits(long high, long low) {
        limits = new WriteBufferLimits(high, low);
        maybePauseProtocol();
    }

    @Override
    public WriteBufferLimits writeBufferLimits() {
        return limits;
    }

    @Override
    public long writeBufferSize() {
        return pendingBytes;
    }

    // ---------------------------------------------------------------- reading, for subclasses

    /** Hands a copy of {@code n} bytes of {@code source} from {@code offset} to the protocol ({@code dataReceived}, or its buffers). */
    protected final void deliver(ByteBuffer source, int offset, int n) {
        if (buffered == null) {
            byte[] copy = new byte[n];
            source.get(offset, copy, 0, n);
            try {
                protocol.dataReceived(ByteBuffer.wrap(copy));
            } catch (RuntimeException | Error e) {
                fatalError(e, "Fatal error: protocol.dataReceived() call failed.");
            }
            return;
        }
        // asyncio's _feed_data_to_buffered_proto: as many get_buffer/buffer_updated rounds as it takes.
        while (n > 0) {
            ByteBuffer buf = protocolBuffer();
            if (buf == null) {
                return;
            }
            int chunk = Math.min(n, buf.remaining());
            buf.put(buf.position(), source, offset, chunk);
            offset += chunk;
            n -= chunk;
            if (!bufferUpdated(buf, chunk)) {
                return;
            }
        }
    }

    /** The buffer the protocol wants the next bytes in, or null after reporting its failure. */
    protected final ByteBuffer protocolBuffer() {
        try {
            ByteBuffer buf = buffered.getBuffer(-1);
            if (buf == null || !buf.hasRemaining() || buf.isReadOnly()) {
                throw new IllegalStateException("getBuffer() returned an empty or read-only buffer");
            }
            return buf;
        } catch (RuntimeException | Error e) {
            fatalError(e, "Fatal error: protocol.getBuffer() call failed.");
            return null;
        }
    }

    /** Moves {@code buf}'s position past {@code n} new bytes and tells the protocol; false if it failed. */
    protected final boolean bufferUpdated(ByteBuffer buf, int n) {
        buf.position(buf.position() + n);
        try {
            buffered.bufferUpdated(n);
            return true;
        } catch (RuntimeException | Error e) {
            fatalError(e, "Fatal error: protocol.bufferUpdated() call failed.");
            return false;
        }
    }

    /** A read returned 0: the peer closed its side (or, for a write pipe, the reader went away). */
    protected final void readEof() {
        if (kind == Kind.WRITE_PIPE) {
            peerClosed();
            return;
        }
        stopReading();
        boolean keepOpen;
        try {
            keepOpen = protocol.eofReceived();
        } catch (RuntimeException | Error e) {
            fatalError(e, "Fatal error: protocol.eofReceived() call failed.");
            return;
        }
        if (!keepOpen || kind == Kind.READ_PIPE) {
            close();
        }
    }

    /** A read failed with {@code errno} (not EAGAIN or EINTR, which the caller retries). */
    protected final void readError(int errno) {
        if (kind == Kind.WRITE_PIPE) {
            peerClosed(); // the write end became readable or errored: the reader went away
            return;
        }
        if (errno == Errno.EIO && kind == Kind.READ_PIPE) {
            // A pty master after the slave side closed (Linux): the end of the stream, not an error.
            LOG.log(Level.DEBUG, () -> this + ": EIO on read, treated as EOF");
            readEof();
            return;
        }
        fatalError(new NativeIOException("read", errno, toString()), "Fatal read error on " + this);
    }

    private void peerClosed() {
        if (pendingBytes > 0) {
            forceClose(new NativeIOException("write", Errno.EPIPE, "the reader of " + this + " went away"));
        } else {
            close();
        }
    }

    // ---------------------------------------------------------------- writing, for subclasses

    /** A write failed with {@code errno} (not EAGAIN or EINTR). */
    protected final void writeError(int errno) {
        fatalError(new NativeIOException(kind == Kind.SOCKET ? "send" : "write", errno, toString()),
                "Fatal write error on " + kind.name().toLowerCase(Locale.ROOT) + " transport " + this);
    }

    /** {@code n} buffered bytes were taken by the kernel: flow control, then a pending close or EOF. */
    protected final void written(long n) {
        pendingBytes -= n;
        maybeResumeProtocol();
        if (pendingBytes > 0) {
            return;
        }
        if (closing) {
            scheduleConnectionLost(null);
        } else if (eofRequested) {
            shutdownWrite();
        }
    }

    private void shutdownWrite() {
        if (!eofWritten && kind == Kind.SOCKET) {
            eofWritten = true;
            if (LibC.shutdown(fd, Linux.SHUT_WR) != 0) {
                int errno = LibC.errno();
                if (errno != Errno.ENOTCONN) {
                    fatalError(new NativeIOException("shutdown", errno, toString()), "Fatal error on " + this);
                }
            }
        }
    }

    private void maybePauseProtocol() {
        if (!writingPaused && pendingBytes > limits.high()) {
            writingPaused = true;
            try {
                protocol.pauseWriting();
            } catch (RuntimeException | Error e) {
                loop.reportError("protocol.pauseWriting() failed", e, null, fd, null);
            }
        }
    }

    private void maybeResumeProtocol() {
        if (writingPaused && pendingBytes <= limits.low()) {
            writingPaused = false;
            try {
                protocol.resumeWriting();
            } catch (RuntimeException | Error e) {
                loop.reportError("protocol.resumeWriting() failed", e, null, fd, null);
            }
        }
    }

    // ---------------------------------------------------------------- closing

    /** asyncio's {@code _fatal_error}: I/O errors are expected (logged at debug), others reported. */
    protected final void fatalError(Throwable e, String message) {
        if (e instanceof NativeIOException) {
            LOG.log(Level.DEBUG, () -> message + ": " + e.getMessage());
        } else {
            loop.reportError(message + " (" + this + ")", e, null, fd, null);
        }
        forceClose(e);
    }

    private void forceClose(Throwable cause) {
        if (lostScheduled || released) {
            return;
        }
        if (pendingBytes > 0) {
            discardWrites();
            pendingBytes = 0;
        }
        closing = true;
        stopReading();
        scheduleConnectionLost(cause);
    }

    private void scheduleConnectionLost(Throwable cause) {
        if (lostScheduled) {
            return;
        }
        lostScheduled = true;
        loop.callSoon(() -> {
            try {
                protocol.connectionLost(cause);
            } finally {
                release();
            }
        });
    }

    /** Closes the descriptor now, without callbacks (also what the loop's close does). */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        closing = true;
        closeDescriptor();
        pendingBytes = 0;
        loop.resources().remove(LoopResources.Kind.TRANSPORT, resource);
        SocketServer s = server;
        server = null;
        if (s != null) {
            s.detach(this);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + kind.name().toLowerCase(Locale.ROOT) + " fd=" + fd
                + (released ? ", closed" : closing ? ", closing" : "") + "]";
    }
}
