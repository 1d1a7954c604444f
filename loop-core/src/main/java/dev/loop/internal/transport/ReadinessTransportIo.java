package dev.loop.internal.transport;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.DirectBuffers;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * A transport's bytes moved on readiness: reads from a reader callback, writes at once while the kernel takes
 * the bytes and from a writer callback for the rest (asyncio's selector transports).
 */
final class ReadinessTransportIo implements TransportIo {

    private final Loop loop;
    private final StreamTransport owner;
    private final int fd;
    private final boolean socket;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private final DirectBuffers readAddresses = new DirectBuffers();
    private final DirectBuffers writeAddresses = new DirectBuffers();
    private final Runnable onReadable = this::readReady;
    private final Runnable onWritable = this::writeReady;
    private final Runnable onPeerEvent = this::peerEvent;
    private boolean readerAdded;
    private boolean writerAdded;

    ReadinessTransportIo(Loop loop, StreamTransport owner, int fd, boolean socket) {
        this.loop = loop;
        this.owner = owner;
        this.fd = fd;
        this.socket = socket;
    }

    // ---------------------------------------------------------------- reading

    @Override
    public void startReading() {
        watchReadable(onReadable);
    }

    @Override
    public void watchPeerClose() {
        watchReadable(onPeerEvent);
    }

    private void watchReadable(Runnable callback) {
        if (!readerAdded && !owner.isReleased()) {
            loop.watchRead(fd, callback);
            readerAdded = true;
        }
    }

    @Override
    public void stopReading() {
        if (readerAdded) {
            readerAdded = false;
            loop.unwatchRead(fd);
        }
    }

    /** A write pipe's end became readable or errored: its reader went away. */
    private void peerEvent() {
        if (!owner.isClosing()) {
            owner.peerClosed();
        }
    }

    private void readReady() {
        if (owner.isClosing()) {
            return;
        }
        if (owner.bufferedProtocol() != null) {
            readIntoProtocolBuffer();
            return;
        }
        NativeMemory scratch = IoScratch.get();
        long n = LibC.read(fd, scratch.address(), IoScratch.SIZE);
        if (n > 0) {
            owner.dataRead(scratch.buffer(), 0, (int) n);
        } else {
            readFailed(n);
        }
    }

    /** asyncio's BufferedProtocol path: get_buffer, recv_into (straight into a direct buffer), buffer_updated. */
    private void readIntoProtocolBuffer() {
        ByteBuffer buf = owner.protocolBuffer();
        if (buf == null) {
            return;
        }
        long n;
        if (buf.isDirect()) {
            n = LibC.read(fd, readAddresses.address(buf) + buf.position(), buf.remaining());
            if (n > 0) {
                owner.bufferUpdated(buf, (int) n);
                return;
            }
        } else {
            NativeMemory scratch = IoScratch.get();
            n = LibC.read(fd, scratch.address(), Math.min(buf.remaining(), IoScratch.SIZE));
            if (n > 0) {
                owner.dataRead(scratch.buffer(), 0, (int) n);
                return;
            }
        }
        readFailed(n);
    }

    /** A read returned 0 (EOF) or -1. */
    private void readFailed(long n) {
        if (n == 0) {
            owner.readEof();
            return;
        }
        int errno = LibC.errno();
        if (errno != Errno.EAGAIN && errno != Errno.EINTR) {
            owner.readFailed(errno);
        }
    }

    // ---------------------------------------------------------------- writing

    @Override
    public void send(ByteBuffer data) {
        if (pending.isEmpty()) {
            int errno = writeNow(data);
            if (errno != 0) {
                owner.writeFailed(errno);
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
        owner.bytesBuffered(length);
    }

    /**
     * Writes what the kernel takes now (straight from a direct buffer, else through the scratch buffer);
     * returns 0, or the errno of a real failure.
     */
    private int writeNow(ByteBuffer data) {
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
        return socket ? LibC.send(fd, address, length, Linux.MSG_NOSIGNAL) : LibC.write(fd, address, length);
    }

    private void writeReady() {
        if (owner.isReleased()) {
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
                owner.writeFailed(errno);
            }
            return;
        }
        consume(n);
        if (pending.isEmpty()) {
            removeWriter();
        }
        owner.written(n);
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
    public void discardWrites() {
        pending.clear();
        removeWriter();
    }

    // ---------------------------------------------------------------- closing

    @Override
    public void close() {
        if (!loop.isClosed()) {
            stopReading();
            removeWriter();
        }
        pending.clear();
        owner.closeDescriptor();
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
