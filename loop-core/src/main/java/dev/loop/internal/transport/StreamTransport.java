package dev.loop.internal.transport;

import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.EventLoop;
import dev.loop.NativeIOException;
import dev.loop.internal.engine.Futures;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.engine.LoopResources;
import dev.loop.internal.nativeio.LibC;
import dev.loop.transport.BufferedProtocol;
import dev.loop.transport.Protocol;
import dev.loop.transport.Transport;
import dev.loop.transport.WriteBufferLimits;

/**
 * The {@link Transport} contract over one owned descriptor: start-up order, write buffering and flow control,
 * EOF, closing and the protocol's callbacks (asyncio's {@code _SelectorTransport} and
 * {@code _ProactorBasePipeTransport} share the same rules). Two axes, kept apart: the shape is a subclass
 * ({@link SocketTransport}, {@link ReadPipeTransport}, {@link WritePipeTransport}: what the descriptor is
 * and may do), the mechanism a {@link TransportIo} it owns (readiness callbacks or io_uring operations: how
 * the bytes move). The mechanism reports back through the methods under "events from the I/O".
 */
public abstract class StreamTransport implements Transport {

    protected static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.transport");

    /** asyncio: warn once this many writes were dropped after the connection was lost. */
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

    protected final Loop loop;
    protected final int fd;
    private Protocol protocol;
    /** The protocol, if it reads into its own buffers; else null. */
    private BufferedProtocol buffered;
    private final TransportIo io;
    private final TransportState state;
    /** How the loop closes this transport: gracefully (flush) at shutdown, at once when it closes. */
    private final LoopResources.Resource resource = LoopResources.Resource.of(this, this::close, this::release,
            () -> { }, () -> { }, () -> writeBufferSize() == 0);
    private SocketServer server;
    /** Bytes accepted by {@code write} and not yet taken by the kernel, against the marks. */
    private final WriteMarks marks;
    private boolean eofRequested;
    private int droppedWrites;
    /** While {@code loop.sendfile} sends a file through this transport: writes are refused (asyncio's rule). */
    private boolean sendfileInProgress;
    /** Completed once the write buffer is empty, for a sendfile waiting to start; else null. */
    private CompletableFuture<Void> emptyWaiter;
    /** The sendfile in progress, failed if the transport closes under it; else null. */
    private CompletableFuture<Long> sendfileResult;

    /**
     * A transport owning {@code fd} (switched to non-blocking here), its bytes moved by {@code streams}. Nothing
     * happens until {@link #start}.
     */
    protected StreamTransport(Loop loop, StreamIo streams, int fd, Protocol protocol) {
        loop.requireWatchable(fd, "a transport on descriptor " + fd); // before anything is done with it
        this.loop = Objects.requireNonNull(loop, "loop");
        this.fd = fd;
        this.protocol = Objects.requireNonNull(protocol, "protocol factory returned null");
        this.buffered = protocol instanceof BufferedProtocol b ? b : null;
        this.marks = new WriteMarks(loop, fd, () -> this.protocol.pauseWriting(), () -> this.protocol.resumeWriting());
        Sockets.setNonBlocking(fd);
        this.io = streams.newTransportIo(this, fd, this instanceof SocketTransport);
        this.state = new TransportState(loop, io, marks, cause -> this.protocol.connectionLost(cause), this::release);
        loop.resources().add(LoopResources.Kind.TRANSPORT, resource);
        loop.resources().own(fd, LoopResources.Kind.TRANSPORT, this);
    }

    // ---------------------------------------------------------------- what a shape decides

    /** Once {@code connectionMade} ran: starts reading, unless the protocol paused it meanwhile. */
    protected void beginIo(TransportIo io) {
        if (!state.isPaused()) {
            io.startReading();
        }
    }

    /** The peer's end of the stream arrived (a read returned 0). */
    protected abstract void endOfStream();

    /** A read failed with {@code errno}; by default the connection fails. */
    protected void readError(int errno) {
        fatalError(new NativeIOException("read", errno, toString()), "Fatal read error on " + this);
    }

    /** Everything written was taken by the kernel and the transport is not closing. */
    protected void drained() {
    }

    /** The system call a failed write was ({@code send} or {@code write}), for its exception. */
    protected String writeCall() {
        return "write";
    }

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
            if (!state.closingRequested()) {
                beginIo(io);
            }
        });
        if (made != null) {
            // Given up on meanwhile (cancelled, timed out), the connection is closed, as asyncio closes it.
            loop.callSoon(() -> Futures.deliver(made, result.get()));
        }
    }

    /**
     * Gives this transport another protocol (asyncio's {@code set_protocol}; {@code startTls} puts its TLS layer
     * here): what arrives from now on goes to {@code next}.
     */
    public final void replaceProtocol(Protocol next) {
        loop.checkThread("Transport.setProtocol");
        this.protocol = Objects.requireNonNull(next, "protocol");
        this.buffered = next instanceof BufferedProtocol b ? b : null;
    }

    /** How this transport's bytes move. */
    public final TransportIo io() {
        return io;
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
        if (eofRequested) {
            throw new IllegalStateException("Cannot call write() after writeEof()");
        }
        if (sendfileInProgress) {
            throw new IllegalStateException("unable to write; sendfile is in progress on " + this);
        }
        if (!data.hasRemaining()) {
            return;
        }
        if (state.isLost()) {
            data.position(data.limit());
            if (++droppedWrites >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
                LOG.log(Level.WARNING, "socket.send() raised exception: " + droppedWrites
                        + " writes dropped after the connection was lost (" + this + ")");
            }
            return;
        }
        io.send(data);
        marks.check();
    }

    @Override
    public void writev(ByteBuffer... data) {
        for (ByteBuffer b : data) {
            write(b);
        }
    }

    /** Marks EOF as asked for; false when it was already, or the transport is closing. */
    protected final boolean requestEof() {
        loop.checkThread("Transport.writeEof");
        if (state.closingRequested() || eofRequested) {
            return false;
        }
        eofRequested = true;
        return true;
    }

    @Override
    public void close() {
        state.close("Transport.close");
    }

    @Override
    public void abort() {
        state.forceClose(null);
    }

    @Override
    public boolean isClosing() {
        return state.isClosing();
    }

    @Override
    public void pauseReading() {
        state.pauseReading("Transport.pauseReading");
    }

    @Override
    public void resumeReading() {
        state.resumeReading("Transport.resumeReading");
    }

    @Override
    public boolean isReading() {
        return state.isReading();
    }

    /** Whether the protocol paused reading. */
    public final boolean isPaused() {
        return state.isPaused();
    }

    @Override
    public SocketAddress localAddress() {
        return null;
    }

    @Override
    public SocketAddress remoteAddress() {
        return null;
    }

    @Override
    public Object extraInfo(String name) {
        return "pipe".equals(name) ? fd : null;
    }

    @Override
    public void setWriteBufferLimits(long high, long low) {
        marks.setLimits(high, low);
    }

    @Override
    public WriteBufferLimits writeBufferLimits() {
        return marks.limits();
    }

    @Override
    public long writeBufferSize() {
        return marks.pending();
    }

    // ---------------------------------------------------------------- events from the I/O: reading

    /** The protocol, if it reads into its own buffers; else null. */
    public final BufferedProtocol bufferedProtocol() {
        return buffered;
    }

    /** Hands a copy of {@code n} bytes of {@code source} from {@code offset} to the protocol ({@code dataReceived}, or its buffers). */
    public final void dataRead(ByteBuffer source, int offset, int n) {
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

    /** The buffer a {@link BufferedProtocol} wants the next bytes in, or null after reporting its failure. */
    public final ByteBuffer protocolBuffer() {
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
    public final boolean bufferUpdated(ByteBuffer buf, int n) {
        buf.position(buf.position() + n);
        try {
            buffered.bufferUpdated(n);
            return true;
        } catch (RuntimeException | Error e) {
            fatalError(e, "Fatal error: protocol.bufferUpdated() call failed.");
            return false;
        }
    }

    /** A read returned 0: the peer closed its side. */
    public final void readEof() {
        endOfStream();
    }

    /** A read failed with {@code errno} (not EAGAIN or EINTR, which the I/O retries). */
    public final void readFailed(int errno) {
        readError(errno);
    }

    /** The protocol's {@code eofReceived}; returns whether it asked to keep the transport open (false if it failed). */
    protected final boolean eofReceived() {
        io.stopReading();
        try {
            return protocol.eofReceived();
        } catch (RuntimeException | Error e) {
            fatalError(e, "Fatal error: protocol.eofReceived() call failed.");
            return true; // closing already
        }
    }

    /** The reader of a write pipe went away: unwritten bytes are an EPIPE, else a plain close. */
    public final void peerClosed() {
        if (marks.pending() > 0) {
            state.forceClose(new NativeIOException("write", dev.loop.internal.nativeio.Errno.EPIPE,
                    "the reader of " + this + " went away"));
        } else {
            close();
        }
    }

    // ---------------------------------------------------------------- events from the I/O: writing

    /** {@code n} bytes of a write were kept to be written later. */
    public final void bytesBuffered(long n) {
        marks.added(n);
    }

    /** A write failed with {@code errno} (not EAGAIN or EINTR). */
    public final void writeFailed(int errno) {
        fatalError(new NativeIOException(writeCall(), errno, toString()), "Fatal write error on " + this);
    }

    /** {@code n} buffered bytes were taken by the kernel: flow control, then a pending close or EOF. */
    public final void written(long n) {
        marks.removed(n);
        if (marks.pending() > 0) {
            return;
        }
        if (!state.drainedWhileClosing()) {
            drained();
            CompletableFuture<Void> waiter = emptyWaiter;
            if (waiter != null) {
                emptyWaiter = null;
                waiter.complete(null);
            }
        }
    }

    /**
     * asyncio's {@code loop.sendfile} on this transport: once what was written before has left the buffer,
     * {@code sendFile} sends the file straight to the descriptor; meanwhile reading pauses and writes are
     * refused. Loop thread.
     */
    public final CompletableFuture<Long> sendfile(java.util.function.IntFunction<CompletableFuture<Long>> sendFile) {
        loop.checkThread("sendfile");
        if (state.isClosing() || state.isLost()) {
            throw new IllegalStateException("Cannot call sendfile() on " + this + ": it is closing");
        }
        if (eofRequested) {
            throw new IllegalStateException("Cannot call sendfile() after writeEof()");
        }
        if (sendfileInProgress) {
            throw new IllegalStateException("sendfile is already in progress on " + this);
        }
        sendfileInProgress = true;
        boolean wasReading = isReading();
        if (wasReading) {
            io.stopReading();
        }
        CompletableFuture<Void> empty = new CompletableFuture<>();
        if (marks.pending() == 0) {
            empty.complete(null);
        } else {
            emptyWaiter = empty;
        }
        CompletableFuture<Long> result = new CompletableFuture<>();
        sendfileResult = result;
        empty.whenComplete((v, e) -> {
            if (e == null && !result.isDone()) {
                try {
                    Futures.follow(sendFile.apply(fd), result);
                } catch (RuntimeException | Error ex) {
                    result.completeExceptionally(ex);
                }
            }
        });
        result.whenComplete((v, e) -> loop.runOnLoop(() -> {
            sendfileInProgress = false;
            if (sendfileResult == result) {
                sendfileResult = null;
            }
            if (emptyWaiter == empty) {
                emptyWaiter = null;
            }
            if (wasReading && isReading()) {
                io.startReading();
            }
        }));
        return result;
    }

    /** Whether {@code writeEof} was asked for. */
    protected final boolean eofRequested() {
        return eofRequested;
    }

    /** Whether buffered bytes wait for the kernel. */
    protected final boolean hasPendingWrites() {
        return marks.pending() > 0;
    }

    // ---------------------------------------------------------------- closing

    /** Whether the descriptor was given up (closed, or closing once the kernel gives its operations back). */
    public final boolean isReleased() {
        return state.isReleased();
    }

    /** asyncio's {@code _fatal_error}: I/O errors are expected (logged at debug), others reported. */
    protected final void fatalError(Throwable e, String message) {
        if (e instanceof NativeIOException) {
            LOG.log(Level.DEBUG, () -> message + ": " + e.getMessage());
        } else {
            loop.reportError(message + " (" + this + ")", e, null, fd, null);
        }
        state.forceClose(e);
    }

    /**
     * The mechanism closes the descriptor through this, once no operation uses it any more (a completion
     * backend waits for its cancelled operations): from then on its number is free for the application.
     */
    public void closeDescriptor() {
        loop.resources().disown(fd);
        LibC.close(fd);
    }

    /** Closes the descriptor now, without callbacks (also what the loop's close does). */
    private void release() {
        if (!state.release()) {
            return;
        }
        CompletableFuture<Long> sending = sendfileResult;
        if (sending != null) { // before the descriptor closes: the sending stops waiting on it
            sending.completeExceptionally(new IllegalStateException(this + " closed during sendfile"));
        }
        io.close();
        marks.cleared();
        loop.resources().remove(LoopResources.Kind.TRANSPORT, resource);
        SocketServer s = server;
        server = null;
        if (s != null) {
            s.detach(this);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[fd=" + fd + state + "]";
    }
}
