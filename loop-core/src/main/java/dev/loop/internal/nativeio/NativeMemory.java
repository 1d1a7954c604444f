package dev.loop.internal.nativeio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * A block of zeroed native memory with its address as a {@code long} (for direct calls) and a
 * native-order {@link ByteBuffer} view (for field access at 0.3 ns instead of a JNI call per field).
 * Owned by one object and freed by {@link #close()}; never freed while the kernel may use it.
 */
public final class NativeMemory implements AutoCloseable {

    /** The malloc'ed block, or null for {@link #mapped} pages. */
    private final Memory memory;
    private final long address;
    private final long size;
    private final ByteBuffer buffer;
    private boolean unmapped;

    public NativeMemory(long size) {
        this.memory = new Memory(Math.max(size, 8));
        this.memory.clear();
        this.address = Pointer.nativeValue(memory);
        this.size = memory.size();
        this.buffer = memory.getByteBuffer(0, memory.size()).order(ByteOrder.nativeOrder());
    }

    private NativeMemory(long address, long size) {
        this.memory = null;
        this.address = address;
        this.size = size;
        this.buffer = view(address, size);
    }

    /**
     * Zeroed anonymous pages of their own ({@code mmap}), given back to the operating system by
     * {@link #close()} whatever else the process holds: unlike a malloc'ed block, whose memory the C
     * library keeps for reuse when other blocks pin the heap around it.
     */
    public static NativeMemory mapped(long size) {
        long address = LibC.mmap(0, size, Linux.PROT_READ_WRITE, Linux.MAP_PRIVATE_ANONYMOUS, -1, 0);
        if (address == -1) {
            throw new dev.loop.NativeException("mmap", LibC.errno(), size + " bytes");
        }
        return new NativeMemory(address, size);
    }

    /**
     * A native-order view of {@code length} bytes at {@code address}, memory this class does not own
     * (a kernel mapping such as an io_uring ring): valid until that memory is unmapped.
     */
    public static ByteBuffer view(long address, long length) {
        return new Pointer(address).getByteBuffer(0, length).order(ByteOrder.nativeOrder());
    }

    /** The address of element 0 of {@code buffer}, which must be direct. */
    public static long addressOf(ByteBuffer buffer) {
        return Pointer.nativeValue(com.sun.jna.Native.getDirectBufferPointer(buffer));
    }

    public long address() {
        return address;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    public long size() {
        return size;
    }

    public void clear() {
        if (memory != null) {
            memory.clear();
        } else {
            new Pointer(address).setMemory(0, size, (byte) 0);
        }
    }

    @Override
    public void close() {
        if (memory != null) {
            memory.close();
        } else if (!unmapped) {
            unmapped = true;
            LibC.munmap(address, size);
        }
    }
}
