package dev.loop.transport;

import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import dev.loop.EventLoop;
import dev.loop.ExceptionContext;
import dev.loop.NativeIOException;
import dev.loop.engine.BaseEventLoop;
import dev.loop.engine.LoopResources;
import dev.loop.nativeio.DirectBuffers;
import dev.loop.nativeio.Errno;
import dev.loop.nativeio.LibC;
import dev.loop.nativeio.Linux;
import dev.loop.nativeio.NativeMemory;

/**
 * A {@link Transport} over a non-blocking descriptor on a readiness loop: reads through a reader
 * callback, writes at once while the kernel takes the bytes and through a writer callback for the
 * rest. One class for the three shapes asyncio has: a socket (both directions, EOF through
 * {@code shutdown}), a read pipe and a write pipe (pipes, FIFOs, ttys and ptys).
 */
public final class StreamTransport implements Transport {

    private static final System.Logger LOG = System.getLogger("dev.loop.transport");

    /** asyncio: warn once this many writes were dropped after the connection was lost. */
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

    /** What the descriptor is. */
    public enum Kind {
        SOCKET, READ_PIPE, WRITE_PIPE
    }

    private final BaseEventLoop loop;
    private final int fd;
    private final Kind kind;
    private final Protocol protocol;
    private final boolean watchPeerClose;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private final BufferedProtocol buffered;
    private final DirectBuffers readAddresses = new DirectBuffers();
    private final DirectBuffers writeAddresses = new DirectBuffers();
    private final Runnable onReadable = this::readReady;
    private final Runnable onWritable = this::writeReady;
    /** How the loop closes this transport: gracefully (flush) at shutdown, at once when it closes. */
    private final LoopResources.Resource resource = LoopResources.Resource.of(this, this::close, this::release);
    private SocketServer server;
    private WriteBufferLimits limits = WriteBufferLimits.DEFAULT;
    private long pendingBytes;
    private boolean readerAdded;
    private boolean writerAdded;
    private boolean paused;
    private boolean closing;
    private boolean eofRequested;
    private boolean eofWritten;
    private boolean writingPaused;
    private boolean lostScheduled;
    private boolean released;
    private int droppedWrites;
    private SocketAddress local;
    private SocketAddress remote;

    /**
     * A transport owning {@code fd} (switched to non-blocking here). Nothing happens until
     * {@link #start}.
     *
     * @param watchPeerClose for a write pipe on a FIFO or socket: also watch readability, which means the
     *                       reader went away (asyncio does the same)
     */
    public StreamTransport(BaseEventLoop loop, int fd, Kind kind, Protocol protocol, boolean watchPeerClose) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.fd = fd;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.protocol = Objects.requireNonNull(protocol, "protocol factory returned null");
        this.watchPeerClose = watchPeerClose;
        this.buffered = protocol instanceof BufferedProtocol b ? b : null;
        Sockets.setNonBlocking(fd);
        loop.resources().add(LoopResources.Kind.TRANSPORT, resource);
    }

    /**
     * asyncio's start-up order, each in its own callback: {@code connectionMade}, then the reader is
     * added (unless the protocol paused reading meanwhile), then {@code made} completes. So no data
     * arrives before {@code connectionMade}, and a pause inside it is honoured.
     */
    public <T> void start(CompletableFuture<T> made, java.util.function.Supplier<T> result) {
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
                addReader();
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
        int length = data.remaining();
        if (length == 0) {
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
        if (pending.isEmpty()) {
            int errno = writeDirect(data);
            if (errno != 0) {
                fatalError(new NativeIOException(kind == Kind.SOCKET ? "send" : "write", errno, toString()),
                        "Fatal write error on " + kind.name().toLowerCase(java.util.Locale.ROOT) + " transport");
                return;
            }
            if (!data.hasRemaining()) {
                return;
            }
            addWriter();
        }
        enqueue(data);
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
        } else if (pending.isEmpty()) {
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
        removeReader();
        if (pending.isEmpty()) {
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
        removeReader();
    }

    @Override
    public void resumeReading() {
        loop.checkThread("Transport.resumeReading");
        if (closing || !paused) {
            return;
        }
        paused = false;
        addReader();
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

    // ---------------------------------------------------------------- reading

    private void readReady() {
        if (closing || released) {
            return;
        }
        if (buffered != null) {
            readIntoProtocolBuffer();
            return;
        }
        NativeMemory scratch = IoScratch.get();
        long n = LibC.read(fd, scratch.address(), IoScratch.SIZE);
        if (n > 0) {
            byte[] copy = new byte[(int) n];
            scratch.buffer().get(0, copy, 0, (int) n);
            try {
                protocol.dataReceived(ByteBuffer.wrap(copy));
            } catch (RuntimeException | Error e) {
                fatalError(e, "Fatal error: protocol.dataReceived() call failed.");
            }
            return;
        }
        readFailed(n);
    }

    /** asyncio's BufferedProtocol path: get_buffer, recv_into, buffer_updated. */
    private void readIntoProtocolBuffer() {
        ByteBuffer buf;
        try {
            buf = buffered.getBuffer(-1);
            if (buf == null || !buf.hasRemaining() || buf.isReadOnly()) {
                throw new IllegalStateException("getBuffer() returned an empty or read-only buffer");
            }
        } catch (RuntimeException | Error e) {
            fatalError(e, "Fatal error: protocol.getBuffer() call failed.");
            return;
        }
        int want = buf.remaining();
        long n;
        if (buf.isDirect()) {
            n = LibC.read(fd, readAddresses.address(buf) + buf.position(), want);
        } else {
            NativeMemory scratch = IoScratch.get();
            n = LibC.read(fd, scratch.address(), Math.min(want, IoScratch.SIZE));
            if (n > 0) {
                buf.put(buf.position(), scratch.buffer(), 0, (int) n);
            }
        }
        if (n > 0) {
            buf.position(buf.position() + (int) n);
            try {
                buffered.bufferUpdated((int) n);
            } catch (RuntimeException | Error e) {
                fatalError(e, "Fatal error: protocol.bufferUpdated() call failed.");
            }
            return;
        }
        readFailed(n);
    }

    /** A read returned 0 (EOF) or -1. */
    private void readFailed(long n) {
        if (n == 0) {
            eofReady();
            return;
        }
        int errno = LibC.errno();
        if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
            return;
        }
        if (kind == Kind.WRITE_PIPE) {
            // The write end became readable or errored: the reader went away.
            peerClosed();
            return;
        }
        if (errno == Errno.EIO && kind == Kind.READ_PIPE) {
            // A pty master after the slave side closed (Linux): the end of the stream, not an error.
            LOG.log(Level.DEBUG, () -> this + ": EIO on read, treated as EOF");
            eofReady();
            return;
        }
        fatalError(new NativeIOException("read", errno, toString()), "Fatal read error on " + this);
    }

    private void eofReady() {
        removeReader();
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

    private void peerClosed() {
        if (!pending.isEmpty()) {
            forceClose(new NativeIOException("write", Errno.EPIPE, "the reader of " + this + " went away"));
        } else {
            close();
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes what the kernel takes now (straight from a direct buffer, else through the scratch buffer);
     * returns 0, or the errno of a real failure.
     */
    private int writeDirect(ByteBuffer data) {
        boolean direct = data.isDirect();
        NativeMemory scratch = direct ? null : IoScratch.get();
        while (data.hasRemaining()) {
            int chunk;
            long n;
            if (direct) {
                chunk = data.remaining();
                n = writeOnce(writeAddresses.address(data) + data.position(), chunk);
            } else {
                chunk = Math.min(data.remaining(), IoScratch.SIZE);
                scratch.buffer().put(0, data, data.position(), chunk);
                n = writeOnce(scratch.address(), chunk);
            }
            if (n < 0) {
                int errno = LibC.errno();
                return errno == Errno.EAGAIN || errno == Errno.EINTR ? 0 : errno;
            }
            data.position(data.position() + (int) n);
            if (n < chunk) {
                return 0;
            }
        }
        return 0;
    }

    private long writeOnce(long address, int length) {
        return kind == Kind.SOCKET ? LibC.send(fd, address, length, Linux.MSG_NOSIGNAL)
                : LibC.write(fd, address, length);
    }

    private void enqueue(ByteBuffer data) {
        int length = data.remaining();
        byte[] copy = new byte[length];
        data.get(copy);
        pending.add(ByteBuffer.wrap(copy));
        pendingBytes += length;
    }

    private void writeReady() {
        if (released) {
            return;
        }
        NativeMemory scratch = IoScratch.get();
        int gathered = 0;
        for (ByteBuffer b : pending) {
            int chunk = Math.min(b.remaining(), IoScratch.SIZE - gathered);
            scratch.buffer().put(gathered, b, b.position(), chunk);
            gathered += chunk;
            if (gathered == IoScratch.SIZE) {
                break;
            }
        }
        long n = writeOnce(scratch.address(), gathered);
        if (n < 0) {
            int errno = LibC.errno();
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return;
            }
            fatalError(new NativeIOException(kind == Kind.SOCKET ? "send" : "write", errno, toString()),
                    "Fatal write error on " + this);
            return;
        }
        consume(n);
        maybeResumeProtocol();
        if (!pending.isEmpty()) {
            return;
        }
        removeWriter();
        if (closing) {
            scheduleConnectionLost(null);
        } else if (eofRequested) {
            shutdownWrite();
        }
    }

    private void consume(long n) {
        pendingBytes -= n;
        while (n > 0) {
            ByteBuffer head = pending.peek();
            int take = (int) Math.min(n, head.remaining());
            head.position(head.position() + take);
            n -= take;
            if (!head.hasRemaining()) {
                pending.poll();
            }
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
                loop.callExceptionHandler(new ExceptionContext("protocol.pauseWriting() failed", e, null, fd, null));
            }
        }
    }

    private void maybeResumeProtocol() {
        if (writingPaused && pendingBytes <= limits.low()) {
            writingPaused = false;
            try {
                protocol.resumeWriting();
            } catch (RuntimeException | Error e) {
                loop.callExceptionHandler(new ExceptionContext("protocol.resumeWriting() failed", e, null, fd, null));
            }
        }
    }

    // ---------------------------------------------------------------- closing

    /** asyncio's {@code _fatal_error}: I/O errors are expected (logged at debug), others reported. */
    void fatalError(Throwable e, String message) {
        if (e instanceof NativeIOException) {
            LOG.log(Level.DEBUG, () -> message + ": " + e.getMessage());
        } else {
            loop.callExceptionHandler(new ExceptionContext(message + " (" + this + ")", e, null, fd, null));
        }
        forceClose(e);
    }

    private void forceClose(Throwable cause) {
        if (lostScheduled || released) {
            return;
        }
        if (!pending.isEmpty()) {
            pending.clear();
            pendingBytes = 0;
            removeWriter();
        }
        closing = true;
        removeReader();
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
        if (!loop.isClosed()) {
            removeReader();
            removeWriter();
        }
        pending.clear();
        pendingBytes = 0;
        LibC.close(fd);
        loop.resources().remove(LoopResources.Kind.TRANSPORT, resource);
        SocketServer s = server;
        server = null;
        if (s != null) {
            s.detach(this);
        }
    }

    private void addReader() {
        if (!readerAdded && !released) {
            loop.watchRead(fd, onReadable);
            readerAdded = true;
        }
    }

    private void removeReader() {
        if (readerAdded) {
            readerAdded = false;
            loop.unwatchRead(fd);
        }
    }

    private void addWriter() {
        if (!writerAdded) {
            loop.watchWrite(fd, onWritable);
            writerAdded = true;
        }
    }

    private void removeWriter() {
        if (writerAdded) {
            writerAdded = false;
            loop.unwatchWrite(fd);
        }
    }

    @Override
    public String toString() {
        return "StreamTransport[" + kind.name().toLowerCase(java.util.Locale.ROOT) + " fd=" + fd
                + (released ? ", closed" : closing ? ", closing" : "") + "]";
    }
}
