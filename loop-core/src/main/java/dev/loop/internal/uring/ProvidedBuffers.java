package dev.loop.internal.uring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import dev.loop.NativeException;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * A ring of provided buffers registered with the kernel ({@code IORING_REGISTER_PBUF_RING}, Linux 5.19+): the
 * buffers a multishot receive fills, one per completion, the buffer's id in the completion's flags. A buffer
 * goes back to the kernel with {@link #recycle} as soon as its contents were handed over; while every buffer is
 * out, a multishot receive ends with ENOBUFS and is armed again. One group per loop, shared by its endpoints.
 * Loop thread.
 */
final class ProvidedBuffers implements AutoCloseable {

    private static final VarHandle TAIL = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());

    private final IoUring ring;
    private final int group;
    private final int count;
    private final int size;
    private final NativeMemory entries;
    private final NativeMemory data;
    private final ByteBuffer entryView;
    private short tail;
    private long timesRanOut;
    private boolean closed;

    private ProvidedBuffers(IoUring ring, int group, int count, int size, NativeMemory entries, NativeMemory data) {
        this.ring = ring;
        this.group = group;
        this.count = count;
        this.size = size;
        this.entries = entries;
        this.data = data;
        this.entryView = entries.buffer();
    }

    /**
     * Registers {@code count} (a power of two, at most 32768) buffers of {@code size} bytes as group {@code group}
     * of {@code ring}, all of them given to the kernel.
     *
     * @throws NativeException when the kernel refuses (EINVAL before 5.19)
     */
    static ProvidedBuffers register(IoUring ring, int group, int count, int size) {
        if (Integer.bitCount(count) != 1 || count > 32768) {
            throw new IllegalArgumentException("count must be a power of two up to 32768: " + count);
        }
        // Page-aligned, as the kernel wants the ring (and both are given back whole on close).
        NativeMemory entries = NativeMemory.mapped((long) count * Linux.IO_URING_BUF_SIZE);
        NativeMemory data;
        try {
            data = NativeMemory.mapped((long) count * size);
        } catch (RuntimeException e) {
            entries.close();
            throw e;
        }
        ProvidedBuffers buffers = new ProvidedBuffers(ring, group, count, size, entries, data);
        for (int bid = 0; bid < count; bid++) {
            buffers.put(bid);
        }
        buffers.publish();
        int errno;
        try (NativeMemory reg = new NativeMemory(Linux.IO_URING_BUF_REG_SIZE)) {
            reg.buffer().putLong(0, entries.address());
            reg.buffer().putInt(8, count);
            reg.buffer().putShort(12, (short) group);
            errno = ring.register(Linux.IORING_REGISTER_PBUF_RING, reg.address(), 1);
        }
        if (errno != 0) {
            entries.close();
            data.close();
            throw new NativeException("io_uring_register(PBUF_RING)", errno,
                    count + " buffers of " + size + " bytes (Linux 5.19 or later)");
        }
        return buffers;
    }

    int group() {
        return group;
    }

    /** The buffers' memory, buffer {@code bid} at {@link #offset}. */
    ByteBuffer data() {
        return data.buffer();
    }

    int offset(int bid) {
        return bid * size;
    }

    /** A receive ended because every buffer was out (ENOBUFS). */
    void ranOut() {
        timesRanOut++;
    }

    /** How often a receive found every buffer out. */
    long timesRanOut() {
        return timesRanOut;
    }

    /** Buffer {@code bid} goes back to the kernel. */
    void recycle(int bid) {
        put(bid);
        publish();
    }

    private void put(int bid) {
        int at = (tail & (count - 1)) * Linux.IO_URING_BUF_SIZE;
        entryView.putLong(at, data.address() + (long) bid * size);
        entryView.putInt(at + 8, size);
        entryView.putShort(at + 12, (short) bid);
        tail++;
    }

    /** The new tail, after the entries it covers (a release store: the kernel reads it without a lock). */
    private void publish() {
        TAIL.setRelease(entryView, Linux.IO_URING_BUF_RING_TAIL, tail);
    }

    /**
     * Unregisters the group and frees the memory. Only when no operation that selects from it is in flight: the
     * ring's own teardown would otherwise free it under the kernel.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (NativeMemory reg = new NativeMemory(Linux.IO_URING_BUF_REG_SIZE)) {
            reg.buffer().putShort(12, (short) group);
            int errno = ring.register(Linux.IORING_UNREGISTER_PBUF_RING, reg.address(), 1);
            if (errno != 0 && errno != Errno.EINVAL) {
                throw new NativeException("io_uring_register(UNREGISTER_PBUF_RING)", errno);
            }
        }
        entries.close();
        data.close();
    }
}
