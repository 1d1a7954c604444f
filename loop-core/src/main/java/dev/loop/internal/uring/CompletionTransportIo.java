package dev.loop.internal.uring;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.DirectBuffers;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.internal.transport.StreamTransport;
import dev.loop.internal.transport.TransportIo;

/**
 * A transport's bytes moved as io_uring operations (the completion mechanism; {@code ReadinessTransportIo} is
 * the readiness one): one read (RECV for
 * sockets, READ for pipes and devices) always in flight while reading, and one write (SEND, SENDMSG or
 * WRITEV over up to {@value #MAX_IOV} buffered chunks) in flight while there is something to write.
 *
 * <p><b>Memory the kernel writes or reads stays allocated and unmoved until the operation's completion
 * arrives</b>, whatever happens to the transport meanwhile: reads go into the transport's native buffer
 * or into a {@link dev.loop.transport.BufferedProtocol}'s direct buffer (kept referenced until then,
 * with no copy), writes are copied into native chunks (the caller may reuse its buffer at once) that are
 * given back only after the kernel has sent them. Closing cancels what is in flight
 * ({@code IORING_OP_ASYNC_CANCEL}); the descriptor is closed and the memory freed by the last
 * completion.
 *
 * <p>A pause keeps the read in flight; what it brings is parked and delivered on resume (asyncio's
 * proactor does the same), so no byte is lost and none arrives while paused.
 */
final class CompletionTransportIo implements TransportIo {

    private static final int READ_SIZE = 64 * 1024;
    static final int MAX_IOV = 64;

    /** A native block of written bytes: {@code [start, end)} is still to be sent. */
    private static final class Chunk {
        final NativeMemory memory;
        int start;
        int end;

        Chunk(NativeMemory memory) {
            this.memory = memory;
        }
    }

    private final Loop loop;
    private final UringBackend proactor;
    private final CompletionStreamIo io;
    private final StreamTransport owner;
    private final int fd;
    private final boolean socket;
    private final DirectBuffers addresses = new DirectBuffers();
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private final UringBackend.Completion onRead = this::readCompleted;
    private final UringBackend.Completion onWrite = this::writeCompleted;
    private NativeMemory readBuffer;
    /** A {@code msghdr} followed by its iovecs, for vectored writes. */
    private NativeMemory gather;
    /** The protocol's direct buffer the read in flight (or parked) fills; null when reading into ours. */
    private ByteBuffer readTarget;
    private int readTargetPosition;
    private int readLength;
    private boolean readPolledFirst;
    private int readOp = -1;
    private int writeOp = -1;
    private int peerOp = -1;
    private final ParkedResult parked;
    /** The last read filled less than it asked for: the socket is drained, so the next recv polls first. */
    private boolean drained;
    private boolean discarding;
    private boolean fdClosed;

    CompletionTransportIo(Loop loop, UringBackend proactor, CompletionStreamIo io, StreamTransport owner, int fd,
            boolean socket) {
        this.loop = loop;
        this.proactor = proactor;
        this.io = io;
        this.owner = owner;
        this.fd = fd;
        this.socket = socket;
        this.parked = new ParkedResult(loop);
    }

    // ---------------------------------------------------------------- reading

    @Override
    public void watchPeerClose() {
        if (!owner.isClosing() && peerOp < 0) {
            // Readable or in error: the reader went away.
            peerOp = proactor.submit(Linux.IORING_OP_POLL_ADD, fd, 0, 0, 0, Linux.POLLIN, this::peerEvent);
        }
    }

    @Override
    public void startReading() {
        if (owner.isClosing()) {
            return;
        }
        if (parked.pending()) {
            parked.deliverSoon(this::droppedWhenClosing, owner::isPaused, this::handleRead);
        } else if (readOp < 0) {
            submitRead();
        }
    }

    /** A pause keeps the read in flight (its result is parked); a close cancels it. */
    @Override
    public void stopReading() {
        if (!owner.isClosing()) {
            return;
        }
        if (readOp >= 0) {
            proactor.cancel(readOp);
        }
        if (peerOp >= 0) {
            proactor.cancel(peerOp);
        }
    }

    private void submitRead() {
        long address;
        int length;
        readTarget = null;
        boolean buffered = owner.bufferedProtocol() != null;
        ByteBuffer buf = buffered ? owner.protocolBuffer() : null;
        if (buffered && buf == null) {
            return; // getBuffer failed: reported, transport closing
        }
        if (buf != null && buf.isDirect()) {
            readTarget = buf;
            readTargetPosition = buf.position();
            address = addresses.address(buf) + readTargetPosition;
            length = buf.remaining();
        } else {
            address = readBuffer().address();
            length = buf == null ? READ_SIZE : Math.min(buf.remaining(), READ_SIZE);
        }
        readLength = length;
        if (socket) {
            // After a short read the kernel's attempt to receive at once would fail: arm its poll directly.
            readPolledFirst = drained && io.pollFirst();
            readOp = proactor.submit(Linux.IORING_OP_RECV, fd, address, length, 0, 0,
                    readPolledFirst ? Linux.IORING_RECVSEND_POLL_FIRST : 0, onRead);
        } else {
            readOp = proactor.submit(Linux.IORING_OP_READ, fd, address, length, -1, 0, onRead);
        }
    }

    private void readCompleted(int res) {
        readOp = -1;
        if (owner.isReleased()) {
            readTarget = null;
            closeWhenIdle();
            return;
        }
        if (owner.isClosing() || res == -Linux.ECANCELED) {
            readTarget = null;
            return;
        }
        if (owner.isPaused()) {
            parked.park(res);
            return;
        }
        handleRead(res);
    }

    private void handleRead(int res) {
        if (res == -Errno.EINVAL && readPolledFirst) {
            io.pollFirstUnsupported(); // a kernel before 5.19: receive without the flag from now on
            submitRead();
            return;
        }
        ByteBuffer target = readTarget;
        readTarget = null;
        drained = res < readLength;
        if (res > 0) {
            if (target != null) {
                target.position(readTargetPosition);
                if (!owner.bufferUpdated(target, res)) {
                    return;
                }
            } else {
                owner.dataRead(readBuffer.buffer(), 0, res);
            }
        } else if (res == 0) {
            owner.readEof();
            return;
        } else if (-res != Errno.EAGAIN && -res != Errno.EINTR) {
            owner.readFailed(-res);
            return;
        }
        if (!owner.isClosing() && !owner.isPaused() && readOp < 0) {
            submitRead();
        }
    }

    /** A parked result is dropped when the transport closes: it no longer holds the protocol's buffer either. */
    private boolean droppedWhenClosing() {
        if (owner.isClosing()) {
            readTarget = null;
            return true;
        }
        return false;
    }

    private void peerEvent(int res) {
        peerOp = -1;
        if (owner.isReleased()) {
            closeWhenIdle();
        } else if (!owner.isClosing() && res != -Linux.ECANCELED) {
            owner.peerClosed();
        }
    }

    private NativeMemory readBuffer() {
        if (readBuffer == null) {
            readBuffer = new NativeMemory(READ_SIZE);
        }
        return readBuffer;
    }

    // ---------------------------------------------------------------- writing

    @Override
    public void send(ByteBuffer data) {
        while (data.hasRemaining()) {
            Chunk tail = chunks.peekLast();
            if (tail == null || tail.end == CompletionStreamIo.CHUNK_SIZE) {
                tail = new Chunk(io.takeChunk());
                chunks.add(tail);
            }
            // Appending behind a chunk's submitted range is safe: the kernel reads only that range.
            int n = Math.min(data.remaining(), CompletionStreamIo.CHUNK_SIZE - tail.end);
            tail.memory.buffer().put(tail.end, data, data.position(), n);
            data.position(data.position() + n);
            tail.end += n;
            owner.bytesBuffered(n);
        }
        if (writeOp < 0) {
            submitWrite();
        }
    }

    /** Sends what is buffered: one chunk with SEND (or WRITE), several with SENDMSG (or WRITEV). */
    private void submitWrite() {
        Chunk first = chunks.peek();
        if (chunks.size() == 1) {
            writeOp = proactor.submit(socket ? Linux.IORING_OP_SEND : Linux.IORING_OP_WRITE, fd,
                    first.memory.address() + first.start, first.end - first.start, socket ? 0 : -1,
                    socket ? Linux.MSG_NOSIGNAL : 0, onWrite);
            return;
        }
        if (gather == null) {
            gather = new NativeMemory(Linux.MSGHDR_SIZE + (long) MAX_IOV * Linux.IOVEC_SIZE);
        }
        ByteBuffer g = gather.buffer();
        int count = 0;
        for (Chunk c : chunks) {
            int off = Linux.MSGHDR_SIZE + count * Linux.IOVEC_SIZE;
            g.putLong(off, c.memory.address() + c.start);
            g.putLong(off + 8, c.end - c.start);
            if (++count == MAX_IOV) {
                break;
            }
        }
        long iov = gather.address() + Linux.MSGHDR_SIZE;
        if (socket) {
            g.putLong(Linux.MSGHDR_IOV, iov);
            g.putLong(Linux.MSGHDR_IOVLEN, count);
            writeOp = proactor.submit(Linux.IORING_OP_SENDMSG, fd, gather.address(), 1, 0, Linux.MSG_NOSIGNAL, onWrite);
        } else {
            writeOp = proactor.submit(Linux.IORING_OP_WRITEV, fd, iov, count, -1, 0, onWrite);
        }
    }

    private void writeCompleted(int res) {
        writeOp = -1;
        if (discarding || owner.isReleased()) {
            discarding = false;
            freeChunks();
            closeWhenIdle();
            return;
        }
        if (res < 0) {
            if (-res == Errno.EAGAIN || -res == Errno.EINTR) {
                submitWrite();
            } else {
                owner.writeFailed(-res);
            }
            return;
        }
        consume(res);
        if (!chunks.isEmpty()) {
            submitWrite();
        }
        owner.written(res);
    }

    private void consume(int n) {
        while (n > 0) {
            Chunk head = chunks.peek();
            int take = Math.min(n, head.end - head.start);
            head.start += take;
            n -= take;
            if (head.start == head.end) {
                chunks.poll();
                io.giveBack(head.memory);
            }
        }
    }

    /** An abort: the write in flight is cancelled and its chunks go when it completes. */
    @Override
    public void discardWrites() {
        if (writeOp >= 0) {
            discarding = true;
            proactor.cancel(writeOp);
        } else {
            freeChunks();
        }
    }

    private void freeChunks() {
        Chunk c;
        while ((c = chunks.poll()) != null) {
            io.giveBack(c.memory);
        }
    }

    // ---------------------------------------------------------------- closing

    @Override
    public void close() {
        parked.clear();
        for (int op : new int[] {readOp, peerOp, writeOp}) {
            if (op >= 0) {
                proactor.cancel(op);
            }
        }
        if (writeOp < 0) {
            freeChunks();
        }
        closeWhenIdle();
        if (!fdClosed) {
            proactor.closeIfAbandoned(abandon);
        }
    }

    /** The loop closes and the kernel never gave the operations back: the descriptor is closed, the memory left. */
    private final Runnable abandon = this::closeAbandoned;

    private void closeAbandoned() {
        if (!fdClosed) {
            fdClosed = true;
            owner.closeDescriptor();
        }
    }

    /** Once released and no operation is in flight: the descriptor is closed and the memory freed. */
    private void closeWhenIdle() {
        if (fdClosed || !owner.isReleased() || readOp >= 0 || writeOp >= 0 || peerOp >= 0) {
            return;
        }
        fdClosed = true;
        proactor.closedInTime(abandon);
        owner.closeDescriptor();
        freeChunks();
        readTarget = null;
        if (readBuffer != null) {
            readBuffer.close();
            readBuffer = null;
        }
        if (gather != null) {
            gather.close();
            gather = null;
        }
    }
}
