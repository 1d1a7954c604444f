package dev.loop.internal.transport;

import dev.loop.transport.Protocol;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.DirectBuffers;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * A {@link Transport} on a readiness loop: reads through a reader callback, writes at once while the
 * kernel takes the bytes and through a writer callback for the rest.
 */
public final class StreamTransport extends AbstractStreamTransport {

    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private final DirectBuffers readAddresses = new DirectBuffers();
    private final DirectBuffers writeAddresses = new DirectBuffers();
    private final Runnable onReadable = this::readReady;
    private final Runnable onWritable = this::writeReady;
    private boolean readerAdded;
    private boolean writerAdded;

    /** See {@link AbstractStreamTransport#AbstractStreamTransport}. */
    public StreamTransport(Loop loop, int fd, Kind kind, Protocol protocol, boolean watchPeerClose) {
        super(loop, fd, kind, protocol, watchPeerClose);
    }

    // ---------------------------------------------------------------- reading

    @Override
    protected void startReading() {
        if (!readerAdded && !released) {
            loop.watchRead(fd, onReadable);
            readerAdded = true;
        }
    }

    @Override
    protected void stopReading() {
        if (readerAdded) {
            readerAdded = false;
            loop.unwatchRead(fd);
        }
    }

    private void readReady() {
        if (closing || released) {
            return;
        }
        if (kind == Kind.WRITE_PIPE) {
            readEof(); // the write end became readable or errored: the reader went away
            return;
        }
        if (buffered != null) {
            readIntoProtocolBuffer();
            return;
        }
        NativeMemory scratch = IoScratch.get();
        long n = LibC.read(fd, scratch.address(), IoScratch.SIZE);
        if (n > 0) {
            deliver(scratch.buffer(), 0, (int) n);
        } else {
            readFailed(n);
        }
    }

    /** asyncio's BufferedProtocol path: get_buffer, recv_into (straight into a direct buffer), buffer_updated. */
    private void readIntoProtocolBuffer() {
        ByteBuffer buf = protocolBuffer();
        if (buf == null) {
            return;
        }
        long n;
        if (buf.isDirect()) {
            n = LibC.read(fd, readAddresses.address(buf) + buf.position(), buf.remaining());
            if (n > 0) {
                bufferUpdated(buf, (int) n);
                return;
            }
        } else {
            NativeMemory scratch = IoScratch.get();
            n = LibC.read(fd, scratch.address(), Math.min(buf.remaining(), IoScratch.SIZE));
            if (n > 0) {
                deliver(scratch.buffer(), 0, (int) n);
                return;
            }
        }
        readFailed(n);
    }

    /** A read returned 0 (EOF) or -1. */
    private void readFailed(long n) {
        if (n == 0) {
            readEof();
            return;
        }
        int errno = LibC.errno();
        if (errno != Errno.EAGAIN && errno != Errno.EINTR) {
            readError(errno);
        }
    }

    // ---------------------------------------------------------------- writing

    @Override
    protected void send(ByteBuffer data) {
        if (pending.isEmpty()) {
            int errno = writeDirect(data);
            if (errno != 0) {
                writeError(errno);
                return;
            }
            if (!data.hasRemaining()) {
                return;
            }
            addWriter();
        }
        int length = data.remaining();
        byte[] copy = new byte[length];
        data.get(copy);
        pending.add(ByteBuffer.wrap(copy));
        pendingBytes += length;
    }

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
            if (errno != Errno.EAGAIN && errno != Errno.EINTR) {
                writeError(errno);
            }
            return;
        }
        consume(n);
        if (pending.isEmpty()) {
            removeWriter();
        }
        written(n);
    }

    private void consume(long n) {
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

    @Override
    protected void discardWrites() {
        pending.clear();
        removeWriter();
    }

    // ---------------------------------------------------------------- closing

    @Override
    protected void closeDescriptor() {
        if (!loop.isClosed()) {
            stopReading();
            removeWriter();
        }
        pending.clear();
        LibC.close(fd);
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
}
